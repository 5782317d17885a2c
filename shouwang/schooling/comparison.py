"""三比对: the school-age ledger children against the latest school registration list
covering their village. `judge` is the rule for one child (pure); `compare` applies it
to an area on a date.

- school-age (适龄): 6 to 15 on the as-of date (settings.SCHOOL_AGE may change it);
- suspected out of school: not on the list, or on it as 辍学 or 休学 — unless a
  dropout case is open for the child (already registered) or the suspicion was
  cleared for that list;
- a discrepancy: the ledger's 就学状况 says otherwise than the list (ledger 初中, list
  辍学; ledger 辍学, list 在读), for the director to resolve;
- children without an ID number cannot be matched: listed for a manual check;
- villages no list covers are not judged (nothing to compare with).
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.vocab import Schooling

from .models import DropoutCase, EnrolmentList, EnrolmentRow, SuspectClearance
from .vocab import INTERPRET_SCHOOL_AGE, DropoutStatus, EnrolmentStatus, SuspectReason

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


def latest_lists(prefix: str, as_of: date) -> list[EnrolmentList]:
    """The lists that may cover villages under prefix (lists of the area itself, of an
    area above it, or of an area inside it) dated on or before as_of, newest first."""
    above = [codes.pad(prefix), *codes.ancestors(codes.pad(prefix))] if prefix else []
    within = access.prefix_q("area_id", prefix)
    return list(
        EnrolmentList.objects.filter(
            Q(area_id__in=above) | within, listed_on__lte=as_of
        ).order_by("-listed_on", "-id")
    )


def _list_for(village: str, lists: list[EnrolmentList]) -> EnrolmentList | None:
    for enrolment_list in lists:  # newest first
        if village.startswith(codes.prefix_of(enrolment_list.area_id)):
            return enrolment_list
    return None


def compare(
    *, children: QuerySet[Child] | None = None, prefix: str, as_of: date
) -> Comparison:
    """The school-age children under the area prefix on as_of, judged against the
    latest list covering each village."""
    result = Comparison(as_of=as_of)
    first, last = born_between(as_of, school_age_range())
    if children is None:
        children = Child.objects.filter(access.prefix_q("village_id", prefix))
    school_age = children.filter(
        status=ChildStatus.ACTIVE, birth_date__gte=first, birth_date__lte=last
    )
    rows = list(
        school_age.values_list(
            "pk", "name", "village_id", "id_number", "schooling"
        ).order_by("village_id", "name_pinyin", "pk")
    )
    result.school_age = len(rows)
    lists = latest_lists(prefix, as_of)
    by_village = {}
    for _, _, village, _, _ in rows:
        if village not in by_village:
            by_village[village] = _list_for(village, lists)
    used = {lst.pk for lst in by_village.values() if lst is not None}
    # The list rows of these children: one semi-join in the database (sending tens of
    # thousands of ID numbers as IN lists cost more than the join).
    listed: dict[tuple[int, str], Listed] = {
        (list_id, number): Listed(status, school, grade)
        for list_id, number, status, school, grade in EnrolmentRow.objects.filter(
            enrolment_list_id__in=used,
            id_number__in=school_age.exclude(id_number=None).values("id_number"),
        ).values_list("enrolment_list_id", "id_number", "status", "school", "grade")
    }
    child_ids = school_age.values("pk")  # a subquery, as above
    open_cases = set(
        DropoutCase.objects.filter(
            child_id__in=child_ids, status=DropoutStatus.OPEN
        ).values_list("child_id", flat=True)
    )
    result.dropouts_open = len(open_cases)
    cleared = set(
        SuspectClearance.objects.filter(
            child_id__in=child_ids, enrolment_list_id__in=used
        ).values_list("child_id", "enrolment_list_id")
    )
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
        if reason and pk not in open_cases and (pk, enrolment_list.pk) not in cleared:
            result.suspected.append(
                Suspect(pk, name, village, reason, enrolment_list.pk)
            )
    return result
