"""Visits within a period, per village of the visit."""

from datetime import date

from django.db.models import Count

from shouwang.accounts import access
from shouwang.visits.models import Visit

from ..catalogue import ByArea, Figure, Kind

COUNTS = {
    "visits.recorded": lambda: Count("pk"),
    "visits.children_visited": lambda: Count("child_id", distinct=True),
}


class VisitSource:
    name = "visits"
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
        keys = [f.key for f in figures]
        rows = (
            Visit.objects.filter(access.prefix_q("village_id", prefix))
            .filter(visit_date__gte=start, visit_date__lte=end)
            .values("village_id")
            .order_by()
            .annotate(**{f"n{i}": COUNTS[key]() for i, key in enumerate(keys)})
        )
        return {
            row["village_id"]: {
                key: row[f"n{i}"] for i, key in enumerate(keys) if row[f"n{i}"]
            }
            for row in rows
        }

    def entered_since(self, *, prefix: str, period, since) -> bool:
        """Whether visits dated in the period were entered after `since` (stored
        counts of the period are then out of date)."""
        return (
            Visit.objects.filter(
                created_at__gt=since,
                visit_date__gte=period.start,
                visit_date__lte=period.end,
            )
            .filter(access.prefix_q("village_id", prefix))
            .exists()
        )
