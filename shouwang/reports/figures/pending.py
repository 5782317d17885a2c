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


_R11 = "R11 联席会议与社会关爱"

declare(
    _pending(
        "visits.record_books",
        "走访记录簿",
        "本",
        "期内建立的纸质走访记录簿本数。",
        "尚无功能记录",
        "走访",
    ),
    _pending(
        "care.donations",
        "筹集捐款",
        "元",
        "期内为儿童关爱保护筹集的社会捐款金额。",
        _R11,
        "社会关爱",
    ),
    _pending(
        "care.children_funded",
        "资助儿童",
        "人",
        "期内得到社会资助的儿童人数。",
        _R11,
        "社会关爱",
    ),
    _pending(
        "care.volunteer_pairings",
        "志愿者结对帮扶",
        "对",
        "期内志愿者与儿童结对帮扶的对数。",
        _R11,
        "社会关爱",
    ),
    _pending(
        "care.activities",
        "关爱活动",
        "场次",
        "期内开展的关爱活动场次。",
        _R11,
        "社会关爱",
    ),
    _pending(
        "publicity.activities",
        "宣传活动",
        "场次",
        "期内开展的关爱保护宣传活动场次。",
        _R11,
        "宣传",
    ),
    _pending(
        "publicity.handbooks",
        "发放宣传手册",
        "册",
        "期内发放的宣传手册册数。",
        _R11,
        "宣传",
    ),
    _pending(
        "publicity.signboards",
        "设置宣传牌",
        "块",
        "期内设置的宣传牌块数。",
        _R11,
        "宣传",
    ),
    _pending(
        "publicity.leaflets",
        "发放宣传单",
        "份",
        "期内发放的宣传单份数。",
        _R11,
        "宣传",
    ),
)
