"""manage.py allowance_standard_set --area CODE --kind KIND --amount N
--from YYYY-MM-DD --user USERNAME

Set (raise) the monthly basic living allowance standard of a province, city or county
for one kind (集中养育孤儿, 社会散居孤儿 or 事实无人抚养儿童) from a date: a new row,
nothing overwritten. Exit status: 0 set; 2 the arguments are wrong (an amount not above
0 or with more than 2 decimals, an unknown area, kind or user, a user who is not
civil-affairs staff of a province, city or county or whose jurisdiction does not hold
the area, a date that is not a date, a date that already has a standard).
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from shouwang.accounts.models import User
from shouwang.assistance.selectors import standard_history
from shouwang.assistance.services import allowance_standard_set, check_amount
from shouwang.assistance.vocab import AllowanceKind
from shouwang.core.exceptions import DomainError

BAD_ARGUMENTS = 2
_AMOUNT = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
KINDS = "、".join(AllowanceKind.values)


class Command(BaseCommand):
    help = (
        "设置（提高）省、市、县的孤儿基本生活费或事实无人抚养儿童基本生活补贴标准："
        "自执行日期起每人每月的金额；新增一条，不覆盖以前的标准。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", default="", help="区划代码（12 位，省、市或县）")
        parser.add_argument("--kind", default="", help=f"类别：{KINDS}")
        parser.add_argument(
            "--amount", default="", help="每人每月金额（元，最多两位小数）"
        )
        parser.add_argument(
            "--from", dest="effective_from", default="", help="执行日期 YYYY-MM-DD"
        )
        parser.add_argument(
            "--user", default="", help="设置人的用户名（省、市、县级民政干部）"
        )

    def handle(
        self,
        *args,
        area: str,
        kind: str,
        amount: str,
        effective_from: str,
        user: str,
        **options,
    ):
        area, kind = area.strip(), kind.strip()
        if not area:
            _refuse("请用 --area 指定区划代码（12 位，省、市或县）。")
        if kind not in AllowanceKind.values:
            _refuse(
                f"类别“{kind}”不是可选的类别，应为：{KINDS}。"
                if kind
                else f"请用 --kind 指定类别：{KINDS}。"
            )
        value = _amount(amount)
        day = _date(effective_from)
        actor = _actor(user)
        try:
            standard = allowance_standard_set(
                actor=actor,
                area_code=area,
                kind=kind,
                amount=value,
                effective_from=day,
            )
        except DomainError as error:
            _refuse(error.message)
        history = standard_history(
            area_code=standard.area_id, kind=kind, through=day - timedelta(days=1)
        )
        before = history.entries[-1].amount if history.entries else None
        change = f"此前为 {before} 元" if before is not None else "此前未设置"
        self.stdout.write(
            f"已设置 {standard.area.name} {kind}基本生活保障标准：每人每月 "
            f"{standard.amount} 元，自 {day:%Y-%m-%d} 起执行（{change}）。"
        )


def _refuse(message: str) -> NoReturn:
    raise CommandError(message, returncode=BAD_ARGUMENTS)


def _amount(text: str) -> Decimal:
    text = text.strip()
    if not text:
        _refuse("请用 --amount 指定每人每月金额（元），如 1500 或 1500.50。")
    if not _AMOUNT.fullmatch(text):
        _refuse(f"金额“{text}”不是数字：请写成 1500 或 1500.50 这样的元数。")
    value = Decimal(text)
    if message := check_amount(value):
        _refuse(f"{message}。")
    return value


def _date(text: str) -> date:
    text = text.strip()
    if not text:
        _refuse("请用 --from 指定执行日期 YYYY-MM-DD。")
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        _refuse(f"执行日期“{text}”无法识别：请写成 YYYY-MM-DD，如 2026-01-01。")


def _actor(username: str) -> User:
    username = username.strip()
    if not username:
        _refuse("请用 --user 指定设置人的用户名（省、市、县级民政干部）。")
    actor = User.objects.filter(username=username).select_related("area").first()
    if actor is None:
        _refuse(f"用户“{username}”不存在。")
    if not actor.is_active:
        _refuse(f"用户“{username}”已停用。")
    return actor
