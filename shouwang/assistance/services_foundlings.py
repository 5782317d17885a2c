"""Writes of foundlings (弃婴): register one found in the actor's county, and edit its
record (the 60-day public notice, admission to a welfare institution, the outcome)
at the version the editor read. One transaction, an audit row naming the fields
changed. Access: selectors_foundlings."""

from collections.abc import Mapping
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import (
    DomainError,
    InvalidValues,
    NotFound,
    Problems,
    read_text,
)
from shouwang.registry.vocab import Sex

from . import selectors_foundlings as sel
from .models import Foundling, FoundlingOutcome

NOTICE_DAYS = 60  # 公告期满 60 日: the end a notice gets unless one is entered
STALE = "保存失败：在您编辑期间，该登记已被他人修改（当前为第{version}版）。请刷新后重新填写。"
FIELDS = (
    "name",
    "found_on",
    "found_place",
    "certificate_number",
    "sex",
    "estimated_birth_date",
    "health",
    "notice_starts_on",
    "notice_ends_on",
    "notice_medium",
    "institution",
    "admitted_on",
    "outcome",
    "outcome_on",
    "outcome_note",
)


_text = partial(read_text, limit=200)


def _day(problems, values, field, label, *, required=False, today) -> date | None:
    value = values.get(field)
    if not isinstance(value, date):
        if required:
            problems.add(field, f"请填写{label}（年-月-日）。")
        return None
    if value > today:
        problems.add(field, f"{label}不能晚于今天（{today:%Y-%m-%d}）。")
    return value


def _clean(values: Mapping[str, Any], *, today: date) -> dict:
    """The record's fields from what was entered, or InvalidValues with every
    problem by field."""
    problems = Problems()
    cleaned: dict[str, Any] = {
        "name": _text(problems, values, "name", "暂用名", limit=30),
        "found_place": _text(
            problems, values, "found_place", "捡拾地点", required=True
        ),
        "certificate_number": _text(
            problems,
            values,
            "certificate_number",
            "公安捡拾证明编号",
            required=True,
            limit=50,
        ),
        "health": _text(problems, values, "health", "健康状况", required=True),
        "notice_medium": _text(
            problems, values, "notice_medium", "公告刊登媒体", limit=100
        ),
        "institution": _text(
            problems, values, "institution", "收留福利机构", limit=100
        ),
        "outcome_note": _text(problems, values, "outcome_note", "结果说明"),
    }
    sex = values.get("sex") or ""
    if sex not in Sex.values:
        problems.add("sex", "请选择性别（男或女）。")
    cleaned["sex"] = sex
    found_on = _day(
        problems, values, "found_on", "捡拾日期", required=True, today=today
    )
    born = _day(
        problems,
        values,
        "estimated_birth_date",
        "估计出生日期",
        required=True,
        today=today,
    )
    if found_on and born and born > found_on:
        problems.add("estimated_birth_date", "估计出生日期不能晚于捡拾日期。")
    starts = values.get("notice_starts_on")
    starts = starts if isinstance(starts, date) else None
    ends = values.get("notice_ends_on")
    ends = ends if isinstance(ends, date) else None
    if starts is None and ends is not None:
        problems.add("notice_starts_on", "填写了公告截止日期，请同时填写公告开始日期。")
    if starts is not None:
        if found_on and starts < found_on:
            problems.add("notice_starts_on", "寻亲公告开始日期不能早于捡拾日期。")
        if ends is None:
            ends = starts + timedelta(days=NOTICE_DAYS)
        elif ends < starts:
            problems.add("notice_ends_on", "寻亲公告截止日期不能早于开始日期。")
    if starts and starts > today:
        problems.add(
            "notice_starts_on", f"寻亲公告开始日期不能晚于今天（{today:%Y-%m-%d}）。"
        )
    cleaned |= {"found_on": found_on, "estimated_birth_date": born}
    cleaned |= {"notice_starts_on": starts, "notice_ends_on": ends}
    admitted = _day(problems, values, "admitted_on", "入院日期", today=today)
    if admitted and found_on and admitted < found_on:
        problems.add("admitted_on", "入院日期不能早于捡拾日期。")
    if admitted and not cleaned["institution"]:
        problems.add("institution", "填写了入院日期，请同时填写收留福利机构。")
    cleaned["admitted_on"] = admitted
    outcome = values.get("outcome") or ""
    outcome_on = _day(problems, values, "outcome_on", "结果日期", today=today)
    if outcome and outcome not in FoundlingOutcome.values:
        problems.add("outcome", f"结果“{outcome}”不是可选的值，请从列表中选择。")
    elif outcome and outcome_on is None and "outcome_on" not in problems:
        problems.add("outcome_on", "请填写结果日期（年-月-日）。")
    elif outcome_on and not outcome:
        problems.add("outcome", "填写了结果日期，请同时选择结果。")
    elif outcome_on and found_on and outcome_on < found_on:
        problems.add("outcome_on", "结果日期不能早于捡拾日期。")
    elif outcome == FoundlingOutcome.ADOPTED and (
        ends is None or (outcome_on and outcome_on <= ends)
    ):
        # Adoption waits for the notice: parents have 60 days to come forward.
        problems.add(
            "outcome",
            "被收养须在寻亲公告期满之后："
            + (f"公告截止日期为 {ends:%Y-%m-%d}。" if ends else "请先填写寻亲公告。"),
        )
    elif (
        outcome in (FoundlingOutcome.ADOPTED, FoundlingOutcome.RAISED) and not admitted
    ):
        problems.add(
            "admitted_on", f"结果为“{outcome}”时，请先填写入院日期和收留福利机构。"
        )
    cleaned |= {"outcome": outcome, "outcome_on": outcome_on}
    if problems:
        raise InvalidValues(problems)
    return cleaned


def _duplicate(county_id: str, number: str, exclude: int | None) -> str | None:
    other = (
        Foundling.objects.filter(county_id=county_id, certificate_number=number)
        .exclude(pk=exclude)
        .first()
    )
    if other is None:
        return None
    return (
        f"公安捡拾证明编号“{number}”已登记（{other.found_on:%Y-%m-%d} 捡拾于"
        f"{other.found_place}）：请核对编号。"
    )


def _save(foundling: Foundling, *, exclude: int | None) -> None:
    try:
        with transaction.atomic():
            foundling.save()
    except IntegrityError:
        # Another person registered the same certificate meanwhile: the check's words.
        message = (
            _duplicate(foundling.county_id, foundling.certificate_number, exclude)
            or "公安捡拾证明编号已登记：请核对编号。"
        )
        raise InvalidValues({"certificate_number": [message]}) from None


@transaction.atomic
def foundling_register(*, actor, values: Mapping[str, Any]) -> Foundling:
    """Register a foundling found in the actor's county (county civil affairs): the
    police certificate once per county; a notice without an end gets start + 60 days."""
    if not sel.may_edit(actor):
        raise DomainError("只有县级民政干部可以登记弃婴。")
    cleaned = _clean(values, today=timezone.localdate())
    if message := _duplicate(actor.area_id, cleaned["certificate_number"], None):
        raise InvalidValues({"certificate_number": [message]})
    foundling = Foundling(county_id=actor.area_id, created_by=actor, **cleaned)
    _save(foundling, exclude=None)
    audit_record(
        actor=actor,
        action=AuditAction.FOUNDLING_SAVE,
        obj=foundling,
        area_code=foundling.county_id,
        details={"step": "register", "found_on": foundling.found_on.isoformat()},
    )
    return foundling


@transaction.atomic
def foundling_update(
    *, actor, foundling_id: int, expected_version: int, values: Mapping[str, Any]
) -> Foundling:
    """Edit a foundling's record at the version the editor read (the notice, the
    admission, the outcome); the audit row names the fields changed."""
    if not sel.may_edit(actor):
        raise DomainError("只有县级民政干部可以办理弃婴登记。")
    foundling = (
        Foundling.objects.select_for_update()
        .filter(sel.access.jurisdiction_q(actor, "county_id"), pk=foundling_id)
        .first()
    )
    if foundling is None:
        raise NotFound(sel.FOUNDLING_NOT_FOUND)
    if foundling.version != expected_version:
        raise DomainError(STALE.format(version=foundling.version))
    cleaned = _clean(values, today=timezone.localdate())
    if message := _duplicate(
        foundling.county_id, cleaned["certificate_number"], foundling.pk
    ):
        raise InvalidValues({"certificate_number": [message]})
    changed = [f for f in FIELDS if getattr(foundling, f) != cleaned[f]]
    if not changed:
        return foundling
    for field in changed:
        setattr(foundling, field, cleaned[field])
    foundling.version += 1
    _save(foundling, exclude=foundling.pk)
    audit_record(
        actor=actor,
        action=AuditAction.FOUNDLING_SAVE,
        obj=foundling,
        area_code=foundling.county_id,
        details={"step": "edit", "fields": changed, "outcome": foundling.outcome},
    )
    return foundling
