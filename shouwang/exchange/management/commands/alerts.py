"""manage.py alerts --area CODE [--json]

Lists the open alerts (比对提示) of the children inside an area, the earliest deadline
first. With --json, standard output is one JSON array of objects
{"alert_id", "child_id", "kind", "field", "current", "proposed", "consequence"}
(kind: the list's kind, as exchange_import's --kind).

Exit status as roster_import: 0 listed (none is a list too); 2 the arguments are
wrong (no area, or an area that does not exist).
"""

import json
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.accounts.access import prefix_q
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.exchange.changes import FIELD_LABELS
from shouwang.exchange.models import Alert
from shouwang.exchange.vocab import AlertState

LISTED, UNUSABLE = 0, 2


class Command(BaseCommand):
    help = "列出某一区划内待核实的比对提示（部门名单与儿童信息库比对发现的不一致）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--area",
            default="",
            help="12位行政区划代码：列出该区划内各村（社区）儿童的比对提示",
        )
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help=(
                "只在标准输出打印一个 JSON 数组，每条比对提示一个对象（alert_id、"
                "child_id、kind、field、current、proposed、consequence）"
            ),
        )

    def handle(self, *args, area: str, as_json: bool, **options):
        self.as_json = as_json
        found = self._area(area.strip())
        alerts = (
            Alert.objects.filter(
                prefix_q("village_id", codes.prefix_of(found.code)),
                state=AlertState.OPEN,
            )
            .select_related("child", "village", "department_list")
            .order_by("due_on", "id")
        )
        if as_json:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "alert_id": alert.pk,
                            "child_id": alert.child_id,
                            "kind": alert.department_list.kind,
                            "field": alert.field,
                            "current": alert.current,
                            "proposed": alert.proposed,
                            "consequence": alert.consequence,
                        }
                        for alert in alerts.iterator(chunk_size=2000)
                    ],
                    ensure_ascii=False,
                )
            )
            return
        today = timezone.localdate()
        lines = []
        for alert in alerts.iterator(chunk_size=2000):
            late = "，已逾期" if alert.due_on < today else ""
            label = FIELD_LABELS.get(alert.field, alert.field)
            lines.append(
                f"#{alert.pk} {alert.child.name}（{alert.village.name}，儿童 #{alert.child_id}）"
                f"{alert.department_list.get_kind_display()}名单：{label} "
                f"{alert.current or '—'} → {alert.proposed or '—'}；"
                f"{alert.consequence}（核实期限 {alert.due_on:%Y-%m-%d}{late}）"
            )
        lines.append(
            f"{found.name}（{found.code}）待核实的比对提示共 {len(lines)} 条。"
        )
        self.stdout.write("\n".join(lines))

    def _area(self, code: str) -> Area:
        if not code:
            self._refuse(
                "请用 --area 指定区划（12位行政区划代码，例如 430524000000）。"
            )
        area = Area.objects.filter(code=code).first()
        if area is None:
            self._refuse(
                f"区划代码“{code[:20]}”不存在：请填写12位行政区划代码，"
                "例如 430524000000（县）或 430524100001（村）。"
            )
        return area

    def _refuse(self, message: str) -> NoReturn:
        """Wrong arguments: exit status 2 (with --json, after a JSON object)."""
        if self.as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "status": "error",
                        "errors": [
                            {"row": 0, "column": "", "value": "", "message": message}
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        raise CommandError(message, returncode=UNUSABLE)
