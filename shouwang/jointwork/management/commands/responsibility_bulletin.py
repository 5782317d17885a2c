"""Write the responsibility bulletin (责任落实情况通报) of an area and period to a .docx:

    python manage.py responsibility_bulletin --area 430500000000 \\
        --start 2026-07-01 --end 2026-09-30 --out 责任落实情况通报.docx

The same computation as the page (jointwork.responsibility), without a viewer; the
file is written beside --out and renamed, and the run is recorded in the audit
trail. Mistakes end with exit code 2 and a Chinese message."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError
from shouwang.reports import compute
from shouwang.reports.periods import parse_period

from ...responsibility import LEVELS, NOT_RANKED, build, docx_render

UNKNOWN_AREA = "区划代码“{code}”不存在：请填写12位统计用区划代码，如 430524000000。"
CANNOT_WRITE = "不能写入“{path}”：目录不存在、没有写权限或这是一个目录。"
REFUSED = 2


def _refused(message: str) -> CommandError:
    return CommandError(message, returncode=REFUSED)


class Command(BaseCommand):
    help = "生成一个区划一个期间的责任落实情况通报（.docx）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--area", required=True, help="12位区划代码（市或县）")
        parser.add_argument("--start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="写入的 .docx 文件")

    def handle(self, *args, **options) -> None:
        code = options["area"].strip()
        area = Area.objects.filter(code=code).first() if codes.is_code(code) else None
        if area is None:
            raise _refused(UNKNOWN_AREA.format(code=code[:20]))
        if area.level not in LEVELS:
            raise _refused(NOT_RANKED)
        try:
            period = parse_period(options["start"], options["end"])
        except DomainError as error:
            raise _refused(error.message) from None
        out = Path(options["out"])
        directory = out.parent if str(out.parent) else Path(".")
        if out.is_dir() or not directory.is_dir() or not os.access(directory, os.W_OK):
            raise _refused(CANNOT_WRITE.format(path=out))
        bulletin = build(area, period, compute.report(area, period))
        try:
            data = docx_render(bulletin)
        except DomainError as error:
            raise _refused(error.message) from None
        fd, temp = tempfile.mkstemp(
            prefix=f".{out.name}.", suffix=".tmp", dir=directory
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, out)
        audit_record(
            actor=None,
            actor_name="manage.py responsibility_bulletin",
            action=AuditAction.STATS_EXPORT,
            obj=area,
            area=area,
            details={
                "document": "责任落实情况通报",
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "out": str(out),
            },
        )
        self.stdout.write(
            f"已生成 {area.name} {period.label} 的责任落实情况通报：{out}。"
            f"{bulletin.summary}"
        )
