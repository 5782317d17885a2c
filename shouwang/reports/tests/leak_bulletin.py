"""Leak-walker samples: generated bulletins and uploaded bulletin templates. Each
county gets a finished bulletin and an active template; the foreign ones' names
are leak markers. No file is written: the walker never opens the home records'
files, and the foreign ones answer 404 before any file is read."""

from datetime import date

from shouwang.reports.models import Bulletin, BulletinStatus, BulletinTemplate


def seed(world):
    for side_name in ("home", "foreign"):
        side = getattr(world, side_name)
        civil = side.users["civil_affairs"]
        template = BulletinTemplate.objects.create(
            area=side.county,
            name=f"{side_name}通报模板标记",
            file=f"templates/leak-{side_name}.docx",
            original_name=f"{side_name}模板文件标记.docx",
            sha256="0" * 64,
            uploaded_by=civil,
        )
        bulletin = Bulletin.objects.create(
            area=side.county,
            start=date(2026, 1, 1),
            end=date(2026, 3, 31),
            reference_date=date(2025, 12, 31),
            template=template,
            template_name=f"{side_name}通报模板标记",
            requested_by=civil,
            status=BulletinStatus.DONE,
            progress=100,
            file=f"bulletins/leak-{side_name}.docx",
        )
        world.records[f"{side_name}_bulletin"] = bulletin
        world.records[f"{side_name}_bulletin_template"] = template
    world.mark("foreign通报模板标记", "foreign模板文件标记.docx")


def _bulletin(world) -> dict:
    return {"pk": world.records["foreign_bulletin"].pk}


def _template(world) -> dict:
    return {"pk": world.records["foreign_bulletin_template"].pk}


FOREIGN_KWARGS = {
    "reports:bulletin-detail": _bulletin,
    "reports:bulletin-progress": _bulletin,
    "reports:bulletin-download": _bulletin,
    "reports:bulletin-retry": _bulletin,
    "reports:bulletin-template-file": _template,
    "reports:bulletin-template-retire": _template,
}
