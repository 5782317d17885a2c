"""Writes of aid programmes: set one up (or edit it), choose beneficiaries from the
ledger, approve or refuse them (another person than the one who chose), and record
them as paid or delivered. Each write: one transaction, all or nothing, an audit row;
the programme row is locked while its budget is counted, so two people choosing at
once cannot overspend it. Access: selectors_programmes."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import (
    DomainError,
    InvalidValues,
    NotFound,
    Problems,
    read_text,
)
from shouwang.registry.models import Child, ChildStatus

from . import selectors_programmes as sel
from .models import AidBeneficiary, AidForm, AidProgramme, BeneficiaryStatus
from .policy import STANDARD_LEVELS
from .services import CENT

MAX_PERSON_AMOUNT = Decimal("99999999.99")  # the column's 10 digits
MAX_BUDGET = Decimal("999999999999.99")  # the column's 14 digits
STALE = "保存失败：在您编辑期间，该项目已被他人修改（当前为第{version}版）。请刷新后重新填写。"


def money_problem(value: Any, label: str, *, limit: Decimal) -> str | None:
    """Why a value cannot be an amount of money in 元 (not a number, not above 0, more
    than 2 decimals, too large), or None when it can."""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            return f"{label}应为数字，如 500 或 500.50。"
    if not value.is_finite():
        return f"{label}应为数字，如 500 或 500.50。"
    if value <= 0:
        return f"{label}应大于0，当前为 {value}。"
    if value != value.quantize(CENT):
        return f"{label}最多两位小数（元、角、分），当前为 {value}。"
    if value > limit:
        return f"{label}过大：最多 {limit} 元。"
    return None


def _money(problems, values, field, label, *, required, limit) -> Decimal | None:
    value = values.get(field)
    if value in (None, ""):
        if required:
            problems.add(field, f"请填写{label}。")
        return None
    if message := money_problem(value, label, limit=limit):
        problems.add(field, message)
        return None
    return Decimal(str(value)).quantize(CENT)


_text = partial(read_text, limit=200)


def _day(problems, values, field, label) -> date | None:
    value = values.get(field)
    if not isinstance(value, date):
        problems.add(field, f"请填写{label}（年-月-日）。")
        return None
    return value


def _audit(actor, obj, action, area_code, **details) -> None:
    audit_record(
        actor=actor, action=action, obj=obj, area_code=area_code, details=details
    )


def _programme_for_update(actor, programme_id: int) -> AidProgramme:
    programme = (
        AidProgramme.objects.select_for_update()
        .filter(sel.programme_q(actor), pk=programme_id)
        .first()
    )
    if programme is None:
        raise NotFound(sel.PROGRAMME_NOT_FOUND)
    return programme


@transaction.atomic
def aid_programme_save(
    *,
    actor,
    values: Mapping[str, Any],
    programme_id: int | None = None,
    expected_version: int | None = None,
) -> AidProgramme:
    """Set up a programme (programme_id None) or edit one at `expected_version`: a
    county or higher area in the actor's jurisdiction, a period, an amount per person
    or an item in kind, a budget no smaller than what its beneficiaries cost."""
    if not sel.may_manage(actor):
        raise DomainError("只有省、市、县级民政干部可以设置救助项目。", field="actor")
    programme = None
    if programme_id is not None:
        programme = (
            AidProgramme.objects.select_for_update()
            .filter(sel.programme_q(actor), pk=programme_id)
            .first()
        )
        if programme is None or not access.in_jurisdiction(actor, programme.area_id):
            raise NotFound(sel.PROGRAMME_NOT_FOUND)
        if programme.version != expected_version:
            raise DomainError(STALE.format(version=programme.version))
    problems = Problems()
    name = _text(problems, values, "name", "项目名称", required=True, limit=100)
    area_code = (values.get("area") or "").strip()
    area = Area.objects.filter(code=area_code).first() if area_code else None
    if not area_code:
        problems.add("area", "请填写实施区划（县级及以上的 12 位区划代码）。")
    elif area is None:
        problems.add(
            "area", f"区划代码“{area_code}”不存在：请填写 12 位统计用区划代码。"
        )
    elif codes.level_of(area.code) not in STANDARD_LEVELS:
        problems.add(
            "area",
            f"{area.name}是{area.get_level_display()}级区划：救助项目的实施区划应为县级及以上。",
        )
    elif not access.in_jurisdiction(actor, area.code):
        problems.add("area", f"{area.name}不在您的管辖范围内。")
    starts_on = _day(problems, values, "starts_on", "开始日期")
    ends_on = _day(problems, values, "ends_on", "结束日期")
    if starts_on and ends_on and ends_on < starts_on:
        problems.add("ends_on", f"结束日期不能早于开始日期（{starts_on:%Y-%m-%d}）。")
    form = values.get("form") or ""
    if form not in AidForm.values:
        problems.add("form", "请选择救助方式（现金或实物）。")
    amount = _money(
        problems,
        values,
        "amount",
        "每人金额" if form != AidForm.IN_KIND else "每人折合金额",
        required=form == AidForm.CASH,
        limit=MAX_PERSON_AMOUNT,
    )
    item = _text(
        problems, values, "item", "实物名称", required=form == AidForm.IN_KIND, limit=50
    )
    if form == AidForm.CASH:
        item = ""
    notes = _text(problems, values, "eligibility_notes", "救助条件", limit=1000)
    budget = _money(problems, values, "budget", "预算", required=True, limit=MAX_BUDGET)
    if programme is not None and programme.beneficiaries.exists():
        if (form, amount) != (programme.form, programme.amount):
            problems.add(
                "amount",
                "已有受助对象，不能再改救助方式或每人金额：如需调整，请新设一个项目。",
            )
        committed = sel.committed_amount(programme.pk)
        if budget is not None and budget < committed:
            problems.add(
                "budget",
                f"预算不能少于已选定对象的金额合计 {committed} 元（少了 {committed - budget} 元）。",
            )
    problems.raise_any()
    fields = {
        "name": name,
        "area": area,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "form": form,
        "amount": amount,
        "item": item,
        "eligibility_notes": notes,
        "budget": budget,
    }
    if programme is None:
        programme = AidProgramme.objects.create(created_by=actor, **fields)
        step = "create"
    else:
        for key, value in fields.items():
            setattr(programme, key, value)
        programme.version += 1
        programme.save()
        step = "edit"
    _audit(
        actor,
        programme,
        AuditAction.AID_PROGRAMME_SAVE,
        area.code,
        step=step,
        name=name,
        form=form,
        amount=str(amount) if amount is not None else None,
        budget=str(budget),
    )
    return programme


@transaction.atomic
def aid_beneficiaries_choose(
    *,
    actor,
    programme_id: int,
    child_ids: Sequence[int],
    amount: Decimal | str | None = None,
    reason: str = "",
) -> list[AidBeneficiary]:
    """Choose ledger children for a programme, all or none: each active, in the
    programme's area and the actor's jurisdiction, chosen once; the amount (the
    programme's unless given) above 0 with at most 2 decimals; within the budget."""
    if not sel.may_prepare(actor):
        raise DomainError("只有乡镇儿童督导员和民政干部可以选定受助对象。")
    programme = _programme_for_update(actor, programme_id)
    problems = Problems()
    if not child_ids:
        problems.add("children", "请至少勾选一名儿童。")
    if amount in (None, ""):
        each = programme.amount
        if each is None and programme.form == AidForm.CASH:
            problems.add("amount", "请填写金额。")
    elif message := money_problem(amount, "金额", limit=MAX_PERSON_AMOUNT):
        problems.add("amount", message)
        each = None
    else:
        each = Decimal(str(amount)).quantize(CENT)
    reason = _text(problems, {"reason": reason}, "reason", "选定理由", limit=200)
    children = {
        child.pk: child
        for child in Child.objects.select_related("village").filter(pk__in=child_ids)
    }
    already = dict(
        programme.beneficiaries.filter(child_id__in=child_ids).values_list(
            "child_id", "status"
        )
    )
    seen: set[int] = set()
    for child_id in child_ids:
        child = children.get(child_id)
        if child is None or not sel.covers(actor, child.village_id):
            problems.add(
                "children", f"编号 {child_id} 的儿童不存在或不在您的管辖范围内。"
            )
            continue
        label = f"{child.name}（{child.village.name}）"
        if child_id in seen:
            problems.add("children", f"{label}勾选了两次。")
        elif child_id in already:
            problems.add(
                "children",
                f"{label}已是本项目的受助对象（{already[child_id]}），不能重复选定。",
            )
        elif child.status != ChildStatus.ACTIVE:
            problems.add("children", f"{label}已不在册，不能选定。")
        elif not sel.in_programme_area(programme, child.village_id):
            problems.add(
                "children",
                f"{label}不在项目实施区划（{programme.area.name}）内，不能选定。",
            )
        seen.add(child_id)
    problems.raise_any()
    if each is not None:
        committed = sel.committed_amount(programme.pk)
        wanted = each * len(child_ids)
        over = committed + wanted - programme.budget
        if over > 0:
            raise InvalidValues(
                {
                    "children": [
                        f"超出预算 {over} 元：预算 {programme.budget} 元，已选定 "
                        f"{committed} 元，本次 {len(child_ids)} 人 × {each} 元 = "
                        f"{wanted} 元。"
                    ]
                }
            )
    today = timezone.localdate()
    chosen = AidBeneficiary.objects.bulk_create(
        AidBeneficiary(
            programme=programme,
            child=children[child_id],
            village_id=children[child_id].village_id,
            amount=each,
            facts=sel.ledger_facts(children[child_id], on=today),
            reason=reason,
            chosen_by=actor,
        )
        for child_id in child_ids
    )
    _audit(
        actor,
        programme,
        AuditAction.AID_BENEFICIARY_UPDATE,
        programme.area_id,
        step="choose",
        children=list(child_ids),
        amount=str(each) if each is not None else None,
    )
    return chosen


def _rows(actor, programme, ids, status, verb) -> list[AidBeneficiary]:
    problems = Problems()
    if not ids:
        problems.add("beneficiaries", f"请至少勾选一名要{verb}的受助对象。")
        problems.raise_any()
    rows = {
        row.pk: row
        for row in AidBeneficiary.objects.select_for_update()
        .select_related("child")
        .filter(programme=programme, pk__in=ids)
    }
    for pk in ids:
        row = rows.get(pk)
        if row is None or not sel.covers(actor, row.village_id):
            problems.add(
                "beneficiaries", f"编号 {pk} 的受助对象不存在或不在您的管辖范围内。"
            )
        elif row.status != status:
            problems.add(
                "beneficiaries",
                f"{row.child.name}的状态为“{row.status}”，不能{verb}（应为“{status}”）。",
            )
    problems.raise_any()
    return [rows[pk] for pk in dict.fromkeys(ids)]


@transaction.atomic
def aid_beneficiaries_decide(
    *,
    actor,
    programme_id: int,
    beneficiary_ids: Sequence[int],
    approve: bool,
    note: str = "",
) -> list[AidBeneficiary]:
    """Approve or refuse chosen beneficiaries, all or none: civil-affairs staff of
    their jurisdiction, never for a child they chose themselves; a refusal says why."""
    if not sel.may_approve(actor):
        raise DomainError("只有民政干部可以审批受助对象。")
    programme = _programme_for_update(actor, programme_id)
    verb = "审批" if approve else "退回"
    rows = _rows(actor, programme, beneficiary_ids, BeneficiaryStatus.CHOSEN, verb)
    problems = Problems()
    for row in rows:
        if row.chosen_by_id == actor.pk:
            problems.add(
                "beneficiaries",
                f"{row.child.name}是您本人选定的，应由另一名民政干部审批。",
            )
    note = _text(problems, {"note": note}, "note", "审批意见", required=not approve)
    problems.raise_any()
    now = timezone.now()
    for row in rows:
        row.status = (
            BeneficiaryStatus.APPROVED if approve else BeneficiaryStatus.REJECTED
        )
        row.decided_by = actor
        row.decided_at = now
        row.decision_note = note
        row.updated_at = now
    AidBeneficiary.objects.bulk_update(
        rows, ["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    _audit(
        actor,
        programme,
        AuditAction.AID_BENEFICIARY_UPDATE,
        programme.area_id,
        step="approve" if approve else "reject",
        beneficiaries=[row.pk for row in rows],
        note=note,
    )
    return rows


@transaction.atomic
def aid_beneficiaries_deliver(
    *,
    actor,
    programme_id: int,
    beneficiary_ids: Sequence[int],
    delivered_on: date | None,
    note: str = "",
) -> list[AidBeneficiary]:
    """Record approved beneficiaries as paid or delivered on a day (not after today,
    not before the approval), all or none."""
    if not sel.may_prepare(actor):
        raise DomainError("只有乡镇儿童督导员和民政干部可以登记发放。")
    programme = _programme_for_update(actor, programme_id)
    rows = _rows(
        actor, programme, beneficiary_ids, BeneficiaryStatus.APPROVED, "登记发放"
    )
    problems = Problems()
    label = "发放日期" if programme.form == AidForm.CASH else "送达日期"
    today = timezone.localdate()
    if not isinstance(delivered_on, date):
        problems.add("delivered_on", f"请填写{label}（年-月-日）。")
    elif delivered_on > today:
        problems.add("delivered_on", f"{label}不能晚于今天（{today:%Y-%m-%d}）。")
    else:
        for row in rows:
            approved = timezone.localdate(row.decided_at)
            if delivered_on < approved:
                problems.add(
                    "delivered_on",
                    f"{row.child.name}于 {approved:%Y-%m-%d} 审批通过，{label}不能早于审批日期。",
                )
    note = _text(problems, {"delivery_note": note}, "delivery_note", "发放说明")
    problems.raise_any()
    for row in rows:
        row.status = BeneficiaryStatus.DELIVERED
        row.delivered_on = delivered_on
        row.delivered_by = actor
        row.delivery_note = note
        row.updated_at = timezone.now()
    AidBeneficiary.objects.bulk_update(
        rows, ["status", "delivered_on", "delivered_by", "delivery_note", "updated_at"]
    )
    _audit(
        actor,
        programme,
        AuditAction.AID_BENEFICIARY_UPDATE,
        programme.area_id,
        step="deliver",
        beneficiaries=[row.pk for row in rows],
        delivered_on=delivered_on.isoformat(),
    )
    return rows
