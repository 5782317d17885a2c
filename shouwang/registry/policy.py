"""The classification rules of domain.md as data and pure functions.

`classify(facts, as_of)` answers which categories a child belongs to, the kinds of
difficulty, the bulletin's guardianship-weakness type, the risk level and the visit
interval, each with its reasons in Chinese. No database and no clock: the caller passes
the as-of date (today for the ledger, the period end for statistics).

Interpretations of the policy texts are made here and only here, each named:
- INTERPRET_MISSING_IS_OUT_OF_CONTACT: a court-declared missing parent (失踪) also meets
  失联, so 失踪 is in the de facto set D; an unknown parent (不详) counts like a missing one.
- INTERPRET_ABANDONMENT: 弃养 alone does not make a child de facto unsupported; it does
  once the parent is recorded as 失联.
- INTERPRET_ORPHAN_AFTER_18: an orphan of 18 or more stays an orphan (for the allowance)
  while in full-time school, but is no longer a child in difficulty; such an orphan is
  the one person of 18 or more the ledger keeps (`stays_orphan_after_18`).
- INTERPRET_FULL_TIME_SCHOOL: "仍在全日制学校就读" is read from 就学状况 alone: 高中, 中职
  or 高职及以上 (FULL_TIME_SCHOOLING). The ledger records no other kind of study, and
  no separate box is ticked: a child stays an orphan at 18 by what is recorded.
- INTERPRET_WEAKNESS_AGE: the weakness type is given only to children under 18.
- INTERPRET_NO_CATEGORY_NO_RISK: a child in no category gets no risk level and no visit
  interval, whatever else is recorded (it goes to the exit-review worklist instead).
- INTERPRET_STRICTER_ONLY: "a county may set stricter intervals": a county's interval
  for a risk level is at most the default (DEFAULT_INTERVALS), never longer.
- INTERPRET_DUE_AT_ONCE: "a child with no visit on record is due at once" means due on
  the day the child entered the ledger, so a child never visited shows as overdue from
  the next day on.
- INTERPRET_FOLLOW_UP: the follow-up date of the latest visit (if that visit asked for
  one) brings the next visit forward when it is earlier; a later visit replaces it.
- INTERPRET_NEEDS_CONFIRMATION: a guardianship confirmation is needed for a left-behind
  child and for any child whose actual guardian is neither a parent nor an institution
  (an entrusted guardian).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from .vocab import (
    Assistance,
    Category,
    DifficultyKind,
    HukouNature,
    RiskLevel,
    Schooling,
)
from .vocab import ParentStatus as P

# Parent status groups (domain.md): H at home, W migrant worker, A disability/illness,
# B restricted liberty, C abandonment/out of contact/revoked, E dead/missing, U unknown.
GROUP: Mapping[str, str] = MappingProxyType(
    {
        P.AT_HOME: "H",
        P.MIGRANT: "W",
        P.SEVERE_DISABILITY: "A",
        P.SERIOUS_ILLNESS: "A",
        P.IMPRISONED: "B",
        P.DRUG_REHAB: "B",
        P.OTHER_RESTRICTION: "B",
        P.DEPORTED: "B",
        P.ABANDONED: "C",
        P.OUT_OF_CONTACT: "C",
        P.GUARDIANSHIP_REVOKED: "C",
        P.DEAD: "E",
        P.MISSING: "E",
        P.UNKNOWN: "U",
    }
)
NO_CAPACITY_GROUPS = frozenset("ABCEU")  # 无监护能力
ORPHAN_STATUSES = frozenset({P.DEAD, P.UNKNOWN})
DE_FACTO_D = frozenset(
    {
        P.SEVERE_DISABILITY,
        P.SERIOUS_ILLNESS,
        P.IMPRISONED,
        P.DRUG_REHAB,
        P.OTHER_RESTRICTION,
        P.OUT_OF_CONTACT,
        P.GUARDIANSHIP_REVOKED,
        P.DEPORTED,
        P.MISSING,  # INTERPRET_MISSING_IS_OUT_OF_CONTACT
    }
)
DE_FACTO_GONE = frozenset({P.DEAD, P.MISSING, P.UNKNOWN})
LIVING_ASSISTANCE = frozenset(
    {
        Assistance.DIBAO,
        Assistance.TEKUN,
        Assistance.POVERTY_MONITORING,
        Assistance.REGISTERED_POOR,
    }
)
WEAKNESS_GROUPS = frozenset("ABCE")
WEAKNESS_TYPE: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("A", "A"): "①-A",
        ("B", "B"): "①-B",
        ("C", "C"): "①-C",
        ("A", "B"): "②-AB",
        ("A", "C"): "②-AC",
        ("B", "C"): "③-CB",
        ("A", "E"): "④-EA",
        ("B", "E"): "④-EB",
        ("C", "E"): "④-EC",
    }
)
GROUP_NAMES = MappingProxyType(
    {
        "A": "A类",
        "B": "B类",
        "C": "C类",
        "E": "E类",
        "H": "在家",
        "W": "外出务工",
        "U": "不详",
    }
)
ORPHAN_MAX_AGE = 18
LEFT_BEHIND_MAX_AGE = 16
DIFFICULTY_MAX_AGE = 18
DEFAULT_INTERVALS: Mapping[str, int] = MappingProxyType(
    {RiskLevel.HIGH: 7, RiskLevel.MEDIUM: 30, RiskLevel.LOW: 90}
)
INSTITUTION = "机构"
FULL_TIME_SCHOOLING = frozenset(  # INTERPRET_FULL_TIME_SCHOOL
    {Schooling.SENIOR, Schooling.VOCATIONAL, Schooling.HIGHER}
)

# The categories in their order of declaration, as text (Category.values is
# rebuilt on every access; classify runs once per child of an import).
CATEGORY_ORDER = tuple(str(c) for c in Category.values)

SRC_LEFT_BEHIND = "国发〔2016〕13号"
SRC_DIFFICULTY = "国发〔2016〕36号"
SRC_DE_FACTO = "民发〔2019〕62号"
SRC_MONITORING = "民发〔2024〕17号"


@dataclass(frozen=True)
class Facts:
    """What the ledger records about a child that the rules read."""

    birth_date: date
    father_status: str
    mother_status: str
    hukou_nature: str = HukouNature.RURAL
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_capacity: str = "一般"
    assistance: frozenset[str] = frozenset()
    disabled: bool = False
    disability_category: str = ""
    disability_grade: str = ""
    serious_illness: bool = False
    lives_alone: bool = False
    confirmation_signed: bool = False
    in_full_time_school: bool = False  # 就学状况 in FULL_TIME_SCHOOLING
    open_mandatory_report: bool = False
    open_abuse_case: bool = False


@dataclass(frozen=True)
class PolicySettings:
    """What a county may change: the rural-hukou condition and the visit intervals."""

    require_rural_hukou: bool = True
    intervals: Mapping[str, int] = field(default_factory=lambda: DEFAULT_INTERVALS)


DEFAULT_SETTINGS = PolicySettings()


@dataclass(frozen=True)
class Classification:
    age: int
    categories: tuple[str, ...]
    difficulty_kinds: tuple[str, ...]
    weakness_type: str
    risk_level: str
    visit_interval_days: int | None
    reasons: tuple[str, ...]

    @property
    def is_orphan(self) -> bool:
        return Category.ORPHAN in self.categories

    @property
    def is_de_facto_unsupported(self) -> bool:
        return Category.DE_FACTO_UNSUPPORTED in self.categories

    @property
    def is_left_behind(self) -> bool:
        return Category.LEFT_BEHIND in self.categories

    @property
    def is_in_difficulty(self) -> bool:
        return Category.IN_DIFFICULTY in self.categories

    @property
    def in_school_after_18(self) -> bool:
        """An orphan of 18 or more, kept as one while in full-time school."""
        return self.is_orphan and self.age >= ORPHAN_MAX_AGE


def age_on(birth_date: date, as_of: date) -> int:
    """Exact age in whole years at as_of; a birthday counts from its day (29 Feb: 1 Mar)."""
    before_birthday = (as_of.month, as_of.day) < (birth_date.month, birth_date.day)
    return as_of.year - birth_date.year - before_birthday


def _parents(facts: Facts) -> str:
    return f"父亲{facts.father_status}、母亲{facts.mother_status}"


def orphan_parents(father_status: str | None, mother_status: str | None) -> bool:
    """Both parents dead or unknown (死亡 or 不详): an orphan's parents."""
    return father_status in ORPHAN_STATUSES and mother_status in ORPHAN_STATUSES


def in_full_time_school(schooling: str | None) -> bool:
    """就学状况 says full-time school: 高中, 中职 or 高职及以上 (INTERPRET_FULL_TIME_SCHOOL)."""
    return schooling in FULL_TIME_SCHOOLING


def stays_orphan_after_18(
    *, father_status: str | None, mother_status: str | None, schooling: str | None
) -> bool:
    """True for an orphan who stays one at 18 or more: orphan parents and full-time
    school (INTERPRET_ORPHAN_AFTER_18); the one adult the ledger may hold."""
    return orphan_parents(father_status, mother_status) and in_full_time_school(
        schooling
    )


def _orphan_by_parents(facts: Facts) -> bool:
    return orphan_parents(facts.father_status, facts.mother_status)


def _de_facto_by_parents(facts: Facts) -> bool:
    f, m = facts.father_status, facts.mother_status
    if _orphan_by_parents(facts):
        return False
    both_d = f in DE_FACTO_D and m in DE_FACTO_D
    one_gone_other_d = (f in DE_FACTO_GONE and m in DE_FACTO_D) or (
        m in DE_FACTO_GONE and f in DE_FACTO_D
    )
    return both_d or one_gone_other_d


def _left_behind_by_parents(facts: Facts) -> bool:
    f, m = GROUP[facts.father_status], GROUP[facts.mother_status]
    if f == "W" and m == "W":
        return True
    return (f == "W" and m in NO_CAPACITY_GROUPS) or (
        m == "W" and f in NO_CAPACITY_GROUPS
    )


def weakness_type(father_status: str, mother_status: str) -> str:
    """The bulletin's type ①-A … ④-EC for two parent statuses, or '' when none applies."""
    groups = tuple(sorted((GROUP[father_status], GROUP[mother_status])))
    if not set(groups) <= WEAKNESS_GROUPS:
        return ""
    return WEAKNESS_TYPE.get(groups, "")  # both E: none of the four


def no_actual_guardian(facts: Facts) -> bool:
    """无人监护: no actual guardian recorded and neither parent at home."""
    return not facts.guardian_name.strip() and P.AT_HOME not in (
        facts.father_status,
        facts.mother_status,
    )


def classify(
    facts: Facts, as_of: date, settings: PolicySettings = DEFAULT_SETTINGS
) -> Classification:
    """Categories, difficulty kinds, weakness type, risk and visit interval, with reasons."""
    age = age_on(facts.birth_date, as_of)
    categories: list[str] = []
    kinds: list[str] = []
    reasons: list[str] = []

    orphan = _orphan_by_parents(facts) and (
        age < ORPHAN_MAX_AGE or facts.in_full_time_school  # INTERPRET_ORPHAN_AFTER_18
    )
    if orphan:
        categories.append(Category.ORPHAN)
        after = "，年满18周岁仍在全日制学校就读" if age >= ORPHAN_MAX_AGE else ""
        reasons.append(
            f"{_parents(facts)}{after}：父母双方均死亡或查找不到，符合孤儿认定条件"
            f"（{SRC_DIFFICULTY}）"
        )

    de_facto = age < ORPHAN_MAX_AGE and _de_facto_by_parents(facts)
    if de_facto:
        categories.append(Category.DE_FACTO_UNSUPPORTED)
        reasons.append(
            f"{_parents(facts)}：符合事实无人抚养儿童认定条件（{SRC_DE_FACTO}）"
        )

    if _left_behind_by_parents(facts):
        rural = (
            facts.hukou_nature == HukouNature.RURAL or not settings.require_rural_hukou
        )
        if age >= LEFT_BEHIND_MAX_AGE:
            reasons.append(
                f"{_parents(facts)}，但已满16周岁：不再认定为农村留守儿童（{SRC_LEFT_BEHIND}）"
            )
        elif not rural:
            reasons.append(
                f"{_parents(facts)}，但户籍性质为{facts.hukou_nature}：不认定为农村留守儿童"
                f"（{SRC_LEFT_BEHIND}；如本地按{SRC_MONITORING}不限户籍，可在设置中调整）"
            )
        else:
            categories.append(Category.LEFT_BEHIND)
            how = (
                "父母双方均外出务工"
                if facts.father_status == facts.mother_status == P.MIGRANT
                else f"{_parents(facts)}（一方外出务工、另一方无监护能力）"
            )
            reasons.append(
                f"{how}，未满16周岁：符合农村留守儿童认定条件（{SRC_LEFT_BEHIND}）"
            )

    if age < DIFFICULTY_MAX_AGE:
        living = sorted(facts.assistance & LIVING_ASSISTANCE)
        if living:
            kinds.append(DifficultyKind.LIVING)
            reasons.append(
                f"家庭为{'、'.join(living)}：属于生活困境（{SRC_DIFFICULTY}）"
            )
        self_reasons = []
        if facts.disabled:
            detail = f"{facts.disability_category}{facts.disability_grade}".strip()
            self_reasons.append(f"残疾{f'（{detail}）' if detail else ''}")
        if facts.serious_illness:
            self_reasons.append("患重病")
        if self_reasons:
            kinds.append(DifficultyKind.SELF)
            reasons.append(
                f"儿童{'、'.join(self_reasons)}：属于自身困境（{SRC_DIFFICULTY}）"
            )
        guard = []
        if orphan:
            guard.append("孤儿")
        if de_facto:
            guard.append("事实无人抚养")
        c_parents = [
            f"{who}{status}"
            for who, status in (
                ("父亲", facts.father_status),
                ("母亲", facts.mother_status),
            )
            if GROUP[status] == "C"
        ]
        guard.extend(c_parents)
        if no_actual_guardian(facts):
            guard.append("无实际监护人且父母均不在家")
        if facts.guardian_capacity == "差":
            guard.append("监护人监护能力差")
        if facts.open_abuse_case:
            guard.append("有未结的遭受虐待或遗弃保护案件")
        if guard:
            kinds.append(DifficultyKind.GUARDIANSHIP)
            reasons.append(f"{'、'.join(guard)}：属于监护困境（{SRC_DIFFICULTY}）")
        if kinds:
            categories.append(Category.IN_DIFFICULTY)

    weakness = weakness_type(facts.father_status, facts.mother_status)
    if weakness and age < DIFFICULTY_MAX_AGE:  # INTERPRET_WEAKNESS_AGE
        f, m = GROUP[facts.father_status], GROUP[facts.mother_status]
        reasons.append(
            f"父亲{facts.father_status}（{GROUP_NAMES[f]}）、母亲{facts.mother_status}"
            f"（{GROUP_NAMES[m]}）：监护能力薄弱类型 {weakness}"
        )
    else:
        weakness = ""

    risk, why = _risk(facts, orphan, de_facto, categories)
    interval = settings.intervals[risk] if risk else None
    if risk:
        reasons.append(f"{why}：风险等级{risk}，每{interval}天至少走访一次")
    elif not categories:
        reasons.append("不符合孤儿、事实无人抚养儿童、农村留守儿童或困境儿童的认定条件")
    return Classification(
        age=age,
        categories=tuple(c for c in CATEGORY_ORDER if c in categories),
        difficulty_kinds=tuple(str(k) for k in kinds),
        weakness_type=weakness,
        risk_level=str(risk),
        visit_interval_days=interval,
        reasons=tuple(reasons),
    )


def classify_key(facts: Facts, as_of: date) -> tuple:
    """All that classify reads of the facts on as_of: facts with equal keys are
    classified alike that day (bulk writes classify each distinct key once)."""
    # The birth date is read only as the age, the guardian's name only as whether
    # one is recorded (no_actual_guardian); every other fact as it is.
    return (
        age_on(facts.birth_date, as_of),
        facts.father_status,
        facts.mother_status,
        facts.hukou_nature,
        not facts.guardian_name.strip(),
        facts.guardian_relation,
        facts.guardian_capacity,
        facts.assistance,
        facts.disabled,
        facts.disability_category,
        facts.disability_grade,
        facts.serious_illness,
        facts.lives_alone,
        facts.confirmation_signed,
        facts.in_full_time_school,
        facts.open_mandatory_report,
        facts.open_abuse_case,
    )


def _risk(
    facts: Facts, orphan: bool, de_facto: bool, categories: list[str]
) -> tuple[str, str]:
    if not categories:  # INTERPRET_NO_CATEGORY_NO_RISK
        return "", ""
    scattered_orphan = orphan and facts.guardian_relation != INSTITUTION
    high = []
    if no_actual_guardian(facts):
        high.append("无实际监护人")
    if facts.guardian_capacity == "差":
        high.append("监护能力差")
    if facts.lives_alone:
        high.append("独居")
    if facts.open_mandatory_report:
        high.append("有未结的强制报告案件")
    if (de_facto or scattered_orphan) and not facts.confirmation_signed:
        who = "事实无人抚养儿童" if de_facto else "社会散居孤儿"
        high.append(f"{who}未签订委托监护责任确认书")
    if high:
        return RiskLevel.HIGH, "、".join(high)
    special = [
        label
        for label, applies in (
            ("孤儿", orphan),
            ("事实无人抚养儿童", de_facto),
            ("困境儿童", Category.IN_DIFFICULTY in categories),
        )
        if applies
    ]
    if special:
        return RiskLevel.MEDIUM, "、".join(special)
    if facts.guardian_capacity == "一般":
        return RiskLevel.MEDIUM, "农村留守儿童，监护能力一般"
    return RiskLevel.LOW, "农村留守儿童"


def next_visit_due(
    *,
    interval_days: int | None,
    last_visit: date | None,
    follow_up: date | None,
    registered_on: date,
) -> date | None:
    """The date the next visit is due: one interval after the last visit (the day of
    registration when never visited), or the follow-up date when earlier; None for a
    child in no category (no interval)."""
    if interval_days is None:
        return None
    due = (
        last_visit + timedelta(days=interval_days)
        if last_visit is not None
        else registered_on  # INTERPRET_DUE_AT_ONCE
    )
    if follow_up is not None and follow_up < due:  # INTERPRET_FOLLOW_UP
        due = follow_up
    return due


PARENT_RELATIONS = frozenset({"父亲", "母亲"})


def needs_confirmation(*, left_behind: bool, guardian_relation: str) -> bool:
    """True when the child needs a signed 委托监护责任确认书 (INTERPRET_NEEDS_CONFIRMATION)."""
    return left_behind or (
        guardian_relation != ""
        and guardian_relation not in PARENT_RELATIONS
        and guardian_relation != INSTITUTION
    )
