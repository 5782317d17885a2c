"""manage.py restore FILE [--force] [--database ALIAS]"""

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.backup.services import BackupRefused, backup_restore


class Command(BaseCommand):
    help = (
        "从 backup 命令写出的备份恢复数据库和文件。先核对格式、每个文件的校验和、"
        "数据库种类和迁移，有任何不符就不做改动（退出码 2）。只恢复到空数据库；"
        "数据库里已有数据时须加 --force，替换前先把现有数据另存为一份备份。"
        "恢复前请停止网站服务和所有 worker。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（.tar）")
        parser.add_argument(
            "--force",
            action="store_true",
            help="数据库里已有数据时也恢复（先另存现有数据，再整体替换）",
        )
        parser.add_argument(
            "--database", default="default", help="数据库别名，默认 default"
        )

    def handle(self, *args, file: str, force: bool, database: str, **options):
        try:
            restored = backup_restore(path=Path(file), using=database, force=force)
        except BackupRefused as refused:
            raise CommandError(refused.message, returncode=2) from None
        if restored.saved_current:
            self.stdout.write(f"恢复前的数据已另存为 {restored.saved_current}。")
        self.stdout.write(
            f"已从 {_local(restored.created_at)} 的备份恢复数据库和 "
            f"{restored.files} 个文件（其中 {restored.files_kept} 个原已存在且内容相同）。"
        )
        if restored.pending_migrations:
            self.stdout.write(
                f"备份比本程序少 {len(restored.pending_migrations)} 个数据库迁移："
                "请接着运行 manage.py migrate，再启动服务。"
            )


def _local(created_at: str) -> str:
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return created_at
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
