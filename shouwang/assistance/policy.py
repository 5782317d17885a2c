"""Who is eligible for the monthly basic living allowance, as data and pure functions.

`allowance_eligibility(facts, month=...)` answers, for one child and one month, the
kind of allowance (集中养育孤儿, 社会散居孤儿, 事实无人抚养儿童) or none, with the reason
in Chinese. The categories come from registry.policy.classify (one rule set); this
module only says which of them are paid and on which day they are read. No database
and no clock.

Interpretations, each named:
- INTERPRET_FIRST_DAY: eligibility for month M is read on the first day of M (age,
  facts, the child's place on the ledger), whatever day of M the caller passes.
- INTERPRET_KIND: an orphan whose actual guardian is 机构 is raised in an institution
  (集中养育孤儿); every other orphan is scattered (社会散居孤儿), whoever the guardian.
- INTERPRET_ON_LEDGER: a child exited on or before the first day of M is not paid for
  M; one who leaves later in M is paid for M and not after (payment stops the month
  after eligibility ends). A merged record is never paid (the surviving one is).
- INTERPRET_ORPHAN_AFTER_18 and INTERPRET_FULL_TIME_SCHOOL: see registry.policy (an
  orphan of 18 or more stays one while 就学状况 is 高中, 中职 or 高职及以上).
- INTERPRET_STANDARD_ORDER: the standard that applies is the most local one in force
  (county, then city, then province); in each area a kind without its own standard
  takes the one of STANDARD_FALLBACK (事实无人抚养儿童 → 社会散居孤儿), before the
  search goes up to the next area.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from shouwang.areas import codes
from shouwang.registry.policy import (
    INSTITUTION,
    ORPHAN_MAX_AGE,
    Facts,
    classify,
    orphan_parents,
)

from .vocab import AllowanceKind

ACTIVE, EXITED = "active", "exited"  # registry.models.ChildStatus, as stored

STANDARD_FALLBACK: Mapping[str, str] = MappingProxyType(
    {AllowanceKind.DE_FACTO_UNSUPPORTED: AllowanceKind.SCATTERED_ORPHAN}
)
# The levels that set standards, most local first (INTERPRET_STANDARD_ORDER).
STANDARD_LEVELS = (codes.Level.COUNTY, codes.Level.CITY, codes.Level.PROVINCE)


@dataclass(frozen=True)
class Eligibility:
    """The allowance a child is paid for a month ('' for none), and why."""

    month: date
    kind: str
    reason: str

    @property
    def eligible(self) -> bool:
        return bool(self.kind)


def first_of_month(day: date) -> date:
    """The first day of the month `day` lies in (INTERPRET_FIRST_DAY)."""
    return day.replace(day=1)


def allowance_eligibility(
    facts: Facts,
    *,
    month: date,
    status: str = ACTIVE,
    exit_date: date | None = None,
) -> Eligibility:
    """The allowance kind for the month holding `month`, read on its first day from
    the child's facts and place on the ledger; never a kind for a child that is
    neither an orphan nor de facto unsupported that day."""
    first = first_of_month(month)
    day = f"{first:%Y-%m-%d}"
    if status == EXITED and (exit_date is None or exit_date <= first):
        left = f"已于 {exit_date:%Y-%m-%d} 退出" if exit_date else "已退出"
        return Eligibility(first, "", f"{day}前{left}儿童信息库")
    if status not in (ACTIVE, EXITED):
        return Eligibility(first, "", "记录已合并到另一条记录")
    result = classify(facts, first)
    if result.is_orphan:
        kind = (
            AllowanceKind.INSTITUTIONAL_ORPHAN
            if facts.guardian_relation == INSTITUTION
            else AllowanceKind.SCATTERED_ORPHAN
        )
        school = "，年满18周岁仍在全日制学校就读" if result.in_school_after_18 else ""
        guardian = (
            "实际监护人为机构"
            if kind == AllowanceKind.INSTITUTIONAL_ORPHAN
            else "由机构以外的人监护"
        )
        return Eligibility(first, str(kind), f"{day}为孤儿{school}，{guardian}：{kind}")
    if result.is_de_facto_unsupported:
        kind = str(AllowanceKind.DE_FACTO_UNSUPPORTED)
        return Eligibility(first, kind, f"{day}为事实无人抚养儿童：{kind}")
    if result.age >= ORPHAN_MAX_AGE:
        why = (
            "已年满18周岁，未在全日制学校（高中、中职、高职及以上）就读"
            if orphan_parents(facts.father_status, facts.mother_status)
            else "已年满18周岁"
        )
        return Eligibility(first, "", f"{day}{why}")
    return Eligibility(first, "", f"{day}不是孤儿或事实无人抚养儿童")


def standard_kinds(kind: str) -> tuple[str, ...]:
    """The standards that may price a kind, in order: its own, then its fallback."""
    fallback = STANDARD_FALLBACK.get(kind)
    return (kind, fallback) if fallback else (kind,)


def standard_areas(code: str) -> tuple[str, ...]:
    """The areas whose standard may apply at `code`, most local first: the area itself
    when it sets standards, and its county, city and province."""
    chain = [*codes.ancestors(code), code]
    return tuple(
        area for area in reversed(chain) if codes.level_of(area) in STANDARD_LEVELS
    )
