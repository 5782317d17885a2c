"""manage.py visits_due --area CODE [--json] [--date YYYY-MM-DD]"""

import json
import unicodedata
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.visits.selectors.schedule import due_in_area


class Command(BaseCommand):
    help = (
        "列出某个区划内逾期或在指定日期（默认今天）到期应走访的在册儿童，"
        "按应走访日期排序；--json 输出 JSON 列表。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--area",
            required=True,
            help="区划代码：2至12位数字（如 430524 或 430524000000），任何一级",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="输出 JSON 列表"
        )
        parser.add_argument(
            "--date", dest="as_of", default="", help="日期 YYYY-MM-DD，默认今天"
        )

    def handle(self, *args, area: str, as_json: bool, as_of: str, **options):
        found = area_arg(area)
        on = date_arg(as_of)
        children = list(due_in_area(area_code=found.code, as_of=on))
        if as_json:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "id": c.pk,
                            "name": c.name,
                            "village_code": c.village_id,
                            "risk_level": c.risk_level,
                            "last_visit_date": _iso(c.last_visit_date),
                            "due_date": _iso(c.next_visit_due),
                        }
                        for c in children
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"{found.name}（{found.code}）截至 {on:%Y-%m-%d} 逾期或当天应走访的在册儿童："
            f"{len(children)} 名"
        )
        if not children:
            return
        widths = (10, 8, 12, 20, 4, 10)
        header = ("应走访日期", "逾期天数", "姓名", "村（社区）", "风险", "最近走访")
        self.stdout.write(_line(header, widths))
        for c in children:
            overdue = (on - c.next_visit_due).days
            self.stdout.write(
                _line(
                    (
                        c.next_visit_due.isoformat(),
                        str(overdue) if overdue else "今天",
                        c.name,
                        c.village.name,
                        c.risk_level or "—",
                        _iso(c.last_visit_date) or "从未走访",
                    ),
                    widths,
                )
            )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _cell(text: str, width: int) -> str:
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def _line(cells, widths) -> str:
    return "  ".join(_cell(t, w) for t, w in zip(cells, widths, strict=True)).rstrip()


def area_arg(value: str) -> Area:
    """The area a 2–12 digit code (padded with zeros) names; CommandError (exit 2)
    for anything else."""
    value = value.strip()
    code = codes.pad(value) if value.isascii() and value.isdigit() else ""
    if not (2 <= len(value) <= codes.CODE_LENGTH) or not codes.is_code(code):
        raise CommandError(
            f"区划代码“{value}”格式不对：应为2至12位数字，如 430524 或 430524000000。",
            returncode=2,
        )
    found = Area.objects.filter(code=code).first()
    if found is None:
        raise CommandError(f"区划“{value}”不存在：请核对区划代码。", returncode=2)
    return found


def date_arg(value: str) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"日期“{value}”格式不对，应为 YYYY-MM-DD。", returncode=2
        ) from None
