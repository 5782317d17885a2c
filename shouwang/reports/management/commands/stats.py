import json

from django.core.management.base import BaseCommand, CommandError

from shouwang.areas import codes
from shouwang.areas.models import Area

from ... import catalogue, compute
from ...periods import BadPeriod, parse_period


def area_arg(value: str) -> Area:
    """The area named by a 12-digit code (or its 2–9 digit prefix); CommandError (exit
    2) for anything else."""
    value = (value or "").strip()
    code = codes.pad(value) if value.isdigit() and len(value) in (2, 4, 6, 9) else value
    area = Area.objects.filter(code=code).first() if codes.is_code(code) else None
    if area is None:
        raise CommandError(
            f"区划代码“{value}”不存在：请填写系统中已有的12位统计用区划代码（或其前2、4、6、9位）。",
            returncode=2,
        )
    return area


def format_value(value, *, money: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}" if money else f"{value:.1f}"
    return f"{value:,}"


class Command(BaseCommand):
    help = "按区划和期间输出统计数字（指标目录中的全部数字）：时点数截至期末，期间数为期内累计。"

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区划代码（12位）")
        parser.add_argument(
            "--from",
            dest="start",
            default="",
            help="起始日期 YYYY-MM-DD，默认本季度第一天",
        )
        parser.add_argument(
            "--to", dest="end", default="", help="截止日期 YYYY-MM-DD，默认今天"
        )
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, area: str, start: str, end: str, json: bool, **options):
        the_area = area_arg(area)
        try:
            period = parse_period(start, end)
        except BadPeriod as error:
            raise CommandError(error.message, returncode=2) from None
        figures = compute.figures_for(the_area, period)
        if json:
            self.stdout.write(
                _json(
                    {
                        "area": the_area.code,
                        "from": period.start.isoformat(),
                        "to": period.end.isoformat(),
                        "figures": figures,
                    }
                )
            )
            return
        self.stdout.write(f"{the_area.name}（{the_area.code}） {period.label}")
        for group, members in catalogue.groups().items():
            shown = [f for f in members if f.key in figures]
            if not shown:
                continue
            self.stdout.write(f"\n{group}")
            for figure in shown:
                self.stdout.write(
                    f"  {figure.label}：{format_value(figures[figure.key], money=figure.is_money)} {figure.unit}"
                    f"  [{figure.key}]"
                )


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
