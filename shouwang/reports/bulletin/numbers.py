"""The numbers of one bulletin, from the figure catalogue: the period, the previous
period, the reference date, and the same three for each sub-area. No access checks:
the service and the command decide who may ask."""

from collections.abc import Callable
from datetime import date

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


def _flow(key: str) -> bool:
    # Histogram counts (internal keys) go with the kind of their quantiles.
    return catalogue.summed_kind(key) == Kind.FLOW


def _reference_values(
    stocks: Values, flows: Values, own: compute.Numbers
) -> dict[str, int | float | None]:
    """Stocks of the reference day with the flows of the reference year's same
    period, rates from them, the area's own values of that day."""
    values: Values = {k: v for k, v in stocks.items() if not _flow(k)}
    add_into(values, {k: v for k, v in flows.items() if _flow(k)})
    return compute.complete(values, own)


def gather(
    *, area: Area, period: Period, reference: date, progress: Progress | None = None
) -> Figures:
    """Every held figure of the area for the period, the previous period and the
    reference date, and of each area one level below."""

    def step(name: str) -> None:
        if progress is not None:
            progress(*STAGES[name])

    previous = period.previous()
    flow_period = reference_flow_period(period, reference)

    step("current")
    now = compute.report(area, period)
    step("previous")
    then = compute.report(area, previous)
    step("reference")
    units = [unit for unit, _ in now.rows]
    ref_stock, ref_stock_rows, _ = compute.stocks(area, reference, units)
    ref_flow, ref_flow_rows = compute.flows(area, flow_period, units)
    own = compute.area_values([area.code, *(u.code for u in units)], reference)
    ref = _reference_values(ref_stock, ref_flow, own[area.code])

    step("subareas")
    before = {unit.code: values for unit, values in then.rows}
    rows = [
        {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "current": values,
            "previous": before.get(unit.code, {}),
            "reference": _reference_values(
                ref_stock_rows.get(unit.code, {}),
                ref_flow_rows.get(unit.code, {}),
                own[unit.code],
            ),
        }
        for unit, values in now.rows
    ]
    return Figures(
        current=now.values, previous=then.values, reference=ref, subareas=rows
    )
