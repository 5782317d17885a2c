"""Figures of the visits within a period."""

from ..catalogue import Figure, Kind, declare, declare_source
from ..sources.visits import VisitSource

declare_source(VisitSource())

declare(
    Figure(
        key="visits.recorded",
        label="走访记录",
        unit="次",
        definition="走访日期在期内的走访记录条数（入户、电话、视频、在校）。",
        kind=Kind.FLOW,
        group="走访",
        source="visits",
    ),
    Figure(
        key="visits.children_visited",
        label="走访到的儿童",
        unit="人",
        definition="期内至少有一条走访记录的儿童人数（按走访时所在的村计）。",
        kind=Kind.FLOW,
        group="走访",
        source="visits",
    ),
    Figure(
        key="visits.overdue_rate",
        label="走访逾期率",
        unit="%",
        definition="逾期未走访儿童 ÷ 有应访日期的儿童 × 100，保留一位小数。",
        kind=Kind.STOCK,
        group="走访",
        ratio=("visits.overdue", "visits.scheduled"),
    ),
)
