"""三比对: the school-age ledger children against the latest school registration list
covering their village. `judge` is the rule for one child (pure); `compare` applies it
to an area on a date.

- school-age (适龄): 6 to 15 on the as-of date (settings.SCHOOL_AGE may change it);
- suspected out of school: not on the list, or on it as 辍学 or 休学 — unless a
  dropout case is open for the child (already registered), one was closed after the
  list was uploaded (the case's outcome is newer than the list), or the suspicion was
  cleared for that list;
- a discrepancy: the ledger's 就学状况 says otherwise than the list (ledger 初中, list
  辍学; ledger 辍学, list 在读), for the director to resolve;
- children without an ID number cannot be matched: listed for a manual check;
- villages no list covers are not judged (nothing to compare with).

A past day is compared as things stood at its end (the ledger's history, the lists
uploaded and the clearances made by then, the cases open then), so that its figure
(schooling.suspected) can be counted again and gives the same number.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.vocab import Schooling
from shouwang.reports.sources.ledger import end_of, records_as_of

from .models import (
    DropoutCase,
    DropoutEvent,
    EnrolmentList,
    EnrolmentRow,
    SuspectClearance,
)
from .vocab import (
    INTERPRET_SCHOOL_AGE,
    DropoutEventKind,
    DropoutStatus,
    EnrolmentStatus,
    SuspectReason,
)

CHUNK = 2000  # values per IN list

# The ledger's 就学状况 that say the child is in school, and those that say not.
IN_SCHOOL = frozenset(
    {Schooling.PRIMARY, Schooling.JUNIOR, Schooling.SENIOR, Schooling.VOCATIONAL}
)
OUT_OF_SCHOOL = frozenset(
    {Schooling.DROPPED_OUT, Schooling.NOT_IN_SCHOOL, Schooling.NOT_IN_KINDERGARTEN}
)


def school_age_range() -> tuple[int, int]:
    return tuple(getattr(settings, "SCHOOL_AGE", INTERPRET_SCHOOL_AGE))


def born_between(as_of: date, ages: tuple[int, int]) -> tuple[date, date]:
    """The birth dates of children aged ages[0]..ages[1] (whole years) on as_of."""
    youngest, oldest = ages

    def years_before(years: int) -> date:
        try:
            return as_of.replace(year=as_of.year - years)
        except ValueError:  # 29 February
            return as_of.replace(year=as_of.year - years, day=28)

    earliest = years_before(oldest + 1)
    return date.fromordinal(earliest.toordinal() + 1), years_before(youngest)


@dataclass(frozen=True)
class Listed:
    status: str
    school: str
    grade: str


def judge(*, schooling: str, listed: Listed | None) -> tuple[str | None, str | None]:
    """(suspect reason or None, discrepancy or None) for one school-age child."""
    if listed is None:
        return SuspectReason.NOT_LISTED, None
    reason = {
        EnrolmentStatus.DROPPED: SuspectReason.LIST_DROPPED,
        EnrolmentStatus.SUSPENDED: SuspectReason.LIST_SUSPENDED,
    }.get(listed.status)
    discrepancy = None
    if reason and schooling in IN_SCHOOL:
        discrepancy = f"台账为“{schooling}”，学籍名单为“{listed.status}”"
    elif listed.status == EnrolmentStatus.ENROLLED and schooling in OUT_OF_SCHOOL:
        discrepancy = f"台账为“{schooling}”，学籍名单为“在读”（{listed.school}）"
    return reason, discrepancy


@dataclass(frozen=True)
class Suspect:
    child_id: int
    name: str
    village_id: str
    reason: str
    list_id: int | None


@dataclass(frozen=True)
class Discrepancy:
    child_id: int
    name: str
    village_id: str
    text: str


@dataclass
class Comparison:
    as_of: date
    school_age: int = 0
    suspected: list[Suspect] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    unnumbered: list[tuple[int, str, str]] = field(
        default_factory=list
    )  # id, name, village
    dropouts_open: int = 0
    uncovered_villages: set[str] = field(default_factory=set)


def latest_lists(
    prefix: str, as_of: date, *, at: datetime | None = None
) -> list[EnrolmentList]:
    """The lists that may cover villages under prefix (lists of the area itself, of an
    area above it, or of an area inside it) dated on or before as_of (and uploaded
    before the moment `at`, when given), newest first."""
    above = [codes.pad(prefix), *codes.ancestors(codes.pad(prefix))] if prefix else []
    within = access.prefix_q("area_id", prefix)
    return list(
        EnrolmentList.objects.filter(
            Q(area_id__in=above) | within, listed_on__lte=as_of
        )
        .filter(created_at__lt=at or timezone.now())
        .order_by("-listed_on", "-id")
    )


def _list_for(village: str, lists: list[EnrolmentList]) -> EnrolmentList | None:
    for enrolment_list in lists:  # newest first
        if village.startswith(codes.prefix_of(enrolment_list.area_id)):
            return enrolment_list
    return None


def cases_open_at(cases: QuerySet[DropoutCase], at: datetime) -> QuerySet[DropoutCase]:
    """The cases open at the moment `at`: registered before it, and not closed then
    (no close before it, or a reopening after the last close)."""
    last_turn = (
        DropoutEvent.objects.filter(
            case=OuterRef("pk"),
            kind__in=[DropoutEventKind.CLOSED, DropoutEventKind.REOPENED],
            at__lt=at,
        )
        .order_by("-at", "-id")
        .values("kind")[:1]
    )
    return (
        cases.filter(created_at__lt=at)
        .annotate(turn=Subquery(last_turn))
        .filter(Q(turn__isnull=True) | ~Q(turn=DropoutEventKind.CLOSED))
    )


# (pk, name, village, ID number, 就学状况) of a school-age child.
Row = tuple[int, str, str, str | None, str]
SNAPSHOT_FIELDS = (
    "pk",
    "village_id",
    "status",
    "name",
    "id_number",
    "schooling",
    "birth_date",
)


def _rows_then(prefix: str, as_of: date, first: date, last: date) -> list[Row]:
    """The school-age active children of the area as the ledger stood at the end of a
    past day (rebuilt from the history)."""
    rows = []
    for record in records_as_of(as_of, prefix, SNAPSHOT_FIELDS):
        born = record["birth_date"]
        if isinstance(born, str):  # a history snapshot's date is ISO text
            born = date.fromisoformat(born)
        if record["status"] == ChildStatus.ACTIVE and born and first <= born <= last:
            rows.append(
                (
                    record["pk"],
                    record["name"],
                    record["village_id"],
                    record["id_number"] or None,
                    record["schooling"],
                )
            )
    rows.sort(key=lambda row: (row[2], row[1], row[0]))
    return rows


def _in(queryset: QuerySet, field: str, values) -> Iterator[QuerySet]:
    """queryset filtered by field IN values: a subquery at once, or a list in chunks
    (the databases cap a query's parameters)."""
    if isinstance(values, QuerySet):
        yield queryset.filter(**{f"{field}__in": values})
        return
    values = sorted(values)
    for i in range(0, len(values), CHUNK):
        yield queryset.filter(**{f"{field}__in": values[i : i + CHUNK]})


def compare(*, prefix: str, as_of: date) -> Comparison:
    """The school-age children under the area prefix on as_of, judged against the
    latest list covering each village, as things stood at the end of that day (today:
    now): the ledger then (its history for a past day), the lists uploaded by then, the
    dropout cases open then and the clearances made by then."""
    result = Comparison(as_of=as_of)
    at = min(end_of(as_of), timezone.now())
    first, last = born_between(as_of, school_age_range())
    if as_of >= timezone.localdate():
        school_age = Child.objects.filter(
            access.prefix_q("village_id", prefix),
            status=ChildStatus.ACTIVE,
            birth_date__gte=first,
            birth_date__lte=last,
        )
        rows: list[Row] = list(
            school_age.values_list(
                "pk", "name", "village_id", "id_number", "schooling"
            ).order_by("village_id", "name_pinyin", "pk")
        )
        # Subqueries: sending tens of thousands of ID numbers and keys as IN lists
        # cost more than the database's semi-join.
        numbers = school_age.exclude(id_number=None).values("id_number")
        child_ids = school_age.values("pk")
        open_cases = DropoutCase.objects.filter(status=DropoutStatus.OPEN)
    else:
        rows = _rows_then(prefix, as_of, first, last)
        numbers = {number for _, _, _, number, _ in rows if number}
        child_ids = {pk for pk, *_ in rows}
        open_cases = cases_open_at(DropoutCase.objects.all(), at)
    result.school_age = len(rows)
    lists = latest_lists(prefix, as_of, at=at)
    by_village = {}
    for _, _, village, _, _ in rows:
        if village not in by_village:
            by_village[village] = _list_for(village, lists)
    used = {lst.pk for lst in by_village.values() if lst is not None}
    listed: dict[tuple[int, str], Listed] = {}
    rows_used = EnrolmentRow.objects.filter(enrolment_list_id__in=used)
    for part in _in(rows_used, "id_number", numbers if used else ()):
        for list_id, number, status, school, grade in part.values_list(
            "enrolment_list_id", "id_number", "status", "school", "grade"
        ):
            listed[list_id, number] = Listed(status, school, grade)
    open_ids: set[int] = set()
    for part in _in(open_cases, "child_id", child_ids):
        open_ids.update(part.values_list("child_id", flat=True))
    result.dropouts_open = len(open_ids)
    if not used:  # no list covers these villages: nothing more to compare
        child_ids = ()
    # When each child's latest case was closed (before `at`): a list uploaded before
    # that is outdated for the child (back in school, taught at home…).
    closed: dict[int, datetime] = {}
    closes = DropoutEvent.objects.filter(kind=DropoutEventKind.CLOSED, at__lt=at)
    for part in _in(closes, "case__child_id", child_ids):
        for child_id, last in (
            part.values("case__child_id")
            .order_by()
            .annotate(last=Max("at"))
            .values_list("case__child_id", "last")
        ):
            closed[child_id] = last
    cleared: set[tuple[int, int]] = set()
    clearances = SuspectClearance.objects.filter(
        enrolment_list_id__in=used, created_at__lt=at
    )
    for part in _in(clearances, "child_id", child_ids):
        cleared.update(part.values_list("child_id", "enrolment_list_id"))
    for pk, name, village, number, schooling in rows:
        enrolment_list = by_village[village]
        if enrolment_list is None:
            result.uncovered_villages.add(village)
            continue
        if not number:
            result.unnumbered.append((pk, name, village))
            continue
        reason, discrepancy = judge(
            schooling=schooling, listed=listed.get((enrolment_list.pk, number))
        )
        if discrepancy:
            result.discrepancies.append(Discrepancy(pk, name, village, discrepancy))
        handled = pk in open_ids or (pk, enrolment_list.pk) in cleared
        if pk in closed and closed[pk] >= enrolment_list.created_at:
            handled = True
        if reason and not handled:
            result.suspected.append(
                Suspect(pk, name, village, reason, enrolment_list.pk)
            )
    return result
