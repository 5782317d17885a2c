"""Figures of the work force: townships with a supervisor, villages with a director."""

from ..catalogue import Figure, Kind, declare, declare_source
from ..sources.staff import StaffSource

declare_source(StaffSource())


def _staff(key, label, unit, definition, counted_at):
    return Figure(
        key=key,
        label=label,
        unit=unit,
        definition=definition,
        kind=Kind.STOCK,
        group="工作队伍",
        source="staff",
        counted_at=counted_at,
    )


declare(
    _staff(
        "staff.townships",
        "乡镇（街道）",
        "个",
        "区划中乡级区划的个数。",
        "township",
    ),
    _staff(
        "staff.townships_with_supervisor",
        "配备儿童督导员的乡镇（街道）",
        "个",
        "期末有在用的儿童督导员账号以之为管辖区划的乡镇（街道）个数。",
        "township",
    ),
    _staff(
        "staff.villages",
        "村（社区）",
        "个",
        "区划中村级区划的个数。",
        "village",
    ),
    _staff(
        "staff.villages_with_director",
        "配备儿童主任的村（社区）",
        "个",
        "期末有在用的儿童主任账号以之为管辖区划的村（社区）个数。",
        "village",
    ),
    Figure(
        key="staff.township_coverage",
        label="乡镇儿童督导员配备率",
        unit="%",
        definition="配备儿童督导员的乡镇 ÷ 乡镇个数 × 100，保留一位小数。",
        kind=Kind.STOCK,
        group="工作队伍",
        ratio=("staff.townships_with_supervisor", "staff.townships"),
        counted_at="township",
    ),
    Figure(
        key="staff.village_coverage",
        label="村儿童主任配备率",
        unit="%",
        definition="配备儿童主任的村 ÷ 村个数 × 100，保留一位小数。",
        kind=Kind.STOCK,
        group="工作队伍",
        ratio=("staff.villages_with_director", "staff.villages"),
    ),
)
