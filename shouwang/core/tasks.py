"""Background work of the shared kernel, run by `manage.py db_worker`."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .jobs import sweep_all
from .schedule import schedule_every


@task()
def sweep_stale_jobs(repeat: bool = False) -> int:
    """Mark failed every job whose worker died or stopped beating; returns how many.
    A repeating run queues the next one first, so that a failure does not end the
    series."""
    if repeat:
        schedule_job_sweep()
    return sum(sweep_all().values())


def schedule_job_sweep(*, now: datetime | None = None) -> datetime | None:
    """Queue the next sweep JOB_SWEEP_MINUTES from now unless one is waiting; None
    on the inline backend of tests."""
    now = now or timezone.now()
    return schedule_every(
        sweep_stale_jobs,
        minutes=settings.JOB_SWEEP_MINUTES,
        now=now + timedelta(seconds=1),
        repeat=True,
    )
