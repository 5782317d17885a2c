"""Standards and civil-affairs users for the assistance tests, on the registry's place
(湖南省 › 邵阳市 › 隆回县, and 洞口县 beside it)."""

from datetime import date
from decimal import Decimal

from shouwang.accounts.models import Role, User
from shouwang.areas.models import Area
from shouwang.assistance.models import AllowanceStandard
from shouwang.assistance.services import allowance_standard_set
from tests.factories import make_area, make_user

PROVINCE, CITY = "430000000000", "430500000000"


def civil_at(code: str, username: str) -> User:
    """Civil-affairs staff whose jurisdiction is the area `code`."""
    return make_user(Role.CIVIL_AFFAIRS, make_area(code), username=username)


def set_standard(
    area: Area | str, kind: str, amount: str, on: date, *, actor: User | None = None
) -> AllowanceStandard:
    """A standard set through the service, by the province's civil affairs unless told."""
    code = area if isinstance(area, str) else area.code
    actor = actor or User.objects.filter(username="sheng_minzheng").first()
    return allowance_standard_set(
        actor=actor or civil_at(PROVINCE, "sheng_minzheng"),
        area_code=code,
        kind=kind,
        amount=Decimal(amount),
        effective_from=on,
    )
