"""Figures of the child ledger (stocks): children by category, risk, weakness type,
guardianship confirmations and children overdue for a visit, all counted over the
active children of an area at the end of a day."""

from shouwang.registry.policy import INSTITUTION, PARENT_RELATIONS
from shouwang.registry.vocab import RiskLevel, WeaknessType

from ..catalogue import Figure, Kind, declare, declare_source
from ..predicates import AnyOf, BeforeAsOf, In, Is, Not
from ..sources.ledger import LedgerSource

declare_source(LedgerSource())

# registry.policy.needs_confirmation (INTERPRET_NEEDS_CONFIRMATION) as a predicate.
NEEDS_CONFIRMATION = AnyOf(
    (
        Is("is_left_behind"),
        Not(In("guardian_relation", (*sorted(PARENT_RELATIONS), INSTITUTION, ""))),
    )
)


def _children(key, label, definition, count, child_filter=None, group="儿童", **more):
    return Figure(
        key=key,
        label=label,
        unit="人",
        definition=definition,
        kind=Kind.STOCK,
        group=group,
        source="ledger",
        count=count,
        child_filter=child_filter,
        **more,
    )


# The bulletin's weakness types ①-A … ④-EC as figure keys weakness.1A … weakness.4EC.
WEAKNESS_KEYS = {
    value: "weakness." + value.replace("-", "").translate(str.maketrans("①②③④", "1234"))
    for value in WeaknessType.values
}

_ALL = Is("status", "active")
_ORPHAN = Is("is_orphan")
_INSTITUTIONAL = Is("guardian_relation", INSTITUTION)

declare(
    _children(
        "children.total",
        "在册儿童",
        "期末在册的儿童人数（不含已退出、已合并的记录）。",
        _ALL,
        {},
    ),
    _children(
        "children.left_behind",
        "农村留守儿童",
        "期末在册、按期末年龄认定为农村留守儿童的人数（国发〔2016〕13号）。",
        Is("is_left_behind"),
        {"category": "农村留守儿童"},
    ),
    _children(
        "children.orphan",
        "孤儿",
        "期末在册、认定为孤儿的人数（含年满18周岁仍在校的孤儿）。",
        _ORPHAN,
        {"category": "孤儿"},
    ),
    _children(
        "children.orphan_institutional",
        "集中养育孤儿",
        "孤儿中实际监护人为机构（福利机构集中养育）的人数。",
        _ORPHAN & _INSTITUTIONAL,
    ),
    _children(
        "children.orphan_scattered",
        "社会散居孤儿",
        "孤儿中实际监护人不是机构的人数。",
        _ORPHAN & Not(_INSTITUTIONAL),
    ),
    _children(
        "children.de_facto_unsupported",
        "事实无人抚养儿童",
        "期末在册、认定为事实无人抚养儿童的人数（民发〔2019〕62号）。",
        Is("is_de_facto_unsupported"),
        {"category": "事实无人抚养儿童"},
    ),
    _children(
        "children.difficulty",
        "困境儿童",
        "期末在册、属于生活困境、自身困境或监护困境任一类的儿童人数（国发〔2016〕36号）。",
        Is("is_in_difficulty"),
        {"category": "困境儿童"},
    ),
    _children(
        "children.difficulty_living",
        "生活困境儿童",
        "困境儿童中家庭享受低保、特困供养或为防返贫监测、建档立卡户的人数。",
        Is("difficulty_living"),
        {"difficulty": "生活困境"},
    ),
    _children(
        "children.difficulty_self",
        "自身困境儿童",
        "困境儿童中本人残疾或患重病的人数。",
        Is("difficulty_self"),
        {"difficulty": "自身困境"},
    ),
    _children(
        "children.difficulty_guardianship",
        "监护困境儿童",
        "困境儿童中属于监护困境（孤儿、事实无人抚养、父母一方C类、无人监护、监护能力差等）的人数。",
        Is("difficulty_guardianship"),
        {"difficulty": "监护困境"},
    ),
    *[
        _children(
            f"risk.{code}",
            f"风险等级{level}",
            f"期末在册、风险等级为“{level}”的儿童人数。",
            Is("risk_level", level.value),
            {"risk": level.value},
            group="风险等级",
        )
        for code, level in (
            ("high", RiskLevel.HIGH),
            ("medium", RiskLevel.MEDIUM),
            ("low", RiskLevel.LOW),
        )
    ],
    _children(
        "weakness.total",
        "监护能力薄弱的困境儿童",
        "期末在册、父母双方均属A、B、C、E类且属于类型①–④之一的儿童人数。",
        Not(Is("weakness_type", "")),
        group="监护能力薄弱类型",
    ),
    *[
        _children(
            WEAKNESS_KEYS[value],
            f"类型{value}",
            f"期末在册、监护能力薄弱类型为{label.split(' ', 1)[1]}（{value}）的儿童人数。",
            Is("weakness_type", value),
            {"weakness": value},
            group="监护能力薄弱类型",
        )
        for value, label in WeaknessType.choices
    ],
    _children(
        "confirmations.needed",
        "需签委托监护责任确认书",
        "期末在册的农村留守儿童，以及实际监护人既不是父母也不是机构的儿童人数。",
        NEEDS_CONFIRMATION,
        group="委托监护责任确认书",
    ),
    _children(
        "confirmations.signed",
        "已签委托监护责任确认书",
        "需签确认书的儿童中期末已签订的人数。",
        NEEDS_CONFIRMATION & Is("confirmation_signed"),
        group="委托监护责任确认书",
    ),
    Figure(
        key="confirmations.rate",
        label="确认书签订率",
        unit="%",
        definition="已签委托监护责任确认书人数 ÷ 需签人数 × 100，保留一位小数。",
        kind=Kind.STOCK,
        group="委托监护责任确认书",
        ratio=("confirmations.signed", "confirmations.needed"),
    ),
    _children(
        "visits.scheduled",
        "有应访日期的儿童",
        "期末在册、属于任一类别因而有应访日期的儿童人数。",
        Not(Is("next_visit_due", None)),
        group="走访",
    ),
    _children(
        "visits.overdue",
        "逾期未走访儿童",
        "期末在册、应访日期早于期末日（按当日的风险等级、走访间隔和最近一次走访算）的儿童人数。",
        BeforeAsOf("next_visit_due"),
        {},
        group="走访",
        list_view="visits:overdue",
    ),
)
