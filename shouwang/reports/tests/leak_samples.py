"""Foreign records for the leak-walker (tests/leakwalk.py), one module per part of the
app: the dashboard and export, the bulletins and their templates."""

from . import leak_bulletin, leak_dashboard

_PARTS = (leak_dashboard, leak_bulletin)


def seed(world):
    for part in _PARTS:
        part.seed(world)


FOREIGN_KWARGS = {
    name: sample for part in _PARTS for name, sample in part.FOREIGN_KWARGS.items()
}
