"""manage.py exchange_import FILE --kind KIND --user USERNAME [--area CODE] [--json]

Exit status: 0 every row accepted and the list received (or, with --dry-run, it
would be); 1 rows rejected (nothing written); 2 the file cannot be used, it was
received before, or the arguments are wrong.
"""

import json
from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from shouwang.exchange.lists import (
    KIND_NAMES,
    ExchangeRefused,
    ListError,
    ListPlan,
    exchange_check,
    exchange_commit,
)
from shouwang.exchange.vocab import ListKind
from shouwang.roster.command import FileImportCommand

ACCEPTED, REJECTED, UNUSABLE = 0, 1, 2


class Command(FileImportCommand, BaseCommand):
    help = (
        "接收一份部门名单（.xlsx、.xls、.ods 或 .csv）并与儿童信息库比对：先逐行检查，"
        "全部通过才接收；比对结果生成比对提示（待儿童主任核实）和帮扶措施，"
        "不会直接修改儿童信息。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单文件路径")
        parser.add_argument("--kind", default="", help=f"名单类型：{KIND_NAMES}")
        parser.add_argument(
            "--user", default="", help="以该用户的身份和管辖范围报送（用户名）"
        )
        parser.add_argument(
            "--area",
            default="",
            help="名单覆盖的区划代码（12位，须在该用户管辖范围内；默认为其管辖区划）",
        )
        parser.add_argument(
            "--date",
            dest="listed_on",
            default="",
            help="名单日期 YYYY-MM-DD（默认今天）",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告，不接收、不比对"
        )
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="只在标准输出打印一个 JSON 对象（status、rows、matched、alerts、measures、errors）",
        )

    def handle(self, *args, file, kind, user, area, listed_on, dry_run, as_json, **_):
        self.as_json = as_json
        if not kind:
            self._refuse(f"请用 --kind 指定名单类型：{KIND_NAMES}。")
        actor = self._actor(user, purpose="报送")
        when = self._date(listed_on)
        data = self._read(file)
        try:
            plan = exchange_check(
                actor=actor,
                kind=kind,
                data=data,
                filename=Path(file).name,
                area=area or None,
            )
        except ExchangeRefused as error:
            self._refuse(error.message)
        if plan.unusable:
            self._report(plan, "unusable", [_file_error(plan.unusable)])
            raise CommandError(plan.unusable, returncode=UNUSABLE)
        if plan.error_count:
            self._report(plan, "rejected", plan.errors)
            raise CommandError(
                f"有 {plan.rejected} 行被拒绝，未接收任何数据。", returncode=REJECTED
            )
        if dry_run:
            self._report(plan, "dry_run", [])
            return
        try:
            sent = exchange_commit(actor=actor, plan=plan, listed_on=when)
        except ExchangeRefused as error:
            self._refuse(error.message)
        self._report(plan, "committed", [], sent=sent)

    def _refuse(self, message: str) -> NoReturn:
        """Wrong arguments or a refused list: exit status 2."""
        if self.as_json:
            self._print_json("error", None, [_file_error(message)])
        raise CommandError(message, returncode=UNUSABLE)

    def _report(self, plan: ListPlan, status: str, errors, *, sent=None) -> None:
        if self.as_json:
            self._print_json(status, plan, errors, sent=sent)
            return
        kind = ListKind(plan.kind).label
        if status == "unusable":
            self.stdout.write(f"文件“{plan.filename}”无法接收：{plan.unusable}")
            return
        lines = [
            f"{kind}名单“{plan.filename}”（{plan.area.name}）：共 {plan.total} 行，"
            f"通过 {len(plan.rows)} 行，拒绝 {plan.rejected} 行。"
        ]
        for error in errors:
            value = f"“{error.value}”" if error.value else ""
            lines.append(f"  第{error.row}行 {error.column}{value}：{error.message}")
        if plan.error_count > len(errors):
            lines.append(f"  …… 另有 {plan.error_count - len(errors)} 处未列出")
        lines += [f"说明：{note}" for note in plan.notes]
        if sent is not None:
            lines.append(
                f"已接收（第{sent.pk}号名单）：比对命中 {sent.matched} 行，"
                f"生成比对提示 {sent.alert_count} 条、帮扶措施 {sent.measure_count} 条。"
            )
        elif status == "dry_run":
            lines.append("检查通过（试运行，未接收）。")
        else:
            lines.append("未接收任何数据：请改正错误后重新报送整份名单。")
        self.stdout.write("\n".join(lines))

    def _print_json(self, status, plan, errors, *, sent=None) -> None:
        self.stdout.write(
            json.dumps(
                {
                    "status": status,
                    "rows": plan.total if plan else 0,
                    "matched": sent.matched if sent else 0,
                    "alerts": sent.alert_count if sent else 0,
                    "measures": sent.measure_count if sent else 0,
                    "errors": [
                        {k: v for k, v in e.as_dict().items() if k != "field"}
                        for e in errors
                    ],
                },
                ensure_ascii=False,
            )
        )


def _file_error(message: str) -> ListError:
    return ListError(0, "", "", "", message)
