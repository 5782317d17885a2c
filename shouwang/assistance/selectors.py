"""Reads of allowance standards and eligibility: the standard in force for a village,
kind and day, a standard's history (raises, consecutive years), and the children
eligible in a month with the amount that applies.

These are read for an area by the operator (management commands, figures) and carry
no viewer: a page that shows them cuts the area to the viewer's jurisdiction first.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db.models import Q

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.policy import DE_FACTO_D, DE_FACTO_GONE, ORPHAN_STATUSES
from shouwang.registry.services import facts_from_values
from shouwang.registry.services.classification import FACTS_READ

from .models import AllowanceStandard
from .policy import (
    allowance_eligibility,
    first_of_month,
    standard_areas,
    standard_kinds,
)


@dataclass(frozen=True)
class InForce:
    """A standard as it applies: the amount, and which area's row of which kind set it
    (a de facto unsupported child priced by the scattered-orphan row says so)."""

    amount: Decimal
    area_id: str
    kind: str
    effective_from: date
    standard_id: int


class StandardTable:
    """Standards held in memory to price many children at once: the same answers as
    standard_in_force, one query for a whole area."""

    def __init__(self, rows: Iterable[AllowanceStandard]) -> None:
        self._rows: dict[tuple[str, str], list[InForce]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: (r.effective_from, r.pk)):
            self._rows[(row.area_id, row.kind)].append(
                InForce(row.amount, row.area_id, row.kind, row.effective_from, row.pk)
            )
        self._cache: dict[tuple[str, str, date], InForce | None] = {}

    def dates(self, code: str, kind: str) -> list[date]:
        """Every day a standard that may price `kind` at `code` took effect."""
        return sorted(
            {
                row.effective_from
                for area in standard_areas(code)
                for candidate in standard_kinds(kind)
                for row in self._rows.get((area, candidate), ())
            }
        )

    def in_force(self, code: str, kind: str, on: date) -> InForce | None:
        """The standard pricing `kind` at the area `code` on the day `on`
        (INTERPRET_STANDARD_ORDER), or None where no standard is set."""
        # Every village of a county is priced alike: answer once per county.
        county = (
            codes.pad(code[:6])
            if codes.level_of(code) not in (codes.Level.CITY, codes.Level.PROVINCE)
            else code
        )
        key = (county, kind, on)
        if key not in self._cache:
            self._cache[key] = self._resolve(county, kind, on)
        return self._cache[key]

    def _resolve(self, code: str, kind: str, on: date) -> InForce | None:
        for area in standard_areas(code):
            for candidate in standard_kinds(kind):
                found = None
                for row in self._rows.get((area, candidate), ()):
                    if row.effective_from > on:
                        break
                    found = row
                if found is not None:
                    return found
        return None


def standard_table_for(code: str) -> StandardTable:
    """The standards that may apply anywhere in the area `code` (its own, those
    above it and those inside it), read at once."""
    rows = AllowanceStandard.objects.filter(
        Q(area_id__in=standard_areas(code))
        | access.prefix_q("area_id", codes.prefix_of(code))
    )
    return StandardTable(rows)


def standard_in_force(*, village_id: str, kind: str, on: date) -> InForce | None:
    """The standard that prices `kind` in a village on a day: the most local area's
    row in force, 事实无人抚养儿童 falling back to 社会散居孤儿; None when none is set."""
    rows = AllowanceStandard.objects.filter(
        area_id__in=standard_areas(village_id),
        kind__in=standard_kinds(kind),
        effective_from__lte=on,
    )
    return StandardTable(rows).in_force(village_id, kind, on)


@dataclass(frozen=True)
class Raise:
    effective_from: date
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class StandardHistory:
    """The standard in force at one area for one kind, each time it changed."""

    area_id: str
    kind: str
    entries: tuple[InForce, ...]

    @property
    def raises(self) -> tuple[Raise, ...]:
        return tuple(
            Raise(entry.effective_from, before.amount, entry.amount)
            for before, entry in zip(self.entries, self.entries[1:], strict=False)
            if entry.amount > before.amount
        )

    @property
    def latest_raise(self) -> Raise | None:
        """The amount before and after the latest raise, and the day it took effect."""
        raises = self.raises
        return raises[-1] if raises else None

    def consecutive_years_raised(self, through_year: int | None = None) -> int:
        """How many calendar years in a row, ending with `through_year` (by default the
        year of the latest raise), saw the standard raised; 0 when that year did not."""
        years = {r.effective_from.year for r in self.raises}
        if not years:
            return 0
        year = max(years) if through_year is None else through_year
        count = 0
        while year - count in years:
            count += 1
        return count


def standard_history(
    *, area_code: str, kind: str, through: date | None = None
) -> StandardHistory:
    """The standard in force at an area (a village or any area above it) for a kind,
    each time it changed, up to `through` (every row when None): the rows of the area
    itself and of those above it, as they applied there."""
    rows = AllowanceStandard.objects.filter(
        area_id__in=standard_areas(area_code), kind__in=standard_kinds(kind)
    )
    if through is not None:
        rows = rows.filter(effective_from__lte=through)
    return history_in(StandardTable(rows), area_code, kind)


def history_in(table: StandardTable, area_code: str, kind: str) -> StandardHistory:
    """standard_history from standards already read (a table holding at least the
    rows of the area and those above it, up to the day wanted)."""
    entries: list[InForce] = []
    for day in table.dates(area_code, kind):
        current = table.in_force(area_code, kind, day)
        if current is not None and (
            not entries or entries[-1].amount != current.amount
        ):
            entries.append(current)
    return StandardHistory(area_code, kind, tuple(entries))


def standards_through(area_codes: list[str], day: date) -> StandardTable:
    """The standards that may apply at any of the areas, in force by the day (one
    query)."""
    wanted = {area for code in area_codes for area in standard_areas(code)}
    return StandardTable(
        AllowanceStandard.objects.filter(area_id__in=wanted, effective_from__lte=day)
    )


@dataclass(frozen=True)
class EligibleChild:
    child_id: int
    name: str
    village_id: str
    village: str
    kind: str
    reason: str
    standard: InForce | None

    @property
    def amount(self) -> Decimal | None:
        return self.standard.amount if self.standard else None


ELIGIBILITY_FIELDS = ("pk", "name", "village_id", "status", "exit_date", *FACTS_READ)
# Parents who may make a child an orphan or de facto unsupported: a superset that
# the database filters on before the policy judges each child.
_PARENTS_OF_INTEREST = sorted(ORPHAN_STATUSES | DE_FACTO_D | DE_FACTO_GONE)


def allowance_eligible_list(*, area_code: str, month: date) -> list[EligibleChild]:
    """Every child in the area eligible for the month (policy.allowance_eligibility:
    the ledger's facts as they stand, the age and the place on the ledger read on
    the month's first day), whether or not an application was approved, with the
    standard in force that day; by village, then record."""
    first = first_of_month(month)
    table = standard_table_for(area_code)
    rows = (
        Child.objects.filter(
            access.prefix_q("village_id", codes.prefix_of(area_code)),
            Q(status=ChildStatus.ACTIVE)
            | Q(status=ChildStatus.EXITED, exit_date__gt=first),
            father_status__in=_PARENTS_OF_INTEREST,
            mother_status__in=_PARENTS_OF_INTEREST,
        )
        .order_by("village_id", "pk")
        .values(*ELIGIBILITY_FIELDS)
    )
    eligible = []
    for row in rows.iterator(chunk_size=2000):
        result = allowance_eligibility(
            facts_from_values(row),
            month=first,
            status=row["status"],
            exit_date=row["exit_date"],
        )
        if result.eligible:
            eligible.append(
                EligibleChild(
                    child_id=row["pk"],
                    name=row["name"],
                    village_id=row["village_id"],
                    village="",
                    kind=result.kind,
                    reason=result.reason,
                    standard=table.in_force(row["village_id"], result.kind, first),
                )
            )
    names = dict(
        Area.objects.filter(code__in={e.village_id for e in eligible}).values_list(
            "code", "name"
        )
    )
    return [replace(e, village=names.get(e.village_id, "")) for e in eligible]
