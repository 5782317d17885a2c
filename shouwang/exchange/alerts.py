"""Alerts (比对提示): the worklist that reads them, and the director's decision.

An alert changes nothing until a person with the right to edit the child accepts it;
the change is then read afresh from the record as it stands (changes.ledger_change)
and written through the registry's services, with history citing the list. An open
alert whose deadline has passed is overdue (逾期): computed on read, so it shows on
the township supervisor's and the county's worklist without a job; they may handle
it as the director may.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.audit.models import AuditAction
from shouwang.audit.refusals import not_found
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry import services as registry
from shouwang.registry.models import Child, ChildStatus

from . import changes
from .models import Alert, AlertPolicy
from .vocab import AlertState

HANDLE_DENIED = (
    "您没有核实比对提示的权限：只有负责该儿童的儿童主任、督导员或民政干部可以核实。"
)
POLICY_DENIED = "只有民政干部可以设置比对提示的核实时限。"
NOT_YOURS = "比对提示不存在或不在您的管辖范围内。"
REASON_REQUIRED = (
    "请填写不采纳的原因（例如：经入户核实，名单所列人员并非该儿童的父亲）。"
)
REASON_LIMIT = 500
MIN_DAYS, MAX_DAYS = 1, 180


def alert_days(county_code: str) -> int:
    """The days a county gives to handle an alert (its AlertPolicy, else the
    EXCHANGE_ALERT_DAYS setting); any code inside the county will do."""
    county = codes.pad((county_code or "")[:6])
    days = (
        AlertPolicy.objects.filter(county_id=county)
        .values_list("days", flat=True)
        .first()
    )
    return days or settings.EXCHANGE_ALERT_DAYS


def may_set_policy(user) -> bool:
    """Whether the user sets a county's deadline: civil-affairs staff."""
    return (
        access.has_perm(user, Perm.VIEW_CHILDREN)
        and user.role == Role.CIVIL_AFFAIRS
        and bool(user.area_id)
    )


def policy_counties_for(*, viewer) -> QuerySet[Area]:
    """The counties whose deadline the viewer sets (none for other roles)."""
    if not may_set_policy(viewer):
        return Area.objects.none()
    return access.scope(
        viewer, Area.objects.filter(level=AreaLevel.COUNTY), "code"
    ).order_by("code")


def days_problem(days) -> str | None:
    """The Chinese message for a deadline that is not a whole number of days in
    range; None when it is (the form and the service say the same)."""
    if days is None or days == "":
        return f"请填写核实时限（{MIN_DAYS}至{MAX_DAYS}天的整数）。"
    if isinstance(days, bool) or not isinstance(days, int):
        return f"核实时限应为{MIN_DAYS}至{MAX_DAYS}天的整数，“{days}”不是整数。"
    if not MIN_DAYS <= days <= MAX_DAYS:
        return f"核实时限应为{MIN_DAYS}至{MAX_DAYS}天的整数，当前为{days}天。"
    return None


def alert_policy_set(*, actor, county: Area | str, days: int) -> AlertPolicy:
    """Set a county's deadline for alerts created from now on (audited)."""
    if not may_set_policy(actor):
        raise DomainError(POLICY_DENIED)
    code = county.code if isinstance(county, Area) else county
    found = policy_counties_for(viewer=actor).filter(code=code or "").first()
    if found is None:
        raise NotFound("县（市、区）不存在或不在您的管辖范围内。")
    if problem := days_problem(days):
        raise DomainError(problem, field="days")
    with transaction.atomic():
        policy = AlertPolicy.objects.select_for_update().filter(county=found).first()
        before = policy.days if policy else None
        if before == days:
            return policy
        if policy is None:
            policy = AlertPolicy(county=found)
        policy.days = days
        policy.save()
        audit_record(
            actor=actor,
            action=AuditAction.EXCHANGE_SETTINGS,
            obj=policy,
            area=found,
            details={"before": before, "after": days},
        )
    return policy


# Reads --------------------------------------------------------------------------------


def _overdue_q(today: date) -> Q:
    return Q(state=AlertState.OPEN, due_on__lt=today)


def alert_list_for(
    *,
    viewer,
    state: str | None = None,
    overdue: bool | None = None,
    today: date | None = None,
) -> QuerySet[Alert]:
    """The alerts of the viewer's villages (nothing without the right to read
    children), each marked `is_overdue`, the overdue first, then by deadline."""
    if not access.has_perm(viewer, Perm.VIEW_CHILDREN):
        return Alert.objects.none()
    today = today or timezone.localdate()
    alerts = access.scope(viewer, Alert.objects.all(), "village_id")
    if state:
        alerts = alerts.filter(state=state)
    if overdue is True:
        alerts = alerts.filter(_overdue_q(today))
    elif overdue is False:
        alerts = alerts.exclude(_overdue_q(today))
    return (
        alerts.select_related("child", "village", "village__parent", "department_list")
        .annotate(
            is_overdue=Case(
                When(_overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-is_overdue", "due_on", "id")
    )


def alert_get_for(*, viewer, pk) -> Alert:
    """One alert of the viewer's villages; 404 for missing and not-yours alike."""
    try:
        return (
            alert_list_for(viewer=viewer).select_related("handled_by").get(pk=int(pk))
        )
    except (Alert.DoesNotExist, ValueError, TypeError, OverflowError):
        raise not_found(viewer=viewer, model=Alert, pk=pk, message=NOT_YOURS) from None


@dataclass(frozen=True)
class AlertCounts:
    open: int
    overdue: int


def alert_counts_for(*, viewer, today: date | None = None) -> AlertCounts:
    """How many open alerts wait in the viewer's villages, and how many are overdue
    (one query)."""
    if not access.has_perm(viewer, Perm.VIEW_CHILDREN):
        return AlertCounts(0, 0)
    today = today or timezone.localdate()
    counts = access.scope(
        viewer, Alert.objects.filter(state=AlertState.OPEN), "village_id"
    ).aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    return AlertCounts(open=counts["open"], overdue=counts["overdue"])


def may_handle(user, alert: Alert) -> bool:
    """Whether the user accepts or rejects the alert: the right to edit children,
    inside the jurisdiction."""
    return access.has_perm(user, Perm.EDIT_CHILDREN) and access.in_jurisdiction(
        user, alert.village_id
    )


def outlook(alert: Alert, *, today: date | None = None) -> str:
    """What accepting would do now, on the record as it stands (the stored
    consequence was computed when the list arrived)."""
    child = alert.child
    change = changes.ledger_change(
        alert.field, alert.proposed, changes.record_of(child)
    )
    if child.status != ChildStatus.ACTIVE and not change.empty:
        return "该儿童已不在册：采纳不会修改记录"
    return changes.consequence(
        child_name=child.name,
        facts=registry.facts_of(child),
        change=change,
        as_of=today or timezone.localdate(),
        settings=registry.policy_settings(child.village_id),
    )


def citation(alert: Alert) -> str:
    """The note the child's history keeps: which list, received when, its number."""
    sent = alert.department_list
    source = sent.get_unit_display() if sent.unit else "民政部门"
    received = timezone.localtime(sent.created_at).date()
    return (
        f"据{source}（{sent.get_kind_display()}名单，{received:%Y-%m-%d} 接收，"
        f"第{sent.pk}号）核实采纳"
    )


# Writes -------------------------------------------------------------------------------


def _for_decision(actor, alert_id: int, expected_version: int) -> Alert:
    """The alert, locked, if the actor may handle it now; nothing is written when
    it was handled meanwhile or changed since the page showed it."""
    if not access.has_perm(actor, Perm.EDIT_CHILDREN):
        raise DomainError(HANDLE_DENIED)
    alert = (
        access.scope(actor, Alert.objects.all(), "village_id")
        .select_for_update()
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFound(NOT_YOURS)
    if alert.state != AlertState.OPEN:
        who = alert.handled_by.display_name if alert.handled_by else "他人"
        when = (
            f"{timezone.localtime(alert.handled_at):%Y-%m-%d %H:%M} "
            if alert.handled_at
            else ""
        )
        raise DomainError(
            f"该比对提示已于{when}由{who}处理（{alert.get_state_display()}），"
            "不能再次处理。"
        )
    if alert.version != expected_version:
        raise DomainError(
            f"在您查看期间，该比对提示已有变化（当前为第{alert.version}版）："
            "请刷新页面，核对后再处理。"
        )
    return alert


def _close(alert: Alert, *, actor, state: str, details: dict) -> Alert:
    alert.state = state
    alert.handled_by, alert.handled_at = actor, timezone.now()
    alert.version += 1
    alert.save()
    audit_record(
        actor=actor,
        action=AuditAction.EXCHANGE_ALERT,
        obj=alert,
        area_code=alert.village_id,
        details={
            "decision": state,
            "child": alert.child_id,
            "list": alert.department_list_id,
            "field": alert.field,
            "proposed": alert.proposed,
            **details,
        },
    )
    return alert


@transaction.atomic
def alert_accept(*, actor, alert_id: int, expected_version: int) -> Alert:
    """Accept an alert: the fact changes through the registry's services (history
    citing the list; an exit for a death or a move away, dated as the list dates
    it), the alert is closed and audited, all at once; the newborn prompt changes no
    record."""
    alert = _for_decision(actor, alert_id, expected_version)
    child = Child.objects.select_for_update().get(pk=alert.child_id)
    change = changes.ledger_change(
        alert.field, alert.proposed, changes.record_of(child)
    )
    note = citation(alert)
    written: list[str] = []
    if change.exit_reason:
        registry.child_exit(
            actor=actor,
            child_id=child.pk,
            expected_version=child.version,
            reason=change.exit_reason,
            exit_date=alert.event_on or timezone.localdate(),
            note=note,
        )
        written = ["status"]
    elif change.values and registry.child_facts_set(
        actor=actor, child_id=child.pk, values=change.values, note=note
    ):
        written = sorted(change.values)
    return _close(
        alert, actor=actor, state=AlertState.ACCEPTED, details={"written": written}
    )


@transaction.atomic
def alert_reject(*, actor, alert_id: int, expected_version: int, reason: str) -> Alert:
    """Reject an alert with a reason (kept on it and audited); the record stays."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, field="reason")
    if len(reason) > REASON_LIMIT:
        raise DomainError(
            f"不采纳原因最多{REASON_LIMIT}个字，当前{len(reason)}个。", field="reason"
        )
    alert = _for_decision(actor, alert_id, expected_version)
    alert.reason = reason
    return _close(
        alert, actor=actor, state=AlertState.REJECTED, details={"reason": reason}
    )
