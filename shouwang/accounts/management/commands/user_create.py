import sys

from django.core.management.base import BaseCommand, CommandError

from shouwang.accounts.models import Role, Unit
from shouwang.accounts.services import user_create
from shouwang.areas.models import Area
from shouwang.core.exceptions import DomainError


class Command(BaseCommand):
    help = "创建账号（供脚本使用）：密码从标准输入读取。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=" / ".join(Role.values))
        parser.add_argument(
            "--area", default="", help="管辖区划的12位代码（系统管理员可省略）"
        )
        parser.add_argument(
            "--unit", default="", help="成员单位：" + " / ".join(Unit.values)
        )
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument(
            "--password-stdin", action="store_true", help="从标准输入读取密码（第一行）"
        )

    def handle(
        self, *args, username, role, area, unit, full_name, password_stdin, **options
    ):
        if not password_stdin:
            raise CommandError(
                "请用 --password-stdin 从标准输入提供密码。", returncode=2
            )
        if role not in Role.values:
            raise CommandError(
                f"角色“{role}”不存在：应为 {' / '.join(Role.values)} 之一。",
                returncode=2,
            )
        area_obj = None
        if area:
            area_obj = Area.objects.filter(code=area).first()
            if area_obj is None:
                raise CommandError(
                    f"区划代码“{area}”不存在：请填写系统中已有的12位区划代码。",
                    returncode=2,
                )
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("标准输入中没有读到密码。", returncode=2)
        try:
            user = user_create(
                actor=None,
                username=username,
                password=password,
                role=role,
                area=area_obj,
                unit=unit,
                full_name=full_name,
            )
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建账号 {user.username}（{user.get_role_display()}）。"
            )
        )
