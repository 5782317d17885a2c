"""Reads for protection work, always cut to the viewer (protection.access): the
inboxes, the case list, one case, the supervision (督办) list, break-the-glass grants."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from shouwang.accounts import access as accounts_access
from shouwang.accounts.models import Role, Unit, User
from shouwang.areas import codes
from shouwang.core.exceptions import NotFound

from . import access
from .access import View
from .models import (
    BreakGlass,
    Case,
    CaseEvent,
    CaseHandler,
    DeadlinePolicy,
    DeskMember,
    Referral,
)
from .services import CASE_NOT_FOUND, REFERRAL_NOT_FOUND, overdue_q
from .vocab import REFERRAL_OPEN, SCHOOL_SITUATIONS, ReferralStatus, Sensitivity


def case_list_for(user) -> QuerySet[Case]:
    """Every case the viewer sees in any way, newest report first."""
    return (
        Case.objects.filter(access.case_q(user))
        .select_related("area", "county", "child")
        .order_by("-reported_at", "-id")
    )


def case_get_for(user, *, pk: int) -> Case:
    """One case the viewer sees; NotFound for missing and not-yours alike."""
    case = Case.objects.select_related("area", "county", "child").filter(pk=pk).first()
    if case is None or access.view_of(user, case) is None:
        raise NotFound(CASE_NOT_FOUND)
    return case


def referral_get_for(user, *, pk: int) -> Referral:
    """One referral of a case the viewer sees (as its unit, or the whole case)."""
    referral = Referral.objects.select_related("case").filter(pk=pk).first()
    if referral is None:
        raise NotFound(REFERRAL_NOT_FOUND)
    view = access.view_of(user, referral.case)
    if view == View.FULL or (
        view == View.REFERRAL
        and user.role == Role.DEPARTMENT
        and referral.unit == user.unit
    ):
        return referral
    raise NotFound(REFERRAL_NOT_FOUND)


def case_referrals_for(user, case: Case) -> QuerySet[Referral]:
    """The referrals of a case the viewer may read: all of them on the whole case,
    else only their own unit's open ones."""
    referrals = case.referrals.select_related("sent_by", "responded_by", "done_by")
    if access.view_of(user, case) == View.FULL:
        return referrals.order_by("created_at")
    if user.role == Role.DEPARTMENT:
        return referrals.filter(unit=user.unit, status__in=REFERRAL_OPEN).order_by(
            "created_at"
        )
    return referrals.none()


def case_events_for(user, case: Case) -> QuerySet[CaseEvent]:
    """A case's timeline as the viewer may read it (the whole case: every step; a
    referral: its own referral's steps; a receipt: the police's answer and feedback)."""
    events = case.events.select_related("actor").order_by("at", "id")
    view = access.view_of(user, case)
    if view == View.FULL:
        return events
    if view == View.REFERRAL:
        return events.filter(referral__in=case_referrals_for(user, case).values("pk"))
    if view == View.RECEIPT:
        return events.filter(
            kind__in=["reported", "police_decided", "feedback", "closed"]
        )
    return events.none()


def case_handlers(case: Case) -> QuerySet[CaseHandler]:
    return case.handlers.filter(removed_at=None).select_related("user", "user__area")


# Inboxes ---------------------------------------------------------------------------------


def police_inbox_for(user) -> QuerySet[Case]:
    """Reports waiting for the police's acceptance, oldest deadline first."""
    if not access.is_police(user):
        return Case.objects.none()
    return (
        Case.objects.filter(access.full_q(user), police_due_at__isnull=False)
        .select_related("area", "child")
        .order_by("police_due_at", "id")
    )


def desk_inbox_for(user) -> QuerySet[Case]:
    """Open cases waiting for civil affairs: not yet assessed, oldest deadline first."""
    if not access.is_civil(user):
        return Case.objects.none()
    return (
        Case.objects.filter(access.full_q(user), assessment_due_at__isnull=False)
        .select_related("area", "child")
        .order_by("assessment_due_at", "id")
    )


def referral_inbox_for(user) -> QuerySet[Referral]:
    """A member unit's open referrals (pending first), inside its jurisdiction."""
    if user.role != Role.DEPARTMENT or not user.is_active:
        return Referral.objects.none()
    # The county column bounds the same rows (a case's county is the first six digits
    # of its place) and lets the referral_inbox index serve them without reading
    # every open referral of the unit in the country (docs/benchmarks.md, R7).
    prefix = accounts_access.jurisdiction_prefix(user)
    county = (
        Q(county_id=codes.pad(prefix[:6]))
        if len(prefix) >= 6
        else accounts_access.prefix_q("county_id", prefix)
    )
    return (
        Referral.objects.filter(
            accounts_access.jurisdiction_q(user, "case__area_id"),
            county,
            unit=user.unit,
            status__in=REFERRAL_OPEN,
        )
        .select_related("case", "case__area")
        .order_by("-status", "respond_by", "id")  # pending before accepted
    )


def school_notices_for(user) -> QuerySet[Case]:
    """Open school-situation cases the education unit is told of at once."""
    if user.role != Role.DEPARTMENT or user.unit != Unit.EDUCATION:
        return Case.objects.none()
    return (
        Case.objects.filter(
            accounts_access.jurisdiction_q(user, "area_id"),
            situation__in=SCHOOL_SITUATIONS,
            closed_at=None,
        )
        .exclude(sensitivity=Sensitivity.HIGH)
        .select_related("area")
        .order_by("-reported_at")
    )


def inbox_count_for(user) -> int:
    """The number in the navigation: what waits for the viewer's unit now."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    if access.is_police(user):
        return (
            police_inbox_for(user).count()
            + referral_inbox_for(user).filter(status=ReferralStatus.PENDING).count()
        )
    if access.is_civil(user):
        return desk_inbox_for(user).count()
    if user.role == Role.DEPARTMENT:
        return referral_inbox_for(user).filter(status=ReferralStatus.PENDING).count()
    return 0


# Supervision (督办) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """One overdue item: what, on which case, due when, and which unit owes it."""

    case: Case
    what: str
    owed_by: str
    due_at: datetime
    referral: Referral | None = None


_CASE_DEADLINES = (
    ("police_due_at", "受理报告", "公安"),
    ("feedback_due_at", "向报告单位反馈", "公安"),
    ("assessment_due_at", "评估", "民政"),
)
_OVERDUE_CASE_FIELDS = (
    "number",
    "status",
    "situation",
    "sensitivity",
    "reported_at",
    "police_due_at",
    "feedback_due_at",
    "assessment_due_at",
    "escalated_at",
    "area__name",
    "area__level",
    "county__name",
)


def supervision_for(
    user,
    *,
    now: datetime | None = None,
    limit: int = 500,
    county_id: str | None = None,
) -> list[Overdue]:
    """Overdue items in the viewer's jurisdiction (civil-affairs staff; one county of
    it when county_id is given), most overdue first: police acceptance, feedback,
    assessment, and referrals not answered."""
    if not access.is_civil(user):
        return []
    now = now or timezone.now()
    visible = Case.objects.filter(access.full_q(user))
    if county_id:
        visible = visible.filter(county_id=county_id)
    # First the deadlines alone (cheap rows), then the cases and referrals of the
    # `limit` most overdue items only, with what an item shows: loading every late
    # row whole cost more than the queries (docs/benchmarks.md, R7).
    found: list[tuple[datetime, str, str, int, int | None]] = []
    for pk, *dues in (
        visible.filter(overdue_q(now))
        .order_by("reported_at")
        .values_list("pk", *(field for field, _, _ in _CASE_DEADLINES))[:limit]
    ):
        for due, (_, what, owed) in zip(dues, _CASE_DEADLINES, strict=True):
            if due and due < now:
                found.append((due, what, owed, pk, None))
    for pk, case_id, due in (
        Referral.objects.filter(
            case__in=visible.values("pk"),
            status=ReferralStatus.PENDING,
            respond_by__lt=now,
        )
        .order_by("respond_by")
        .values_list("pk", "case_id", "respond_by")[:limit]
    ):
        found.append((due, "", "", case_id, pk))
    found.sort(key=lambda item: item[0])
    found = found[:limit]
    cases = (
        Case.objects.select_related("area", "county")
        .only(*_OVERDUE_CASE_FIELDS)
        .in_bulk({item[3] for item in found})
    )
    referrals = Referral.objects.only(
        "case", "unit", "service", "status", "respond_by", "escalated_at"
    ).in_bulk({item[4] for item in found if item[4]})
    items: list[Overdue] = []
    for due, what, owed, case_id, referral_id in found:
        case = cases[case_id]
        if referral_id is None:
            items.append(Overdue(case, what, owed, due))
            continue
        referral = referrals[referral_id]
        referral.case = case
        items.append(
            Overdue(
                case,
                f"接收转介（{referral.get_service_display()}）",
                referral.get_unit_display(),
                due,
                referral,
            )
        )
    return items


def supervision_count_for(user, *, now: datetime | None = None) -> int:
    """How many items are overdue in the viewer's jurisdiction: the length of
    supervision_for's list (a case late on two deadlines is two items)."""
    if not access.is_civil(user):
        return 0
    now = now or timezone.now()
    visible = Case.objects.filter(access.full_q(user))
    late = visible.filter(overdue_q(now)).aggregate(
        police=Count("pk", filter=Q(police_due_at__lt=now)),
        feedback=Count("pk", filter=Q(feedback_due_at__lt=now)),
        assessment=Count("pk", filter=Q(assessment_due_at__lt=now)),
    )
    return (
        sum(late.values())
        + Referral.objects.filter(
            case__in=visible.values("pk"),
            status=ReferralStatus.PENDING,
            respond_by__lt=now,
        ).count()
    )


# Break the glass -------------------------------------------------------------------------


def glass_list_for(user) -> QuerySet[BreakGlass]:
    """Break-the-glass grants on cases in the viewer's jurisdiction, for review."""
    if not access.can(user, access.Do.REVIEW_GLASS):
        return BreakGlass.objects.none()
    return (
        BreakGlass.objects.filter(accounts_access.jurisdiction_q(user, "case__area_id"))
        .select_related("case", "user", "user__area", "reviewed_by")
        # Unreviewed first on every database (PostgreSQL sorts NULL last by default).
        .order_by(F("reviewed_at").asc(nulls_first=True), "-created_at", "-id")
    )


def case_counts_by_status(user) -> dict[str, int]:
    return dict(
        case_list_for(user).values_list("status").annotate(n=Count("pk")).order_by()
    )


# Settings: deadlines and the protection desk ------------------------------------------


@dataclass(frozen=True)
class CountyDeadlines:
    """A county's deadlines in force, and who set them (None: the defaults)."""

    county_id: str
    police_accept_hours: int
    feedback_days: int
    assessment_days: int
    policy: DeadlinePolicy | None


def county_deadlines_for(user, *, county_id: str) -> CountyDeadlines:
    """The deadlines of a county in a civil-affairs viewer's jurisdiction; NotFound
    for any other county."""
    if not access.is_civil(user) or not accounts_access.in_jurisdiction(
        user, county_id
    ):
        raise NotFound("区划不存在或不在您的管辖范围内。")
    policy = (
        DeadlinePolicy.objects.select_related("updated_by")
        .filter(county_id=county_id)
        .first()
    )
    values = (
        {key: getattr(policy, key) for key in DeadlinePolicy.DEFAULTS}
        if policy
        else DeadlinePolicy.DEFAULTS
    )
    return CountyDeadlines(county_id=county_id, policy=policy, **values)


def desk_for(user, *, county_id: str) -> QuerySet[User]:
    """The active county-level civil-affairs workers of a county in the viewer's
    jurisdiction (civil-affairs staff), each with `on_desk`: named on its protection
    desk."""
    if not access.is_civil(user) or not accounts_access.in_jurisdiction(
        user, county_id
    ):
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, role=Role.CIVIL_AFFAIRS, area_id=county_id)
        .annotate(
            on_desk=Exists(
                DeskMember.objects.filter(
                    user=OuterRef("pk"), county_id=county_id, active=True
                )
            )
        )
        .order_by("username")
    )


# The case pages ------------------------------------------------------------------------


def feedback_inbox_for(user) -> QuerySet[Case]:
    """Accepted reports whose reporting unit the police still owe an answer (art. 8),
    oldest deadline first."""
    if not access.is_police(user):
        return Case.objects.none()
    return (
        Case.objects.filter(access.full_q(user), feedback_due_at__isnull=False)
        .select_related("area", "child")
        .order_by("feedback_due_at", "id")
    )


def case_filter(
    cases: QuerySet[Case],
    *,
    status: str = "",
    situation: str = "",
    overdue: bool = False,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """The case list's filters on an already cut queryset; overdue: a deadline of the
    case passed, or a referral of it not answered in time."""
    if status:
        cases = cases.filter(status=status)
    if situation:
        cases = cases.filter(situation=situation)
    if overdue:
        now = now or timezone.now()
        late_referral = Exists(
            Referral.objects.filter(
                case=OuterRef("pk"),
                status=ReferralStatus.PENDING,
                respond_by__lt=now,
            )
        )
        cases = cases.filter(overdue_q(now) | late_referral)
    return cases


def case_actions_for(user, case: Case):
    """The actions of a case the viewer may read: every one on the whole case, their
    own unit's on a referral, none on a receipt."""
    actions = case.actions.select_related("recorded_by").order_by("occurred_on", "id")
    view = access.view_of(user, case)
    if view == View.FULL:
        return actions
    if view == View.REFERRAL and user.role == Role.DEPARTMENT:
        return actions.filter(unit=user.unit)
    return actions.none()


def handler_candidates(case: Case) -> list[User]:
    """Who may be named a handler of the case: exactly those services.case_handlers_set
    accepts (civil-affairs and member-unit staff whose jurisdiction holds it)."""
    found = access.staff_holding(case.area_id).select_related("area")
    return sorted(found, key=lambda u: (u.role, u.unit, u.pk))
