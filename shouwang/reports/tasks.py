"""Background work of the reports app, run by `manage.py db_worker` (inline in tests)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from shouwang.areas.models import Area
from shouwang.core.schedule import schedule_daily

from .services import snapshots_nightly, snapshots_refresh

NIGHTLY_AT = time(23, 55)  # local time: just before the day ends


@task()
def snapshot_figures(day: str = "", area_code: str = "", nightly: bool = False) -> int:
    """Compute the figure snapshots of a day (ISO date; default yesterday) for an area
    (default all); the nightly run takes today's from the live ledger and refreshes
    changed recent days, after queueing the next night's run."""
    if nightly:
        schedule_nightly_snapshots(now=timezone.localtime() + timedelta(minutes=1))
        return snapshots_nightly(today=timezone.localdate())
    area = Area.objects.filter(code=area_code).first() if area_code else None
    when = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return snapshots_refresh(day=when, area=area, only_stale=False)


def schedule_nightly_snapshots(*, now: datetime | None = None) -> datetime | None:
    """Queue the next 23:55 run unless one is waiting; None on the inline backend."""
    return schedule_daily(snapshot_figures, at=NIGHTLY_AT, now=now, nightly=True)
