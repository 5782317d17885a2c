"""Background work of protection, run by `manage.py db_worker` (inline in tests)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from shouwang.core.schedule import schedule_every

from .services import escalations_sweep

ESCALATION_MINUTES = 5  # how often overdue items are escalated (督办)


@task()
def sweep_escalations(repeat: bool = False) -> int:
    """Escalate every newly overdue case and referral; returns how many. A repeating
    run queues the next one first, so that a failure does not end the series."""
    if repeat:
        schedule_escalations()
    return escalations_sweep()


def schedule_escalations(*, now: datetime | None = None) -> datetime | None:
    """Queue the next sweep ESCALATION_MINUTES from now unless one is waiting; None on
    the inline backend of tests."""
    now = now or timezone.now()
    return schedule_every(
        sweep_escalations,
        minutes=ESCALATION_MINUTES,
        now=now + timedelta(seconds=1),
        repeat=True,
    )
