"""manage.py backup OUT [--database ALIAS]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shouwang.backup.services import VENDOR_LABELS, BackupRefused, backup_write


class Command(BaseCommand):
    help = (
        "在系统运行时把数据库（SQLite 用其在线备份接口，PostgreSQL 用 pg_dump）"
        "连同花名册文件、走访附件和通报文件写成一个 .tar 备份，附带每个文件的"
        " SHA-256 清单；OUT 为新文件名，或一个目录（自动取名）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="备份文件名（不能已存在），或一个目录")
        parser.add_argument(
            "--database", default="default", help="数据库别名，默认 default"
        )

    def handle(self, *args, out: str, database: str, **options):
        try:
            written = backup_write(out=Path(out), using=database)
        except BackupRefused as refused:
            raise CommandError(refused.message, returncode=2) from None
        self.stdout.write(
            f"已写出备份 {written.path}（{_size(written.size)}）："
            f"{VENDOR_LABELS[written.vendor]} 数据库和 {written.files} 个文件。"
            "备份里有完整身份号码，请按敏感数据保管。"
        )


def _size(size: int) -> str:
    for unit in ("字节", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "字节" else f"{size:.1f} {unit}"
        size /= 1024
    return ""
