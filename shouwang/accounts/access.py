"""The access policy: what each role may do, and the jurisdiction that cuts every read.

Deny by default: a permission not granted below is refused; a user without an area sees
nothing, except the system administrator, whose jurisdiction is the whole country.
Selectors call `scope` / `in_jurisdiction`; views call `require`.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from shouwang.areas import codes
from shouwang.areas.models import Area

from .models import Role


class Perm(StrEnum):
    VIEW_AREAS = "view_areas"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    ADMIN_SITE = "admin_site"
    VIEW_CHILDREN = "view_children"  # read children's records
    EDIT_CHILDREN = "edit_children"  # register, edit, exit, re-admit, merge
    REVEAL_ID = "reveal_id"  # see full ID numbers (audited)
    VIEW_CHILD_STATS = "view_child_stats"  # aggregates only, no personal data
    RECORD_VISITS = "record_visits"  # visits, guardianship confirmations
    CONFIRM_CYCLE = "confirm_cycle"  # confirm a village's children, submit the village
    REVIEW_CYCLE = "review_cycle"  # approve or return a village's review
    RUN_CYCLES = "run_cycles"  # open and close quarterly review cycles
    ASSIGN_RESPONSIBILITY = "assign_responsibility"  # directors, cadres, 包片 leaders
    SET_VISIT_POLICY = "set_visit_policy"  # a county's visit intervals
    VIEW_REPORTS = "view_reports"  # dashboards, statistics tables (aggregates)
    VIEW_BULLETINS = "view_bulletins"  # read and download generated bulletins
    GENERATE_BULLETINS = "generate_bulletins"  # generate bulletins, manage templates
    REPORT_CASES = "report_cases"  # file mandatory reports (强制报告)
    HANDLE_CASES = (
        "handle_cases"  # protection cases: inboxes, referrals (protection.access)
    )


_CASEWORK = frozenset(
    {
        Perm.VIEW_CHILDREN,
        Perm.EDIT_CHILDREN,
        Perm.REVEAL_ID,
        Perm.VIEW_CHILD_STATS,
        Perm.RECORD_VISITS,
        Perm.REPORT_CASES,
    }
)
ROLE_PERMS: dict[str, frozenset[Perm]] = {
    # The system administrator runs the system and does no casework by default.
    Role.ADMIN: frozenset(
        {Perm.VIEW_AREAS, Perm.MANAGE_USERS, Perm.VIEW_AUDIT, Perm.ADMIN_SITE}
    ),
    Role.CIVIL_AFFAIRS: frozenset(
        {
            Perm.VIEW_AREAS,
            Perm.MANAGE_USERS,
            Perm.VIEW_AUDIT,
            Perm.REVIEW_CYCLE,
            Perm.RUN_CYCLES,
            Perm.ASSIGN_RESPONSIBILITY,
            Perm.SET_VISIT_POLICY,
            Perm.VIEW_REPORTS,
            Perm.VIEW_BULLETINS,
            Perm.GENERATE_BULLETINS,
            Perm.HANDLE_CASES,
        }
    )
    | _CASEWORK,
    Role.SUPERVISOR: frozenset(
        {
            Perm.VIEW_AREAS,
            Perm.CONFIRM_CYCLE,
            Perm.REVIEW_CYCLE,
            Perm.ASSIGN_RESPONSIBILITY,
            Perm.VIEW_REPORTS,
        }
    )
    | _CASEWORK,
    Role.DIRECTOR: frozenset({Perm.VIEW_AREAS, Perm.CONFIRM_CYCLE}) | _CASEWORK,
    # Member units report, and see the cases referred to them (protection.access).
    Role.DEPARTMENT: frozenset({Perm.VIEW_AREAS, Perm.REPORT_CASES, Perm.HANDLE_CASES}),
    Role.LEADER: frozenset(
        {
            Perm.VIEW_AREAS,
            Perm.VIEW_CHILD_STATS,
            Perm.VIEW_REPORTS,
            Perm.VIEW_BULLETINS,
        }
    ),
}

# The levels of area each role may be given as its jurisdiction.
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(),  # nationwide: a system administrator has no area
    Role.CIVIL_AFFAIRS: frozenset(
        {codes.Level.PROVINCE, codes.Level.CITY, codes.Level.COUNTY}
    ),
    Role.SUPERVISOR: frozenset({codes.Level.TOWNSHIP}),
    Role.DIRECTOR: frozenset({codes.Level.VILLAGE}),
    Role.DEPARTMENT: frozenset(
        {
            codes.Level.PROVINCE,
            codes.Level.CITY,
            codes.Level.COUNTY,
            codes.Level.TOWNSHIP,
        }
    ),
    Role.LEADER: frozenset(
        {
            codes.Level.PROVINCE,
            codes.Level.CITY,
            codes.Level.COUNTY,
            codes.Level.TOWNSHIP,
        }
    ),
}

# The roles a manager may hand out: never more than their own.
ASSIGNABLE_ROLES: dict[str, tuple[str, ...]] = {
    Role.ADMIN: tuple(Role.values),
    Role.CIVIL_AFFAIRS: (
        Role.CIVIL_AFFAIRS,
        Role.SUPERVISOR,
        Role.DIRECTOR,
        Role.DEPARTMENT,
        Role.LEADER,
    ),
}

_NOTHING = "\0"  # a prefix no code starts with


def has_perm(user, perm: Perm) -> bool:
    """True when the user is active and their role grants perm."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in ROLE_PERMS.get(user.role, frozenset())


def require(user, perm: Perm) -> None:
    """Raise PermissionDenied (403) unless the user holds perm."""
    if not has_perm(user, perm):
        raise PermissionDenied("您没有此项操作的权限。")


def jurisdiction_prefix(user) -> str:
    """The code prefix of everything the user may see; '' for all, a null prefix for none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _NOTHING
    if user.role not in ROLE_PERMS:
        return _NOTHING
    if user.area_id:
        return codes.prefix_of(user.area_id)
    return "" if user.role == Role.ADMIN else _NOTHING


def jurisdiction_q(user, field: str) -> Q:
    """A filter keeping rows whose area code (at `field`) lies in the user's jurisdiction."""
    prefix = jurisdiction_prefix(user)
    if prefix == _NOTHING:
        return Q(pk__in=[])
    return prefix_q(field, prefix)


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose 12-digit area code at `field` starts with prefix, as an index range
    (gte/lte, which foreign keys support, unlike range or LIKE on every database)."""
    if prefix == "":
        return Q()
    low, high = codes.prefix_bounds(prefix)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def scope(user, queryset: QuerySet, field: str = "area_id") -> QuerySet:
    """The queryset cut to the user's jurisdiction on the area code at `field`."""
    return queryset.filter(jurisdiction_q(user, field))


def in_jurisdiction(user, code: str | None) -> bool:
    """True when an area code lies inside the user's jurisdiction."""
    prefix = jurisdiction_prefix(user)
    if prefix == _NOTHING or not code:
        return False
    return code.startswith(prefix)


def jurisdiction_area(user) -> Area | None:
    """The area the user's jurisdiction is rooted at (None for the whole country)."""
    return user.area if user.area_id else None
