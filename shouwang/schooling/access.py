"""Who works on dropout control, and on which children: civil-affairs staff,
supervisors and directors in their jurisdiction, and the education unit in its area —
which sees school-age children's schooling and the dropout cases, nothing else of the
ledger. Leaders read the figures only."""

from django.db.models import Q

from shouwang.accounts import access
from shouwang.accounts.models import Role, Unit

_CASEWORK = {Role.CIVIL_AFFAIRS, Role.SUPERVISOR, Role.DIRECTOR}


def may_work(user) -> bool:
    """Whether the user registers and follows dropouts (in their jurisdiction)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not user.area_id:
        return False
    return user.role in _CASEWORK or (
        user.role == Role.DEPARTMENT and user.unit == Unit.EDUCATION
    )


def village_q(user, field: str = "village_id") -> Q:
    """Rows whose village lies where the user works on dropout control."""
    if not may_work(user):
        return Q(pk__in=[])
    return access.jurisdiction_q(user, field)


def covers(user, village_id: str | None) -> bool:
    return may_work(user) and access.in_jurisdiction(user, village_id)
