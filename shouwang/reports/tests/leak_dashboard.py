"""Leak-walker samples: the statistics dashboard, the statistics table export and
the recompute button. Their URLs take the area as a query parameter (no path
parameters), so the walker opens them bare, as each home role, and checks that no
marker of the foreign county appears; the tests in test_dashboard_*.py and
test_export.py ask for the foreign county by code and expect 404."""

from datetime import timedelta

from django.utils import timezone

from shouwang.reports import compute


def seed(world):
    """Stored figures of yesterday for both counties, so that foreign rows exist
    beside the home county's when a home user reads a past day."""
    yesterday = timezone.localdate() - timedelta(days=1)
    for side in (world.home, world.foreign):
        compute.snapshot_day(yesterday, side.county)
    world.records["reports_snapshot_day"] = yesterday


FOREIGN_KWARGS: dict = {}
