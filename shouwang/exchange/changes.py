"""What an alert proposes, as the ledger's own values, and what would follow.

An alert stores its proposal as two strings, `field` and `proposed`; `ledger_change`
turns them into the values registry's services write (or an exit), read against the
record as it stands when the director accepts, and `consequence` runs the real
policy on the facts as they would then be. Pure: no database, no clock.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from shouwang.registry import policy
from shouwang.registry.vocab import Category, ExitReason, Health

# The alert fields and what each proposes (see ledger_change).
FIELD_LABELS = {
    "father_status": "父亲状况",
    "mother_status": "母亲状况",
    "guardian_capacity": "监护能力评估",
    "disability": "残疾情况",
    "family_assistance": "家庭救助帮扶情况",
    "hukou_registered": "户口登记",
    "birth_date": "出生日期",
    "village": "户籍地村（社区）",
    "status": "在册状态",
    "newborn": "新生儿",
}
EXIT_REASONS = frozenset({ExitReason.DIED, ExitReason.MOVED_AWAY})


@dataclass(frozen=True)
class LedgerChange:
    """The values to write (`values`), or the exit reason (`exit_reason`); neither
    when the record already says what the list says, or nothing is to be written."""

    values: dict[str, Any]
    exit_reason: str = ""

    @property
    def empty(self) -> bool:
        return not self.values and not self.exit_reason


NOTHING = LedgerChange({})


# What ledger_change reads of a record.
RECORD_FIELDS = (
    "father_status",
    "mother_status",
    "guardian_capacity",
    "health",
    "disability_category",
    "disability_grade",
    "family_assistance",
    "hukou_registered",
    "birth_date",
    "village_id",
    "status",
)


def record_of(child) -> dict[str, Any]:
    """A child's record as ledger_change reads it."""
    return {name: getattr(child, name) for name in RECORD_FIELDS}


def ledger_change(field: str, proposed: str, record: dict[str, Any]) -> LedgerChange:
    """The change an alert's (field, proposed) makes to a record (its values by
    field name): only what differs from the record."""
    if field in ("father_status", "mother_status", "guardian_capacity"):
        values = {field: proposed}
    elif field == "disability":
        category, _, grade = proposed.partition("/")
        values = {
            "health": Health.DISABLED,
            "disability_category": category,
            "disability_grade": grade,
        }
    elif field == "family_assistance":
        kinds = list(record.get("family_assistance") or [])
        sign, label = proposed[:1], proposed[1:]
        if sign == "+" and label not in kinds:
            kinds.append(label)
        elif sign == "-" and label in kinds:
            kinds.remove(label)
        values = {"family_assistance": kinds}
    elif field == "hukou_registered":
        values = {"hukou_registered": proposed == "是"}
    elif field == "birth_date":
        values = {"birth_date": date.fromisoformat(proposed)}
    elif field == "village":
        values = {"village_id": proposed}
    elif field == "status":
        if record.get("status", "active") != "active":
            return NOTHING
        return LedgerChange({}, exit_reason=proposed)
    else:  # newborn: a prompt to register, nothing in this record changes
        return NOTHING
    changed = {k: v for k, v in values.items() if record.get(k) != v}
    return LedgerChange(changed)


def proposed_label(field: str, proposed: str) -> str:
    """An alert's proposal as a person reads it (the stored value is for programs)."""
    if field == "family_assistance":
        verb = "增加" if proposed[:1] == "+" else "去掉"
        return f"{verb}“{proposed[1:]}”"
    if field == "disability":
        category, _, grade = proposed.partition("/")
        return f"残疾（{category}{grade}）"
    if field == "status":
        return f"退出（{proposed}）"
    return proposed


def facts_after(facts: policy.Facts, values: dict[str, Any]) -> policy.Facts:
    """The policy's facts with a change's values in place."""
    updates: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("father_status", "mother_status", "guardian_capacity"):
            updates[key] = value
        elif key == "health":
            updates["disabled"] = value == Health.DISABLED
        elif key in ("disability_category", "disability_grade", "birth_date"):
            updates[key] = value
        elif key == "family_assistance":
            updates["assistance"] = frozenset(value)
    return replace(facts, **updates) if updates else facts


_CATEGORY_ORDER = (
    Category.ORPHAN,
    Category.DE_FACTO_UNSUPPORTED,
    Category.LEFT_BEHIND,
    Category.IN_DIFFICULTY,
)


def consequence(
    *,
    child_name: str,
    facts: policy.Facts,
    change: LedgerChange,
    as_of: date,
    settings: policy.PolicySettings = policy.DEFAULT_SETTINGS,
    classify=policy.classify,
) -> str:
    """What accepting would mean for the child, in the policy's own terms
    (`classify`: policy.classify, or one remembering its answers)."""
    if change.exit_reason:
        return f"儿童 {child_name} 将退出儿童信息库（{change.exit_reason}）"
    if not change.values:
        return "记录已与名单一致，无需修改"
    before = classify(facts, as_of, settings)
    after = classify(facts_after(facts, change.values), as_of, settings)
    said = []
    for category in _CATEGORY_ORDER:
        was, now = category in before.categories, category in after.categories
        if now and not was:
            said.append(f"儿童 {child_name} 可能符合{category.label}认定条件")
        elif was and not now:
            said.append(f"儿童 {child_name} 可能不再属于{category.label}")
    gained = [k for k in after.difficulty_kinds if k not in before.difficulty_kinds]
    lost = [k for k in before.difficulty_kinds if k not in after.difficulty_kinds]
    if gained and Category.IN_DIFFICULTY in before.categories:
        said.append(f"困境类型增加{'、'.join(gained)}")
    if lost and Category.IN_DIFFICULTY in after.categories:
        said.append(f"困境类型不再包括{'、'.join(lost)}")
    if before.risk_level != after.risk_level and after.risk_level:
        said.append(
            f"风险等级将由“{before.risk_level or '无'}”变为“{after.risk_level}”"
        )
    return "；".join(said) or f"儿童 {child_name} 的认定类别不变"
