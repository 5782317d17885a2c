"""Writes of allowances and aid: setting (raising) a basic living allowance standard.

Every write runs in one transaction with its audit row; nothing a person entered is
changed or deleted (a new standard is a new row).
"""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound

from . import access
from .models import AllowanceStandard
from .policy import STANDARD_LEVELS
from .selectors import standard_history
from .services_payments import check_standard_date
from .vocab import AllowanceKind

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999.99")  # the column's 8 digits


def check_amount(amount: Decimal) -> str | None:
    """Why an amount cannot be a standard (not above 0, more than 2 decimals, too
    large), or None when it can."""
    if not amount.is_finite():
        return "金额应为数字，如 1500 或 1500.50"
    if amount <= 0:
        return f"金额应大于0，当前为 {amount}"
    if amount != amount.quantize(CENT):
        return f"金额最多两位小数（元、角、分），当前为 {amount}"
    if amount > MAX_AMOUNT:
        return f"金额过大：每人每月最多 {MAX_AMOUNT} 元"
    return None


def _same_day_message(existing: AllowanceStandard) -> str:
    return (
        f"{existing.area.name}的{existing.kind}标准在 {existing.effective_from:%Y-%m-%d}"
        f" 已有一条（{existing.amount} 元/人·月）：标准只增不改，请另选执行日期。"
    )


@transaction.atomic
def allowance_standard_set(
    *,
    actor,
    area_code: str,
    kind: str,
    amount: Decimal,
    effective_from: date,
) -> AllowanceStandard:
    """Add a standard for an area and kind from a date (raising adds a row, none is
    changed); only civil-affairs staff of a province, city or county, in their
    jurisdiction; audited with the amount it replaces."""
    if kind not in AllowanceKind.values:
        raise DomainError(
            f"类别“{kind}”不是可选的类别，应为：{'、'.join(AllowanceKind.values)}。",
            field="kind",
        )
    if message := check_amount(amount):
        raise DomainError(f"{message}。", field="amount")
    area = Area.objects.filter(code=area_code).first()
    if area is None:
        raise NotFound(f"区划代码“{area_code}”不存在：请填写 12 位统计用区划代码。")
    if codes.level_of(area.code) not in STANDARD_LEVELS:
        raise DomainError(
            f"{area.name}是{area.get_level_display()}级区划：基本生活保障标准只能由省、市、"
            "县（市、区）设置。",
            field="area",
        )
    if not access.may_set_standards(actor):
        raise DomainError(
            "只有省、市、县级民政干部可以设置基本生活保障标准。", field="actor"
        )
    if not access.may_set_standard_for(actor, area.code):
        raise DomainError(
            f"{area.name}（{area.code}）不在您的管辖范围内：只能设置本级及下级区划的标准。",
            field="area",
        )
    existing = (
        AllowanceStandard.objects.filter(
            area=area, kind=kind, effective_from=effective_from
        )
        .select_related("area")
        .first()
    )
    if existing is not None:
        raise DomainError(_same_day_message(existing), field="effective_from")
    # A month whose batch is approved is frozen: no standard may take effect in it.
    check_standard_date(area_code=area.code, effective_from=effective_from)
    before = standard_history(area_code=area.code, kind=kind, through=effective_from)
    previous = before.entries[-1] if before.entries else None
    standard = AllowanceStandard(
        area=area,
        kind=kind,
        amount=amount.quantize(CENT),
        effective_from=effective_from,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError:
        # Another person set the same day meanwhile: the same message as the check.
        existing = AllowanceStandard.objects.select_related("area").get(
            area=area, kind=kind, effective_from=effective_from
        )
        raise DomainError(_same_day_message(existing), field="effective_from") from None
    audit_record(
        actor=actor,
        action=AuditAction.ALLOWANCE_STANDARD_SET,
        obj=standard,
        area_code=area.code,
        details={
            "kind": kind,
            "amount": str(standard.amount),
            "effective_from": effective_from.isoformat(),
            "previous": str(previous.amount) if previous else None,
            "previous_area": previous.area_id if previous else None,
        },
    )
    return standard
