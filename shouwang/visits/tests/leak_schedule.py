"""Leak-walker samples: schedules, worklists and county visit policies."""

from shouwang.registry.models import VisitPolicy


def seed(world):
    """A visit policy in each county (the walker's county users can read their own)."""
    for side in (world.home, world.foreign):
        VisitPolicy.objects.create(
            county=side.county,
            high_days=5,
            medium_days=20,
            low_days=60,
            updated_by=side.users["civil_affairs"],
        )


FOREIGN_KWARGS = {
    "api:worklist-policy": lambda w: {"county_code": w.foreign.county.code},
    "api:worklist-policy-set": lambda w: {"county_code": w.foreign.county.code},
}
