"""Writes for visits: record a visit (with its files) and keep the child's schedule."""

from datetime import date

from django.utils import timezone

from shouwang.registry.models import Child
from shouwang.registry.services import schedule_next_visit

from ..models import Visit


def child_schedule_refresh(*, child: Child, as_of: date | None = None) -> Child:
    """Set the child's last visit, follow-up and next due date from its latest visit
    (by visit date); derived fields, so no version bump and no history row."""
    latest = (
        Visit.objects.filter(child_id=child.pk)
        .order_by("-visit_date", "-id")
        .values("visit_date", "followup_needed", "followup_due")
        .first()
    )
    child.last_visit_date = latest["visit_date"] if latest else None
    child.visit_followup_due = (
        latest["followup_due"] if latest and latest["followup_needed"] else None
    )
    schedule_next_visit(child, as_of=as_of or timezone.localdate())
    Child.objects.filter(pk=child.pk).update(
        last_visit_date=child.last_visit_date,
        visit_followup_due=child.visit_followup_due,
        next_visit_due=child.next_visit_due,
    )
    return child
