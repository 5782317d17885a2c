"""manage.py exchange_export --purpose P --user USERNAME --out FILE [--full-id]"""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.core.exceptions import DomainError
from shouwang.exchange import outgoing


class Command(BaseCommand):
    help = (
        "按用途导出提供给成员单位的儿童名单（.xlsx，只含该用途规定的信息项，"
        "与页面上“成员单位名单下载”相同，并记入审计日志）；身份号码默认遮蔽。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--purpose",
            required=True,
            help=f"名单用途：{'、'.join(f'{k}（{p.label}）' for k, p in outgoing.PURPOSES.items())}",
        )
        parser.add_argument(
            "--user", required=True, help="以该用户的身份和管辖范围导出（用户名）"
        )
        parser.add_argument("--out", required=True, help="要写入的文件，如 名单.xlsx")
        parser.add_argument(
            "--full-id",
            action="store_true",
            help="导出完整身份号码（用途含身份号码，且该用户有查看完整身份号码的权限）",
        )

    def handle(self, *args, purpose: str, user: str, out: str, full_id: bool, **opts):
        actor = _user(user)
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"目录“{target.parent}”不存在。", returncode=2)
        if target.is_dir():
            raise CommandError(f"“{target}”是一个目录：请给出文件名。", returncode=2)
        # Written beside the target and renamed at the end: a refused or failed
        # export leaves no half-written file behind.
        handle, partial = tempfile.mkstemp(
            dir=target.parent, prefix=".exchange-export-", suffix=".xlsx"
        )
        os.close(handle)
        try:
            count = outgoing.outgoing_write(
                actor=actor,
                purpose=purpose,
                out=partial,
                full_id=full_id,
                as_of=timezone.localdate(),
            )
            os.replace(partial, target)
        except PermissionDenied as error:
            raise CommandError(
                f"用户“{user}”（{actor.get_role_display()}）：{error}", returncode=2
            ) from None
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        chosen = outgoing.PURPOSES[purpose]
        masked = (
            "完整身份号码"
            if full_id and chosen.declares_id
            else ("身份号码已遮蔽" if chosen.declares_id else "不含身份号码")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出“{chosen.label}”名单 {count} 名儿童到 {target}（{masked}）。"
            )
        )


def _user(username: str) -> User:
    found = User.objects.filter(username=username).select_related("area").first()
    if found is None:
        raise CommandError(f"用户“{username}”不存在。", returncode=2)
    if not found.is_active:
        raise CommandError(f"用户“{username}”已停用。", returncode=2)
    return found
