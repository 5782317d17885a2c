"""Writes of community care (社会关爱): record a donation, a volunteer, a pairing, an
activity or a publicity item; void any of them with a reason (never delete); a
director grants (or withdraws) more disclosure to a pairing's volunteer. One
transaction each, an audit row (CARE_SAVE; PAIRING_DISCLOSE for disclosure). Who
may record what: selectors_care (module docstring)."""

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from shouwang.accounts.models import Role, User
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound, Problems, read_text
from shouwang.registry.models import Child

from . import selectors_care as sel
from .models import Activity, Donation, Pairing, PublicityItem, Volunteer
from .vocab import (
    CIVIL_AFFAIRS,
    UNIT_LABELS,
    ActivityKind,
    PairingKind,
    PublicityKind,
)

MAX_AMOUNT = Decimal("9999999999.99")
MAX_COUNT = 1_000_000
_PHONE = re.compile(r"[0-9+\-() ]{5,20}")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


def _require(actor: User, kind: str) -> None:
    if not sel.may_record(actor, kind):
        _, label = sel.KINDS[kind]
        raise PermissionDenied(f"您没有登记{label}的权限。")


def _date(problems: Problems, values, field: str, label: str, *, required=True):
    value = values.get(field)
    if value is None:
        if required:
            problems.add(field, f"请填写{label}（年-月-日）。")
        return None
    if not isinstance(value, date):
        problems.add(field, f"{label}格式不对：请按“年-月-日”填写。")
        return None
    if value > timezone.localdate():
        problems.add(field, f"{label}不能晚于今天。")
    return value


def _count(problems, values, field: str, label: str, *, positive=False) -> int:
    raw = values.get(field)
    if raw in (None, ""):
        raw = 0
    try:
        number = int(raw)
    except (TypeError, ValueError):
        problems.add(field, f"{label}应为整数。")
        return 0
    if positive and number <= 0:
        problems.add(field, f"{label}应大于 0。")
    elif number < 0:
        problems.add(field, f"{label}不能小于 0。")
    elif number > MAX_COUNT:
        problems.add(field, f"{label}不能超过 {MAX_COUNT}。")
    return number


def _choice(problems, values, field: str, label: str, choices) -> str:
    value = (values.get(field) or "").strip()
    if not value:
        problems.add(field, f"请选择{label}。")
    elif value not in choices:
        problems.add(field, f"{label}“{value}”不是可选的值，请从列表中选择。")
    return value


def _saved(actor: User, row, kind: str, details: dict) -> None:
    with transaction.atomic():
        row.save()
        if kind == sel.DONATIONS and details.get("children"):
            row.children.set(details["children"])
        audit_record(
            actor=actor,
            action=AuditAction.CARE_SAVE,
            obj=row,
            area_code=getattr(row, "area_id", None) or actor.area_id,
            details={"kind": kind, "op": "record"}
            | {k: v for k, v in details.items() if k != "children"}
            | ({"children": len(details["children"])} if "children" in details else {}),
        )


def _amount(problems: Problems, raw) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        problems.add("amount", "请填写捐赠金额（元）。")
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        problems.add("amount", "捐赠金额格式不对：请填写数字，如 5000 或 5000.50。")
        return None
    if amount <= 0:
        problems.add("amount", "捐赠金额应大于 0 元。")
        return None
    if not _AMOUNT.fullmatch(text.lstrip("+")) or amount > MAX_AMOUNT:
        problems.add(
            "amount", "捐赠金额格式不对：最多保留两位小数（到分），如 5000.50。"
        )
        return None
    return amount


def _recipients(problems: Problems, actor: User, raw) -> list[int]:
    """Ledger children of the actor's jurisdiction named by ID number, one a line."""
    lines = [line.strip().upper() for line in str(raw or "").splitlines()]
    numbers = [line for line in lines if line]
    if not numbers:
        return []
    found = dict(
        sel.children_to_pair(viewer=actor)
        .filter(id_number__in=numbers)
        .values_list("id_number", "pk")
    )
    for number in numbers:
        if number not in found:
            problems.add(
                "recipients",
                f"公民身份号码“{number}”不在您管辖范围内的在册儿童台账中：请核对后"
                "重新填写。",
            )
    return sorted(set(found.values()))


def donation_record(*, actor: User, values: Mapping[str, Any]) -> Donation:
    """Record a donation of the actor's area: donor, amount (元, > 0), date, purpose
    and, if given directly, recipients among the ledger children of the actor's
    jurisdiction."""
    _require(actor, sel.DONATIONS)
    problems = Problems()
    donor = read_text(problems, values, "donor", "捐赠方", required=True, limit=100)
    amount = _amount(problems, values.get("amount"))
    donated_on = _date(problems, values, "donated_on", "捐赠日期")
    purpose = read_text(problems, values, "purpose", "用途", required=True, limit=200)
    children = _recipients(problems, actor, values.get("recipients"))
    problems.raise_any()
    row = Donation(
        area_id=actor.area_id,
        donor=donor,
        amount=amount,
        donated_on=donated_on,
        purpose=purpose,
        created_by=actor,
    )
    _saved(actor, row, sel.DONATIONS, {"amount": str(amount), "children": children})
    return row


def volunteer_record(*, actor: User, values: Mapping[str, Any]) -> Volunteer:
    """Record a volunteer of the actor's area (no account: they see nothing)."""
    _require(actor, sel.VOLUNTEERS)
    problems = Problems()
    name = read_text(problems, values, "name", "志愿者姓名", required=True, limit=30)
    organisation = read_text(problems, values, "organisation", "所在组织", limit=100)
    phone = read_text(problems, values, "phone", "联系电话", limit=20)
    if phone and not _PHONE.fullmatch(phone):
        problems.add("phone", "联系电话只能包含数字，如 13800000000 或 0739-1234567。")
    problems.raise_any()
    row = Volunteer(
        area_id=actor.area_id,
        name=name,
        organisation=organisation,
        phone=phone,
        created_by=actor,
    )
    _saved(actor, row, sel.VOLUNTEERS, {})
    return row


def _child_for_pairing(problems: Problems, actor: User, raw) -> Child | None:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        problems.add("child", "请选择结对的儿童。")
        return None
    child = sel.children_to_pair(viewer=actor).filter(pk=pk).first()
    if child is not None:
        return child
    if actor.role == Role.DIRECTOR:
        problems.add(
            "child",
            f"只能为本村儿童结对：所选儿童不在{actor.area.name}的在册儿童台账中。",
        )
    else:
        problems.add("child", "所选儿童不在您管辖范围内的在册儿童台账中。")
    return None


def pairing_record(*, actor: User, values: Mapping[str, Any]) -> Pairing:
    """Pair a volunteer the actor sees with an active child of the actor's
    jurisdiction (a director: of their own village), for a kind and dates."""
    _require(actor, sel.PAIRINGS)
    problems = Problems()
    volunteer = None
    try:
        volunteer = (
            sel.volunteers_for(viewer=actor)
            .filter(voided_at__isnull=True)
            .get(pk=int(values.get("volunteer")))
        )
    except (Volunteer.DoesNotExist, TypeError, ValueError):
        problems.add("volunteer", "请选择志愿者：只能选择本辖区登记的志愿者。")
    child = _child_for_pairing(problems, actor, values.get("child"))
    kind = _choice(problems, values, "kind", "结对内容", PairingKind.values)
    starts_on = values.get("starts_on")
    if not isinstance(starts_on, date):
        problems.add("starts_on", "请填写开始日期（年-月-日）。")
    ends_on = values.get("ends_on")
    if (
        isinstance(starts_on, date)
        and isinstance(ends_on, date)
        and ends_on < starts_on
    ):
        problems.add("ends_on", "结束日期不能早于开始日期。")
    problems.raise_any()
    row = Pairing(
        volunteer=volunteer,
        child=child,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on if isinstance(ends_on, date) else None,
        created_by=actor,
    )
    _saved(actor, row, sel.PAIRINGS, {"child": child.pk, "volunteer": volunteer.pk})
    return row


def activity_record(*, actor: User, values: Mapping[str, Any]) -> Activity:
    """Record an activity of the actor's area; a member unit records the activities
    it organises (the organiser is its own unit)."""
    _require(actor, sel.ACTIVITIES)
    problems = Problems()
    title = read_text(problems, values, "title", "活动名称", required=True, limit=100)
    held_on = _date(problems, values, "held_on", "活动日期")
    if actor.role == Role.DEPARTMENT:
        organiser = actor.unit
    else:
        organiser = _choice(problems, values, "organiser", "主办单位", UNIT_LABELS)
    kind = _choice(problems, values, "kind", "活动类型", ActivityKind.values)
    participants = _count(problems, values, "participants", "参与人数")
    reached = _count(problems, values, "children_reached", "受益儿童人数")
    problems.raise_any()
    row = Activity(
        area_id=actor.area_id,
        title=title,
        held_on=held_on,
        organiser=organiser or CIVIL_AFFAIRS,
        kind=kind,
        participants=participants,
        children_reached=reached,
        created_by=actor,
    )
    _saved(actor, row, sel.ACTIVITIES, {})
    return row


def publicity_record(*, actor: User, values: Mapping[str, Any]) -> PublicityItem:
    """Record publicity material of the actor's area: kind and quantity (> 0)."""
    _require(actor, sel.PUBLICITY)
    problems = Problems()
    kind = _choice(problems, values, "kind", "宣传品类别", PublicityKind.values)
    quantity = _count(problems, values, "quantity", "数量", positive=True)
    made_on = _date(problems, values, "made_on", "日期")
    note = read_text(problems, values, "note", "说明", limit=200)
    problems.raise_any()
    row = PublicityItem(
        area_id=actor.area_id,
        kind=kind,
        quantity=quantity,
        made_on=made_on,
        note=note,
        created_by=actor,
    )
    _saved(actor, row, sel.PUBLICITY, {"quantity": quantity})
    return row


def care_void(*, actor: User, kind: str, pk: int, reason: str):
    """Void a care row of the actor's jurisdiction with a reason; it is no longer
    counted. Member units void only what their own unit recorded."""
    if kind not in sel.KINDS:
        raise NotFound()
    _require(actor, kind)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写作废原因。", field="reason")
    model, label = sel.KINDS[kind]
    with transaction.atomic():
        # Inside the actor's own jurisdiction: a director reads (and pairs with) the
        # volunteers of the levels above, but voids only what lies in their area.
        if not sel.LISTS[kind](viewer=actor).filter(pk=pk).exists():
            raise NotFound(f"{label}记录不存在或不在您的管辖范围内。")
        # The lists annotate (donations count recipients): lock the plain row.
        row = model.objects.select_for_update().get(pk=pk)
        if not sel.may_void(actor, kind, row):
            if actor.role == Role.DEPARTMENT:
                raise PermissionDenied("成员单位只能作废本单位登记的记录。")
            # A volunteer of the levels above: read to pair with, not one's own.
            raise NotFound(f"{label}记录不存在或不在您的管辖范围内。")
        if row.voided_at is not None:
            raise DomainError(f"该{label}记录已经作废。", field="reason")
        row.voided_at = timezone.now()
        row.void_reason = reason[:200]
        row.save(update_fields=["voided_at", "void_reason", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CARE_SAVE,
            obj=row,
            area_code=getattr(row, "area_id", None) or actor.area_id,
            details={"kind": kind, "op": "void", "reason": row.void_reason},
        )
    return row


def pairing_disclose(*, actor: User, pk: int, grant: bool) -> Pairing:
    """A director of the child's village lets the volunteer's card show the full
    name, address and guardian's phone (or withdraws it); audited."""
    with transaction.atomic():
        try:
            pairing = (
                sel.pairings_for(viewer=actor)
                .select_for_update(of=("self",))
                .get(pk=pk)
            )
        except Pairing.DoesNotExist:
            raise NotFound("结对关爱记录不存在或不在您的管辖范围内。") from None
        if not sel.may_disclose(actor, pairing):
            raise PermissionDenied(
                "只有儿童所在村的儿童主任可以授权向志愿者告知更多信息。"
            )
        pairing.disclose_more = grant
        pairing.disclosed_by = actor if grant else None
        pairing.save(update_fields=["disclose_more", "disclosed_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PAIRING_DISCLOSE,
            obj=pairing,
            area_code=pairing.child.village_id,
            details={"child": pairing.child_id, "grant": grant},
        )
    return pairing
