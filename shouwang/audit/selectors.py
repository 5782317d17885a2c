"""Reads of the audit trail, cut to the viewer's jurisdiction."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from shouwang.accounts import access

from .models import AuditEvent


def audit_event_list_for(
    *,
    viewer,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events of the viewer's jurisdiction, newest first, filtered."""
    if not access.has_perm(viewer, access.Perm.VIEW_AUDIT):
        return AuditEvent.objects.none()
    events = access.scope(viewer, AuditEvent.objects.select_related("area"), "area_id")
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_name__iexact=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(
            at__gte=datetime.combine(date_from, time.min, tzinfo=zone)
        )
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        events = events.filter(at__lt=end)
    return events
