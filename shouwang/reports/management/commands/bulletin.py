"""Write the status bulletin of an area and period to a .docx, synchronously, with the
same code the web page's background task runs.

    python manage.py bulletin --area 430524000000 --from 2026-01-01 --to 2026-03-31 \\
        --out 通报.docx [--reference 2025-12-31] [--template 我县模板.docx]

Without --template the area's template in use (or the default) is used. The file is
written to a temporary file beside --out and then renamed, so a reader never sees a
half-written bulletin. Mistakes end with exit code 2 and a Chinese message."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError

from ...bulletin import generate as generation
from ...periods import parse_date, parse_period
from ...services.bulletins import reference_for

UNKNOWN_AREA = "区划代码“{code}”不存在：请填写12位统计用区划代码，如 430524000000。"
CANNOT_READ = "读不到模板文件“{path}”：{reason}"
CANNOT_WRITE = "不能写入“{path}”：{reason}"
REFUSED = 2  # exit code of every refusal


def _reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "文件或目录不存在。"
    if isinstance(error, PermissionError):
        return "没有权限。"
    if isinstance(error, IsADirectoryError):
        return "这是一个目录。"
    return "读写出错。"


def _refused(message: str) -> CommandError:
    return CommandError(message, returncode=REFUSED)


class Command(BaseCommand):
    help = "生成一个区划一个期间的工作情况通报（.docx）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--area", required=True, help="12位区划代码")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="写入的 .docx 文件")
        parser.add_argument("--reference", default="", help="对比基准日 YYYY-MM-DD")
        parser.add_argument("--template", default="", help="Word 模板（.docx）")

    def handle(self, *args, **options) -> None:
        code = options["area"].strip()
        area = Area.objects.filter(code=code).first() if codes.is_code(code) else None
        if area is None:
            raise _refused(UNKNOWN_AREA.format(code=code[:20]))
        try:
            period = parse_period(options["start"], options["end"])
            reference = reference_for(
                period,
                parse_date(options["reference"], field="reference", label="对比基准日"),
                today=timezone.localdate(),
            )
        except DomainError as error:
            raise _refused(error.message) from None

        template_name, template = self._template(options["template"], area)
        out = Path(options["out"])
        directory = out.parent if str(out.parent) else Path(".")
        if not directory.is_dir() or not os.access(directory, os.W_OK):
            raise _refused(
                CANNOT_WRITE.format(path=out, reason="目录不存在或没有写权限。")
            )
        if out.is_dir():
            raise _refused(CANNOT_WRITE.format(path=out, reason="这是一个目录。"))

        def progress(percent: int, stage: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{percent:3d}% {stage}")

        try:
            result = generation.generate(
                area=area,
                period=period,
                reference=reference,
                template=template,
                template_name=template_name,
                progress=progress,
            )
        except DomainError as error:
            raise _refused(error.message) from None
        self._write(out, result.document)
        audit_record(
            actor=None,
            actor_name="manage.py bulletin",
            action=AuditAction.BULLETIN_GENERATE,
            object_type="bulletin",
            area=area,
            details={
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "reference": reference.isoformat(),
                "template": template_name,
                "out": str(out),
            },
        )
        note = (
            f"（其中 {len(result.pending_used)} 项数字系统暂无数据，已在文中标黄并在文末列出）"
            if result.pending_used
            else ""
        )
        self.stdout.write(
            f"已生成 {area.name} {period.label} 的工作情况通报：{out}"
            f"（模板：{template_name}）{note}"
        )

    def _template(self, path: str, area: Area) -> tuple[str, bytes]:
        if not path:
            template = generation.template_in_use(area)
            name = template.name if template else generation.DEFAULT_NAME
            return name, generation.template_bytes(template)
        try:
            return Path(path).name, Path(path).read_bytes()
        except OSError as error:
            raise _refused(
                CANNOT_READ.format(path=path, reason=_reason(error))
            ) from None

    def _write(self, out: Path, data: bytes) -> None:
        directory = out.parent if str(out.parent) else Path(".")
        try:
            fd, temp = tempfile.mkstemp(
                prefix=f".{out.name}.", suffix=".tmp", dir=directory
            )
        except OSError as error:
            raise _refused(
                CANNOT_WRITE.format(path=out, reason=_reason(error))
            ) from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temp, 0o644)
            os.replace(temp, out)
        except OSError as error:
            Path(temp).unlink(missing_ok=True)
            raise _refused(
                CANNOT_WRITE.format(path=out, reason=_reason(error))
            ) from None
