"""Leak-walker samples of joint work: meetings, tasks and notices (leak_meet);
letters and community care (leak_care); the responsibility bulletin takes only query
parameters (leak_rank)."""

from . import leak_care, leak_meet, leak_rank

_PARTS = (leak_meet, leak_care, leak_rank)


def seed(world):
    for part in _PARTS:
        part.seed(world)


FOREIGN_KWARGS: dict = {
    name: sample for part in _PARTS for name, sample in part.FOREIGN_KWARGS.items()
}
