"""Figures the status bulletin reports that the product does not hold yet. Each names
the capability that will compute it; until then the bulletin prints "（暂无数据）"
for it, highlighted and listed at the end, never a number. When that capability
lands, it declares the figure in its own module (same key) and removes it here."""

from ..catalogue import Figure, Kind, declare


def _pending(key, label, unit, definition, pending, group, kind=Kind.FLOW):
    return Figure(
        key=key,
        label=label,
        unit=unit,
        definition=definition,
        kind=kind,
        group=group,
        pending=pending,
    )


declare(
    _pending(
        "visits.record_books",
        "走访记录簿",
        "本",
        "期内建立的纸质走访记录簿本数。",
        "尚无功能记录",
        "走访",
    ),
)
