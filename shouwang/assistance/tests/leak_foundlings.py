"""Leak-walker samples for foundlings: one registered in each county; the foreign
one's place and police certificate number are leak markers."""

from datetime import date

from shouwang.assistance.models import Foundling


def seed(world):
    for side in ("home", "foreign"):
        world.records[f"{side}_foundling"] = Foundling.objects.create(
            county=getattr(world, side).county,
            found_on=date(2026, 3, 1),
            found_place=f"{side}捡拾地点标记",
            certificate_number=f"{side}捡拾证明标记",
            sex="女",
            estimated_birth_date=date(2026, 2, 20),
            health="健康",
            created_by=getattr(world, side).users["civil_affairs"],
        )
    world.mark("foreign捡拾地点标记", "foreign捡拾证明标记")


FOREIGN_KWARGS: dict = {
    "assistance:foundling-detail": lambda world: {
        "pk": world.records["foreign_foundling"].pk
    },
}
