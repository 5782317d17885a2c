"""The dropout-control figures' sources for the report catalogue (reports.catalogue),
per village of the record:

- SchoolAge (a predicate the ledger source counts): active children aged 6–15 at the
  day's end, from the birth date the ledger's row (or its history snapshot) holds;
- DropoutsOpenSource (a stock): cases open at the end of a day, replayed from the
  case's registration and its close / reopen events, and cases closed then as
  returned to school (cumulative);
- SuspectedSource (a stock): children suspected out of school at the end of a day,
  compared as things stood then (schooling.comparison.compare);
- SchoolingSource (a flow): cases registered in the period by reason, cases closed
  as returned to school by their outcome date (and of those, children of families
  under 低保, 特困供养, 建档立卡 or 防返贫监测), and suspects cleared by reason.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from shouwang.accounts import access
from shouwang.registry.models import Child
from shouwang.registry.vocab import Assistance
from shouwang.reports.catalogue import ByArea, Figure, Kind, add_value
from shouwang.reports.predicates import Predicate
from shouwang.reports.sources.ledger import end_of

from .comparison import born_between, cases_open_at, compare, school_age_range
from .models import DropoutCase, DropoutEvent, SuspectClearance
from .vocab import ClearReason, DropoutEventKind, DropoutOutcome, DropoutReason

SCHOOL_AGE = "schooling.school_age"
DROPOUTS_OPEN = "schooling.dropouts_open"
RETURNED = "schooling.returned"
RETURNED_POOR = "schooling.returned_poor"
RETURNED_TOTAL = "schooling.returned_total"
SUSPECTED = "schooling.suspected"
REGISTERED = "schooling.dropouts_registered"
CLEARED = "schooling.suspects_cleared"

# The family assistance that makes a returned child one of a poor family.
POOR = frozenset(
    {
        Assistance.DIBAO,
        Assistance.TEKUN,
        Assistance.REGISTERED_POOR,
        Assistance.POVERTY_MONITORING,
    }
)


def reason_key(reason: str) -> str:
    """The figure key of dropouts registered for one reason."""
    return f"{REGISTERED}_{DropoutReason(reason).name.lower()}"


def cleared_key(reason: str) -> str:
    """The figure key of suspects cleared for one reason."""
    return f"{CLEARED}_{ClearReason(reason).name.lower()}"


@dataclass(frozen=True)
class SchoolAge(Predicate):
    """The child is of compulsory-school age (settings.SCHOOL_AGE) on the as-of day."""

    def q(self, as_of: date) -> Q:
        first, last = born_between(as_of, school_age_range())
        return Q(birth_date__gte=first, birth_date__lte=last)

    def test(self, row: Mapping[str, Any], as_of: date) -> bool:
        born = row["birth_date"]
        if isinstance(born, str):  # a history snapshot's date is ISO text
            born = date.fromisoformat(born)
        first, last = born_between(as_of, school_age_range())
        return born is not None and first <= born <= last


def start_of(day: date) -> datetime:
    """The first instant of the day, in the local time zone."""
    return end_of(day - timedelta(days=1))


def open_by_area(prefix: str, at) -> ByArea:
    """Per village, the dropout cases open at the moment `at`, and the cases closed
    then as returned to school (销号“返校复学”) with an outcome date by then."""
    cases = cases_open_at(
        DropoutCase.objects.filter(access.prefix_q("village_id", prefix)), at
    )
    result: ByArea = {}
    for code, n in (
        cases.values("village_id").order_by().annotate(n=Count("pk"))
    ).values_list("village_id", "n"):
        add_value(result, code, DROPOUTS_OPEN, n)
    returned = (
        DropoutCase.objects.filter(
            access.prefix_q("village_id", prefix),
            outcome=DropoutOutcome.RETURNED,
            outcome_on__lt=timezone.localtime(at).date() + timedelta(days=1),
            created_at__lt=at,
        )
        .exclude(pk__in=cases.values("pk"))
        .values("village_id")
        .order_by()
        .annotate(n=Count("pk"))
    )
    for code, n in returned.values_list("village_id", "n"):
        add_value(result, code, RETURNED_TOTAL, n)
    return result


class DropoutsOpenSource:
    """Dropout cases open, and returned to school so far, at the end of a day (today:
    now), per village."""

    name = "schooling_open"
    kind = Kind.STOCK

    def compute(
        self,
        figures: list[Figure],
        *,
        prefix: str,
        day: date | None = None,
        start: date | None = None,
        end: date | None = None,
        live: bool = False,
    ) -> ByArea:
        return open_by_area(prefix, min(end_of(day), timezone.now()))


class SchoolingSource:
    """Dropouts registered, returned to school, and suspects cleared in a period."""

    name = "schooling"
    kind = Kind.FLOW

    def compute(
        self,
        figures: list[Figure],
        *,
        prefix: str,
        day: date | None = None,
        start: date | None = None,
        end: date | None = None,
        live: bool = False,
    ) -> ByArea:
        since, until = start_of(start), end_of(end)
        cases = DropoutCase.objects.filter(access.prefix_q("village_id", prefix))
        result: ByArea = {}
        registered = (
            cases.filter(created_at__gte=since, created_at__lt=until)
            .values("village_id", "reason")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in registered:
            add_value(result, row["village_id"], REGISTERED, row["n"])
            add_value(result, row["village_id"], reason_key(row["reason"]), row["n"])
        returned = cases.filter(
            outcome=DropoutOutcome.RETURNED, outcome_on__gte=start, outcome_on__lte=end
        ).values_list("village_id", "child_id")
        returned = list(returned)
        assistance = dict(
            Child.objects.filter(pk__in={child for _, child in returned}).values_list(
                "pk", "family_assistance"
            )
        )
        for code, child in returned:
            add_value(result, code, RETURNED, 1)
            if POOR & set(assistance.get(child) or ()):
                add_value(result, code, RETURNED_POOR, 1)
        cleared = (
            SuspectClearance.objects.filter(access.prefix_q("village_id", prefix))
            .filter(created_at__gte=since, created_at__lt=until)
            .values("village_id", "reason")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in cleared:
            add_value(result, row["village_id"], CLEARED, row["n"])
            add_value(result, row["village_id"], cleared_key(row["reason"]), row["n"])
        return result

    def entered_since(self, *, prefix: str, period, since) -> bool:
        """Whether cases registered or clearances made in the period (stamped when
        entered), or cases closed since with an outcome date in it, were entered after
        `since`; a reopening since (which takes a return back) counts too."""
        first, until = start_of(period.start), end_of(period.end)
        area = access.prefix_q("village_id", prefix)
        return (
            DropoutCase.objects.filter(area)
            .filter(
                Q(created_at__gt=since, created_at__gte=first, created_at__lt=until)
                | Q(
                    closed_at__gt=since,
                    outcome_on__gte=period.start,
                    outcome_on__lte=period.end,
                )
            )
            .exists()
            or SuspectClearance.objects.filter(
                area, created_at__gt=since, created_at__gte=first, created_at__lt=until
            ).exists()
            or DropoutEvent.objects.filter(
                access.prefix_q("case__village_id", prefix),
                kind=DropoutEventKind.REOPENED,
                at__gt=since,
            ).exists()
        )


class SuspectedSource:
    """Children suspected out of school at the end of a day (三比对 as things stood
    then: schooling.comparison), per village."""

    name = "schooling_suspected"
    kind = Kind.STOCK

    def compute(
        self,
        figures: list[Figure],
        *,
        prefix: str,
        day: date | None = None,
        start: date | None = None,
        end: date | None = None,
        live: bool = False,
    ) -> ByArea:
        result: ByArea = {}
        for suspect in compare(prefix=prefix, as_of=day).suspected:
            add_value(result, suspect.village_id, SUSPECTED, 1)
        return result
