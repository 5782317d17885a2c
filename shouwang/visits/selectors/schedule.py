"""Reads for schedules: the viewer's worklist of visits due, overdue rates by area and
the county visit policy in force, each cut to the viewer's jurisdiction.

"Overdue" is a next due date before the as-of date; a child due on the day is due
today, not overdue (INTERPRET_DUE_AT_ONCE in registry.policy counts the same way).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.areas.selectors import area_get_for
from shouwang.registry import policy
from shouwang.registry.models import Child, ChildStatus, VisitPolicy
from shouwang.registry.selectors import child_list_for

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class DueCounts:
    overdue: int = 0
    today: int = 0
    soon: int = 0  # due after today, within DUE_SOON_DAYS days

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.soon


@dataclass
class DueWorklist:
    """The children to visit (a lazy queryset, by due date) and their counts."""

    as_of: date
    children: QuerySet[Child]
    counts: DueCounts


def due_label(due: date, as_of: date) -> tuple[str, str]:
    """(kind, Chinese label) of a due date seen on as_of: overdue / today / soon."""
    days = (due - as_of).days
    if days < 0:
        return "overdue", f"逾期{-days}天"
    if days == 0:
        return "today", "今天"
    return "soon", f"{days}天后"


def _due_counts(children: QuerySet[Child], as_of: date) -> DueCounts:
    soon_until = as_of + timedelta(days=DUE_SOON_DAYS)
    # COUNT(next_visit_due), never null here, not COUNT(id): the counts then come
    # from the (status, village, next_visit_due) index alone, without the table.
    row = children.aggregate(
        overdue=Count("next_visit_due", filter=Q(next_visit_due__lt=as_of)),
        today=Count("next_visit_due", filter=Q(next_visit_due=as_of)),
        soon=Count(
            "next_visit_due",
            filter=Q(next_visit_due__gt=as_of, next_visit_due__lte=soon_until),
        ),
    )
    return DueCounts(**row)


def due_worklist_for(*, viewer, as_of: date | None = None) -> DueWorklist:
    """我的待走访: active children in the viewer's jurisdiction (a director's village)
    due by as_of + 7 days, overdue first (oldest due first), then today, then soon;
    empty for roles that may not read children."""
    as_of = as_of or timezone.localdate()
    children = child_list_for(viewer=viewer).filter(
        status=ChildStatus.ACTIVE,
        next_visit_due__lte=as_of + timedelta(days=DUE_SOON_DAYS),
    )
    return DueWorklist(
        as_of=as_of,
        children=children.select_related("village__parent").order_by(
            "next_visit_due", "village_id", "name_pinyin", "id"
        ),
        counts=_due_counts(children, as_of),
    )


def followups_for(*, viewer) -> QuerySet[Child]:
    """待跟进: active children in the viewer's jurisdiction whose latest visit asked for
    a follow-up (its deadline set), earliest deadline first; empty for roles that may
    not read children."""
    return (
        child_list_for(viewer=viewer)
        .filter(status=ChildStatus.ACTIVE, visit_followup_due__isnull=False)
        .select_related("village__parent")
        .order_by("visit_followup_due", "village_id", "name_pinyin", "id")
    )


def overdue_children_for(
    *, viewer, area_code: str = "", as_of: date | None = None
) -> tuple[Area | None, QuerySet[Child]]:
    """The area (the viewer's own when not given) and its active children overdue on
    as_of, oldest due first; 404 for an area outside the jurisdiction."""
    as_of = as_of or timezone.localdate()
    area = _area_for(viewer, area_code)
    children = child_list_for(viewer=viewer).filter(
        status=ChildStatus.ACTIVE, next_visit_due__lt=as_of
    )
    if area is not None:
        children = children.filter(
            access.prefix_q("village_id", codes.prefix_of(area.code))
        )
    return area, children.select_related("village__parent").order_by(
        "next_visit_due", "village_id", "name_pinyin", "id"
    )


@dataclass
class RateRow:
    code: str
    name: str
    level: str
    scheduled: int = 0  # active children with a due date
    overdue: int = 0
    due_soon: int = 0  # due from as_of to as_of + 7 days

    @property
    def rate(self) -> float | None:
        """Overdue ÷ scheduled in percent, one decimal; None without a schedule."""
        if not self.scheduled:
            return None
        return round(self.overdue * 100 / self.scheduled, 1)


@dataclass
class OverdueRates:
    area: Area | None
    as_of: date
    rows: list[RateRow] = field(default_factory=list)
    total: RateRow | None = None

    @property
    def by_village(self) -> bool:
        return bool(self.rows) and self.rows[0].level == AreaLevel.VILLAGE


def _area_for(viewer, area_code: str) -> Area | None:
    """The area asked for (404 outside the jurisdiction), else the viewer's own."""
    if area_code:
        if not codes.is_code(area_code):
            raise Http404("区划不存在或不在您的管辖范围内。")
        return area_get_for(viewer=viewer, code=area_code)
    return access.jurisdiction_area(viewer)


def _unit_digits(area: Area) -> int:
    """How many code digits name the areas one level below (a village: itself). The
    level of the areas actually below decides, for cities without counties."""
    if area.level == AreaLevel.VILLAGE:
        return codes.LEVEL_DIGITS[codes.Level.VILLAGE]
    below = Area.objects.filter(parent=area).values_list("level", flat=True).first()
    level = codes.Level(below) if below else codes.next_level(codes.Level(area.level))
    return codes.LEVEL_DIGITS[level]


def overdue_rates_for(
    *, viewer, area_code: str = "", as_of: date | None = None
) -> OverdueRates:
    """Children with a schedule, overdue, the overdue rate and those due within 7 days
    for each area one level below the area (the viewer's own by default; a village
    gives itself), with a total; one grouped query. 404 outside the jurisdiction;
    nothing for roles without VIEW_CHILD_STATS."""
    as_of = as_of or timezone.localdate()
    if not access.has_perm(viewer, access.Perm.VIEW_CHILD_STATS):
        return OverdueRates(area=None, as_of=as_of)
    area = _area_for(viewer, area_code)
    if area is None:  # the whole country: no casework role has it
        return OverdueRates(area=None, as_of=as_of)
    digits = _unit_digits(area)
    soon_until = as_of + timedelta(days=DUE_SOON_DAYS)
    children = access.scope(
        viewer,
        Child.objects.filter(
            status=ChildStatus.ACTIVE, next_visit_due__isnull=False
        ).filter(access.prefix_q("village_id", codes.prefix_of(area.code))),
        "village_id",
    )
    # COUNT(next_visit_due) as above: an index-only scan of child_status_due.
    grouped = (
        children.annotate(unit=Substr("village_id", 1, digits))
        .values("unit")
        .annotate(
            scheduled=Count("next_visit_due"),
            overdue=Count("next_visit_due", filter=Q(next_visit_due__lt=as_of)),
            due_soon=Count(
                "next_visit_due",
                filter=Q(next_visit_due__gte=as_of, next_visit_due__lte=soon_until),
            ),
        )
        .order_by()
    )
    counts = {row["unit"]: row for row in grouped}
    if area.level == AreaLevel.VILLAGE:
        units = [area]
    else:
        units = list(Area.objects.filter(parent=area).order_by("code"))
    rows = []
    for unit in units:
        found = counts.get(unit.code[:digits], {})
        rows.append(
            RateRow(
                code=unit.code,
                name=unit.name,
                level=unit.level,
                scheduled=found.get("scheduled", 0),
                overdue=found.get("overdue", 0),
                due_soon=found.get("due_soon", 0),
            )
        )
    total = RateRow(
        code=area.code,
        name="合计",
        level=area.level,
        scheduled=sum(r["scheduled"] for r in counts.values()),
        overdue=sum(r["overdue"] for r in counts.values()),
        due_soon=sum(r["due_soon"] for r in counts.values()),
    )
    return OverdueRates(area=area, as_of=as_of, rows=rows, total=total)


@dataclass(frozen=True)
class CountyPolicy:
    """A county's intervals in force: its own VisitPolicy, else the defaults."""

    county: Area
    high_days: int
    medium_days: int
    low_days: int
    is_default: bool
    updated_at: object = None
    updated_by: str = ""


DEFAULTS = {
    "high_days": policy.DEFAULT_INTERVALS["高"],
    "medium_days": policy.DEFAULT_INTERVALS["中"],
    "low_days": policy.DEFAULT_INTERVALS["低"],
}


def policy_counties_for(*, viewer) -> list[Area]:
    """The counties whose visit policy the viewer may read: those in the jurisdiction,
    or the county the viewer's township or village lies in."""
    if not access.has_perm(viewer, access.Perm.VIEW_CHILD_STATS):
        return []
    within = list(
        access.scope(
            viewer, Area.objects.filter(level=AreaLevel.COUNTY), "code"
        ).order_by("code")
    )
    if within or not viewer.area_id:
        return within
    above = Area.objects.filter(
        level=AreaLevel.COUNTY, code=codes.pad(viewer.area_id[:6])
    )
    return list(above)


def county_policy_for(*, viewer, county_code: str) -> CountyPolicy:
    """The visit intervals in force in a county the viewer may read (see
    policy_counties_for); 404 for any other code."""
    county = next(
        (c for c in policy_counties_for(viewer=viewer) if c.code == county_code), None
    )
    if county is None:
        raise Http404("县（市、区）不存在或不在您的管辖范围内。")
    own = VisitPolicy.objects.filter(county=county).select_related("updated_by").first()
    if own is None:
        return CountyPolicy(county=county, is_default=True, **DEFAULTS)
    return CountyPolicy(
        county=county,
        high_days=own.high_days,
        medium_days=own.medium_days,
        low_days=own.low_days,
        is_default=False,
        updated_at=own.updated_at,
        updated_by=own.updated_by.display_name,
    )


def due_in_area(*, area_code: str, as_of: date) -> QuerySet[Child]:
    """Active children of an area overdue or due on as_of, by due date: for the
    command line, whose operator runs the server (no viewer to cut by)."""
    return (
        Child.objects.filter(status=ChildStatus.ACTIVE, next_visit_due__lte=as_of)
        .filter(access.prefix_q("village_id", codes.prefix_of(area_code)))
        .select_related("village")
        .order_by("next_visit_due", "village_id", "name_pinyin", "id")
    )
