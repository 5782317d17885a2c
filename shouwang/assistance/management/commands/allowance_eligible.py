"""manage.py allowance_eligible --area CODE --month YYYY-MM [--json]

Every child in the area eligible for the month's basic living allowance (read on the
month's first day, whether or not an application was approved), each with the kind
and the standard that applies; with --json a list of {"child_id", "name", "village",
"kind", "amount"} (amount in yuan, null where no standard is set). Exit status: 0
listed; 2 the arguments are wrong (unknown area, a month that is not YYYY-MM).
"""

import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from shouwang.areas.models import Area
from shouwang.assistance.selectors import allowance_eligible_list
from shouwang.assistance.vocab import AllowanceKind

BAD_ARGUMENTS = 2


class Command(BaseCommand):
    help = (
        "列出某区划某月符合孤儿基本生活费、事实无人抚养儿童基本生活补贴条件的儿童"
        "（按当月1日认定，不论是否已审批）及适用的标准。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", default="", help="区划代码（12 位）")
        parser.add_argument("--month", default="", help="月份 YYYY-MM")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="以 JSON 输出"
        )

    def handle(self, *args, area: str, month: str, as_json: bool, **options):
        area = area.strip()
        if not area:
            _refuse("请用 --area 指定区划代码（12 位）。")
        first = _month(month)
        found = Area.objects.filter(code=area).first()
        if found is None:
            _refuse(f"区划代码“{area}”不存在：请填写 12 位统计用区划代码。")
        children = allowance_eligible_list(area_code=found.code, month=first)
        if as_json:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "child_id": c.child_id,
                            "name": c.name,
                            "village": c.village,
                            "kind": c.kind,
                            "amount": _number(c.amount),
                        }
                        for c in children
                    ],
                    ensure_ascii=False,
                )
            )
            return
        counts = Counter(c.kind for c in children)
        total = sum((c.amount for c in children if c.amount is not None), Decimal(0))
        by_kind = "，".join(
            f"{kind} {counts[kind]} 名" for kind in AllowanceKind.values if counts[kind]
        )
        self.stdout.write(
            f"{found.name} {first.year}年{first.month}月：符合条件 {len(children)} 名"
            f"{f'（{by_kind}）' if by_kind else ''}，按标准合计 {total} 元。"
        )
        unpriced = [c for c in children if c.amount is None]
        if unpriced:
            kinds = "、".join(sorted({c.kind for c in unpriced}, key=_kind_order))
            self.stdout.write(
                f"另有 {len(unpriced)} 名没有适用的标准（{kinds}）：请先用 "
                "allowance_standard_set 设置。"
            )
        for c in children:
            amount = f"{c.amount} 元" if c.amount is not None else "未设置标准"
            self.stdout.write(f"  {c.village} {c.name}（{c.kind}）{amount}")


def _refuse(message: str) -> NoReturn:
    raise CommandError(message, returncode=BAD_ARGUMENTS)


def _month(text: str) -> date:
    text = text.strip()
    if not text:
        _refuse("请用 --month 指定月份 YYYY-MM，如 2026-07。")
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        _refuse(f"月份“{text}”无法识别：请写成 YYYY-MM，如 2026-07。")
    return date(int(match[1]), int(match[2]), 1)


def _number(amount: Decimal | None) -> float | None:
    # Amounts have 2 decimals: as a JSON number they print as written (1500.5).
    return float(amount) if amount is not None else None


def _kind_order(kind: str) -> int:
    return AllowanceKind.values.index(kind)
