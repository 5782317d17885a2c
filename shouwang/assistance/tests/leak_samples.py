"""Leak-walker samples of the assistance app: a standard in each county (the foreign
amount a marker), and the samples of each part — beneficiaries and payments,
programmes, foundlings (leak_<part>.py)."""

from datetime import date

from shouwang.assistance.models import AllowanceStandard

from . import leak_beneficiaries, leak_foundlings, leak_programmes

PARTS = (leak_beneficiaries, leak_programmes, leak_foundlings)
FOREIGN_AMOUNT = "1357.91"


def seed(world):
    AllowanceStandard.objects.create(
        area=world.foreign.county,
        kind="集中养育孤儿",
        amount=FOREIGN_AMOUNT,
        effective_from=date(2026, 2, 1),
        created_by=world.foreign.users["civil_affairs"],
    )
    world.mark(FOREIGN_AMOUNT)
    for part in PARTS:
        part.seed(world)


FOREIGN_KWARGS: dict = {
    name: sample for part in PARTS for name, sample in part.FOREIGN_KWARGS.items()
}
