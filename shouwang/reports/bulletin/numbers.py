"""The numbers of one bulletin, from the figure catalogue: the period, the previous
period, the reference date, and the same three for each sub-area. No access checks:
the service and the command decide who may ask."""

from collections.abc import Callable
from datetime import date

from django.utils import timezone

from shouwang.areas import codes
from shouwang.areas.models import Area

from .. import catalogue, compute
from ..catalogue import Kind, Values, add_into
from ..periods import Period
from .context import Figures, reference_flow_period

# (percent done, what is being done) → None
Progress = Callable[[int, str], None]

STAGES = {
    "current": (10, "正在统计本期数字"),
    "previous": (30, "正在统计上期数字"),
    "reference": (50, "正在统计对比基准日的数字"),
    "subareas": (65, "正在统计下一级区划的数字"),
}


def _complete(values: Values) -> dict[str, int | float | None]:
    full = {f.key: values.get(f.key, 0) for f in catalogue.held() if not f.is_rate}
    return catalogue.with_rates(full)


def _flow(key: str) -> bool:
    figure = catalogue.FIGURES[key]
    return figure.kind == Kind.FLOW and not figure.is_rate


def _reference_values(stocks: Values, flows: Values) -> dict[str, int | float | None]:
    """Stocks of the reference day with the flows of the reference year's same
    period, rates from them."""
    values: Values = {k: v for k, v in stocks.items() if not _flow(k)}
    add_into(values, {k: v for k, v in flows.items() if _flow(k)})
    return _complete(values)


def _subarea_stocks(area: Area, units: list[Area], day: date) -> dict[str, Values]:
    if day >= timezone.localdate():
        prefix = codes.prefix_of(area.code)
        return compute.group_by(compute.stock_by_area(prefix, day, live=True), units)
    return compute.snapshot_rows(day, [unit.code for unit in units])


def gather(
    *, area: Area, period: Period, reference: date, progress: Progress | None = None
) -> Figures:
    """Every held figure of the area for the period, the previous period and the
    reference date, and of each area one level below."""

    def step(name: str) -> None:
        if progress is not None:
            progress(*STAGES[name])

    prefix = codes.prefix_of(area.code)
    previous = period.previous()
    flow_period = reference_flow_period(period, reference)

    step("current")
    current = compute.figures_for(area, period)
    step("previous")
    before = compute.figures_for(area, previous)
    step("reference")
    ref_flows = compute.total(compute.flow_by_area(prefix, flow_period))
    ref = _reference_values(compute.stock_values(area, reference), ref_flows)

    step("subareas")
    rows = []
    now = dict(compute.figures_by_subarea(area, period))
    if now:
        units = list(now)
        then = {u.code: v for u, v in compute.figures_by_subarea(area, previous)}
        ref_stocks = _subarea_stocks(area, units, reference)
        ref_flow_rows = compute.group_by(
            compute.flow_by_area(prefix, flow_period), units
        )
        for unit in units:
            rows.append(
                {
                    "code": unit.code,
                    "name": unit.name,
                    "level": unit.level,
                    "current": now[unit],
                    "previous": then.get(unit.code, {}),
                    "reference": _reference_values(
                        ref_stocks.get(unit.code, {}), ref_flow_rows.get(unit.code, {})
                    ),
                }
            )
    return Figures(current=current, previous=before, reference=ref, subareas=rows)
