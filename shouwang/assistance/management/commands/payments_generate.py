"""manage.py payments_generate --area CODE --month YYYY-MM --user USERNAME [--json]

Generate a county's basic living allowance batch for a month: the approved beneficiaries
still eligible on the month's first day × the standard then in force, failed payments
of the month before carried; it waits for a second person's approval (pages). Prints
the batch's count, total, by_kind and changes; with --json an object {"batch_id",
"county", "month", "count", "total", "by_kind": {kind: {"count", "total"}}, "changes":
[{"kind", "child_id", "name", "amount_before", "amount_after", "reason"}]} (amounts in
yuan as strings with 2 decimals, to the fen). Exit status: 0 generated; 2 the arguments
are wrong (unknown area or user, not a county, a month that is not YYYY-MM, a user who
is not civil-affairs staff of the county, a month already generated or out of order,
no standard in force).
"""

import json
import re
from datetime import date
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from shouwang.accounts.models import User
from shouwang.assistance.services_payments import (
    batch_by_kind,
    month_label,
    payment_batch_generate,
)
from shouwang.core.exceptions import DomainError

BAD_ARGUMENTS = 2


class Command(BaseCommand):
    help = (
        "生成某县某月的孤儿基本生活费、事实无人抚养儿童基本生活补贴发放批次"
        "（按当月1日的条件和标准），列出人数、金额、分类合计和与上月相比的变化。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", default="", help="县级区划代码（12 位）")
        parser.add_argument("--month", default="", help="发放月份 YYYY-MM")
        parser.add_argument("--user", default="", help="生成人的用户名（县级民政干部）")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="以 JSON 输出"
        )

    def handle(self, *args, area: str, month: str, user: str, as_json: bool, **options):
        area = area.strip()
        if not area:
            _refuse("请用 --area 指定县级区划代码（12 位）。")
        first = _month(month)
        actor = _actor(user)
        try:
            batch = payment_batch_generate(actor=actor, county_code=area, month=first)
        except DomainError as error:
            _refuse(error.message)
        by_kind = batch_by_kind(batch)
        changes = list(batch.changes.order_by("kind", "id"))
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "batch_id": batch.pk,
                        "county": batch.county_id,
                        "month": f"{batch.month:%Y-%m}",
                        "count": batch.count,
                        "total": str(batch.total),
                        "by_kind": {
                            k.kind: {"count": k.count, "total": str(k.total)}
                            for k in by_kind
                        },
                        "changes": [
                            {
                                "kind": c.kind,
                                "child_id": c.child_id,
                                "name": c.name,
                                "amount_before": _text(c.amount_before),
                                "amount_after": _text(c.amount_after),
                                "reason": c.reason,
                            }
                            for c in changes
                        ],
                    },
                    ensure_ascii=False,
                )
            )
            return
        kinds = "，".join(f"{k.kind} {k.count} 名 {k.total} 元" for k in by_kind)
        self.stdout.write(
            f"已生成{batch.county.name}{month_label(batch.month)}发放批次（待审批）："
            f"{batch.count} 名，合计 {batch.total} 元{f'（{kinds}）' if kinds else ''}。"
        )
        if not changes:
            self.stdout.write("与上月相比没有变化。")
        for c in changes:
            self.stdout.write(f"  {c.kind} {c.name}：{c.reason}")


def _text(amount) -> str | None:
    return str(amount) if amount is not None else None


def _refuse(message: str) -> NoReturn:
    raise CommandError(message, returncode=BAD_ARGUMENTS)


def _month(text: str) -> date:
    text = text.strip()
    if not text:
        _refuse("请用 --month 指定发放月份 YYYY-MM，如 2026-07。")
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        _refuse(f"月份“{text}”无法识别：请写成 YYYY-MM，如 2026-07。")
    return date(int(match[1]), int(match[2]), 1)


def _actor(username: str) -> User:
    username = username.strip()
    if not username:
        _refuse("请用 --user 指定生成人的用户名（县级民政干部）。")
    actor = User.objects.filter(username=username).select_related("area").first()
    if actor is None:
        _refuse(f"用户“{username}”不存在。")
    if not actor.is_active:
        _refuse(f"用户“{username}”已停用。")
    return actor
