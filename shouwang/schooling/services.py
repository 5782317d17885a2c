"""Writes for dropout control: register a dropout (一人一案), its responsible persons,
plan and persuasion attempts, close it with an outcome and evidence (动态销号) or reopen
it; clear a suspected child. The ledger child's 就学状况 follows through the registry's
services (a new version with history). Each write: one transaction, a timeline event
and an audit row."""

from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound, Problems, read_text
from shouwang.core.exceptions import InvalidValues as InvalidInput
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.services import child_schooling_set
from shouwang.registry.vocab import Schooling

from . import access
from .models import (
    DropoutCase,
    DropoutEvent,
    DropoutResponsible,
    EnrolmentList,
    Persuasion,
    SuspectClearance,
)
from .vocab import (
    ClearReason,
    DropoutEventKind,
    DropoutOutcome,
    DropoutReason,
    DropoutStatus,
    PersuasionMethod,
    PersuasionResult,
    ResponsibleRole,
)

CHILD_NOT_FOUND = "儿童记录不存在或不在您的管辖范围内。"
CASE_NOT_FOUND = "辍学登记不存在或不在您的管辖范围内。"
CLOSED = "该辍学登记已销号，不能再办理：如需继续劝返，请先重新开启。"


_text = partial(read_text, limit=500)


def _choice(problems, values, field, label, choices) -> str:
    value = values.get(field) or ""
    if not value:
        problems.add(field, f"请选择{label}。")
    elif value not in choices.values:
        problems.add(field, f"{label}“{value}”不是可选的值，请从列表中选择。")
    return value


def _day(
    problems, values, field, label, *, today: date, not_before=None
) -> date | None:
    value = values.get(field)
    if not isinstance(value, date):
        problems.add(field, f"请填写{label}（年-月-日）。")
        return None
    if value > today:
        problems.add(field, f"{label}不能晚于今天（{today:%Y-%m-%d}）。")
    elif not_before and value < not_before[0]:
        problems.add(
            field, f"{label}不能早于{not_before[1]}（{not_before[0]:%Y-%m-%d}）。"
        )
    return value


def _event(case, kind, *, actor, note="") -> None:
    DropoutEvent.objects.create(
        case=case,
        kind=kind,
        at=timezone.now(),
        actor=actor,
        actor_name=actor.display_name,
        note=note,
    )


def _audit(actor, case: DropoutCase, step: str, **details) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.DROPOUT_UPDATE,
        obj=case,
        area_code=case.village_id,
        details={"step": step, **details},
    )


def _child(actor, child_id) -> Child:
    child = Child.objects.select_for_update().filter(pk=child_id).first()
    if child is None or not access.covers(actor, child.village_id):
        raise NotFound(CHILD_NOT_FOUND)
    return child


def _case(actor, case_id, *, open_only=True) -> DropoutCase:
    case = (
        DropoutCase.objects.select_for_update()
        .select_related("child")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not access.covers(actor, case.village_id):
        raise NotFound(CASE_NOT_FOUND)
    if open_only and case.status != DropoutStatus.OPEN:
        raise DomainError(CLOSED)
    return case


def _responsibles(problems, items) -> list[dict]:
    cleaned = []
    for index, item in enumerate(items or (), start=1):
        role = item.get("role") or ""
        name = (item.get("name") or "").strip()
        if role not in ResponsibleRole.values:
            problems.add(
                "responsibles",
                f"第{index}位包保责任人：请选择身份（乡镇干部、校长、教师、村干部）。",
            )
        if not name:
            problems.add("responsibles", f"第{index}位包保责任人：请填写姓名。")
        cleaned.append(
            {
                "role": role,
                "name": name[:30],
                "phone": (item.get("phone") or "").strip()[:20],
            }
        )
    return cleaned


def level_of_grade(grade: str) -> str:
    """The 就学状况 a grade belongs to (初一、八年级 → 初中; otherwise 小学)."""
    if "初" in grade or any(g in grade for g in ("七年级", "八年级", "九年级")):
        return Schooling.JUNIOR
    if "高" in grade:
        return Schooling.SENIOR
    return Schooling.PRIMARY


# The 就学状况 a closed case leaves on the ledger, by outcome (None: from the grade).
OUTCOME_SCHOOLING = {
    DropoutOutcome.RETURNED: None,
    DropoutOutcome.HOME_TEACHING: None,
    DropoutOutcome.SPECIAL_EDUCATION: None,
    DropoutOutcome.VOCATIONAL: Schooling.VOCATIONAL,
    DropoutOutcome.OVER_AGE: Schooling.NOT_IN_SCHOOL,
    DropoutOutcome.OTHER: Schooling.NOT_IN_SCHOOL,
}


@transaction.atomic
def dropout_register(*, actor, child_id: int, values: Mapping[str, Any]) -> DropoutCase:
    """Register a dropout for a child in the actor's area; the ledger's 就学状况
    becomes 辍学."""
    child = _child(actor, child_id)
    if child.status != ChildStatus.ACTIVE:
        raise DomainError("该儿童已不在册，不能登记辍学。")
    today = timezone.localdate()
    problems = Problems()
    school = _text(problems, values, "school", "辍学前学校", required=True, limit=100)
    grade = _text(problems, values, "grade", "年级", limit=20)
    left_on = _day(
        problems,
        values,
        "left_on",
        "辍学日期",
        today=today,
        not_before=(child.birth_date, "出生日期"),
    )
    reason = _choice(problems, values, "reason", "辍学原因", DropoutReason)
    reason_note = _text(problems, values, "reason_note", "原因说明")
    plan = _text(problems, values, "plan", "劝返方案", limit=2000)
    responsibles = _responsibles(problems, values.get("responsibles"))
    problems.raise_any()
    if DropoutCase.objects.filter(child=child, status=DropoutStatus.OPEN).exists():
        raise InvalidInput(
            {"child_id": ["该儿童已有一条劝返中的辍学登记，请在那条登记上继续办理。"]}
        )
    try:
        with transaction.atomic():
            case = DropoutCase.objects.create(
                child=child,
                village_id=child.village_id,
                school=school,
                grade=grade,
                left_on=left_on,
                reason=reason,
                reason_note=reason_note,
                plan=plan,
                registered_by=actor,
            )
    except IntegrityError as error:  # a second registration won the race
        raise InvalidInput(
            {"child_id": ["该儿童已有一条劝返中的辍学登记，请在那条登记上继续办理。"]}
        ) from error
    for item in responsibles:
        DropoutResponsible.objects.create(case=case, added_by=actor, **item)
    _event(
        case,
        DropoutEventKind.REGISTERED,
        actor=actor,
        note=f"{school}{grade}，{reason}",
    )
    _audit(actor, case, "register")
    child_schooling_set(
        actor=actor, child_id=child.pk, schooling=Schooling.DROPPED_OUT, note="登记辍学"
    )
    return case


@transaction.atomic
def dropout_plan_set(
    *, actor, case_id: int, expected_version: int, plan: str, responsibles=None
) -> DropoutCase:
    """Set the plan (一人一案) and, when given, the responsible persons."""
    case = _case(actor, case_id)
    if case.version != expected_version:
        raise DomainError(
            f"保存失败：在您编辑期间，该登记已被他人更新（当前为第{case.version}版）。"
            "您填写的内容没有丢失，请刷新后对照重新提交。"
        )
    problems = Problems()
    plan = _text(
        problems, {"plan": plan}, "plan", "劝返方案", required=True, limit=2000
    )
    cleaned = (
        _responsibles(problems, responsibles) if responsibles is not None else None
    )
    problems.raise_any()
    case.plan = plan
    case.version += 1
    case.save()
    _event(case, DropoutEventKind.PLAN, actor=actor, note=plan[:200])
    if cleaned is not None:
        case.responsibles.filter(removed_at=None).update(removed_at=timezone.now())
        for item in cleaned:
            DropoutResponsible.objects.create(case=case, added_by=actor, **item)
        _event(
            case,
            DropoutEventKind.RESPONSIBLE,
            actor=actor,
            note="、".join(f"{i['role']}{i['name']}" for i in cleaned),
        )
    _audit(actor, case, "plan")
    return case


@transaction.atomic
def persuasion_record(*, actor, case_id: int, values: Mapping[str, Any]) -> Persuasion:
    """Record a persuasion attempt on an open case."""
    case = _case(actor, case_id)
    problems = Problems()
    on = _day(
        problems,
        values,
        "on",
        "劝返日期",
        today=timezone.localdate(),
        not_before=(case.left_on, "辍学日期"),
    )
    by = _text(problems, values, "by", "劝返人员", required=True, limit=100)
    method = _choice(problems, values, "method", "劝返方式", PersuasionMethod)
    result = _choice(problems, values, "result", "劝返结果", PersuasionResult)
    note = _text(problems, values, "note", "情况说明")
    problems.raise_any()
    attempt = Persuasion.objects.create(
        case=case,
        on=on,
        by=by,
        method=method,
        result=result,
        note=note,
        recorded_by=actor,
    )
    case.version += 1
    case.save()
    _event(
        case,
        DropoutEventKind.PERSUASION,
        actor=actor,
        note=f"{on:%Y-%m-%d} {by}{method}：{result}",
    )
    _audit(actor, case, "persuasion")
    return attempt


@transaction.atomic
def dropout_close(*, actor, case_id: int, values: Mapping[str, Any]) -> DropoutCase:
    """Close the case with an outcome, its date and evidence (动态销号); the ledger's
    就学状况 follows the outcome."""
    case = _case(actor, case_id)
    problems = Problems()
    outcome = _choice(problems, values, "outcome", "销号结果", DropoutOutcome)
    outcome_on = _day(
        problems,
        values,
        "outcome_on",
        "销号日期",
        today=timezone.localdate(),
        not_before=(case.left_on, "辍学日期"),
    )
    evidence = _text(problems, values, "evidence", "佐证材料", required=True)
    problems.raise_any()
    case.status, case.outcome, case.outcome_on, case.evidence = (
        DropoutStatus.CLOSED,
        outcome,
        outcome_on,
        evidence,
    )
    case.closed_at, case.closed_by = timezone.now(), actor
    case.version += 1
    case.save()
    _event(case, DropoutEventKind.CLOSED, actor=actor, note=f"{outcome}：{evidence}")
    _audit(actor, case, "close", outcome=outcome)
    schooling = OUTCOME_SCHOOLING[DropoutOutcome(outcome)] or level_of_grade(case.grade)
    child_schooling_set(
        actor=actor,
        child_id=case.child_id,
        schooling=schooling,
        note=f"辍学销号：{outcome}",
    )
    return case


@transaction.atomic
def dropout_reopen(*, actor, case_id: int, reason: str) -> DropoutCase:
    """Reopen a closed case, saying why; the child is a dropout again."""
    case = _case(actor, case_id, open_only=False)
    problems = Problems()
    reason = _text(
        problems, {"reason": reason}, "reason", "重新开启的理由", required=True
    )
    problems.raise_any()
    if case.status == DropoutStatus.OPEN:
        raise DomainError("该辍学登记仍在劝返中，无需重新开启。")
    if DropoutCase.objects.filter(
        child_id=case.child_id, status=DropoutStatus.OPEN
    ).exists():
        raise DomainError("该儿童已有另一条劝返中的辍学登记，请在那条登记上继续办理。")
    case.status, case.outcome, case.outcome_on, case.evidence = (
        DropoutStatus.OPEN,
        "",
        None,
        "",
    )
    case.closed_at = case.closed_by = None
    case.version += 1
    case.save()
    _event(case, DropoutEventKind.REOPENED, actor=actor, note=reason)
    _audit(actor, case, "reopen")
    child_schooling_set(
        actor=actor,
        child_id=case.child_id,
        schooling=Schooling.DROPPED_OUT,
        note="辍学登记重新开启",
    )
    return case


@transaction.atomic
def suspect_clear(
    *, actor, child_id: int, list_id: int | None, reason: str, note: str = ""
) -> SuspectClearance:
    """Clear a suspected child for the list compared (在外地就读, 因病缓学 …)."""
    child = _child(actor, child_id)
    problems = Problems()
    reason = _choice(problems, {"reason": reason}, "reason", "排除理由", ClearReason)
    note = _text(
        problems, {"note": note}, "note", "说明", required=reason == ClearReason.OTHER
    )
    problems.raise_any()
    enrolment_list = None
    if list_id is not None:
        enrolment_list = EnrolmentList.objects.filter(pk=list_id).first()
        if enrolment_list is None:
            raise NotFound("学籍名单不存在。")
    clearance = SuspectClearance.objects.create(
        child=child,
        enrolment_list=enrolment_list,
        village_id=child.village_id,
        reason=reason,
        note=note,
        cleared_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.SUSPECT_CLEAR,
        obj=clearance,
        area_code=child.village_id,
        details={"child": child.pk, "reason": reason},
    )
    return clearance
