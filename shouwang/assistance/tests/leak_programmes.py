"""Leak-walker samples for aid programmes: a programme of each county with its own
child chosen; the foreign programme's name and reason are leak markers."""

from datetime import date
from decimal import Decimal

from shouwang.assistance.models import AidBeneficiary, AidProgramme


def seed(world):
    for side in ("home", "foreign"):
        county = getattr(world, side).county
        civil = getattr(world, side).users["civil_affairs"]
        programme = AidProgramme.objects.create(
            name=f"{side}救助项目标记",
            area=county,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            form="现金",
            amount=Decimal("500.00"),
            eligibility_notes=f"{side}救助条件标记",
            budget=Decimal("10000.00"),
            created_by=civil,
        )
        child = world.records[f"{side}_child"]  # registry's sample child
        AidBeneficiary.objects.create(
            programme=programme,
            child=child,
            village_id=child.village_id,
            amount=Decimal("500.00"),
            reason=f"{side}选定理由标记",
            chosen_by=civil,
        )
        world.records[f"{side}_programme"] = programme
    world.mark("foreign救助项目标记", "foreign救助条件标记", "foreign选定理由标记")


def _foreign_programme(world):
    return {"pk": world.records["foreign_programme"].pk}


FOREIGN_KWARGS: dict = {
    "assistance:programme-detail": _foreign_programme,
    "assistance:programme-edit": _foreign_programme,
    "assistance:programme-choose": _foreign_programme,
    "assistance:programme-decide": _foreign_programme,
    "assistance:programme-deliver": _foreign_programme,
}
