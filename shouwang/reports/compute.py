"""Figures for an area and a period, from the catalogue's sources and the stored daily
snapshots. No access checks here: selectors (viewers) and commands (the operator)
call in after deciding who may ask.

Stocks are taken at the end of the period's last day: today from the live ledger,
a past day from its FigureSnapshot rows, computed from history when missing. Flows
are counted over the period from their dated records. Rates follow from the two
figures they divide."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.registry.models import ChildChange
from shouwang.visits.models import Visit

from . import catalogue
from .catalogue import ByArea, Kind, Values, add_into
from .models import FigureSnapshot, PeriodFigures
from .periods import Period
from .sources.ledger import count_children as count_children
from .sources.ledger import count_children_by as count_children_by
from .sources.ledger import end_of

LEVEL_ORDER = [level.value for level in AreaLevel]  # province … village


def _compute(kind: Kind, *, prefix: str, **when) -> ByArea:
    result: ByArea = {}
    for name, figures in catalogue.by_source().items():
        source = catalogue.SOURCES[name]
        if source.kind != kind:
            continue
        for code, values in source.compute(figures, prefix=prefix, **when).items():
            add_into(result.setdefault(code, {}), values)
    return result


def stock_by_area(prefix: str, day: date, *, live: bool) -> ByArea:
    """Every stock source's values per area code under prefix at the end of day."""
    return _compute(Kind.STOCK, prefix=prefix, day=day, live=live)


def flow_by_area(prefix: str, period: Period) -> ByArea:
    """Every flow source's values per area code under prefix within the period."""
    return _compute(Kind.FLOW, prefix=prefix, start=period.start, end=period.end)


def total(by_area: ByArea) -> Values:
    result: Values = {}
    for values in by_area.values():
        add_into(result, values)
    return result


def group_by(by_area: ByArea, units: Iterable[Area]) -> dict[str, Values]:
    """The values summed into each unit (an area whose prefix the codes start with)."""
    prefixes = {codes.prefix_of(unit.code): unit.code for unit in units}
    lengths = sorted({len(p) for p in prefixes}, reverse=True)
    result: dict[str, Values] = {code: {} for code in prefixes.values()}
    for code, values in by_area.items():
        for length in lengths:
            unit = prefixes.get(code[:length])
            if unit is not None:
                add_into(result[unit], values)
                break
    return result


# Snapshots ------------------------------------------------------------------------------


def computation_units(area: Area | None) -> list[str]:
    """The prefixes a day is computed in: each county under the area (a city without
    counties counts as one), or the county the area lies in."""
    if area is not None and LEVEL_ORDER.index(area.level) >= LEVEL_ORDER.index(
        AreaLevel.COUNTY
    ):
        return [codes.prefix_of(codes.pad(area.code[:6]))]
    within = Area.objects.filter(level=AreaLevel.COUNTY)
    if area is not None:
        within = within.filter(access.prefix_q("code", codes.prefix_of(area.code)))
    units = [codes.prefix_of(code) for code in within.values_list("code", flat=True)]
    # Townships directly under a city (东莞市 and the like) are counted with the city.
    orphans = Area.objects.filter(level=AreaLevel.TOWNSHIP, parent__level="city")
    if area is not None:
        orphans = orphans.filter(access.prefix_q("code", codes.prefix_of(area.code)))
    units += sorted(
        {codes.prefix_of(p) for p in orphans.values_list("parent_id", flat=True)}
    )
    return units


def snapshot_unit(prefix: str, day: date) -> int:
    """Compute and store the stock figures of every area under a county prefix at the
    end of day (history for a past day, the live ledger for today); the rows of the
    areas above are then summed again. Returns the rows written."""
    today = timezone.localdate()
    if day > today:
        raise ValueError("cannot compute a day in the future")
    own = stock_by_area(prefix, day, live=day == today)
    areas = list(
        Area.objects.filter(access.prefix_q("code", prefix)).values_list(
            "code", "parent_id", "level"
        )
    )
    totals: dict[str, Values] = {code: dict(own.get(code, {})) for code, _, _ in areas}
    by_depth = sorted(areas, key=lambda a: LEVEL_ORDER.index(a[2]), reverse=True)
    for code, parent, _ in by_depth:
        if parent in totals and parent != code:
            add_into(totals[parent], totals[code])
    now = timezone.now()
    FigureSnapshot.objects.bulk_create(
        [
            FigureSnapshot(day=day, area_id=code, values=values, computed_at=now)
            for code, values in totals.items()
        ],
        update_conflicts=True,
        unique_fields=["area", "day"],
        update_fields=["values", "computed_at"],
        batch_size=2000,
    )
    if prefix:
        _resum_ancestors(codes.pad(prefix), day)
    return len(totals)


def _resum_ancestors(code: str, day: date) -> None:
    """Sum the rows of each area above code from its sub-areas' rows, while all of
    them have one for the day (an incomplete sum is never stored)."""
    parent = Area.objects.filter(code=code).values_list("parent_id", flat=True).first()
    while parent:
        children = list(
            Area.objects.filter(parent_id=parent).values_list("code", flat=True)
        )
        rows = dict(
            FigureSnapshot.objects.filter(day=day, area_id__in=children).values_list(
                "area_id", "values"
            )
        )
        if len(rows) < len(children):
            return
        values: Values = {}
        for row in rows.values():
            add_into(values, row)
        FigureSnapshot.objects.update_or_create(
            area_id=parent,
            day=day,
            defaults={"values": values, "computed_at": timezone.now()},
        )
        parent = (
            Area.objects.filter(code=parent).values_list("parent_id", flat=True).first()
        )


def snapshot_day(day: date, area: Area | None = None) -> int:
    """Compute and store a day's figures for every area under area (all when None):
    today from the live ledger in one pass, a past day county by county."""
    if day >= timezone.localdate():
        return sum(snapshot_unit(prefix, day) for prefix in live_units(area))
    return sum(snapshot_unit(prefix, day) for prefix in computation_units(area))


def live_units(area: Area | None) -> list[str]:
    """The prefixes today's figures are counted in: the whole area at or above a
    county (one grouped query), else its county."""
    if area is None:
        return [""]
    if LEVEL_ORDER.index(area.level) <= LEVEL_ORDER.index(AreaLevel.COUNTY):
        return [codes.prefix_of(area.code)]
    return computation_units(area)


def snapshot_rows(day: date, area_codes: list[str]) -> dict[str, Values]:
    """The stored rows of the areas for the day, computing the missing ones first."""
    found = dict(
        FigureSnapshot.objects.filter(day=day, area_id__in=area_codes).values_list(
            "area_id", "values"
        )
    )
    missing = [code for code in area_codes if code not in found]
    if missing:
        done = set()
        for area in Area.objects.filter(code__in=missing):
            for prefix in computation_units(area):
                if prefix not in done:
                    snapshot_unit(prefix, day)
                    done.add(prefix)
        found.update(
            FigureSnapshot.objects.filter(day=day, area_id__in=missing).values_list(
                "area_id", "values"
            )
        )
    return found


def snapshot_exists(area: Area, day: date) -> bool:
    return FigureSnapshot.objects.filter(area=area, day=day).exists()


def stale_count(area: Area, day: date) -> int:
    """How many records entered after the day's snapshot change it: visits dated on or
    before the day, and changes to the children made before the day ended."""
    row = FigureSnapshot.objects.filter(area=area, day=day).only("computed_at").first()
    if row is None:
        return 0
    prefix = codes.prefix_of(area.code)
    # Recent rows first (indexed on their time), then the area and the date.
    visits = Visit.objects.filter(
        created_at__gt=row.computed_at, visit_date__lte=day
    ).filter(access.prefix_q("village_id", prefix))
    changes = ChildChange.objects.filter(
        at__gt=row.computed_at, at__lt=end_of(day)
    ).filter(access.prefix_q("child__village_id", prefix))
    return visits.count() + changes.count()


# Reads ----------------------------------------------------------------------------------

Numbers = dict[str, int | float | None]


def complete(
    values: Values, own: Mapping[str, int | float | None] | None = None
) -> Numbers:
    """All held figures, zeros filled in, rates and quantiles computed from their
    inputs (the histograms' internal keys read, then left out), scaled counts shown
    in their unit (fen as yuan: int when whole, else float), and the area's own
    values (`own`, from area_values: None where not given)."""
    own = own or {}
    full = {f.key: values.get(f.key, 0) for f in catalogue.held() if not f.derived}
    full.update((k, v) for k, v in values.items() if catalogue.is_histogram_key(k))
    result = catalogue.with_rates(full)
    for figure in catalogue.held():
        if figure.of_area:
            result[figure.key] = own.get(figure.key)
        elif figure.scale != 1:
            whole, part = divmod(result[figure.key], figure.scale)
            result[figure.key] = (
                whole if not part else result[figure.key] / figure.scale
            )
    return result


def area_values(area_codes: list[str], day: date) -> dict[str, Numbers]:
    """The values of each area itself on the day (figures with of_area), each area
    source asked once for all the areas."""
    wanted = {f.of_area for f in catalogue.held() if f.of_area}
    result: dict[str, Numbers] = {code: {} for code in area_codes}
    for name in sorted(wanted):
        for code, values in catalogue.AREA_SOURCES[name](area_codes, day).items():
            result.setdefault(code, {}).update(values)
    return result


def sub_areas(area: Area) -> list[Area]:
    return list(Area.objects.filter(parent=area).order_by("code"))


def stocks(
    area: Area, day: date, units: list[Area] = (), *, max_age: timedelta | None = None
) -> tuple[Values, dict[str, Values], datetime | None]:
    """The stock values of an area at the end of a day, of each unit under it, and
    when they were counted (None: just now). Today: one live grouped query, or with
    max_age today's stored rows when they are that fresh (else counted and stored
    again); a past day: the stored rows."""
    codes_wanted = [area.code, *(u.code for u in units)]
    if day >= timezone.localdate():
        if max_age is None:
            by_area = stock_by_area(codes.prefix_of(area.code), day, live=True)
            return total(by_area), group_by(by_area, units), None
        rows = _fresh_rows(day, codes_wanted, since=timezone.now() - max_age)
        if len(rows) < len(codes_wanted):
            started = timezone.now()
            for prefix in live_units(area):
                snapshot_unit(prefix, day)
            rows = _fresh_rows(day, codes_wanted, since=started)
        counted = min((at for _, at in rows.values()), default=None)
        values = {code: v for code, (v, _) in rows.items()}
        return (*_split(area, units, values), counted)
    return (*_split(area, units, snapshot_rows(day, codes_wanted)), None)


def _fresh_rows(day: date, area_codes: list[str], *, since: datetime) -> dict:
    return {
        code: (values, at)
        for code, values, at in FigureSnapshot.objects.filter(
            day=day, area_id__in=area_codes, computed_at__gte=since
        ).values_list("area_id", "values", "computed_at")
    }


def _split(area: Area, units, rows: dict[str, Values]):
    return rows.get(area.code, {}), {u.code: rows.get(u.code, {}) for u in units}


def flows(
    area: Area,
    period: Period,
    units: list[Area] = (),
    *,
    max_age: timedelta | None = None,
) -> tuple[Values, dict[str, Values]]:
    """The flow values of an area within a period, and of each unit under it. With
    max_age, stored values (PeriodFigures) are read while still right: no visit dated
    in the period entered since, and for a period running to today no older than
    max_age; otherwise counted and stored again."""
    if max_age is not None:
        stored = _stored_flows(area, period, units, max_age)
        if stored is not None:
            return stored
    by_area = flow_by_area(codes.prefix_of(area.code), period)
    result = total(by_area), group_by(by_area, units)
    if max_age is not None:
        now = timezone.now()
        PeriodFigures.objects.bulk_create(
            [
                PeriodFigures(
                    area_id=code,
                    start=period.start,
                    end=period.end,
                    values=values,
                    computed_at=now,
                )
                for code, values in [(area.code, result[0]), *result[1].items()]
            ],
            update_conflicts=True,
            unique_fields=["area", "start", "end"],
            update_fields=["values", "computed_at"],
        )
    return result


def _stored_flows(area: Area, period: Period, units, max_age: timedelta):
    wanted = [area.code, *(u.code for u in units)]
    rows = {
        code: (values, at)
        for code, values, at in PeriodFigures.objects.filter(
            area_id__in=wanted, start=period.start, end=period.end
        ).values_list("area_id", "values", "computed_at")
    }
    if len(rows) < len(wanted):
        return None
    oldest = min(at for _, at in rows.values())
    if period.end >= timezone.localdate() and oldest < timezone.now() - max_age:
        return None
    prefix = codes.prefix_of(area.code)
    for source in catalogue.SOURCES.values():
        if source.kind == Kind.FLOW and source.entered_since(
            prefix=prefix, period=period, since=oldest
        ):
            return None
    return rows[area.code][0], {u.code: rows[u.code][0] for u in units}


def stock_values(area: Area, day: date) -> Values:
    """The stock figures of an area at the end of a day."""
    return stocks(area, day)[0]


@dataclass(frozen=True)
class Report:
    """Every held figure of an area for a period, and of each area one level below;
    counted_at: when today's stocks were counted, if not just now."""

    values: Numbers
    rows: list[tuple[Area, Numbers]]
    counted_at: datetime | None = None


def report(
    area: Area,
    period: Period,
    *,
    subareas: bool = True,
    max_age: timedelta | None = None,
) -> Report:
    """Stocks at the period's end, flows within it, for the area and (with subareas)
    each area one level below; each source is asked once for all of them. max_age:
    today's stocks may come from stored rows that fresh (see stocks)."""
    units = sub_areas(area) if subareas else []
    stock_total, stock_rows, counted_at = stocks(
        area, period.end, units, max_age=max_age
    )
    flow_total, flow_rows = flows(area, period, units, max_age=max_age)
    own = area_values([area.code, *(u.code for u in units)], period.end)
    rows = []
    for unit in units:
        values: Values = dict(stock_rows.get(unit.code, {}))
        add_into(values, flow_rows.get(unit.code, {}))
        rows.append((unit, complete(values, own[unit.code])))
    values = dict(stock_total)
    add_into(values, flow_total)
    return Report(
        values=complete(values, own[area.code]), rows=rows, counted_at=counted_at
    )


def figures_for(area: Area, period: Period) -> Numbers:
    """Every held figure of an area: stocks at the period's end, flows within it."""
    return report(area, period, subareas=False).values


def figures_by_subarea(area: Area, period: Period) -> list[tuple[Area, Numbers]]:
    """Every held figure of each area one level below (stocks and flows)."""
    return report(area, period).rows


def trend(
    area: Area, days: list[date], *, today_values: Values | None = None
) -> dict[date, Numbers]:
    """The stock figures of an area at the end of each day (stored snapshots; today
    live, or today_values when the caller has them already)."""
    today = timezone.localdate()
    past = [d for d in days if d < today]
    stored = dict(
        FigureSnapshot.objects.filter(area=area, day__in=past).values_list(
            "day", "values"
        )
    )
    missing = [d for d in past if d not in stored]
    for day in missing:
        stored[day] = snapshot_rows(day, [area.code]).get(area.code, {})
    result = {}
    for day in days:
        if day >= today:
            if today_values is None:
                today_values = stock_values(area, today)
            values = today_values
        else:
            values = stored[day]
        result[day] = complete(values, area_values([area.code], day)[area.code])
    return result


def month_ends(end: date, months: int) -> list[date]:
    """The last day of each of the `months` months up to end (end itself last)."""
    days = [end]
    year, month = end.year, end.month
    for _ in range(months - 1):
        first = date(year, month, 1)
        previous_end = date.fromordinal(first.toordinal() - 1)
        days.append(previous_end)
        year, month = previous_end.year, previous_end.month
    return sorted(days)
