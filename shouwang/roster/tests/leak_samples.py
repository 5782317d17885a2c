"""Foreign records for the leak-walker (tests/leakwalk.py): an import in each county."""

from shouwang.accounts.models import Role
from shouwang.roster.models import ImportJob, ImportStatus


def seed(world):
    """A checked import in each county (no file on disk: every view that would open
    one must refuse the foreign import first); the foreign one's texts are markers."""
    for side, label in ((world.home, "家园"), (world.foreign, "泄露标记")):
        user = side.users[Role.DIRECTOR]
        job = ImportJob.objects.create(
            user=user,
            area=user.area,
            file=f"files/leak/{label}.xlsx",
            original_name=f"{label}花名册.xlsx",
            size=1024,
            sha256="0" * 64,
            status=ImportStatus.CHECKED,
            counts={"total": 2, "new": 1, "changed": 0, "unchanged": 0},
            errors=[
                {
                    "row": 3,
                    "column": "姓名",
                    "value": f"{label}错误值",
                    "message": "姓名为必填项：请填写",
                }
            ],
            error_count=1,
            samples={
                "new": [
                    {
                        "row": 2,
                        "name": f"{label}新儿童",
                        "sex": "男",
                        "birth_date": "2016-05-01",
                        "village_id": side.village.code,
                    }
                ]
            },
            error_report=f"reports/leak/{label}.xlsx",
        )
        world.records[f"{'home' if side is world.home else 'foreign'}_import"] = job
    world.mark("泄露标记花名册.xlsx", "泄露标记错误值", "泄露标记新儿童")


def _foreign_import(world):
    return {"pk": world.records["foreign_import"].pk}


FOREIGN_KWARGS = {
    "roster:import-detail": _foreign_import,
    "roster:import-progress": _foreign_import,
    "roster:import-commit": _foreign_import,
    "roster:import-retry": _foreign_import,
    "roster:import-file": _foreign_import,
    "roster:import-report": _foreign_import,
}
