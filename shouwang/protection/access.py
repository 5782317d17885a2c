"""Who may see and do what with a case: role, jurisdiction and relationship in one place.

Three ways to see a case, from most to least:
- the whole case: civil-affairs staff and the police in its jurisdiction; a 敏感 case
  only the police and the county's protection desk; a 高度敏感 case only the handlers
  named on it. A handler, or anyone holding an unexpired break-the-glass grant, sees
  the whole case whatever its sensitivity;
- a referral view (the fields a referral needs): a member unit while one of its
  referrals of the case is pending or accepted, and the education unit for school
  situations (not 高度敏感);
- a receipt: the person who filed the report (or entered it from a phone call).
Everything else is "not found". `case_q` cuts querysets the same way; `can` answers
for one object and is used by services, views and templates alike.
"""

from enum import StrEnum

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.accounts.access import has_perm as accounts_perm
from shouwang.accounts.models import Role, Unit
from shouwang.areas import codes
from shouwang.areas.models import AreaLevel

from .models import BreakGlass, Case, CaseHandler, DeskMember, Referral
from .vocab import (
    ACTION_ACTOR,
    REFERRAL_OPEN,
    SCHOOL_SITUATIONS,
    ActionKind,
    Actor,
    ReferralStatus,
    Sensitivity,
)


class View(StrEnum):
    FULL = "full"
    REFERRAL = "referral"
    RECEIPT = "receipt"


class Do(StrEnum):
    REPORT = "report"  # file a report (obj: None)
    REPORT_ON_BEHALF = "report_on_behalf"  # enter a report received by phone
    VIEW_REPORTER = "view_reporter"
    DECIDE = "decide"  # police: 受案 / 立案 / 不予立案
    FEEDBACK = "feedback"  # police: tell the reporting unit how it stands
    ASSESS = "assess"
    REFER = "refer"
    CLOSE = "close"
    REOPEN = "reopen"
    MANAGE = "manage"  # handlers, sensitivity, linking a ledger child
    RECORD_ACTION = "record_action"
    RESPOND = "respond"  # referral: accept or reject (obj: Referral)
    COMPLETE = "complete"  # referral: done (obj: Referral)
    REVOKE = "revoke"  # referral: the sender takes it back (obj: Referral)
    BREAK_GLASS = "break_glass"
    REVIEW_GLASS = "review_glass"  # list and review break-the-glass grants (obj: None)


_REPORTERS = {Role.CIVIL_AFFAIRS, Role.SUPERVISOR, Role.DIRECTOR, Role.DEPARTMENT}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_police(user) -> bool:
    return user.role == Role.DEPARTMENT and user.unit == Unit.POLICE


def is_civil(user) -> bool:
    return user.role == Role.CIVIL_AFFAIRS


def actor_of(user) -> Actor | None:
    """The unit a user records actions for."""
    if is_civil(user):
        return Actor.CIVIL_AFFAIRS
    if user.role != Role.DEPARTMENT:
        return None
    return {
        Unit.POLICE: Actor.POLICE,
        Unit.PROCURATORATE: Actor.PROCURATORATE,
        Unit.COURT: Actor.COURT,
    }.get(user.unit, Actor.OTHER)


def desk_counties(user) -> list[str]:
    """The counties whose protection desk the user sits on: a named member's county,
    or a county-level civil-affairs worker's own county when it names no one."""
    if not _active(user) or not is_civil(user):
        return []
    cache = getattr(user, "_desk_counties", None)
    if cache is None:
        named = list(
            DeskMember.objects.filter(user=user, active=True).values_list(
                "county_id", flat=True
            )
        )
        if named:
            cache = named
        elif (
            user.area_id
            and user.area.level == AreaLevel.COUNTY
            and not DeskMember.objects.filter(
                county_id=user.area_id, active=True
            ).exists()
        ):
            cache = [user.area_id]
        else:
            cache = []
        user._desk_counties = cache
    return cache


def desk_users(county_id: str):
    """The active users of a county's protection desk."""
    from shouwang.accounts.models import User

    named = User.objects.filter(
        is_active=True,
        pk__in=DeskMember.objects.filter(county_id=county_id, active=True).values(
            "user"
        ),
    )
    if named.exists():
        return named
    return User.objects.filter(
        is_active=True, role=Role.CIVIL_AFFAIRS, area_id=county_id
    )


def staff_holding(area_id: str):
    """Active civil-affairs and member-unit staff whose jurisdiction holds the area
    (posted at it or at an area above it): who may handle a case found there."""
    from shouwang.accounts.models import User

    return User.objects.filter(
        is_active=True,
        role__in=[Role.CIVIL_AFFAIRS, Role.DEPARTMENT],
        area_id__in=[area_id, *codes.ancestors(area_id)],
    )


def _handler_exists(user) -> Exists:
    return Exists(
        CaseHandler.objects.filter(case=OuterRef("pk"), user=user, removed_at=None)
    )


def _glass_exists(user) -> Exists:
    return Exists(
        BreakGlass.objects.filter(
            case=OuterRef("pk"), user=user, expires_at__gt=timezone.now()
        )
    )


def full_q(user) -> Q:
    """Cases the user sees whole (see the module's docstring)."""
    if not _active(user) or user.role not in _REPORTERS:
        return Q(pk__in=[])
    within = access.jurisdiction_q(user, "area_id")
    named = Q(_handler_exists(user)) | Q(_glass_exists(user))
    if is_police(user):
        by_role = Q(sensitivity__in=[Sensitivity.NORMAL, Sensitivity.SENSITIVE])
    elif is_civil(user):
        by_role = Q(sensitivity=Sensitivity.NORMAL) | Q(
            sensitivity=Sensitivity.SENSITIVE, county_id__in=desk_counties(user)
        )
    else:
        by_role = Q(pk__in=[])
    return within & (by_role | named)


def referral_q(user) -> Q:
    """Cases a member unit sees through an open referral (or a school situation)."""
    if not _active(user) or user.role != Role.DEPARTMENT:
        return Q(pk__in=[])
    within = access.jurisdiction_q(user, "area_id")
    referred = Q(
        Exists(
            Referral.objects.filter(
                case=OuterRef("pk"), unit=user.unit, status__in=REFERRAL_OPEN
            )
        )
    )
    if user.unit == Unit.EDUCATION:
        referred |= Q(situation__in=SCHOOL_SITUATIONS) & ~Q(
            sensitivity=Sensitivity.HIGH
        )
    return within & referred


def receipt_q(user) -> Q:
    """The reports the user filed, or entered for a reporter on the phone."""
    if not _active(user):
        return Q(pk__in=[])
    return Q(reporter=user) | Q(entered_by=user)


def case_q(user) -> Q:
    """Every case the user sees in any way."""
    return full_q(user) | referral_q(user) | receipt_q(user)


_VIEWS = ((View.FULL, full_q), (View.REFERRAL, referral_q), (View.RECEIPT, receipt_q))


def views_of(user, cases) -> dict[int, View]:
    """How the user sees each of the cases (absent: not at all), one query per view,
    and remembered on each case for view_of."""
    cases = list(cases)
    views: dict[int, View] = {}
    for view, q in _VIEWS:
        rest = [case.pk for case in cases if case.pk not in views]
        if not rest:
            break
        for pk in Case.objects.filter(q(user), pk__in=rest).values_list(
            "pk", flat=True
        ):
            views[pk] = view
    for case in cases:
        if getattr(case, "_views", None) is None:
            case._views = {}
        case._views[user.pk] = views.get(case.pk)
    return views


def view_of(user, case: Case) -> View | None:
    """How the user sees one case (None: not at all, answered as "not found")."""
    cache = getattr(case, "_views", None) or {}
    if user.pk not in cache:
        views_of(user, [case])
    return case._views[user.pk]


def sees_reporter(user, case: Case) -> bool:
    """Reporter identity: the police and the county's protection desk, and the reporter."""
    if case.reporter_id == user.pk:
        return True
    if view_of(user, case) != View.FULL:
        return False
    return is_police(user) or case.county_id in desk_counties(user)


def _referral_unit_user(user, referral: Referral) -> bool:
    return (
        _active(user)
        and user.role == Role.DEPARTMENT
        and user.unit == referral.unit
        and access.in_jurisdiction(user, referral.case.area_id)
    )


def can(user, do: Do, obj=None, *, kind: str | None = None) -> bool:
    """Whether the user may do `do` to obj (a Case, a Referral, or None)."""
    if not _active(user):
        return False
    if do == Do.REPORT:
        return accounts_perm(user, Perm.REPORT_CASES) and bool(user.area_id)
    if do == Do.REPORT_ON_BEHALF:
        return is_civil(user) and bool(user.area_id)
    if do == Do.REVIEW_GLASS:
        return is_civil(user) and bool(user.area_id)
    if isinstance(obj, Referral):
        if do in (Do.RESPOND, Do.COMPLETE):
            return _referral_unit_user(user, obj)
        if do == Do.REVOKE:
            return is_civil(user) and view_of(user, obj.case) == View.FULL
        return False
    case: Case = obj
    view = view_of(user, case)
    if do == Do.VIEW_REPORTER:
        return sees_reporter(user, case)
    if do == Do.BREAK_GLASS:
        return (
            view != View.FULL
            and (is_civil(user) or user.role == Role.DEPARTMENT)
            and access.in_jurisdiction(user, case.area_id)
        )
    if do in (Do.DECIDE, Do.FEEDBACK):
        return view == View.FULL and is_police(user)
    if do in (Do.ASSESS, Do.REFER, Do.CLOSE, Do.REOPEN, Do.MANAGE):
        return view == View.FULL and is_civil(user)
    if do == Do.RECORD_ACTION:
        actor = actor_of(user)
        if actor is None:
            return False
        if kind is not None and ACTION_ACTOR.get(ActionKind(kind)) not in (
            actor,
            Actor.OTHER,
        ):
            return False
        if view == View.FULL:
            return True
        return (
            user.role == Role.DEPARTMENT
            and case.referrals.filter(
                unit=user.unit, status=ReferralStatus.ACCEPTED
            ).exists()
        )
    return False


def action_kinds_for(user) -> list[ActionKind]:
    """The actions a user's unit records (SERVICE for everyone who records)."""
    actor = actor_of(user)
    if actor is None:
        return []
    return [k for k, a in ACTION_ACTOR.items() if a in (actor, Actor.OTHER)]
