"""The allowance figures of the report catalogue (issue R9 item 8): the standards in
force at the end of the period (each kind, and the scattered-orphan standard before
the latest raise) and how many years in a row it was raised; the amounts paid and the
children covered by the approved monthly batches, programme aid delivered, and
foundlings registered (flows, .sources). A standard is a value of the area itself, not a sum of its villages
(`of_area`, one area source): the standard in force there (selectors.history_in)."""

from datetime import date
from decimal import Decimal

from shouwang.reports.catalogue import (
    Figure,
    Kind,
    declare,
    declare_area_source,
    declare_source,
)

from . import sources
from .selectors import history_in, standards_through
from .vocab import AllowanceKind

GROUP = "救助保障"
SOURCE = "assistance_standards"
IN_FORCE = {
    "assistance.standard_institutional": AllowanceKind.INSTITUTIONAL_ORPHAN,
    "assistance.standard_scattered": AllowanceKind.SCATTERED_ORPHAN,
    "assistance.standard_de_facto": AllowanceKind.DE_FACTO_UNSUPPORTED,
}
# The standard each kind had before its latest raise: key → (kind, label).
BEFORE_RAISE = {
    "assistance.standard_institutional_before": (
        AllowanceKind.INSTITUTIONAL_ORPHAN,
        "提高前的集中养育孤儿基本生活费标准",
    ),
    "assistance.standard_scattered_before": (
        AllowanceKind.SCATTERED_ORPHAN,
        "提高前的社会散居孤儿基本生活费标准",
    ),
    "assistance.standard_de_facto_before": (
        AllowanceKind.DE_FACTO_UNSUPPORTED,
        "提高前的事实无人抚养儿童基本生活补贴标准",
    ),
}
YEARS_RAISED = "assistance.years_raised"


def yuan(amount: Decimal | None) -> int | float | None:
    """An amount as the catalogue's numbers hold it: whole yuan as int, else float."""
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def standards_of_areas(area_codes: list[str], day: date) -> dict[str, dict]:
    """The standards figures of each area itself at the end of the day (an area
    source of the catalogue): one query for all the areas."""
    table = standards_through(area_codes, day)
    result = {}
    for code in area_codes:
        values = {}
        for key, kind in IN_FORCE.items():
            entries = history_in(table, code, kind).entries
            values[key] = yuan(entries[-1].amount) if entries else None
        for key, (kind, _) in BEFORE_RAISE.items():
            latest = history_in(table, code, kind).latest_raise
            values[key] = yuan(latest.before) if latest else None
        scattered = history_in(table, code, AllowanceKind.SCATTERED_ORPHAN)
        # Through this year, or through the last when this year's raise is to come.
        values[YEARS_RAISED] = scattered.consecutive_years_raised(
            day.year
        ) or scattered.consecutive_years_raised(day.year - 1)
        result[code] = values
    return result


def _standard(key, label, definition):
    return Figure(
        key=key,
        label=label,
        unit="元/人·月",
        definition=definition,
        kind=Kind.STOCK,
        group=GROUP,
        of_area=SOURCE,
        list_view="",
    )


declare_area_source(SOURCE, standards_of_areas)
declare(
    _standard(
        "assistance.standard_institutional",
        "集中养育孤儿基本生活费标准",
        "期末在本区划执行的集中养育孤儿基本生活费标准（本级没有时用上级的）。",
    ),
    _standard(
        "assistance.standard_scattered",
        "社会散居孤儿基本生活费标准",
        "期末在本区划执行的社会散居孤儿基本生活费标准（本级没有时用上级的）。",
    ),
    _standard(
        "assistance.standard_de_facto",
        "事实无人抚养儿童基本生活补贴标准",
        "期末在本区划执行的事实无人抚养儿童基本生活补贴标准（没有单独设定的，"
        "按社会散居孤儿标准）。",
    ),
    *(
        _standard(
            key,
            label,
            f"期末在本区划执行的{kind}标准最近一次提高之前的金额（没有提高过的为空）。",
        )
        for key, (kind, label) in BEFORE_RAISE.items()
    ),
    Figure(
        key=YEARS_RAISED,
        label="基本生活费标准连续提高",
        unit="年",
        definition=(
            "截至期末，本区划执行的社会散居孤儿基本生活费标准连续提高的年数"
            "（当年还没有提高的，算到上一年）。"
        ),
        kind=Kind.STOCK,
        group=GROUP,
        of_area=SOURCE,
        list_view="",
    ),
)


def _flow(key, label, unit, definition, source, **extra):
    return Figure(
        key=key,
        label=label,
        unit=unit,
        definition=definition,
        kind=Kind.FLOW,
        group=GROUP,
        source=source,
        list_view="",
        **extra,
    )


payments = sources.PaymentsSource()
aid = sources.AidSource()
foundlings = sources.FoundlingSource()
unpaid = sources.UnpaidSource()
for source in (payments, aid, foundlings, unpaid):
    declare_source(source)

declare(
    _flow(
        sources.PAID,
        "发放基本生活费",
        "元",
        "期内各月已审批的发放批次中，银行未退回（失败）的孤儿基本生活费和事实无人抚养"
        "儿童基本生活补贴金额合计（退回的随以后的批次补发，在补发时计入）。",
        payments.name,
        scale=100,
    ),
    _flow(
        sources.ORPHANS,
        "保障孤儿",
        "人",
        "期内各月已审批的发放批次中领取孤儿基本生活费的儿童人数（每人计一次）。",
        payments.name,
    ),
    _flow(
        sources.ORPHANS_18,
        "保障年满18周岁在校孤儿",
        "人",
        "保障孤儿中，发放月份1日已年满18周岁（仍在全日制学校就读）的人数。",
        payments.name,
    ),
    _flow(
        sources.DE_FACTO,
        "保障事实无人抚养儿童",
        "人",
        "期内各月已审批的发放批次中领取事实无人抚养儿童基本生活补贴的儿童人数"
        "（每人计一次）。",
        payments.name,
    ),
    _flow(
        sources.AID_CHILDREN,
        "救助项目受助儿童",
        "人",
        "期内登记发放（送达）的福彩圆梦·孤儿助学等救助项目受助儿童人次。",
        aid.name,
    ),
    _flow(
        sources.AID_AMOUNT,
        "救助项目资助金额",
        "元",
        "期内登记发放的救助项目资助金额合计（实物未折合金额的不计）。",
        aid.name,
        scale=100,
    ),
    Figure(
        key=sources.UNPAID,
        label="应保未保",
        unit="人",
        definition=(
            "期末（当天为此刻）在册的孤儿和事实无人抚养儿童中，到期末还没有经审批"
            "保障（或已停保）的人数。"
        ),
        kind=Kind.STOCK,
        group=GROUP,
        source=unpaid.name,
        list_view="",
    ),
    _flow(
        sources.FOUNDLINGS,
        "登记弃婴",
        "人",
        "捡拾日期在期内的弃婴登记数（按县计）。",
        foundlings.name,
        counted_at="county",
    ),
)
