"""Recurring background work on the database task backend: queue a task for its next
run at a local time of day, or some minutes from now, unless a run is already
waiting."""

from datetime import datetime, time, timedelta

from django.utils import timezone


def schedule_daily(task, *, at: time, now: datetime | None = None, **kwargs):
    """Queue task(**kwargs) for the next `at` (local time) unless a run of it is already
    waiting; returns when it runs, or None when the backend cannot run work later
    (the inline backend of tests)."""
    now = now or timezone.localtime()
    run_at = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    if run_at <= now:
        run_at += timedelta(days=1)
    return _schedule(task, now=now, run_at=run_at, **kwargs)


def schedule_every(task, *, minutes: int, now: datetime | None = None, **kwargs):
    """Queue task(**kwargs) to run `minutes` from now unless a run of it is already
    waiting; returns when it runs, or None on a backend that cannot run work later."""
    now = now or timezone.now()
    return _schedule(task, now=now, run_at=now + timedelta(minutes=minutes), **kwargs)


def _schedule(task, *, now: datetime, run_at: datetime, **kwargs):
    """Queue task(**kwargs) at run_at unless a run of it is already waiting after now;
    when it runs, or None on a backend that cannot run work later."""
    if not task.get_backend().supports_defer:
        return None
    from django_tasks_db.models import DBTaskResult, get_date_max  # database backend

    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path,
        status="READY",
        run_after__gt=now,
        run_after__lt=get_date_max(),  # the maximum marks "as soon as possible"
    )
    if waiting.exists():
        return waiting.order_by("run_after").values_list("run_after", flat=True).first()
    task.using(run_after=run_at).enqueue(**kwargs)
    return run_at
