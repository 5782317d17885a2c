"""Reads of responsibility letters (责任书), always given the viewer: the letters of
one's jurisdiction (by the government party's area), one letter (not yours looks
like not found), the areas one may record letters for, and the coverage of a year
per level — sub-areas, member units, and villages of each township — with who has
no letter yet.

Who reads: civil affairs of a city or county (they record the letters: their
government's, and a township's with its villages) and leaders (the coverage, not
the scans). Nobody else.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.refusals import not_found

from .models import MemberUnit, ResponsibilityLetter
from .vocab import UNIT_LABELS

RECORDING_LEVELS = (codes.Level.CITY, codes.Level.COUNTY)
# From this day of December, the coverage page shows next year and who lacks a letter.
REMINDER_FROM = (12, 1)


def may_record(user) -> bool:
    """Civil affairs of a city or county (the joint meeting's office) record letters."""
    return (
        access.has_perm(user, access.Perm.VIEW_REPORTS)
        and user.role == Role.CIVIL_AFFAIRS
        and user.area_id is not None
        and user.area.level in RECORDING_LEVELS
    )


def may_read(user) -> bool:
    """Who reads the letters' coverage: recorders and leaders."""
    return may_record(user) or (
        access.has_perm(user, access.Perm.VIEW_REPORTS) and user.role == Role.LEADER
    )


def letters_for(*, viewer) -> QuerySet[ResponsibilityLetter]:
    """The letters whose government party lies in the viewer's jurisdiction."""
    if not may_read(viewer):
        return ResponsibilityLetter.objects.none()
    return access.scope(
        viewer,
        ResponsibilityLetter.objects.select_related("area", "party_area", "created_by"),
        "area_id",
    )


def letter_get_for(*, viewer, pk) -> ResponsibilityLetter:
    """One letter the viewer may read; 404 for missing and not-yours alike."""
    try:
        return letters_for(viewer=viewer).get(pk=int(pk))
    except (ResponsibilityLetter.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer,
            model=ResponsibilityLetter,
            pk=pk,
            message="责任书不存在或不在您的管辖范围内。",
        ) from None


def government_areas_for(user) -> list[Area]:
    """The government parties the user records letters for: their own area and, for
    a county, each of its townships (a township's letters with its villages)."""
    if not may_record(user):
        return []
    own = user.area
    if own.level == codes.Level.COUNTY:
        return [own, *Area.objects.filter(parent=own).order_by("code")]
    return [own]


def party_areas_for(user) -> list[Area]:
    """The areas that may be the other party of the user's letters: the areas
    directly below each government area the user records for."""
    governments = government_areas_for(user)
    if not governments:
        return []
    return list(
        Area.objects.filter(parent__in=[a.code for a in governments]).order_by("code")
    )


def member_units_of(area_code: str) -> list[str]:
    """The member units of an area's joint meeting, the office left out."""
    return list(
        MemberUnit.objects.filter(area_id=area_code, is_office=False)
        .order_by("unit")
        .values_list("unit", flat=True)
    )


def party_label(letter: ResponsibilityLetter) -> str:
    """The other party in words: the area's name or the member unit's."""
    if letter.party_area_id:
        return letter.party_area.name
    return UNIT_LABELS.get(letter.party_unit, letter.party_unit)


def coverage_year(today: date) -> int:
    """The year the coverage page opens at: next year from 1 December."""
    return today.year + 1 if (today.month, today.day) >= REMINDER_FROM else today.year


def is_reminder(year: int, today: date) -> bool:
    """True when the year is next year and its letters are due (from 1 December)."""
    return year == today.year + 1 and (today.month, today.day) >= REMINDER_FROM


@dataclass
class Line:
    """One level of coverage: who has a signed letter this year, who has none."""

    label: str
    government: Area
    signed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.signed) + len(self.missing)

    @property
    def rate(self) -> float | None:
        return round(len(self.signed) * 100 / self.total, 1) if self.total else None


@dataclass
class Coverage:
    year: int
    area: Area
    areas: Line
    units: Line
    villages: list[Line]

    @property
    def missing_count(self) -> int:
        lines = [self.areas, self.units, *self.villages]
        return sum(len(line.missing) for line in lines)


def _signed(year: int, governments: list[str]) -> set[tuple[str, str]]:
    rows = ResponsibilityLetter.objects.filter(
        year=year, area_id__in=governments, voided_at__isnull=True
    ).values_list("area_id", "party_area_id", "party_unit")
    return {(area, party or unit) for area, party, unit in rows}


def _line(label: str, government: Area, parties, signed) -> Line:
    line = Line(label, government)
    for key, name in parties:
        (line.signed if (government.code, key) in signed else line.missing).append(name)
    return line


def coverage_for(*, viewer, area: Area, year: int) -> Coverage | None:
    """The coverage of a year for an area of the viewer's jurisdiction (None if not
    theirs): its sub-areas and its member units (the office left out) with a
    signed letter of that area, and for a county the villages of each township with
    a letter of their township."""
    if not may_read(viewer) or not access.in_jurisdiction(viewer, area.code):
        return None
    children = list(Area.objects.filter(parent=area).order_by("code"))
    lower = codes.next_level(codes.Level(area.level))
    sub_label = dict(Area._meta.get_field("level").choices).get(lower, "下级区划")
    townships = [a for a in children if a.level == codes.Level.TOWNSHIP]
    villages = (
        Area.objects.filter(parent__in=[t.code for t in townships]).order_by("code")
        if townships
        else Area.objects.none()
    )
    by_township: dict[str, list[Area]] = {}
    for village in villages:
        by_township.setdefault(village.parent_id, []).append(village)
    signed = _signed(year, [area.code, *(t.code for t in townships)])
    return Coverage(
        year=year,
        area=area,
        areas=_line(sub_label, area, [(a.code, a.name) for a in children], signed),
        units=_line(
            "成员单位",
            area,
            [(u, UNIT_LABELS.get(u, u)) for u in member_units_of(area.code)],
            signed,
        ),
        villages=[
            _line(
                f"{t.name}的村（社区）",
                t,
                [(v.code, v.name) for v in by_township.get(t.code, [])],
                signed,
            )
            for t in townships
        ],
    )


def reminder_for(*, viewer, today: date) -> tuple[int, int] | None:
    """For the home page: (next year, how many parties lack a letter) from 1
    December for a recorder; None otherwise or when every letter is signed."""
    if not may_record(viewer) or (today.month, today.day) < REMINDER_FROM:
        return None
    coverage = coverage_for(viewer=viewer, area=viewer.area, year=today.year + 1)
    if coverage is None or not coverage.missing_count:
        return None
    return coverage.year, coverage.missing_count


def areas_to_choose(viewer) -> QuerySet[Area]:
    """The areas whose coverage the viewer may open: their own and those below it
    down to townships."""
    if not may_read(viewer) or not viewer.area_id:
        return Area.objects.none()
    return Area.objects.filter(
        access.jurisdiction_q(viewer, "code"),
        Q(level__in=[codes.Level.CITY, codes.Level.COUNTY, codes.Level.TOWNSHIP])
        | Q(code=viewer.area_id),
    ).order_by("code")
