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
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
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


# A numbered school-age child in a covered village, with the list covering it and
# what that list says of the child (None: not on it).
Candidate = tuple[int, str, str, str, str, EnrolmentList, Listed | None]


def _candidates_now(
    result: Comparison, school_age: QuerySet[Child], lists: list[EnrolmentList]
) -> list[Candidate]:
    """Today's ledger: counts, uncovered villages and unnumbered children from the
    database, and only the children a list says something of (not on it, 辍学 or 休学,
    在读 while the ledger says out of school) — found by the database joining the
    children with their list's rows (_said_of), instead of reading every child and
    every row into Python."""
    per_village = dict(
        school_age.order_by()
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    result.school_age = sum(per_village.values())
    villages = sorted(per_village)
    by_village = {village: _list_for(village, lists) for village in villages}
    result.uncovered_villages = {v for v, found in by_village.items() if not found}
    villages_of: dict[EnrolmentList, list[str]] = {}
    for village, found in by_village.items():
        if found is not None:
            villages_of.setdefault(found, []).append(village)
    order = ("village_id", "name_pinyin", "pk")

    def within(queryset, covered):
        # One list covering every village needs no list of them.
        if len(villages_of) == 1 and not result.uncovered_villages:
            return queryset
        return queryset.filter(village_id__in=covered)

    covered = [v for found in villages_of.values() for v in found]
    if covered:
        result.unnumbered = list(
            within(school_age.filter(id_number=None), covered)
            .order_by(*order)
            .values_list("pk", "name", "village_id")
        )
    found: list[tuple[tuple, Candidate]] = []
    for enrolment_list, its_villages in villages_of.items():
        numbered = within(school_age.exclude(id_number=None), its_villages)
        for pk, name, pinyin, village, number, schooling, *said in _said_of(
            numbered, enrolment_list
        ):
            listed = Listed(*said) if said[0] else None
            candidate = (pk, name, village, number, schooling, enrolment_list, listed)
            found.append(((village, pinyin, pk), candidate))
    if len(villages_of) > 1:  # each list's children came in order: merge them
        found.sort(key=lambda item: item[0])
    return [candidate for _, candidate in found]


def _said_of(children: QuerySet[Child], enrolment_list: EnrolmentList) -> list[tuple]:
    """(pk, name, pinyin, village, ID number, 就学状况, list status, school, grade) of the
    children the list says something of: not on it (status None), 辍学 or 休学, or 在读
    while the ledger says out of school; in village, pinyin and key order. One join
    of the children with the list's rows on the ID number, in the database."""
    sql, params = (
        children.order_by()
        .values("id", "name", "name_pinyin", "village_id", "id_number", "schooling")
        .query.sql_with_params()
    )
    out = sorted(OUT_OF_SCHOOL)
    rows = connection.ops.quote_name(EnrolmentRow._meta.db_table)
    query = (
        "SELECT c.id, c.name, c.name_pinyin, c.village_id, c.id_number, c.schooling,"
        " r.status, r.school, r.grade"
        f" FROM ({sql}) c LEFT JOIN {rows} r"
        " ON r.enrolment_list_id = %s AND r.id_number = c.id_number"
        " WHERE r.id IS NULL OR r.status IN (%s, %s)"
        f" OR (r.status = %s AND c.schooling IN ({', '.join(['%s'] * len(out))}))"
        " ORDER BY c.village_id, c.name_pinyin, c.id"
    )
    statuses = [EnrolmentStatus.DROPPED, EnrolmentStatus.SUSPENDED]
    with connection.cursor() as cursor:
        cursor.execute(
            query,
            [*params, enrolment_list.pk, *statuses, EnrolmentStatus.ENROLLED, *out],
        )
        return cursor.fetchall()


def _candidates_then(
    result: Comparison, rows: list[Row], lists: list[EnrolmentList]
) -> list[Candidate]:
    """A past day's ledger (rows from the history): every numbered child of a covered
    village, with what its list says (the list rows read by ID number, in chunks)."""
    result.school_age = len(rows)
    by_village: dict[str, EnrolmentList | None] = {}
    for _, _, village, _, _ in rows:
        if village not in by_village:
            by_village[village] = _list_for(village, lists)
    used = {lst.pk for lst in by_village.values() if lst is not None}
    listed: dict[tuple[int, str], Listed] = {}
    numbers = {number for _, _, _, number, _ in rows if number} if used else ()
    rows_used = EnrolmentRow.objects.filter(enrolment_list_id__in=used)
    for part in _in(rows_used, "id_number", numbers):
        for list_id, number, status, school, grade in part.values_list(
            "enrolment_list_id", "id_number", "status", "school", "grade"
        ):
            listed[list_id, number] = Listed(status, school, grade)
    candidates = []
    for pk, name, village, number, schooling in rows:
        enrolment_list = by_village[village]
        if enrolment_list is None:
            result.uncovered_villages.add(village)
        elif not number:
            result.unnumbered.append((pk, name, village))
        else:
            said = listed.get((enrolment_list.pk, number))
            candidates.append(
                (pk, name, village, number, schooling, enrolment_list, said)
            )
    return candidates


def compare(*, prefix: str, as_of: date) -> Comparison:
    """The school-age children under the area prefix on as_of, judged against the
    latest list covering each village, as things stood at the end of that day (today:
    now): the ledger then (its history for a past day), the lists uploaded by then, the
    dropout cases open then and the clearances made by then."""
    result = Comparison(as_of=as_of)
    at = min(end_of(as_of), timezone.now())
    first, last = born_between(as_of, school_age_range())
    lists = latest_lists(prefix, as_of, at=at)
    if as_of >= timezone.localdate():
        school_age = Child.objects.filter(
            access.prefix_q("village_id", prefix),
            status=ChildStatus.ACTIVE,
            birth_date__gte=first,
            birth_date__lte=last,
        )
        candidates = _candidates_now(result, school_age, lists)
        # A subquery: sending tens of thousands of keys as IN lists cost more than
        # the database's semi-join.
        child_ids = school_age.values("pk")
        open_cases = DropoutCase.objects.filter(status=DropoutStatus.OPEN)
    else:
        rows = _rows_then(prefix, as_of, first, last)
        candidates = _candidates_then(result, rows, lists)
        child_ids = {pk for pk, *_ in rows}
        open_cases = cases_open_at(DropoutCase.objects.all(), at)
    open_ids: set[int] = set()
    for part in _in(open_cases, "child_id", child_ids):
        open_ids.update(part.values_list("child_id", flat=True))
    result.dropouts_open = len(open_ids)
    if not candidates:  # nothing a list says: nothing more to read
        return result
    suspects = (
        child_ids
        if isinstance(child_ids, QuerySet)
        else {candidate[0] for candidate in candidates}
    )
    used = {candidate[5].pk for candidate in candidates}
    # When each child's latest case was closed (before `at`): a list uploaded before
    # that is outdated for the child (back in school, taught at home…).
    closed: dict[int, datetime] = {}
    closes = DropoutEvent.objects.filter(kind=DropoutEventKind.CLOSED, at__lt=at)
    for part in _in(closes, "case__child_id", suspects):
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
    for part in _in(clearances, "child_id", suspects):
        cleared.update(part.values_list("child_id", "enrolment_list_id"))
    for pk, name, village, _, schooling, enrolment_list, said in candidates:
        reason, discrepancy = judge(schooling=schooling, listed=said)
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
