"""Recomputing a day's stored figures on a person's request (the dashboard's button
after records were entered later than the day's snapshot)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError

from .. import compute


def snapshot_recompute(*, actor, area: Area, day: date) -> int:
    """Recompute and store the day's figures of every area the day's computation of
    area covers, audited (stats.recompute); returns the rows written. The caller has
    checked that area lies in the actor's jurisdiction."""
    access.require(actor, Perm.GENERATE_BULLETINS)
    today = timezone.localdate()
    if day > today:
        raise DomainError(
            f"日期 {day:%Y-%m-%d} 在今天（{today:%Y-%m-%d}）之后："
            "只能重新计算今天或以前的统计快照。",
            field="day",
        )
    with transaction.atomic():
        rows = compute.snapshot_day(day, area)
        audit_record(
            actor=actor,
            action=AuditAction.STATS_RECOMPUTE,
            obj=area,
            area=area,
            details={"day": day.isoformat(), "rows": rows},
        )
    return rows
