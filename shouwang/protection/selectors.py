"""Reads for protection work, always cut to the viewer (protection.access): the
inboxes, the case list, one case, the supervision (督办) list, break-the-glass grants."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from shouwang.accounts import access as accounts_access
from shouwang.accounts.models import Role, Unit
from shouwang.core.exceptions import NotFound

from . import access
from .access import View
from .models import BreakGlass, Case, CaseEvent, CaseHandler, Referral
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
    return (
        Referral.objects.filter(
            accounts_access.jurisdiction_q(user, "case__area_id"),
            unit=user.unit,
            status__in=REFERRAL_OPEN,
        )
        .select_related("case", "case__area")
        .order_by("status", "respond_by", "id")
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


def supervision_for(
    user, *, now: datetime | None = None, limit: int = 500
) -> list[Overdue]:
    """Overdue items in the viewer's jurisdiction (civil-affairs staff), most overdue
    first: police acceptance, feedback, assessment, and referrals not answered."""
    if not access.is_civil(user):
        return []
    now = now or timezone.now()
    cases = (
        Case.objects.filter(access.full_q(user))
        .filter(overdue_q(now))
        .select_related("area", "county")
        .order_by("reported_at")[:limit]
    )
    items: list[Overdue] = []
    for case in cases:
        for field, what, owed in (
            ("police_due_at", "受理报告", "公安"),
            ("feedback_due_at", "向报告单位反馈", "公安"),
            ("assessment_due_at", "评估", "民政"),
        ):
            due = getattr(case, field)
            if due and due < now:
                items.append(Overdue(case, what, owed, due))
    referrals = (
        Referral.objects.filter(
            case__in=Case.objects.filter(access.full_q(user)).values("pk"),
            status=ReferralStatus.PENDING,
            respond_by__lt=now,
        )
        .select_related("case", "case__area", "case__county")
        .order_by("respond_by")[:limit]
    )
    for referral in referrals:
        items.append(
            Overdue(
                referral.case,
                f"接收转介（{referral.get_service_display()}）",
                referral.get_unit_display(),
                referral.respond_by,
                referral,
            )
        )
    items.sort(key=lambda item: item.due_at)
    return items[:limit]


def supervision_count_for(user, *, now: datetime | None = None) -> int:
    """How many items are overdue in the viewer's jurisdiction."""
    if not access.is_civil(user):
        return 0
    now = now or timezone.now()
    visible = Case.objects.filter(access.full_q(user))
    return (
        visible.filter(overdue_q(now)).count()
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
        .select_related("case", "user", "reviewed_by")
        .order_by("reviewed_at", "-created_at")
    )


def case_counts_by_status(user) -> dict[str, int]:
    return dict(
        case_list_for(user).values_list("status").annotate(n=Count("pk")).order_by()
    )
