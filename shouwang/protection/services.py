"""Writes for protection work: file a report, each step of a case and its referrals,
actions, handlers, break-the-glass, the deadlines and the escalation sweep.

Every write runs in one transaction: the row, a CaseEvent (the case's timeline) and an
audit row. A step is taken on the case as it stands under a row lock, so a second
acceptance, a step on a revoked referral or an edit made on an old version is refused
with a message saying who got there first. `check_report` holds every rule a report's
values must meet; the form, the API and `report_file` all call it.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shouwang.accounts import access as accounts_access
from shouwang.accounts.models import Role, Unit, User
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.core.exceptions import InvalidValues as InvalidInput
from shouwang.registry.models import Child
from shouwang.registry.selectors import child_list_for
from shouwang.registry.services import child_protection_set

from . import access
from .access import Do
from .models import (
    BreakGlass,
    Case,
    CaseAction,
    CaseEvent,
    CaseHandler,
    DeadlinePolicy,
    DeskMember,
    Referral,
)
from .vocab import (
    ABUSE_OR_NEGLECT,
    ACTION_ACTOR,
    REFERRAL_OPEN,
    SEXUAL_HARM,
    ActionKind,
    Actor,
    CaseEventKind,
    CaseStatus,
    Channel,
    Charge,
    GuardianshipGround,
    Need,
    Outcome,
    Placement,
    PoliceDecision,
    ReferralStatus,
    Risk,
    Sensitivity,
    Sentence,
    ServiceType,
    Situation,
    Timeframe,
    Urgency,
)

CASE_NOT_FOUND = "案件不存在或您无权查看。"
REFERRAL_NOT_FOUND = "转介不存在或您无权办理。"
DENIED = "您没有办理此项的权限。"
GLASS_HOURS = 24
MAX_TEXT = 2000
MAX_NOTE = 500


def _refuse(field: str, message: str) -> None:
    raise InvalidInput({field: [message]})


def _text(values, field, label, *, required=False, limit=MAX_NOTE) -> str:
    value = (values.get(field) or "").strip()
    if required and not value:
        _refuse(field, f"请填写{label}。")
    if len(value) > limit:
        _refuse(field, f"{label}最多{limit}个字，当前{len(value)}个。")
    return value


def _choice(values, field, label, choices, *, required=True) -> str:
    value = values.get(field) or ""
    if not value:
        if required:
            _refuse(field, f"请选择{label}。")
        return ""
    if value not in choices.values:
        _refuse(field, f"{label}“{value}”不是可选的值，请从列表中选择。")
    return value


# Deadlines -------------------------------------------------------------------------------


def deadlines_for(county_id: str) -> dict[str, int]:
    """The county's deadlines (its own, else the defaults)."""
    row = DeadlinePolicy.objects.filter(county_id=county_id).first()
    if row is None:
        return dict(DeadlinePolicy.DEFAULTS)
    return {k: getattr(row, k) for k in DeadlinePolicy.DEFAULTS}


@transaction.atomic
def deadlines_set(
    *, actor, county_id: str, values: Mapping[str, Any]
) -> DeadlinePolicy:
    """Set a county's deadlines (civil-affairs staff of the county or above)."""
    if not (
        access.is_civil(actor) and accounts_access.in_jurisdiction(actor, county_id)
    ):
        raise DomainError(DENIED)
    limits = {"police_accept_hours": 168, "feedback_days": 30, "assessment_days": 30}
    labels = {
        "police_accept_hours": "公安受理时限（小时）",
        "feedback_days": "反馈时限（天）",
        "assessment_days": "民政评估时限（天）",
    }
    cleaned = {}
    for key, limit in limits.items():
        value = values.get(key)
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 1 <= value <= limit
        ):
            _refuse(key, f"{labels[key]}应为 1 到 {limit} 之间的整数。")
        cleaned[key] = value
    row, _ = DeadlinePolicy.objects.update_or_create(
        county_id=county_id, defaults={**cleaned, "updated_by": actor}
    )
    audit_record(
        actor=actor,
        action=AuditAction.PROTECTION_SETTINGS,
        obj=row,
        area_code=county_id,
        details=cleaned,
    )
    return row


@transaction.atomic
def desk_member_set(*, actor, user: User, active: bool) -> DeskMember:
    """Name (or stand down) a county civil-affairs worker on the protection desk."""
    if not access.is_civil(actor) or not user.area_id:
        raise DomainError(DENIED)
    county = codes.pad(user.area_id[:6])
    if (
        user.role != Role.CIVIL_AFFAIRS
        or user.area.level != AreaLevel.COUNTY  # a city's worker sits on no desk
        or not accounts_access.in_jurisdiction(actor, county)
    ):
        raise DomainError("只能指定本辖区县级民政干部为保护专岗人员。")
    member, _ = DeskMember.objects.update_or_create(
        user=user, defaults={"county_id": county, "active": active, "added_by": actor}
    )
    audit_record(
        actor=actor,
        action=AuditAction.PROTECTION_SETTINGS,
        obj=member,
        area_code=county,
        details={"desk_member": user.username, "active": active},
    )
    return member


# Events ----------------------------------------------------------------------------------


def _event(
    case, kind, *, actor, note="", referral=None, at=None, **details
) -> CaseEvent:
    authenticated = getattr(actor, "is_authenticated", False)
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=at or timezone.now(),
        actor=actor if authenticated else None,
        actor_name=actor.display_name if authenticated else "系统",
        referral=referral,
        note=note,
        details=details,
    )


def _audit(actor, action, obj, case: Case, **details) -> None:
    audit_record(
        actor=actor, action=action, obj=obj, area_code=case.area_id, details=details
    )


def _status(case: Case) -> str:
    if case.closed_at:
        return CaseStatus.CLOSED
    if case.referrals.exclude(status=ReferralStatus.REVOKED).exists():
        return CaseStatus.REFERRED
    if case.assessed_at:
        return CaseStatus.ASSESSED
    if case.police_decided_at:
        return CaseStatus.ACCEPTED
    return CaseStatus.REPORTED


def _save(case: Case) -> None:
    case.status = _status(case)
    case.version += 1
    case.save()


def _sync_child(case: Case, *, actor, child_id: int | None = None) -> None:
    """Keep the child's open-case facts (and so its classification) in step."""
    child_id = child_id or case.child_id
    if not child_id:
        return
    open_cases = Case.objects.filter(child_id=child_id, closed_at=None)
    child_protection_set(
        actor=actor,
        child_id=child_id,
        open_report=open_cases.exists(),
        open_abuse=open_cases.filter(situation__in=ABUSE_OR_NEGLECT).exists(),
        note=f"保护案件 {case.number}",
    )


def _locked(
    actor, case_id: int, do: Do, *, expected_version: int | None = None
) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or access.view_of(actor, case) is None:
        raise NotFound(CASE_NOT_FOUND)
    if not access.can(actor, do, case):
        raise DomainError(DENIED)
    if expected_version is not None and case.version != expected_version:
        raise DomainError(
            f"保存失败：在您办理期间，该案件已被他人更新（当前为第{case.version}版）。"
            "您填写的内容没有丢失，请刷新后对照重新提交。"
        )
    return case


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise DomainError("该案件已结案：如需继续办理，请先重新开启案件。")


# Report intake ---------------------------------------------------------------------------


def report_area(actor, values: Mapping[str, Any], child: Child | None) -> Area | None:
    """Where the case belongs: the ledger child's village, the area given, or the
    reporter's own area when it lies at or below a county."""
    if child is not None:
        return child.village
    code = values.get("area_id") or ""
    if code:
        return Area.objects.filter(code=code).first()
    if actor.area_id and codes.level_of(actor.area_id) in (
        codes.Level.COUNTY,
        codes.Level.TOWNSHIP,
        codes.Level.VILLAGE,
    ):
        return actor.area
    return None


def check_report(actor, values: Mapping[str, Any], *, now: datetime) -> dict[str, list]:
    """Every problem with a report's values, as Chinese messages by field (form
    order); empty when it may be filed."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    def attempt(check) -> Any:
        try:
            return check()
        except InvalidInput as error:
            for field, messages in error.problems.items():
                problems.setdefault(field, []).extend(messages)
            return None

    attempt(lambda: _choice(values, "situation", "情形", Situation))
    attempt(lambda: _choice(values, "urgency", "紧急程度", Urgency))
    found_at = values.get("found_at")
    if not isinstance(found_at, datetime):
        add("found_at", "请填写发现时间（年-月-日 时:分）。")
    elif found_at > now + timedelta(minutes=5):
        add("found_at", "发现时间不能晚于现在，请核对。")
    elif found_at < now - timedelta(days=3650):
        add("found_at", "发现时间早于十年前，请核对。")
    attempt(lambda: _text(values, "found_place", "发现地点", required=True, limit=200))
    attempt(
        lambda: _text(values, "observed", "发现的情况", required=True, limit=MAX_TEXT)
    )
    child_id = values.get("child_id")
    child = None
    if child_id:
        child = child_list_for(viewer=actor).filter(pk=child_id).first()
        if child is None:
            add(
                "child_id",
                "所选儿童不在您可查看的台账中：请重新选择，或改为填写儿童描述。",
            )
    else:
        description = attempt(
            lambda: _text(values, "child_description", "儿童描述", limit=MAX_TEXT)
        )
        if not (description or (values.get("child_name") or "").strip()):
            add(
                "child_description",
                "请选择台账中的儿童，或填写儿童的姓名或描述（性别、大致年龄、衣着特征等）。",
            )
        attempt(lambda: _text(values, "child_name", "儿童姓名", limit=30))
        if values.get("child_sex") not in (None, "", "男", "女"):
            add("child_sex", "儿童性别请选择“男”或“女”，不清楚可不填。")
        age = values.get("child_age")
        if age not in (None, "") and (
            not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 17
        ):
            add("child_age", "儿童年龄应为 0 到 17 之间的整数，不清楚可不填。")
    if "child_id" not in problems:
        area = report_area(actor, values, child)
        if area is None:
            add("area_id", "请选择发现地所在的县、乡镇或村。")
        elif area.level not in (
            AreaLevel.COUNTY,
            AreaLevel.TOWNSHIP,
            AreaLevel.VILLAGE,
        ):
            add("area_id", "发现地请选择到县（市、区）、乡镇或村。")
        elif not accounts_access.in_jurisdiction(actor, area.code):
            add("area_id", "发现地不在您的管辖范围内：请报告给发现地的县级公安和民政。")
    if values.get("channel") == Channel.PHONE:
        if not access.can(actor, Do.REPORT_ON_BEHALF):
            add("channel", "只有民政干部可以代录电话报告。")
        anonymous = bool(values.get("anonymous"))
        for field, label, limit in (
            ("reporter_name", "报告人姓名", 50),
            ("reporter_unit", "报告单位", 100),
            ("reporter_contact", "报告人联系方式", 50),
        ):
            value = attempt(
                lambda field=field, label=label, limit=limit: _text(
                    values, field, label, limit=limit
                )
            )
            if field == "reporter_name" and not anonymous and not value:
                add(field, "请填写报告人姓名；报告人不愿留名的，请勾选“匿名报告”。")
    return problems


def _number(county_id: str, day) -> str:
    prefix = f"{county_id[:6]}-{day:%Y%m%d}-"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _name_handlers(case: Case, *, actor) -> None:
    """A highly sensitive case's first handlers: the county's protection desk and the
    police whose jurisdiction holds the place."""
    police = access.staff_holding(case.area_id).filter(
        role=Role.DEPARTMENT, unit=Unit.POLICE
    )
    for user in [*access.desk_users(case.county_id), *police]:
        CaseHandler.objects.get_or_create(
            case=case, user=user, removed_at=None, defaults={"added_by": actor}
        )


def report_file(*, actor, values: Mapping[str, Any]) -> Case:
    """File a mandatory report: the case opens at once in the county police's and the
    protection desk's inboxes, with its deadlines; a receipt number is returned on it."""
    if not access.can(actor, Do.REPORT):
        raise DomainError("您没有提交强制报告的权限。")
    now = timezone.now()
    problems = check_report(actor, values, now=now)
    if problems:
        raise InvalidInput(problems)
    for attempt in range(5):
        try:
            with transaction.atomic():
                return _report_write(actor, values, now)
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _report_write(actor, values, now) -> Case:
    child = None
    if values.get("child_id"):
        child = child_list_for(viewer=actor).filter(pk=values["child_id"]).first()
    area = report_area(actor, values, child)
    county = codes.pad(area.code[:6])
    deadlines = deadlines_for(county)
    phone = values.get("channel") == Channel.PHONE
    situation = values["situation"]
    case = Case(
        number=_number(county, timezone.localdate(now)),
        county_id=county,
        area=area,
        sensitivity=Sensitivity.HIGH
        if situation in SEXUAL_HARM
        else Sensitivity.NORMAL,
        situation=situation,
        urgency=values.get("urgency") or Urgency.NORMAL,
        found_at=values["found_at"],
        found_place=values["found_place"].strip(),
        observed=values["observed"].strip(),
        child=child,
        channel=Channel.PHONE if phone else Channel.ONLINE,
        entered_by=actor,
        reported_at=now,
        police_due_at=now + timedelta(hours=deadlines["police_accept_hours"]),
        assessment_due_at=now + timedelta(days=deadlines["assessment_days"]),
    )
    if child is None:
        case.child_name = (values.get("child_name") or "").strip()
        case.child_sex = values.get("child_sex") or ""
        case.child_age = (
            values.get("child_age") if values.get("child_age") != "" else None
        )
        case.child_description = (values.get("child_description") or "").strip()
    if phone:
        case.anonymous = bool(values.get("anonymous"))
        if not case.anonymous:
            case.reporter_name = values.get("reporter_name", "").strip()
            case.reporter_unit = values.get("reporter_unit", "").strip()
            case.reporter_contact = values.get("reporter_contact", "").strip()
    else:
        case.reporter = actor
        case.reporter_name = actor.display_name
        case.reporter_unit = _unit_name(actor)
        case.reporter_contact = actor.phone
    case.status = CaseStatus.REPORTED
    case.save()
    if case.sensitivity == Sensitivity.HIGH:
        _name_handlers(case, actor=actor)
    _event(
        case,
        CaseEventKind.REPORTED,
        actor=actor,
        at=now,
        note=case.get_situation_display(),
    )
    _audit(actor, AuditAction.CASE_REPORT, case, case, number=case.number)
    _sync_child(case, actor=actor)
    return case


def _unit_name(user: User) -> str:
    area = user.area.name if user.area_id else ""
    if user.role == Role.DEPARTMENT:
        return f"{area}{user.get_unit_display()}"
    return f"{area}{user.get_role_display()}"


# Police ----------------------------------------------------------------------------------


@transaction.atomic
def case_police_decide(*, actor, case_id: int, decision: str, reason: str = "") -> Case:
    """The police's answer to a report: 受案, 立案 or 不予立案 (with a reason); the
    feedback clock to the reporting unit starts."""
    case = _locked(actor, case_id, Do.DECIDE)
    values = {"decision": decision, "reason": reason}
    decision = _choice(values, "decision", "受理结果", PoliceDecision)
    reason = _text(
        values, "reason", "理由", required=decision == PoliceDecision.NOT_FILED
    )
    if case.police_decided_at:
        raise DomainError(
            f"该报告已由{case.police_decided_by.display_name if case.police_decided_by else '他人'}"
            f"于 {timezone.localtime(case.police_decided_at):%Y-%m-%d %H:%M} "
            f"{case.get_police_decision_display()}，无需再次受理。"
        )
    _require_open(case)
    now = timezone.now()
    case.police_decision, case.police_reason = decision, reason
    case.police_decided_at, case.police_decided_by, case.police_due_at = (
        now,
        actor,
        None,
    )
    case.feedback_due_at = now + timedelta(
        days=deadlines_for(case.county_id)["feedback_days"]
    )
    _save(case)
    _event(
        case,
        CaseEventKind.POLICE_DECIDED,
        actor=actor,
        note=f"{case.get_police_decision_display()}{'：' + reason if reason else ''}",
        decision=decision,
    )
    _audit(actor, AuditAction.CASE_UPDATE, case, case, step="police_decide")
    return case


@transaction.atomic
def case_feedback(*, actor, case_id: int, note: str) -> Case:
    """Tell the reporting unit how the case stands (art. 8: within 3 days of acceptance)."""
    case = _locked(actor, case_id, Do.FEEDBACK)
    note = _text({"note": note}, "note", "反馈内容", required=True)
    if not case.police_decided_at:
        raise DomainError("请先受理该报告，再向报告单位反馈。")
    case.feedback_note, case.feedback_at, case.feedback_by = note, timezone.now(), actor
    case.feedback_due_at = None
    _save(case)
    _event(case, CaseEventKind.FEEDBACK, actor=actor, note=note)
    _audit(actor, AuditAction.CASE_UPDATE, case, case, step="feedback")
    return case


# Civil affairs ---------------------------------------------------------------------------


@transaction.atomic
def case_assess(
    *,
    actor,
    case_id: int,
    expected_version: int,
    risk: str,
    needs: Iterable[str],
    safety_plan: str,
) -> Case:
    """Civil affairs' assessment: risk, needs and a safety plan (may be revised)."""
    case = _locked(actor, case_id, Do.ASSESS, expected_version=expected_version)
    _require_open(case)
    values = {"risk": risk, "safety_plan": safety_plan}
    risk = _choice(values, "risk", "风险等级", Risk)
    needs = list(dict.fromkeys(needs or ()))
    for need in needs:
        if need not in Need.values:
            _refuse("needs", f"需求“{need}”不是可选的值，请从列表中选择。")
    if not needs:
        _refuse("needs", "请至少选择一项需求。")
    plan = _text(values, "safety_plan", "安全计划", required=True, limit=MAX_TEXT)
    first = case.assessed_at is None
    case.risk, case.needs, case.safety_plan = risk, needs, plan
    case.assessed_at, case.assessed_by, case.assessment_due_at = (
        timezone.now(),
        actor,
        None,
    )
    _save(case)
    _event(
        case,
        CaseEventKind.ASSESSED,
        actor=actor,
        note=f"{'评估' if first else '修改评估'}：风险{case.get_risk_display()}；"
        + "、".join(Need(n).label for n in needs),
    )
    _audit(actor, AuditAction.CASE_UPDATE, case, case, step="assess")
    return case


def unit_exists(unit: str, case: Case) -> bool:
    """Whether the member unit has an active account whose jurisdiction holds the case."""
    return (
        access.staff_holding(case.area_id)
        .filter(role=Role.DEPARTMENT, unit=unit)
        .exists()
    )


@transaction.atomic
def referral_send(
    *, actor, case_id: int, unit: str, service: str, reason: str, timeframe: int
) -> Referral:
    """Refer a case to a member unit of its county, to answer within the timeframe."""
    case = _locked(actor, case_id, Do.REFER)
    _require_open(case)
    values = {"unit": unit, "service": service, "reason": reason}
    unit = _choice(values, "unit", "转介单位", Unit)
    service = _choice(values, "service", "服务类型", ServiceType)
    reason = _text(values, "reason", "转介原因", required=True)
    if timeframe not in Timeframe.values:
        _refuse("timeframe", "请选择响应时限。")
    label = Unit(unit).label
    if not unit_exists(unit, case):
        _refuse(
            "unit",
            f"{case.county.name}还没有{label}的账号，无法转介给该单位："
            "请先为该单位开通账号，或选择其他单位。",
        )
    if case.referrals.filter(
        unit=unit, service=service, status__in=REFERRAL_OPEN
    ).exists():
        _refuse(
            "unit",
            f"已有一条给{label}的“{ServiceType(service).label}”转介尚未办结，无需重复转介。",
        )
    now = timezone.now()
    referral = Referral.objects.create(
        case=case,
        county_id=case.county_id,
        unit=unit,
        service=service,
        reason=reason,
        timeframe=timeframe,
        respond_by=now + timedelta(hours=timeframe),
        sent_by=actor,
    )
    _save(case)
    _event(
        case,
        CaseEventKind.REFERRED,
        actor=actor,
        referral=referral,
        note=f"转介{label}（{ServiceType(service).label}，{Timeframe(timeframe).label}响应）：{reason}",
    )
    _audit(actor, AuditAction.REFERRAL_UPDATE, referral, case, step="send", unit=unit)
    return referral


def _locked_referral(actor, referral_id: int, do: Do) -> Referral:
    referral = (
        Referral.objects.select_for_update()
        .select_related("case")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or not access.can(actor, do, referral):
        if referral is not None and access.view_of(actor, referral.case) is not None:
            raise DomainError(DENIED)
        raise NotFound(REFERRAL_NOT_FOUND)
    return referral


def _stand(referral: Referral) -> str:
    """Why a referral can no longer take a step, in words."""
    when = lambda at: f"{timezone.localtime(at):%Y-%m-%d %H:%M}"  # noqa: E731
    if referral.status == ReferralStatus.REVOKED:
        return f"该转介已被转介方于 {when(referral.revoked_at)} 撤回，不能再办理。"
    if referral.status == ReferralStatus.ACCEPTED:
        who = referral.responded_by.display_name if referral.responded_by else "他人"
        return f"该转介已由{who}于 {when(referral.responded_at)} 接收，无需再次接收。"
    if referral.status == ReferralStatus.REJECTED:
        return f"该转介已于 {when(referral.responded_at)} 被拒绝，不能再办理。"
    if referral.status == ReferralStatus.DONE:
        return f"该转介已于 {when(referral.done_at)} 办结。"
    return "该转介尚未接收：请先接收，再填写办理结果。"


@transaction.atomic
def referral_accept(*, actor, referral_id: int) -> Referral:
    """The unit takes the referral on."""
    referral = _locked_referral(actor, referral_id, Do.RESPOND)
    if referral.status != ReferralStatus.PENDING:
        raise DomainError(_stand(referral))
    referral.status = ReferralStatus.ACCEPTED
    referral.responded_at, referral.responded_by = timezone.now(), actor
    referral.save()
    _event(
        referral.case,
        CaseEventKind.REFERRAL_ACCEPTED,
        actor=actor,
        referral=referral,
        note=f"{referral.get_unit_display()}接收转介",
    )
    _audit(actor, AuditAction.REFERRAL_UPDATE, referral, referral.case, step="accept")
    return referral


@transaction.atomic
def referral_reject(*, actor, referral_id: int, reason: str) -> Referral:
    """The unit declines the referral, saying why."""
    referral = _locked_referral(actor, referral_id, Do.RESPOND)
    reason = _text({"reason": reason}, "reason", "拒绝理由", required=True)
    if referral.status != ReferralStatus.PENDING:
        raise DomainError(_stand(referral))
    referral.status, referral.reject_reason = ReferralStatus.REJECTED, reason
    referral.responded_at, referral.responded_by = timezone.now(), actor
    referral.save()
    _event(
        referral.case,
        CaseEventKind.REFERRAL_REJECTED,
        actor=actor,
        referral=referral,
        note=f"{referral.get_unit_display()}拒绝转介：{reason}",
    )
    _audit(actor, AuditAction.REFERRAL_UPDATE, referral, referral.case, step="reject")
    return referral


@transaction.atomic
def referral_done(*, actor, referral_id: int, successful: bool, note: str) -> Referral:
    """The unit reports the referral done, successful or not (with a reason)."""
    referral = _locked_referral(actor, referral_id, Do.COMPLETE)
    note = _text(
        {"note": note},
        "note",
        "办理情况" if successful else "未成功的原因",
        required=True,
    )
    if referral.status != ReferralStatus.ACCEPTED:
        raise DomainError(_stand(referral))
    referral.status, referral.successful, referral.done_note = (
        ReferralStatus.DONE,
        bool(successful),
        note,
    )
    referral.done_at, referral.done_by = timezone.now(), actor
    referral.save()
    _event(
        referral.case,
        CaseEventKind.REFERRAL_DONE,
        actor=actor,
        referral=referral,
        note=f"{referral.get_unit_display()}办结（{'成功' if successful else '未成功'}）：{note}",
    )
    _audit(actor, AuditAction.REFERRAL_UPDATE, referral, referral.case, step="done")
    return referral


@transaction.atomic
def referral_revoke(*, actor, referral_id: int, reason: str) -> Referral:
    """The sender takes a pending or accepted referral back; the unit no longer sees
    the case."""
    referral = _locked_referral(actor, referral_id, Do.REVOKE)
    reason = _text({"reason": reason}, "reason", "撤回理由", required=True)
    if referral.status not in REFERRAL_OPEN:
        raise DomainError(_stand(referral))
    referral.status, referral.revoke_reason = ReferralStatus.REVOKED, reason
    referral.revoked_at, referral.revoked_by = timezone.now(), actor
    referral.save()
    case = Case.objects.select_for_update().get(pk=referral.case_id)
    _save(case)
    _event(
        case,
        CaseEventKind.REFERRAL_REVOKED,
        actor=actor,
        referral=referral,
        note=f"撤回给{referral.get_unit_display()}的转介：{reason}",
    )
    _audit(actor, AuditAction.REFERRAL_UPDATE, referral, case, step="revoke")
    return referral


# Actions ---------------------------------------------------------------------------------

# What each action must say besides its date and note: field → (label, vocabulary).
ACTION_FIELDS: dict[str, dict[str, tuple[str, Any]]] = {
    ActionKind.RESCUE: {"persons": ("救助人次", None)},
    ActionKind.TEMPORARY_GUARDIANSHIP: {"ground": ("临时监护情形", GuardianshipGround)},
    ActionKind.PLACEMENT: {"placement": ("安置方式", Placement)},
    ActionKind.LONG_TERM_GUARDIANSHIP: {},
    ActionKind.REVOKE_PETITION: {},
    ActionKind.FAMILY_HELP: {
        "families": ("帮扶户数", None),
        "persons": ("帮扶儿童人数", None),
    },
    ActionKind.HUKOU: {"persons": ("登记户口人数", None)},
    ActionKind.POLICE_CASE: {},
    ActionKind.ARREST: {"cases": ("案件数", None), "persons": ("人数", None)},
    ActionKind.PROSECUTION: {"cases": ("案件数", None), "persons": ("人数", None)},
    ActionKind.RECOMMENDATION: {},
    ActionKind.COURT_ACCEPTED: {"charge": ("罪名", Charge)},
    ActionKind.COURT_JUDGED: {
        "charge": ("罪名", Charge),
        "sentence": ("判处", Sentence),
    },
    ActionKind.SERVICE: {"service": ("措施类型", ServiceType)},
}


def check_action(values: Mapping[str, Any], *, today) -> dict[str, Any]:
    """An action's values cleaned, or InvalidInput naming the field."""
    kind = _choice(values, "kind", "措施", ActionKind)
    occurred_on = values.get("occurred_on")
    if occurred_on is None:
        _refuse("occurred_on", "请填写措施日期。")
    if occurred_on > today:
        _refuse("occurred_on", "措施日期不能晚于今天。")
    cleaned: dict[str, Any] = {"kind": kind, "occurred_on": occurred_on}
    for field, (label, vocabulary) in ACTION_FIELDS[kind].items():
        value = values.get(field)
        if vocabulary is None:
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 1 <= value <= 9999
            ):
                _refuse(field, f"{label}应为 1 到 9999 之间的整数。")
        else:
            value = _choice(values, field, label, vocabulary)
        cleaned[field] = value
    cleaned["note"] = _text(values, "note", "说明")
    return cleaned


@transaction.atomic
def action_record(*, actor, case_id: int, values: Mapping[str, Any]) -> CaseAction:
    """Record an action the actor's unit took on the case."""
    case = _locked(actor, case_id, Do.RECORD_ACTION)
    _require_open(case)
    cleaned = check_action(values, today=timezone.localdate())
    found_on = timezone.localdate(case.found_at)
    if cleaned["occurred_on"] < found_on:
        _refuse("occurred_on", f"措施日期不能早于发现日期（{found_on:%Y-%m-%d}）。")
    kind = cleaned["kind"]
    if not access.can(actor, Do.RECORD_ACTION, case, kind=kind):
        _refuse(
            "kind",
            f"“{ActionKind(kind).label}”不由您所在单位记录，请选择本单位的措施。",
        )
    referral = None
    if actor.role == Role.DEPARTMENT:
        referral = case.referrals.filter(
            unit=actor.unit, status=ReferralStatus.ACCEPTED
        ).first()
    kind_actor = ACTION_ACTOR[ActionKind(kind)]
    action = CaseAction.objects.create(
        case=case,
        referral=referral,
        county_id=case.county_id,
        area_id=case.area_id,
        actor=access.actor_of(actor) if kind_actor == Actor.OTHER else kind_actor,
        unit=actor.unit if actor.role == Role.DEPARTMENT else "",
        recorded_by=actor,
        **cleaned,
    )
    _save(case)
    _event(
        case,
        CaseEventKind.ACTION,
        actor=actor,
        referral=referral,
        note=action_summary(action),
    )
    _audit(actor, AuditAction.CASE_UPDATE, action, case, step="action", kind=kind)
    return action


def action_summary(action: CaseAction) -> str:
    """One line saying what was done."""
    parts = [action.get_kind_display()]
    for field in ("ground", "placement", "charge", "sentence", "service"):
        if getattr(action, field):
            parts.append(getattr(action, f"get_{field}_display")())
    if action.kind in (ActionKind.ARREST, ActionKind.PROSECUTION):
        parts.append(f"{action.cases}件{action.persons}人")
    elif action.kind == ActionKind.FAMILY_HELP:
        parts.append(f"{action.families}户{action.persons}人")
    elif action.kind in (ActionKind.RESCUE, ActionKind.HUKOU):
        parts.append(f"{action.persons}人")
    if action.note:
        parts.append(action.note)
    return "：".join([parts[0], "，".join(parts[1:])]) if len(parts) > 1 else parts[0]


# Closing ---------------------------------------------------------------------------------


@transaction.atomic
def case_close(*, actor, case_id: int, outcome: str, note: str) -> Case:
    """Close the case with an outcome; refused while referrals are open (named)."""
    case = _locked(actor, case_id, Do.CLOSE)
    _require_open(case)
    values = {"outcome": outcome, "note": note}
    outcome = _choice(values, "outcome", "结案结果", Outcome)
    note = _text(values, "note", "结案说明", required=True)
    if not case.police_decided_at:
        raise DomainError("公安尚未受理该报告，暂不能结案：请先督促公安受理。")
    still_open = list(
        case.referrals.filter(status__in=REFERRAL_OPEN).order_by("created_at")
    )
    if still_open:
        named = "、".join(
            f"{r.get_unit_display()}（{r.get_service_display()}，{r.get_status_display()}）"
            for r in still_open
        )
        raise DomainError(f"还有未办结的转介：{named}。请等待办结，或撤回后再结案。")
    now = timezone.now()
    case.outcome, case.outcome_note = outcome, note
    case.closed_at, case.closed_by = now, actor
    case.police_due_at = case.feedback_due_at = case.assessment_due_at = None
    _save(case)
    _event(
        case,
        CaseEventKind.CLOSED,
        actor=actor,
        note=f"{case.get_outcome_display()}：{note}",
    )
    _audit(actor, AuditAction.CASE_UPDATE, case, case, step="close")
    _sync_child(case, actor=actor)
    return case


@transaction.atomic
def case_reopen(*, actor, case_id: int, reason: str) -> Case:
    """Reopen a closed case, saying why; civil affairs assesses it again."""
    case = _locked(actor, case_id, Do.REOPEN)
    reason = _text({"reason": reason}, "reason", "重新开启的理由", required=True)
    if case.is_open:
        raise DomainError("该案件尚未结案，无需重新开启。")
    days = deadlines_for(case.county_id)["assessment_days"]
    case.closed_at = case.closed_by = None
    case.outcome, case.outcome_note = "", ""
    case.assessment_due_at = timezone.now() + timedelta(days=days)
    _save(case)
    _event(case, CaseEventKind.REOPENED, actor=actor, note=reason)
    _audit(actor, AuditAction.CASE_UPDATE, case, case, step="reopen")
    _sync_child(case, actor=actor)
    return case


# Handlers, sensitivity, the ledger child -------------------------------------------------


@transaction.atomic
def case_handlers_set(
    *, actor, case_id: int, add: Iterable[int] = (), remove: Iterable[int] = ()
) -> Case:
    """Name or remove handlers; a highly sensitive case always keeps one."""
    case = _locked(actor, case_id, Do.MANAGE)
    candidates = {u.pk: u for u in access.staff_holding(case.area_id)}
    now = timezone.now()
    added, removed = [], []
    for pk in add:
        if pk not in candidates:
            _refuse(
                "add",
                "只能指定管辖范围包含本案发现地的民政或成员单位工作人员为经办人。",
            )
        _, created = CaseHandler.objects.get_or_create(
            case=case, user_id=pk, removed_at=None, defaults={"added_by": actor}
        )
        if created:
            added.append(candidates[pk].display_name)
    for handler in case.handlers.filter(user_id__in=list(remove), removed_at=None):
        handler.removed_at, handler.removed_by = now, actor
        handler.save()
        removed.append(handler.user.display_name)
    if (
        case.sensitivity == Sensitivity.HIGH
        and not case.handlers.filter(removed_at=None).exists()
    ):
        raise DomainError("高度敏感案件至少要有一名经办人。")
    if added or removed:
        note = "；".join(
            part
            for part in (
                f"增加：{'、'.join(added)}" if added else "",
                f"移除：{'、'.join(removed)}" if removed else "",
            )
            if part
        )
        _save(case)
        _event(case, CaseEventKind.HANDLERS, actor=actor, note=note)
        _audit(actor, AuditAction.CASE_UPDATE, case, case, step="handlers")
    return case


@transaction.atomic
def case_sensitivity_set(*, actor, case_id: int, sensitivity: str, reason: str) -> Case:
    """Change the sensitivity, saying why; raising it to 高度敏感 names the actor, the
    desk and the police as handlers so nobody working the case loses it."""
    case = _locked(actor, case_id, Do.MANAGE)
    values = {"sensitivity": sensitivity, "reason": reason}
    sensitivity = _choice(values, "sensitivity", "敏感级别", Sensitivity)
    reason = _text(values, "reason", "调整理由", required=True)
    if sensitivity == case.sensitivity:
        return case
    before = case.get_sensitivity_display()
    case.sensitivity = sensitivity
    if sensitivity == Sensitivity.HIGH:
        _name_handlers(case, actor=actor)
        CaseHandler.objects.get_or_create(
            case=case, user=actor, removed_at=None, defaults={"added_by": actor}
        )
    _save(case)
    _event(
        case,
        CaseEventKind.SENSITIVITY,
        actor=actor,
        note=f"{before} → {case.get_sensitivity_display()}：{reason}",
    )
    _audit(actor, AuditAction.CASE_UPDATE, case, case, step="sensitivity")
    return case


@transaction.atomic
def case_child_link(*, actor, case_id: int, child_id: int) -> Case:
    """Link a child found outside the ledger to the ledger record made for them."""
    case = _locked(actor, case_id, Do.MANAGE)
    child = child_list_for(viewer=actor).filter(pk=child_id).first()
    if child is None or not child.village_id.startswith(case.county_id[:6]):
        _refuse(
            "child_id", "所选儿童不在本案所在县的台账中，或您无权查看：请重新选择。"
        )
    if case.child_id == child.pk:
        return case
    previous = case.child_id
    case.child = child
    _save(case)
    _event(
        case,
        CaseEventKind.CHILD_LINKED,
        actor=actor,
        note=f"关联台账儿童：{child.name}",
    )
    _audit(actor, AuditAction.CASE_UPDATE, case, case, step="link_child")
    _sync_child(case, actor=actor)
    if previous:
        _sync_child(case, actor=actor, child_id=previous)
    return case


# Break the glass -------------------------------------------------------------------------


@transaction.atomic
def break_glass(*, actor, number: str, reason: str) -> BreakGlass:
    """Open a case one cannot see, for 24 hours, with a reason (audited, reviewed)."""
    reason = _text({"reason": reason}, "reason", "查看理由", required=True)
    if len(reason) < 5:
        _refuse("reason", "请具体说明为什么需要查看该案件（至少5个字）。")
    case = Case.objects.filter(number=(number or "").strip()).first()
    if case is None or not accounts_access.in_jurisdiction(actor, case.area_id):
        _refuse("number", "没有找到该受理编号的案件，或它不在您的管辖范围内。")
    if access.view_of(actor, case) == access.View.FULL:
        _refuse("number", "您已可以查看该案件，无需紧急查看。")
    if not access.can(actor, Do.BREAK_GLASS, case):
        raise DomainError("您的角色不能紧急查看保护案件。")
    glass = BreakGlass.objects.create(
        case=case,
        user=actor,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=GLASS_HOURS),
    )
    case._views = {}
    _audit(
        actor,
        AuditAction.CASE_BREAK_GLASS,
        glass,
        case,
        number=case.number,
        reason=reason,
    )
    return glass


@transaction.atomic
def glass_review(*, actor, glass_id: int, note: str) -> BreakGlass:
    """Record the county's review of a break-the-glass grant."""
    if not access.can(actor, Do.REVIEW_GLASS):
        raise DomainError(DENIED)
    glass = (
        BreakGlass.objects.select_for_update()
        .select_related("case")
        .filter(pk=glass_id)
        .first()
    )
    if glass is None or not accounts_access.in_jurisdiction(actor, glass.case.area_id):
        raise NotFound("记录不存在或不在您的管辖范围内。")
    if glass.user_id == actor.pk:
        raise DomainError("不能复核自己的紧急查看，请由其他民政干部复核。")
    note = _text({"note": note}, "note", "复核意见", required=True)
    if glass.reviewed_at:
        raise DomainError("该紧急查看已复核。")
    glass.reviewed_at, glass.reviewed_by, glass.review_note = (
        timezone.now(),
        actor,
        note,
    )
    glass.save()
    _audit(actor, AuditAction.CASE_GLASS_REVIEW, glass, glass.case, note=note)
    return glass


def case_read_record(*, actor, case: Case) -> None:
    """Audit a read of a case (every view of a case is a sensitive read)."""
    _audit(actor, AuditAction.CASE_VIEW, case, case, view=access.view_of(actor, case))


# Escalation ------------------------------------------------------------------------------


def overdue_q(now: datetime) -> Q:
    """Cases with a deadline passed (police acceptance, feedback, assessment)."""
    return (
        Q(police_due_at__lt=now)
        | Q(feedback_due_at__lt=now)
        | Q(assessment_due_at__lt=now)
    )


def escalations_sweep(*, now: datetime | None = None) -> int:
    """Mark newly overdue cases and referrals as escalated (督办): an event on the case
    timeline, once each; returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        for case in Case.objects.select_for_update().filter(
            overdue_q(now), escalated_at=None, closed_at=None
        ):
            case.escalated_at = now
            case.save(update_fields=["escalated_at", "updated_at"])
            _event(
                case,
                CaseEventKind.ESCALATED,
                actor=None,
                at=now,
                note=overdue_text(case, now),
            )
            count += 1
        for referral in (
            Referral.objects.select_for_update()
            .select_related("case")
            .filter(
                status=ReferralStatus.PENDING, respond_by__lt=now, escalated_at=None
            )
        ):
            referral.escalated_at = now
            referral.save(update_fields=["escalated_at", "updated_at"])
            _event(
                referral.case,
                CaseEventKind.ESCALATED,
                actor=None,
                at=now,
                referral=referral,
                note=f"{referral.get_unit_display()}逾期未接收转介，已提请上级督办",
            )
            count += 1
    return count


def overdue_text(case: Case, now: datetime) -> str:
    """What is overdue on a case, in words."""
    late = []
    if case.police_due_at and case.police_due_at < now:
        late.append("公安逾期未受理")
    if case.feedback_due_at and case.feedback_due_at < now:
        late.append("公安逾期未向报告单位反馈")
    if case.assessment_due_at and case.assessment_due_at < now:
        late.append("民政逾期未评估")
    return "、".join(late) + "，已提请上级督办" if late else ""
