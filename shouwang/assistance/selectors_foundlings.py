"""Who works on foundlings (弃婴), and the reads of them: the register and the yearly
counts the bulletin's trend uses.

Access (deny by default, cut by jurisdiction): foundlings are county civil-affairs
work. Civil-affairs staff posted at a county register foundlings found there and
edit them; civil-affairs staff of a city or province read the records of their
jurisdiction; leaders read the yearly counts, never a record; everyone else sees
nothing (township and village staff, member units, the system administrator).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.core.exceptions import NotFound

from .models import Foundling
from .policy import STANDARD_LEVELS

FOUNDLING_NOT_FOUND = "弃婴登记不存在或不在您的管辖范围内。"
_LARGEST_ID = 2**63 - 1


def _active(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.area_id
    )


def may_read(user) -> bool:
    """Civil-affairs staff of a province, city or county: read the records."""
    return (
        _active(user)
        and user.role == Role.CIVIL_AFFAIRS
        and codes.level_of(user.area_id) in STANDARD_LEVELS
    )


def may_edit(user) -> bool:
    """Civil-affairs staff posted at a county: register and edit."""
    return may_read(user) and codes.level_of(user.area_id) == codes.Level.COUNTY


def may_count(user) -> bool:
    """Those who read the yearly counts: civil affairs (province to county), leaders."""
    return may_read(user) or (_active(user) and user.role == Role.LEADER)


def foundling_list_for(user) -> QuerySet[Foundling]:
    """The foundlings registered in the user's jurisdiction, latest found first."""
    if not may_read(user):
        return Foundling.objects.none()
    return (
        Foundling.objects.filter(access.jurisdiction_q(user, "county_id"))
        .select_related("county")
        .order_by("-found_on", "-id")
    )


def foundling_get_for(user, pk: int) -> Foundling:
    """One foundling the user may read; NotFound for missing and not-yours alike."""
    found = (
        foundling_list_for(user).filter(pk=pk).first()
        if 0 < pk <= _LARGEST_ID
        else None
    )
    if found is None:
        raise NotFound(FOUNDLING_NOT_FOUND)
    return found


def foundlings_by_year(prefix: str, year: int) -> int:
    """How many foundlings found in `year` (by the date found) were registered in the
    area whose code starts with `prefix` ('' for the whole country)."""
    return Foundling.objects.filter(
        access.prefix_q("county_id", prefix),
        found_on__gte=date(year, 1, 1),
        found_on__lte=date(year, 12, 31),
    ).count()


@dataclass(frozen=True)
class YearTrend:
    """A year's count beside the year before: the change, and the rate of change in
    per cent (one decimal; None when the year before had none)."""

    year: int
    count: int
    last_year: int

    @property
    def change(self) -> int:
        return self.count - self.last_year

    @property
    def size_of_change(self) -> int:
        return abs(self.change)

    @property
    def rate(self) -> Decimal | None:
        if not self.last_year:
            return None
        return (Decimal(self.change) * 100 / self.last_year).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def foundling_trend(prefix: str, year: int) -> YearTrend:
    """Foundlings registered in `year` against the year before, in an area."""
    return YearTrend(
        year, foundlings_by_year(prefix, year), foundlings_by_year(prefix, year - 1)
    )


def foundling_trends_by_county(prefix: str, year: int) -> list[tuple[Area, YearTrend]]:
    """foundling_trend for each county of an area that registered a foundling in
    `year` or the year before, by county code (one query for the counts)."""
    counts: dict[str, dict[int, int]] = {}
    rows = (
        Foundling.objects.filter(
            access.prefix_q("county_id", prefix),
            found_on__gte=date(year - 1, 1, 1),
            found_on__lte=date(year, 12, 31),
        )
        .annotate(year=ExtractYear("found_on"))
        .values("county_id", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["county_id"], {})[row["year"]] = row["n"]
    return [
        (
            county,
            YearTrend(
                year,
                counts[county.code].get(year, 0),
                counts[county.code].get(year - 1, 0),
            ),
        )
        for county in Area.objects.filter(code__in=counts).order_by("code")
    ]


def foundling_trend_for(user, year: int) -> YearTrend:
    """foundling_trend over the user's jurisdiction (those who may read the counts)."""
    if not may_count(user):
        raise NotFound(FOUNDLING_NOT_FOUND)
    return foundling_trend(access.jurisdiction_prefix(user), year)
