"""Demo allowance standards for the demo city: the city's standards for each orphan
kind, raised on 1 January of each of the last two years (two raises), so that the
standards page and the bulletin's 救助保障 paragraph have a history to show. Written
through assistance.services as the city's civil-affairs user; loaded once."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.assistance.models import AllowanceStandard
from shouwang.assistance.services import allowance_standard_set
from shouwang.assistance.vocab import AllowanceKind

from .city import CITY_CODE

# Each kind's amount (元/人·月) two years ago, last year and this year.
STANDARDS = {
    AllowanceKind.INSTITUTIONAL_ORPHAN: ("1600", "1700", "1800"),
    AllowanceKind.SCATTERED_ORPHAN: ("1100", "1180", "1250"),
}


def demo_standards_load() -> int:
    """Set the city's standards unless it has some; returns how many rows it holds."""
    if not AllowanceStandard.objects.filter(area_id=CITY_CODE).exists():
        actor = User.objects.get(username="demo_minzheng")
        year = timezone.localdate().year
        with transaction.atomic():
            for kind, amounts in STANDARDS.items():
                for years_ago, amount in zip((2, 1, 0), amounts, strict=True):
                    allowance_standard_set(
                        actor=actor,
                        area_code=CITY_CODE,
                        kind=kind,
                        amount=Decimal(amount),
                        effective_from=date(year - years_ago, 1, 1),
                    )
    return AllowanceStandard.objects.filter(area_id=CITY_CODE).count()
