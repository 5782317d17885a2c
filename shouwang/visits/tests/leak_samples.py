"""Foreign records for the leak-walker (tests/leakwalk.py), one module per part of the
app: visits, schedules and worklists, responsibility and confirmations, review cycles."""

from . import leak_care, leak_cycle, leak_schedule, leak_visit

_PARTS = (leak_visit, leak_schedule, leak_care, leak_cycle)


def seed(world):
    for part in _PARTS:
        part.seed(world)


FOREIGN_KWARGS = {
    name: sample for part in _PARTS for name, sample in part.FOREIGN_KWARGS.items()
}
