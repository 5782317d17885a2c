"""Staffing: townships with a supervisor and villages with a director, today from the
accounts, for a past day from the accounts as the audit trail says they stood then
(creation, role and area changes, deactivation and re-activation are all audited)."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from shouwang.accounts import access
from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.audit.models import AuditAction, AuditEvent

from ..catalogue import ByArea, Figure, Kind
from .ledger import end_of

STAFF_ROLES = {Role.SUPERVISOR: AreaLevel.TOWNSHIP, Role.DIRECTOR: AreaLevel.VILLAGE}


def staffed_areas(day: date | None, prefix: str) -> set[str]:
    """Codes of the areas under prefix that had an active supervisor (townships) or
    director (villages) at the end of the day (now when day is None)."""
    users = User.objects.filter(role__in=list(STAFF_ROLES))
    later = AuditEvent.objects.none()
    if day is not None:
        end = end_of(day)
        users = users.filter(date_joined__lt=end)
        later = AuditEvent.objects.filter(
            at__gte=end,
            object_type="user",
            action__in=[
                AuditAction.USER_UPDATE,
                AuditAction.USER_ACTIVATE,
                AuditAction.USER_DEACTIVATE,
            ],
        ).order_by("-at", "-id")
    # The users posted in the area now, and those whose post changed since the day.
    changed_ids = {int(pk) for pk in later.values_list("object_id", flat=True)}
    posts = {
        pk: (role, area, active)
        for pk, role, area, active in users.filter(
            access.prefix_q("area_id", prefix) | Q(pk__in=changed_ids)
        ).values_list("pk", "role", "area_id", "is_active")
    }
    # Undo every change made after the day, newest first.
    for action, object_id, details in later.values_list(
        "action", "object_id", "details"
    ):
        pk = int(object_id)
        if pk not in posts:
            continue
        role, area, active = posts[pk]
        if action == AuditAction.USER_ACTIVATE:
            active = False
        elif action == AuditAction.USER_DEACTIVATE:
            active = True
        else:
            changes = (details or {}).get("changes", {})
            role = changes.get("role", [role])[0]
            area = changes.get("area", [area])[0]
        posts[pk] = (role, area, active)
    return {
        area
        for role, area, active in posts.values()
        if active
        and role in STAFF_ROLES
        and codes.is_code(area or "")
        and area.startswith(prefix)
        and codes.level_of(area) == STAFF_ROLES[role]
    }


class StaffSource:
    """Townships and villages, and those staffed, per area (own code)."""

    name = "staff"
    kind = Kind.STOCK
    KEYS = {
        AreaLevel.TOWNSHIP: ("staff.townships", "staff.townships_with_supervisor"),
        AreaLevel.VILLAGE: ("staff.villages", "staff.villages_with_director"),
    }

    def compute(
        self,
        figures: list[Figure],
        *,
        prefix: str,
        day: date | None = None,
        start: date | None = None,
        end: date | None = None,
        live: bool = False,
    ) -> ByArea:
        wanted = {f.key for f in figures}
        staffed = staffed_areas(None if live else day, prefix)
        areas: Iterable[tuple[str, str]] = (
            Area.objects.filter(access.prefix_q("code", prefix))
            .filter(level__in=list(self.KEYS))
            .values_list("code", "level")
        )
        result: ByArea = {}
        for code, level in areas:
            count_key, staffed_key = self.KEYS[level]
            values = {}
            if count_key in wanted:
                values[count_key] = 1
            if staffed_key in wanted and code in staffed:
                values[staffed_key] = 1
            if values:
                result[code] = values
        return result
