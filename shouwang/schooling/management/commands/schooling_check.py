"""manage.py schooling_check --area CODE [--date YYYY-MM-DD] [--json]

三比对 for an area on a date (default today): the school-age children, those suspected
out of school (and why), the discrepancies between the ledger and the list, and the
children without an ID number to check by hand. Exit status: 0 done; 2 the arguments
are wrong (unknown area, a date that is not a date or lies in the future).
"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.schooling.comparison import compare


class Command(BaseCommand):
    help = "控辍保学三比对：列出某区划适龄儿童中疑似失学辍学的儿童、台账与学籍名单不一致之处。"

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区划代码（12 位）")
        parser.add_argument("--date", default="", help="比对日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, area: str, date: str, json: bool, **options):
        as_of = _as_of(date)
        found = Area.objects.filter(code=area.strip()).first()
        if found is None:
            raise CommandError(
                f"区划代码“{area}”不存在：请填写 12 位统计用区划代码。", returncode=2
            )
        result = compare(prefix=codes.prefix_of(found.code), as_of=as_of)
        names = dict(
            Area.objects.filter(
                code__in={s.village_id for s in result.suspected}
                | {d.village_id for d in result.discrepancies}
                | {v for _, _, v in result.unnumbered}
            ).values_list("code", "name")
        )
        report = {
            "area": found.code,
            "date": as_of.isoformat(),
            "school_age": result.school_age,
            "suspected": [
                {
                    "child_id": s.child_id,
                    "name": s.name,
                    "village": names[s.village_id],
                    "reason": s.reason,
                }
                for s in result.suspected
            ],
            "discrepancies": [
                {
                    "child_id": d.child_id,
                    "name": d.name,
                    "village": names[d.village_id],
                    "detail": d.text,
                }
                for d in result.discrepancies
            ],
            "unnumbered": [
                {"child_id": pk, "name": name, "village": names[village]}
                for pk, name, village in result.unnumbered
            ],
            "dropouts_open": result.dropouts_open,
            "villages_without_list": len(result.uncovered_villages),
        }
        if json:
            self.stdout.write(_dumps(report))
            return
        self.stdout.write(
            f"{found.name} {as_of:%Y-%m-%d}：适龄儿童 {result.school_age} 名，"
            f"疑似失学辍学 {len(result.suspected)} 名，台账与学籍名单不一致 "
            f"{len(result.discrepancies)} 名，无身份号码需人工核对 {len(result.unnumbered)} 名，"
            f"劝返中 {result.dropouts_open} 名。"
        )
        if result.uncovered_villages:
            self.stdout.write(
                f"另有 {len(result.uncovered_villages)} 个村没有学籍名单覆盖，未比对。"
            )
        for item in report["suspected"]:
            self.stdout.write(
                f"  疑似：{item['village']} {item['name']}（{item['reason']}）"
            )
        for item in report["discrepancies"]:
            self.stdout.write(
                f"  不一致：{item['village']} {item['name']}（{item['detail']}）"
            )


def _dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False)


def _as_of(text: str) -> date:
    today = timezone.localdate()
    if not text:
        return today
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"日期“{text}”无法识别：请写成 YYYY-MM-DD。", returncode=2
        ) from None
    if value > today:
        raise CommandError(
            f"日期“{text}”晚于今天：请选择今天或以前的日期。", returncode=2
        )
    return value
