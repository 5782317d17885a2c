"""Reads of the audit trail, cut to the viewer's jurisdiction."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, QuerySet
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import User

from .models import AuditAction, AuditEvent


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
    # The calendar's ends: midnight of 0001-01-01 in Beijing is still year 0 in UTC,
    # and 9999-12-31 has no next day, so a day's end is its last microsecond.
    if date_from and date_from > date.min:
        events = events.filter(
            at__gte=datetime.combine(date_from, time.min, tzinfo=zone)
        )
    if date_to:
        events = events.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=zone))
    return events


@dataclass(frozen=True)
class RefusedUser:
    """A user refused many times on one day."""

    username: str
    full_name: str
    area_name: str
    count: int


def refused_users_for(*, viewer, day: date, threshold: int) -> list[RefusedUser]:
    """Users of the viewer's jurisdiction refused access to records outside their own
    at least `threshold` times on day (a local calendar day), most refused first."""
    counts = (
        audit_event_list_for(
            viewer=viewer,
            action=AuditAction.ACCESS_REFUSED,
            date_from=day,
            date_to=day,
        )
        .order_by()
        .values("actor_id", "actor_name")
        .annotate(count=Count("id"))
        .filter(count__gte=max(threshold, 1))
        .order_by("-count", "actor_name")
    )
    rows = list(counts)
    users = User.objects.select_related("area").in_bulk(
        [row["actor_id"] for row in rows if row["actor_id"]]
    )
    found = []
    for row in rows:
        user = users.get(row["actor_id"])
        found.append(
            RefusedUser(
                username=row["actor_name"],
                full_name=user.full_name if user else "",
                area_name=user.area.name if user and user.area else "",
                count=row["count"],
            )
        )
    return found
