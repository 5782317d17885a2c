"""Daily figure snapshots: computed each night for the day that ended, and again for
recent days that records entered later have changed (a visit recorded days after it
took place)."""

from datetime import date, timedelta

from django.db import transaction

from shouwang.areas import codes
from shouwang.areas.models import Area

from .. import compute

REFRESH_DAYS = 31  # how far back the nightly run looks for changed days


def snapshots_refresh(*, day: date, area: Area | None = None, only_stale: bool) -> int:
    """Compute (all, or only the stale) county units of a day under area; returns how
    many units were computed."""
    done = 0
    for prefix in compute.computation_units(area):
        unit = Area.objects.filter(code=codes.pad(prefix)).first()
        if only_stale and unit is not None:
            has_row = compute.snapshot_exists(unit, day)
            if has_row and not compute.stale_count(unit, day):
                continue
        with transaction.atomic():
            compute.snapshot_unit(prefix, day)
        done += 1
    return done


def snapshots_nightly(*, today: date) -> int:
    """Yesterday's figures for every area, and the last REFRESH_DAYS days recomputed
    where later records changed them; returns the units computed."""
    done = snapshots_refresh(day=today - timedelta(days=1), only_stale=False)
    for back in range(2, REFRESH_DAYS + 1):
        done += snapshots_refresh(day=today - timedelta(days=back), only_stale=True)
    return done
