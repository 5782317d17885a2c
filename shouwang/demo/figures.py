"""The demo city's daily figure snapshots for the days its dashboards and bulletins
read first: the twelve past month-ends (the trend), the end of the last quarter (the
default bulletin) and yesterday. Computed from the demo's history once; the nightly
task adds a day at a time after that."""

from datetime import date, timedelta

from django.utils import timezone

from shouwang.areas.models import Area
from shouwang.reports import compute
from shouwang.reports.models import FigureSnapshot
from shouwang.reports.periods import last_quarter

from .city import CITY_CODE

TREND_MONTHS = 12


def demo_snapshot_days(today: date) -> list[date]:
    """The past days the demo computes, oldest first."""
    month_ends = compute.month_ends(today, TREND_MONTHS + 1)[:-1]
    days = {*month_ends, last_quarter(today).end, today - timedelta(days=1)}
    return sorted(d for d in days if d < today)


def demo_snapshots_load(*, today: date | None = None) -> int:
    """Compute the demo city's snapshots of those days that have none yet (every
    area of the city, from the history); returns how many days were computed.

    Only the demo city: the nightly task computes every county of the country, which
    takes minutes a day even where no child is held (docs/benchmarks.md, R5)."""
    today = today or timezone.localdate()
    city = Area.objects.get(code=CITY_CODE)
    done = set(FigureSnapshot.objects.filter(area=city).values_list("day", flat=True))
    missing = [day for day in demo_snapshot_days(today) if day not in done]
    for day in missing:
        compute.snapshot_day(day, city)
    return len(missing)
