"""manage.py roster_export OUT.xlsx --user USERNAME [--area CODE] [--full-id]"""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import User
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.registry.selectors import ChildFilters
from shouwang.roster import export


class Command(BaseCommand):
    help = (
        "把某个用户能看到的在册儿童导出为花名册（.xlsx，与页面上“导出当前筛选”相同，"
        "并记入审计日志）；身份号码默认遮蔽。"
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="要写入的文件，如 花名册.xlsx")
        parser.add_argument(
            "--user", required=True, help="以该用户的身份和管辖范围导出（用户名）"
        )
        parser.add_argument(
            "--area",
            default="",
            help="只导出该区划（12位代码，须在该用户的管辖范围内）",
        )
        parser.add_argument(
            "--full-id",
            action="store_true",
            help="导出完整身份号码（该用户须有查看完整身份号码的权限；另记一条审计）",
        )

    def handle(self, *args, out: str, user: str, area: str, full_id: bool, **options):
        actor = _user(user)
        if not access.has_perm(actor, access.Perm.VIEW_CHILDREN):
            raise CommandError(
                f"用户“{user}”（{actor.get_role_display()}）没有查看儿童信息的权限，不能导出花名册。",
                returncode=2,
            )
        if full_id and not access.has_perm(actor, access.Perm.REVEAL_ID):
            raise CommandError(
                f"用户“{user}”（{actor.get_role_display()}）没有查看完整身份号码的权限：请去掉 --full-id。",
                returncode=2,
            )
        if area:
            _check_area(actor, area)
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"目录“{target.parent}”不存在。", returncode=2)
        if target.is_dir():
            raise CommandError(f"“{target}”是一个目录：请给出文件名。", returncode=2)
        # Written beside the target and renamed at the end: a failed export leaves
        # no half-written file behind.
        handle, partial = tempfile.mkstemp(
            dir=target.parent, prefix=".roster-export-", suffix=".xlsx"
        )
        os.close(handle)
        try:
            count = export.roster_export_write(
                actor=actor,
                out=partial,
                filters=ChildFilters(area=area),
                full_id=full_id,
                as_of=timezone.localdate(),
            )
            os.replace(partial, target)
        except PermissionDenied as error:
            raise CommandError(str(error), returncode=2) from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        masked = "完整身份号码" if full_id else "身份号码已遮蔽"
        self.stdout.write(
            self.style.SUCCESS(f"已导出 {count} 名儿童到 {target}（{masked}）。")
        )


def _user(username: str) -> User:
    found = User.objects.filter(username=username).select_related("area").first()
    if found is None:
        raise CommandError(f"用户“{username}”不存在。", returncode=2)
    if not found.is_active:
        raise CommandError(f"用户“{username}”已停用。", returncode=2)
    return found


def _check_area(actor: User, code: str) -> None:
    if not codes.is_code(code) or not Area.objects.filter(code=code).exists():
        raise CommandError(
            f"区划代码“{code}”不存在：请填写12位区划代码。", returncode=2
        )
    if not access.in_jurisdiction(actor, code):
        raise CommandError(
            f"区划“{code}”不在用户“{actor.get_username()}”的管辖范围内。",
            returncode=2,
        )
