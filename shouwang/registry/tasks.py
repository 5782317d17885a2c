"""Background work of the ledger, run by `manage.py db_worker` (inline in tests)."""

from datetime import date

from django.utils import timezone
from django_tasks import task

from .services import children_reclassify


@task()
def reclassify_children(as_of: str = "") -> int:
    """Recompute every active child's classification for as_of (ISO date; default today)."""
    return children_reclassify(
        as_of=date.fromisoformat(as_of) if as_of else timezone.localdate()
    )
