"""Who works on allowance applications and payments, and the reads they see.

Roles (accounts.models.Role; deny by default, every read cut to the jurisdiction):
- prepare and review at the township: 儿童督导员 (SUPERVISOR, the township-level role
  of this system) and civil-affairs staff (CIVIL_AFFAIRS) whose jurisdiction holds the
  village. A township review may be done by the preparer (a township often has one
  督导员); the rule the policy names is that a preparer never approves their own.
- approve, return, stop, import the county's list, generate and approve batches:
  civil-affairs staff of a county (县级民政) for their county only.
- read the lists and worklists: the preparers and civil-affairs staff of any level, in
  their jurisdiction. Leaders (LEADER) see batch totals only, never a name.
- account numbers and ID numbers are masked; those who may read the list and hold
  accounts.Perm.REVEAL_ID see them in full on request, audited.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.models import Child
from shouwang.registry.services import facts_of

from .models import AllowanceApplication, ApplicationStatus
from .policy import allowance_eligibility, first_of_month
from .selectors import EligibleChild, allowance_eligible_list

APPLICATION_NOT_FOUND = "申请记录不存在或不在您的管辖范围内。"
CHILD_NOT_FOUND = "儿童记录不存在或不在您的管辖范围内。"
OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.REVIEWED,
    ApplicationStatus.APPROVED,
)
_LARGEST_ID = 2**63 - 1


def _active(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and bool(user.area_id)
    )


def may_prepare(user) -> bool:
    """Township staff (督导员) and civil-affairs staff: apply, review, resubmit."""
    return _active(user) and user.role in (Role.SUPERVISOR, Role.CIVIL_AFFAIRS)


def may_read(user) -> bool:
    """Who reads the applications, beneficiaries and worklists of their jurisdiction."""
    return may_prepare(user)


def may_approve(user) -> bool:
    """County civil affairs: approve, return, stop, import; generate and approve
    batches."""
    return (
        _active(user)
        and user.role == Role.CIVIL_AFFAIRS
        and codes.level_of(user.area_id) == codes.Level.COUNTY
    )


def may_see_totals(user) -> bool:
    """Who sees batch totals (count, amount, by kind): readers and leaders."""
    return may_read(user) or (_active(user) and user.role == Role.LEADER)


def may_reveal(user) -> bool:
    """Who may see full account and ID numbers (audited at each look)."""
    return may_read(user) and access.has_perm(user, access.Perm.REVEAL_ID)


def covers(user, code: str | None) -> bool:
    return may_read(user) and access.in_jurisdiction(user, code)


def approves_for(user, code: str | None) -> bool:
    return may_approve(user) and access.in_jurisdiction(user, code)


def mask_account(number: str) -> str:
    """An account number as shown by default: stars, then the last 4 digits."""
    if not number:
        return ""
    return "*" * max(len(number) - 4, 4) + number[-4:]


def mask_id(number: str) -> str:
    return mask_id_number(number)


def application_list_for(*, viewer, status: str = "") -> QuerySet[AllowanceApplication]:
    """The applications and beneficiaries of the viewer's jurisdiction (none for
    anyone else), optionally of one status."""
    if not may_read(viewer):
        return AllowanceApplication.objects.none()
    rows = AllowanceApplication.objects.filter(
        access.jurisdiction_q(viewer, "village_id")
    ).select_related("child", "village", "village__parent")
    if status:
        rows = rows.filter(status=status)
    return rows


def application_get_for(*, viewer, pk: int) -> AllowanceApplication:
    """One application in the viewer's jurisdiction; 404 for missing and not-yours."""
    found = (
        application_list_for(viewer=viewer)
        .select_related("prepared_by", "reviewed_by", "approved_by", "stopped_by")
        .filter(pk=pk)
        .first()
        if 0 < pk <= _LARGEST_ID
        else None
    )
    if found is None:
        raise Http404(APPLICATION_NOT_FOUND)
    return found


def child_get_for(*, viewer, pk: int) -> Child:
    """A ledger child the viewer may prepare an application for; 404 otherwise."""
    child = (
        Child.objects.select_related("village").filter(pk=pk).first()
        if 0 < pk <= _LARGEST_ID
        else None
    )
    if child is None or not (
        may_prepare(viewer) and access.in_jurisdiction(viewer, child.village_id)
    ):
        raise Http404(CHILD_NOT_FOUND)
    return child


def next_month(day: date) -> date:
    """The first day of the month after the one `day` lies in."""
    first = first_of_month(day)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_month(day: date) -> date:
    first = first_of_month(day)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


@dataclass(frozen=True)
class Unpaid:
    """应保未保: an eligible child without an approved application (and the open
    application, if one is under way)."""

    child: EligibleChild
    pending: AllowanceApplication | None


def unpaid_eligible(*, viewer, month: date) -> list[Unpaid]:
    """应保未保: the children of the viewer's jurisdiction eligible for the month by
    policy.allowance_eligibility, with no approved application; each with the one
    under way, if any."""
    if not may_read(viewer):
        return []
    eligible = allowance_eligible_list(area_code=viewer.area_id, month=month)
    open_apps = {
        app.child_id: app
        for app in AllowanceApplication.objects.filter(
            child_id__in=[e.child_id for e in eligible], status__in=OPEN_STATUSES
        )
    }
    return [
        Unpaid(e, open_apps.get(e.child_id))
        for e in eligible
        if getattr(open_apps.get(e.child_id), "status", "")
        != ApplicationStatus.APPROVED
    ]


@dataclass(frozen=True)
class StopDue:
    """应停未停: a beneficiary no longer eligible for the month, and the policy's why."""

    application: AllowanceApplication
    reason: str


def stop_due(*, viewer, month: date) -> list[StopDue]:
    """应停未停: the approved beneficiaries of the viewer's jurisdiction that
    policy.allowance_eligibility finds not eligible for the month, with its reason."""
    due = []
    rows = application_list_for(viewer=viewer, status=ApplicationStatus.APPROVED)
    for app in rows.order_by("village_id", "pk"):
        result = allowance_eligibility(
            facts_of(app.child),
            month=month,
            status=app.child.status,
            exit_date=app.child.exit_date,
        )
        if not result.eligible:
            due.append(StopDue(app, result.reason))
    return due
