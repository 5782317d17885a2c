"""The protection figures' sources for the report catalogue (reports.catalogue), per
area code of the case (a village, township or county):

- ProtectionSource (a flow): reports by their report time, the police's answers by
  the time of the answer (with the hours it took, as a histogram the quantiles are
  read from) and the actions units recorded, by their date;
- OverdueSource (a stock): the items overdue at the end of a day, replayed from the
  stored times, so that a past day is counted as it stood (see overdue_by_area).
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from shouwang.accounts import access
from shouwang.reports.catalogue import ByArea, Figure, Kind, add_value, histogram_key
from shouwang.reports.sources.ledger import end_of

from .models import Case, CaseAction, CaseEvent, DeadlinePolicy, Referral
from .vocab import INSTITUTIONAL, ActionKind, CaseEventKind, Charge, Situation

REPORTS = "protection.reports"
DECIDED = "protection.police_decided"
POLICE_HOURS = "protection.police_hours"  # the histogram of the hours to an answer
OVERDUE = "protection.overdue_items"


def situation_key(situation: str) -> str:
    return f"{REPORTS}_{situation}"


def _judged(*charges: str) -> tuple[str, str, Q]:
    return "cases", ActionKind.COURT_JUDGED, Q(charge__in=charges)


# Figure key → (the CaseAction column summed, the kind of action, which of them).
ACTION_SUMS: dict[str, tuple[str, str, Q]] = {
    "protection.rescues": ("persons", ActionKind.RESCUE, Q()),
    "protection.families_helped": ("families", ActionKind.FAMILY_HELP, Q()),
    "protection.children_helped": ("persons", ActionKind.FAMILY_HELP, Q()),
    "protection.placed_in_institution": (
        "persons",
        ActionKind.PLACEMENT,
        Q(placement__in=sorted(INSTITUTIONAL)),
    ),
    "police.hukou_registered": ("persons", ActionKind.HUKOU, Q()),
    "court.judged_cases": ("cases", ActionKind.COURT_JUDGED, Q()),
    "court.trafficking_cases": _judged(Charge.TRAFFICKING),
    "court.abuse_cases": _judged(Charge.ABUSE, Charge.INDECENCY),
    "court.indecency_cases": _judged(Charge.INDECENCY),
    "court.abandonment_cases": _judged(Charge.ABANDONMENT),
    "court.other_cases": _judged(Charge.OTHER),
    "procuratorate.arrest_cases": ("cases", ActionKind.ARREST, Q()),
    "procuratorate.arrest_persons": ("persons", ActionKind.ARREST, Q()),
    "procuratorate.prosecution_cases": ("cases", ActionKind.PROSECUTION, Q()),
    "procuratorate.prosecution_persons": ("persons", ActionKind.PROSECUTION, Q()),
}


def start_of(day: date) -> datetime:
    """The first instant of the day, in the local time zone."""
    return end_of(day - timedelta(days=1))


def hours_up(delta: timedelta) -> int:
    """Whole hours, any part of an hour counted as one (0 only for no time at all)."""
    hours, rest = divmod(max(delta, timedelta(0)), timedelta(hours=1))
    return hours + (1 if rest else 0)


class ProtectionSource:
    """Reports, police answers and actions within a period, per area of the case."""

    name = "protection"
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
        wanted = {f.key for f in figures}
        since, until = start_of(start), end_of(end)
        cases = Case.objects.filter(access.prefix_q("area_id", prefix))
        result: ByArea = {}
        if REPORTS in wanted or wanted & {situation_key(s) for s in Situation}:
            reported = (
                cases.filter(reported_at__gte=since, reported_at__lt=until)
                .values("area_id", "situation")
                .order_by()
                .annotate(n=Count("pk"))
            )
            for row in reported:
                add_value(result, row["area_id"], REPORTS, row["n"])
                add_value(
                    result, row["area_id"], situation_key(row["situation"]), row["n"]
                )
        if DECIDED in wanted:
            answered = cases.filter(
                police_decided_at__gte=since, police_decided_at__lt=until
            ).values_list("area_id", "reported_at", "police_decided_at")
            for code, reported_at, decided_at in answered.iterator():
                hours = hours_up(decided_at - reported_at)
                add_value(result, code, DECIDED, 1)
                add_value(result, code, histogram_key(POLICE_HOURS, hours), 1)
        sums = {k: v for k, v in ACTION_SUMS.items() if k in wanted}
        if sums:
            keys = list(sums)
            rows = (
                CaseAction.objects.filter(access.prefix_q("area_id", prefix))
                .filter(occurred_on__gte=start, occurred_on__lte=end)
                .filter(kind__in=sorted({kind for _, kind, _ in sums.values()}))
                .values("area_id")
                .order_by()
                .annotate(
                    **{
                        f"n{i}": Sum(column, filter=Q(kind=kind) & which)
                        for i, (column, kind, which) in enumerate(sums.values())
                    }
                )
            )
            for row in rows:
                for i, key in enumerate(keys):
                    add_value(result, row["area_id"], key, row[f"n{i}"] or 0)
        return result

    def entered_since(self, *, prefix: str, period, since) -> bool:
        """Whether reports or police answers dated in the period (stamped when
        entered), or actions dated in it, were entered after `since`."""
        first, until = start_of(period.start), end_of(period.end)
        cases = Case.objects.filter(access.prefix_q("area_id", prefix))
        reported = Q(reported_at__gt=since) & Q(
            reported_at__gte=first, reported_at__lt=until
        )
        answered = Q(police_decided_at__gt=since) & Q(
            police_decided_at__gte=first, police_decided_at__lt=until
        )
        return (
            cases.filter(reported | answered).exists()
            or CaseAction.objects.filter(
                access.prefix_q("area_id", prefix),
                created_at__gt=since,
                occurred_on__gte=period.start,
                occurred_on__lte=period.end,
            ).exists()
        )


# Overdue items ---------------------------------------------------------------------------


def _event(kinds: Iterable[str], **at) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=list(kinds), **at)


def _policies(prefix: str) -> list[tuple[dict[str, int], Q]]:
    """Each set of time limits in force under prefix, with the cases it applies to
    (counties without their own: the defaults)."""
    own: dict[tuple[int, int, int], list[str]] = {}
    fields = list(DeadlinePolicy.DEFAULTS)
    for county, *limits in DeadlinePolicy.objects.values_list("county_id", *fields):
        own.setdefault(tuple(limits), []).append(county)
    groups = [
        (dict(zip(fields, limits, strict=True)), Q(county_id__in=counties))
        for limits, counties in own.items()
    ]
    named = [c for counties in own.values() for c in counties]
    groups.append((dict(DeadlinePolicy.DEFAULTS), ~Q(county_id__in=named)))
    return groups


def overdue_by_area(prefix: str, at: datetime) -> ByArea:
    """The items overdue at the moment `at`, per area of the case: a report the police
    had not answered, feedback to the reporting unit not given, an assessment not
    made, a referral not accepted or rejected, each past its deadline then. Replayed
    from the stored times: the report, the police's answer, the case's timeline
    (feedback, assessments, closing and reopening) and each referral's answer or
    revocation. A deadline still open today is its stored one (as the supervision
    list has it); one met since is recomputed with the county's time limits now in
    force, from the time its clock started."""
    result: ByArea = {}
    cases = (
        Case.objects.filter(access.prefix_q("area_id", prefix), reported_at__lt=at)
        .exclude(closed_at__lte=at)  # closed then and ever since: nothing open
        .annotate(
            answered=Exists(_event([CaseEventKind.FEEDBACK], at__lte=at)),
            closed=Exists(_event([CaseEventKind.CLOSED], at__lte=at)),
            reopened_later=Exists(_event([CaseEventKind.REOPENED], at__gt=at)),
            clock=Coalesce(
                Subquery(
                    _event([CaseEventKind.REOPENED], at__lte=at)
                    .order_by("-at")
                    .values("at")[:1]
                ),
                F("reported_at"),
            ),
        )
        .annotate(
            assessed=Exists(
                _event(
                    [CaseEventKind.ASSESSED, CaseEventKind.CLOSED],
                    at__gte=OuterRef("clock"),
                    at__lte=at,
                )
            )
        )
    )
    for limits, county_q in _policies(prefix):
        police = timedelta(hours=limits["police_accept_hours"])
        feedback = timedelta(days=limits["feedback_days"])
        assessment = timedelta(days=limits["assessment_days"])
        mine = cases.filter(county_q)
        late = {
            "police": mine.filter(
                Q(police_decided_at__isnull=True) | Q(police_decided_at__gt=at),
                Q(police_due_at__lt=at)
                | Q(police_due_at__isnull=True, reported_at__lt=at - police),
            ),
            "feedback": mine.filter(
                Q(police_decided_at__lte=at),
                Q(answered=False, closed=False),
                Q(feedback_due_at__lt=at)
                | Q(feedback_due_at__isnull=True, police_decided_at__lt=at - feedback),
            ),
            "assessment": mine.filter(
                Q(assessed=False),
                Q(assessment_due_at__lt=at, reopened_later=False)
                | (
                    (Q(assessment_due_at__isnull=True) | Q(reopened_later=True))
                    & Q(clock__lt=at - assessment)
                ),
            ),
        }
        for queryset in late.values():
            for code, n in (
                queryset.values("area_id").order_by().annotate(n=Count("pk"))
            ).values_list("area_id", "n"):
                add_value(result, code, OVERDUE, n)
    referrals = (
        Referral.objects.filter(
            access.prefix_q("case__area_id", prefix),
            created_at__lte=at,
            respond_by__lt=at,
        )
        .exclude(responded_at__lte=at)
        .exclude(revoked_at__lte=at)
        .values("case__area_id")
        .order_by()
        .annotate(n=Count("pk"))
    )
    for code, n in referrals.values_list("case__area_id", "n"):
        add_value(result, code, OVERDUE, n)
    return result


class OverdueSource:
    """Items overdue at the end of a day (today: now), per area of the case."""

    name = "protection_overdue"
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
        # Today ends later: what is overdue now, not what will be by midnight.
        return overdue_by_area(prefix, min(end_of(day), timezone.now()))
