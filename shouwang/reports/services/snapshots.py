"""Daily figure snapshots: taken from the live ledger just before each day ends, and
recomputed from history for recent days that records entered later have changed (a
visit recorded days after it took place, a change made in the day's last minutes)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.registry.models import ChildChange
from shouwang.visits.models import Visit

from .. import compute

REFRESH_DAYS = 31  # how far back the nightly run looks for changed days


def snapshots_refresh(*, day: date, area: Area | None = None, only_stale: bool) -> int:
    """Compute a day's figures under area (all areas when None): everything, or only
    the county units whose snapshot is missing or stale; returns the rows written."""
    if not only_stale:
        with transaction.atomic():
            return compute.snapshot_day(day, area)
    written = 0
    for prefix in compute.computation_units(area):
        unit = Area.objects.filter(code=codes.pad(prefix)).first()
        if unit is None or (
            compute.snapshot_exists(unit, day) and not compute.stale_count(unit, day)
        ):
            continue
        with transaction.atomic():
            written += compute.snapshot_unit(prefix, day)
    return written


def _touched_counties(*, since) -> set[str]:
    """Counties with visits or child changes entered since a moment."""
    villages = set(
        Visit.objects.filter(created_at__gte=since).values_list("village_id", flat=True)
    ) | set(
        ChildChange.objects.filter(at__gte=since).values_list(
            "child__village_id", flat=True
        )
    )
    return {codes.pad(code[:6]) for code in villages if code}


def snapshots_nightly(*, today: date) -> int:
    """Today's figures for every area from the live ledger (the day is about to end),
    then, in the counties with records entered since yesterday's run, each of the last
    REFRESH_DAYS days those records changed, from history; returns rows written."""
    written = snapshots_refresh(day=today, only_stale=False)
    since = timezone.now() - timedelta(days=2)
    for county in Area.objects.filter(code__in=_touched_counties(since=since)):
        for back in range(1, REFRESH_DAYS + 1):
            written += snapshots_refresh(
                day=today - timedelta(days=back), area=county, only_stale=True
            )
    return written
