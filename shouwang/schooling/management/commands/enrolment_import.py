"""manage.py enrolment_import FILE --user USERNAME [--area CODE] [--dry-run] [--json]

Exit status: 0 every row accepted (and the list written, unless --dry-run); 1 rows
rejected (nothing written); 2 the file cannot be used or the arguments are wrong.
"""

import json
from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from shouwang.roster.command import FileImportCommand
from shouwang.schooling.enrolment import (
    EnrolmentError,
    EnrolmentPlan,
    EnrolmentRefused,
    enrolment_check,
    enrolment_commit,
)

ACCEPTED, REJECTED, UNUSABLE = 0, 1, 2


class Command(FileImportCommand, BaseCommand):
    help = (
        "导入学籍名单（.xlsx、.xls、.ods 或 .csv；表头：姓名、公民身份号码、学籍号、"
        "学校名称、年级、学籍状态，可另加学校所在地区划代码）：先逐行检查，"
        "全部通过才写入；有被拒绝的行时一行都不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="学籍名单文件路径")
        parser.add_argument(
            "--user",
            default="",
            help="以该用户的身份和管辖范围导入（用户名；教育部门或民政部门的账号）",
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
            "--dry-run", action="store_true", help="只检查并报告，不写入任何数据"
        )
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="只在标准输出打印一个 JSON 对象（status、counts、errors）",
        )

    def handle(
        self,
        *args,
        file: str,
        user: str,
        area: str,
        listed_on: str,
        dry_run: bool,
        as_json: bool,
        **options,
    ):
        self.as_json = as_json
        actor = self._actor(user)
        when = self._date(listed_on)
        data = self._read(file)
        filename = Path(file).name
        try:
            plan = enrolment_check(
                actor=actor, data=data, filename=filename, area=area or None
            )
        except EnrolmentRefused as error:
            self._refuse(error.message)
        if plan.unusable:
            self._report(plan, "unusable")
            raise CommandError(plan.unusable, returncode=UNUSABLE)
        if plan.error_count:
            self._report(plan, "rejected", dry_run=dry_run)
            raise CommandError(
                f"有 {plan.rejected} 行被拒绝，未导入任何数据。", returncode=REJECTED
            )
        if dry_run:
            self._report(plan, "dry_run")
            return
        try:
            enrolment_commit(actor=actor, plan=plan, listed_on=when)
        except EnrolmentRefused as error:
            self._refuse(error.message)
        self._report(plan, "committed")

    def _refuse(self, message: str) -> NoReturn:
        """Wrong arguments: exit status 2 (with --json, after the JSON object)."""
        if self.as_json:
            self._print_json(
                "error", EnrolmentPlan(filename=""), [_file_error(message)]
            )
        raise CommandError(message, returncode=UNUSABLE)

    def _report(self, plan: EnrolmentPlan, status: str, *, dry_run=False) -> None:
        if self.as_json:
            errors = [_file_error(plan.unusable)] if plan.unusable else plan.errors
            self._print_json(status, plan, errors)
        else:
            self.stdout.write(summary(plan, status, dry_run=dry_run))

    def _print_json(self, status: str, plan: EnrolmentPlan, errors: list) -> None:
        self.stdout.write(
            json.dumps(
                {
                    "status": status,
                    "counts": plan.counts,
                    "errors": [error.as_dict() for error in errors],
                },
                ensure_ascii=False,
            )
        )


def _file_error(message: str) -> EnrolmentError:
    return EnrolmentError(0, "", "", "", message)


def error_line(error: EnrolmentError) -> str:
    """One error as the summary prints it: 第N行 列名“值”：原因."""
    if not error.row:
        return error.message
    value = f"“{error.value}”" if error.value else ""
    return f"第{error.row}行 {error.column}{value}：{error.message}"


def summary(plan: EnrolmentPlan, status: str, *, dry_run: bool = False) -> str:
    """The Chinese report of a check or an import, as the command prints it."""
    if status == "unusable":
        return "\n".join(
            [f"文件“{plan.filename}”无法导入：{plan.unusable}", *plan.notes]
        )
    counts = plan.counts
    lines = [
        f"文件“{plan.filename}”（工作表“{plan.sheet}”，{plan.area.name}）："
        f"共 {counts['rows']} 名学生，通过 {counts['accepted']} 行，"
        f"拒绝 {counts['rejected']} 行。"
    ]
    if plan.errors:
        lines.append(f"错误（{plan.error_count} 处）：")
        lines += [f"  {error_line(error)}" for error in plan.errors]
        if plan.error_count > len(plan.errors):
            lines.append(f"  …… 另有 {plan.error_count - len(plan.errors)} 处未列出")
    if plan.notes:
        lines.append("说明：")
        lines += [f"  {note}" for note in plan.notes]
    if status == "committed":
        lines.append(f"导入完成：学籍名单已保存，共 {counts['written']} 名学生。")
    elif status == "dry_run":
        lines.append(
            f"检查通过（试运行，未写入）：导入将保存 {counts['accepted']} 名学生。"
        )
    elif dry_run:
        lines.append("检查未通过（试运行，未写入）：请改正错误后重新导入。")
    else:
        lines.append("未导入任何数据：请改正错误后重新导入整份名单。")
    return "\n".join(lines)
