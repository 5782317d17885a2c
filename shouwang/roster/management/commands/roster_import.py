"""manage.py roster_import FILE --user USERNAME [--dry-run] [--partial]
[--error-report OUT.xlsx] [--json]

Exit status: 0 every row accepted (and written, unless --dry-run); 1 rows rejected
(nothing written, or with --partial the other rows written); 2 the file cannot be used
or the arguments are wrong.
"""

import json
from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from shouwang.accounts import access
from shouwang.accounts.models import User
from shouwang.roster.command import FileImportCommand
from shouwang.roster.importer import (
    ImportPlan,
    NothingToCommit,
    RowError,
    roster_check,
    roster_commit,
)

ACCEPTED, REJECTED, UNUSABLE = 0, 1, 2
COUNT_LABELS = (
    ("new", "新增 {} 名"),
    ("changed", "修改 {} 名"),
    ("unchanged", "未变 {} 名"),
    ("rejected", "拒绝 {} 行"),
    ("duplicates", "疑似重复 {} 行"),
)


class Command(FileImportCommand, BaseCommand):
    help = (
        "导入花名册（.xlsx、.xls、.ods 或 .csv，按儿童信息花名册模板）：先逐行检查，"
        "全部通过才写入；有被拒绝的行时一行都不写入，除非加 --partial。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="花名册文件路径")
        parser.add_argument(
            "--user",
            default="",
            help="以该用户的身份和管辖范围导入（用户名，须有登记儿童信息的权限）",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告，不写入任何数据"
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="有被拒绝的行时，仍导入其余通过检查的行",
        )
        parser.add_argument(
            "--error-report",
            metavar="OUT.xlsx",
            default="",
            help="有错误时，把出错的行连同错误说明写入该 Excel 文件，改正后可直接重新导入",
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
        dry_run: bool,
        partial: bool,
        error_report: str,
        as_json: bool,
        **options,
    ):
        self.as_json = as_json
        actor = self._actor(user)
        data = self._read(file)
        if error_report and Path(error_report).resolve() == Path(file).resolve():
            self._refuse("错误报告不能写到要导入的文件上：请换一个文件名。")
        filename = Path(file).name
        bar = ProgressBar(self.stderr, "检查") if self.stderr.isatty() else None
        plan = roster_check(
            data,
            filename,
            actor=actor,
            progress=bar,
            keep_raw=bool(error_report),  # the report repeats the rows in error
        )
        if bar:
            bar.finish()
        if plan.unusable:
            self._report(plan, "unusable")
            raise CommandError(plan.unusable, returncode=UNUSABLE)
        if error_report and plan.errors:
            self._write_error_report(error_report, plan)
        rejected = plan.counts["rejected"]
        if dry_run or (rejected and not partial):
            self._report(plan, "rejected" if rejected else "dry_run", dry_run=dry_run)
            if rejected:
                raise CommandError(
                    f"有 {rejected} 行被拒绝，未导入任何数据。", returncode=REJECTED
                )
            return
        bar = ProgressBar(self.stderr, "写入") if self.stderr.isatty() else None
        try:
            counts = roster_commit(
                plan, actor=actor, partial=partial, source=filename, progress=bar
            )
        except NothingToCommit as error:
            plan.errors.insert(0, RowError(0, "", "", str(error)))
            self._report(plan, "rejected")
            raise CommandError(str(error), returncode=REJECTED) from None
        finally:
            if bar:
                bar.finish()
        if rejected:
            self._report(plan, "partial")
            written = counts["new"] + counts["changed"]
            raise CommandError(
                f"有 {rejected} 行被拒绝；其余通过检查的行已导入（写入 {written} 名）。",
                returncode=REJECTED,
            )
        self._report(plan, "committed")

    def _actor(self, username: str) -> User:
        actor = super()._actor(username)
        if not access.has_perm(actor, access.Perm.EDIT_CHILDREN):
            self._refuse(
                f"用户“{username}”（{actor.get_role_display()}）没有登记或修改儿童信息的权限，不能导入花名册。"
            )
        return actor

    def _refuse(self, message: str) -> NoReturn:
        """Wrong arguments: exit status 2 (with --json, after the JSON object)."""
        if self.as_json:
            self._print_json("error", ImportPlan(filename=""), [_file_error(message)])
        raise CommandError(message, returncode=UNUSABLE)

    def _write_error_report(self, out: str, plan: ImportPlan) -> None:
        # Imported here: the workbook module pulls in xlsxwriter's writer only
        # when a report is asked for.
        from shouwang.roster.workbook import write_error_report

        try:
            write_error_report(out, plan)
        except OSError as error:
            self._refuse(f"无法写入错误报告 {out}：{error.strerror or error}")
        plan.notes.append(f"错误报告已写入 {out}：改正其中的行后可直接重新导入。")

    def _report(self, plan: ImportPlan, status: str, *, dry_run: bool = False) -> None:
        if self.as_json:
            errors = [_file_error(plan.unusable)] if plan.unusable else plan.errors
            self._print_json(status, plan, errors)
        else:
            self.stdout.write(summary(plan, status, dry_run=dry_run))

    def _print_json(self, status: str, plan: ImportPlan, errors: list) -> None:
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


def _file_error(message: str) -> RowError:
    return RowError(0, "", "", message)


def error_line(error: RowError) -> str:
    """One error as the summary prints it: 第N行 列名“值”：原因."""
    if not error.row:
        return error.message
    value = f"“{error.value}”" if error.value else ""
    return f"第{error.row}行 {error.column}{value}：{error.message}"


def summary(plan: ImportPlan, status: str, *, dry_run: bool = False) -> str:
    """The Chinese report of a check or an import, as the command prints it."""
    if status == "unusable":
        lines = [f"文件“{plan.filename}”无法导入：{plan.unusable}"]
        lines += plan.notes
        return "\n".join(lines)
    counts = plan.counts
    lines = [
        f"文件“{plan.filename}”（工作表“{plan.sheet}”）：共 {len(plan.rows)} 行儿童信息。",
        "，".join(label.format(counts[key]) for key, label in COUNT_LABELS) + "。",
    ]
    if plan.errors:
        lines.append(f"错误（{len(plan.errors)} 处）：")
        lines += [f"  {error_line(error)}" for error in plan.errors]
    duplicates = [row for row in plan.rows if row.action == "duplicate"]
    if duplicates:
        lines.append("疑似重复（未导入；请在系统中核对后再登记）：")
        for row in duplicates:
            ids = "、".join(f"#{pk}" for pk in row.candidates)
            lines.append(
                f"  第{row.row}行 {row.data.get('name', '')}：与已登记的无身份号码儿童 {ids} 相似"
            )
    if plan.notes:
        lines.append("说明：")
        lines += [f"  {note}" for note in plan.notes]
    lines.append(_outcome(counts, status, dry_run=dry_run))
    return "\n".join(lines)


def _outcome(counts: dict[str, int], status: str, *, dry_run: bool) -> str:
    written = f"新增 {counts['new']} 名，修改 {counts['changed']} 名"
    if status == "committed":
        return f"导入完成：{written}。"
    if status == "partial":
        return (
            f"已导入通过检查的行：{written}；被拒绝的 {counts['rejected']} 行未导入。"
        )
    if status == "dry_run":
        return f"检查通过（试运行，未写入）：导入将{written}。"
    if dry_run:
        return "检查未通过（试运行，未写入）：请改正错误后重新导入。"
    return "未导入任何数据：请改正错误后重新导入，或加 --partial 只导入通过检查的行。"


class ProgressBar:
    """A one-line bar on a terminal: 检查 [##########----------] 12,000/24,000."""

    WIDTH = 30

    def __init__(self, out: OutputWrapper, label: str) -> None:
        self.out, self.label, self.drawn = out, label, False

    def __call__(self, done: int, total: int) -> None:
        total = max(total, 1)
        filled = min(self.WIDTH, self.WIDTH * done // total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.out.write(
            f"\r{self.label} [{bar}] {min(done, total):,}/{total:,}",
            style_func=_plain,
            ending="",
        )
        self.out.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.out.write("", style_func=_plain)
            self.drawn = False


def _plain(text: str) -> str:
    return text
