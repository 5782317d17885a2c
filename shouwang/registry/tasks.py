"""Background work of the ledger, run by `manage.py db_worker` (inline in tests)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from shouwang.core.schedule import schedule_daily

from .services import children_reclassify, exit_reviews_detect

NIGHTLY_AT = time(1, 0)  # local time of the nightly reclassification


@task()
def reclassify_children(as_of: str = "", nightly: bool = False) -> int:
    """Recompute every active child's classification for as_of (ISO date; default
    today), then put the children who turned 16 or 18 by then on the exit-review
    worklist; returns how many classifications changed. A nightly run queues the next
    night's run before it works."""
    if nightly:
        # Queue tomorrow's run first, so that a failure tonight does not end the series.
        schedule_nightly_reclassification(
            now=timezone.localtime() + timedelta(minutes=1)
        )
    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    changed = children_reclassify(as_of=day)
    exit_reviews_detect(as_of=day)
    return changed


def schedule_nightly_reclassification(
    *, now: datetime | None = None
) -> datetime | None:
    """Queue the next 01:00 run unless one is already waiting; returns when it runs.

    None when the task backend cannot run work later (the inline backend of tests).
    """
    return schedule_daily(reclassify_children, at=NIGHTLY_AT, now=now, nightly=True)
