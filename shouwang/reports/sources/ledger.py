"""The ledger as it stood at the end of a day: today's stored rows, or the rows rebuilt
from the history for a past day, classified at that day's age.

Live (today): one grouped query over the stored classification columns, which every
write and the nightly reclassification keep current. Past day: each child's record is
the current row when nothing changed since the end of that day, else the snapshot of
its last change before then (ChildChange); the policy classifies it at that day, and
its next visit falls due by the visits on record up to that day. A child counts where
its record placed it that day (a move to another village is followed)."""

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from shouwang.accounts import access
from shouwang.registry import policy
from shouwang.registry.models import Child, ChildChange, ChildStatus
from shouwang.registry.services import (
    CountySettings,
    classification_values,
    facts_from_values,
)
from shouwang.registry.services.classification import FACTS_READ
from shouwang.visits.models import Visit

from ..catalogue import FIGURES, ByArea, Figure, Kind, Values

CHUNK = 2000
ROW_FIELDS = ("pk", "village_id", "status", "created_at", *FACTS_READ)


def end_of(day: date) -> datetime:
    """The first instant after the day, in the local time zone."""
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def records_as_of(
    day: date, prefix: str, fields: tuple[str, ...] = ROW_FIELDS
) -> Iterator[dict[str, Any]]:
    """Every child record in the area as it stood at the end of the day (any status):
    the stored row's fields when nothing changed since, else the whole snapshot of the
    last change before then (history fields, dates as ISO text)."""
    end = end_of(day)
    area_q = access.prefix_q("village_id", prefix)
    changed = set(
        ChildChange.objects.filter(at__gte=end)
        .filter(access.prefix_q("child__village_id", prefix))
        .values_list("child_id", flat=True)
        .distinct()
    )
    # Children elsewhere now whose record sat in the area that day: moved out since.
    changed |= set(
        ChildChange.objects.filter(
            at__gte=end, changes__village_id__0__startswith=prefix
        )
        .values_list("child_id", flat=True)
        .distinct()
    )
    current = (
        Child.objects.filter(area_q, created_at__lt=end)
        .values(*fields)
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )
    for row in current:
        if row["pk"] not in changed:
            yield row
    for ids in _chunks(sorted(changed)):
        seen: set[int] = set()
        rows = (
            ChildChange.objects.filter(child_id__in=ids, at__lt=end)
            .order_by("child_id", "-at", "-id")
            .values_list("child_id", "snapshot")
        )
        for child_id, snap in rows.iterator(chunk_size=CHUNK):
            if child_id in seen:
                continue
            seen.add(child_id)
            if snap.get("village_id", "").startswith(prefix):
                yield {"pk": child_id, **snap}


def _latest_visits(ids: list[int], day: date) -> dict[int, tuple[date, date | None]]:
    """Each child's latest visit on or before the day: (date, follow-up due or None)."""
    found: dict[int, tuple[date, date | None]] = {}
    visits = (
        Visit.objects.filter(child_id__in=ids, visit_date__lte=day)
        .order_by("child_id", "-visit_date", "-id")
        .values_list("child_id", "visit_date", "followup_needed", "followup_due")
    )
    if connection.vendor == "postgresql":
        visits = visits.distinct("child_id")
    for child_id, visit_date, needed, due in visits:
        if child_id not in found:
            found[child_id] = (visit_date, due if needed else None)
    return found


def rows_as_of(day: date, prefix: str) -> Iterator[dict[str, Any]]:
    """The active children of the area at the end of a past day, as rows of the
    stored columns the figures count (classification and schedule for that day)."""
    settings_for = CountySettings()
    pending: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        ids = [r["pk"] for r in pending]
        visits = _latest_visits(ids, day)
        created = dict(
            Child.objects.filter(
                pk__in=[r["pk"] for r in pending if "created_at" not in r]
            ).values_list("pk", "created_at")
        )
        for record in pending:
            result = policy.classify(
                facts_from_values(record), day, settings_for(record["village_id"])
            )
            row = classification_values(result)
            last, follow_up = visits.get(record["pk"], (None, None))
            registered = record.get("created_at") or created[record["pk"]]
            row["next_visit_due"] = policy.next_visit_due(
                interval_days=result.visit_interval_days,
                last_visit=last,
                follow_up=follow_up,
                registered_on=timezone.localtime(registered).date(),
            )
            row.update(
                pk=record["pk"],  # for sources that join the child to their records
                village_id=record["village_id"],
                birth_date=record["birth_date"],  # for age predicates (SchoolAge)
                status=ChildStatus.ACTIVE.value,
                guardian_relation=record["guardian_relation"],
                confirmation_signed=record["confirmation_signed"],
            )
            yield row
        pending.clear()

    for record in records_as_of(day, prefix):
        if record["status"] != ChildStatus.ACTIVE:
            continue
        pending.append(record)
        if len(pending) >= CHUNK:
            yield from flush()
    if pending:
        yield from flush()


def count_children(children, keys: Iterable[str], *, as_of: date) -> Values:
    """The ledger figures (keys) counted over a queryset of children, in one query:
    for pages that count a set other than an area's (my children, a worklist)."""
    figures = [FIGURES[key] for key in keys]
    aliases = {f"n{i}": figure for i, figure in enumerate(figures)}
    row = children.order_by().aggregate(
        **{a: Count("pk", filter=f.count.q(as_of)) for a, f in aliases.items()}
    )
    return {figure.key: row[alias] for alias, figure in aliases.items()}


def count_children_by(
    children, field: str, keys: Iterable[str], *, as_of: date
) -> dict[str, Values]:
    """count_children grouped by the value of an expression or field (e.g. a prefix
    of the village code annotated as `field`)."""
    figures = [FIGURES[key] for key in keys]
    aliases = {f"n{i}": figure for i, figure in enumerate(figures)}
    rows = (
        children.order_by()
        .values(field)
        .annotate(
            **{a: Count("pk", filter=f.count.q(as_of)) for a, f in aliases.items()}
        )
    )
    return {
        row[field]: {figure.key: row[alias] for alias, figure in aliases.items()}
        for row in rows
    }


class LedgerSource:
    """Counts of active children by the figures' predicates, per village."""

    name = "ledger"
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
        if live:
            return self._live(figures, prefix, day)
        counts: ByArea = {}
        for row in rows_as_of(day, prefix):
            village = counts.setdefault(row["village_id"], {})
            for figure in figures:
                if figure.count.test(row, day):
                    village[figure.key] = village.get(figure.key, 0) + 1
        return counts

    def _live(self, figures: list[Figure], prefix: str, day: date) -> ByArea:
        children = Child.objects.filter(access.prefix_q("village_id", prefix)).filter(
            status=ChildStatus.ACTIVE
        )
        by_village = count_children_by(
            children, "village_id", [f.key for f in figures], as_of=day
        )
        return {
            village: {key: n for key, n in values.items() if n}
            for village, values in by_village.items()
        }
