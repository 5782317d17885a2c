"""Allowance eligibility (policy.py), checked against expectations restated from the
issue: eligible for month M when on the first day of M the child is an orphan
(institutional when the actual guardian is 机构, else scattered) or de facto
unsupported; an orphan of 18 or more stays eligible while in full-time school."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shouwang.assistance.policy import (
    Eligibility,
    allowance_eligibility,
    first_of_month,
    standard_areas,
    standard_kinds,
)
from shouwang.registry.policy import Facts

JULY = date(2026, 7, 1)


def facts(father="死亡", mother="死亡", **overrides) -> Facts:
    values = {
        "birth_date": date(2015, 3, 8),
        "father_status": father,
        "mother_status": mother,
        "guardian_name": "刘秀英",
        "guardian_relation": "外祖父母",
    }
    return Facts(**(values | overrides))


def kind(value: Facts, month: date = JULY, **ledger) -> str:
    return allowance_eligibility(value, month=month, **ledger).kind


def test_an_orphan_raised_by_an_institution_is_an_institutional_orphan():
    result = allowance_eligibility(
        facts(guardian_relation="机构", guardian_name="县儿童福利院"), month=JULY
    )
    assert result == Eligibility(
        JULY, "集中养育孤儿", "2026-07-01为孤儿，实际监护人为机构：集中养育孤儿"
    )


@pytest.mark.parametrize("relation", ["外祖父母", "祖父母", "其他亲属", "其他", ""])
def test_any_other_orphan_is_scattered(relation):
    assert kind(facts(guardian_relation=relation)) == "社会散居孤儿"


def test_an_unknown_parent_counts_like_a_dead_one():
    assert kind(facts("不详", "死亡")) == "社会散居孤儿"


def test_a_de_facto_unsupported_child_is_paid_as_one():
    result = allowance_eligibility(facts("服刑在押", "失联"), month=JULY)
    assert result.kind == "事实无人抚养儿童"
    assert result.reason == "2026-07-01为事实无人抚养儿童：事实无人抚养儿童"


@pytest.mark.parametrize(
    ("father", "mother"),
    [("外出务工", "外出务工"), ("在家", "在家"), ("死亡", "在家"), ("弃养", "死亡")],
)
def test_other_children_are_not_eligible(father, mother):
    result = allowance_eligibility(facts(father, mother), month=JULY)
    assert (result.kind, result.eligible) == ("", False)
    assert result.reason == "2026-07-01不是孤儿或事实无人抚养儿童"


def test_the_age_is_read_on_the_first_day_of_the_month():
    # Turning 18 on 2 July: still 17 on 1 July, so paid for July, not for August.
    born = date(2008, 7, 2)
    assert kind(facts(birth_date=born)) == "社会散居孤儿"
    assert kind(facts(birth_date=born), month=date(2026, 8, 1)) == ""
    # Turning 18 on 1 July: not paid for July.
    result = allowance_eligibility(facts(birth_date=date(2008, 7, 1)), month=JULY)
    assert result.kind == ""
    assert result.reason == (
        "2026-07-01已年满18周岁，未在全日制学校（高中、中职、高职及以上）就读"
    )
    de_facto = facts("服刑在押", "失联", birth_date=date(2008, 7, 1))
    assert allowance_eligibility(de_facto, month=JULY).reason == (
        "2026-07-01已年满18周岁"
    )


@pytest.mark.parametrize("schooling", ["高中", "中职", "高职及以上"])
def test_an_orphan_of_18_or_more_in_full_time_school_stays_eligible(schooling):
    adult = facts(birth_date=date(2006, 1, 5), in_full_time_school=True)
    result = allowance_eligibility(adult, month=JULY)
    assert result.kind == "社会散居孤儿"
    assert result.reason == (
        "2026-07-01为孤儿，年满18周岁仍在全日制学校就读，由机构以外的人监护：社会散居孤儿"
    )
    # full-time school keeps no de facto unsupported child of 18
    other = facts("服刑在押", "失联", birth_date=date(2006, 1, 5))
    assert kind(replace(other, in_full_time_school=True)) == ""


def test_a_child_who_leaves_the_ledger_is_paid_until_the_month_they_leave():
    orphan = facts()
    assert kind(orphan, status="exited", exit_date=date(2026, 7, 20)) == "社会散居孤儿"
    assert kind(orphan, status="exited", exit_date=date(2026, 7, 1)) == ""
    result = allowance_eligibility(
        orphan, month=JULY, status="exited", exit_date=date(2026, 6, 30)
    )
    assert (result.kind, result.reason) == (
        "",
        "2026-07-01前已于 2026-06-30 退出儿童信息库",
    )
    merged = allowance_eligibility(orphan, month=JULY, status="merged")
    assert (merged.kind, merged.reason) == ("", "记录已合并到另一条记录")


def test_the_first_day_of_a_month():
    assert first_of_month(date(2026, 2, 28)) == date(2026, 2, 1)
    assert allowance_eligibility(facts(), month=date(2026, 7, 31)).month == JULY


def test_de_facto_falls_back_to_the_scattered_orphan_standard():
    assert standard_kinds("事实无人抚养儿童") == ("事实无人抚养儿童", "社会散居孤儿")
    assert standard_kinds("社会散居孤儿") == ("社会散居孤儿",)
    assert standard_kinds("集中养育孤儿") == ("集中养育孤儿",)


def test_the_areas_that_may_set_a_standard_most_local_first():
    village = "430524911001"
    assert standard_areas(village) == ("430524000000", "430500000000", "430000000000")
    assert standard_areas("430524911000") == standard_areas(village)
    assert standard_areas("430500000000") == ("430500000000", "430000000000")
    assert standard_areas("430000000000") == ("430000000000",)


# Properties over random facts and months ------------------------------------------

STATUSES = [
    "在家",
    "外出务工",
    "重残",
    "重病",
    "服刑在押",
    "强制隔离戒毒",
    "其他限制人身自由措施",
    "被遣送出境",
    "弃养",
    "失联",
    "被撤销监护资格",
    "死亡",
    "失踪",
    "不详",
]
ORPHAN_PARENTS = {"死亡", "不详"}
# domain.md: 事实无人抚养 — both parents in D, or one dead/missing and the other in D.
D = {
    "重残",
    "重病",
    "服刑在押",
    "强制隔离戒毒",
    "其他限制人身自由措施",
    "被遣送出境",
    "失联",
    "被撤销监护资格",
    "失踪",
}
GONE = {"死亡", "失踪", "不详"}

facts_strategy = st.builds(
    Facts,
    birth_date=st.dates(date(2000, 1, 1), date(2026, 12, 31)),
    father_status=st.sampled_from(STATUSES),
    mother_status=st.sampled_from(STATUSES),
    guardian_name=st.sampled_from(["", "王秀英"]),
    guardian_relation=st.sampled_from(["", "祖父母", "机构", "其他亲属"]),
    in_full_time_school=st.booleans(),
    lives_alone=st.booleans(),
    disabled=st.booleans(),
)
months = st.dates(date(2010, 1, 1), date(2030, 12, 31))


def expected_kind(f: Facts, first: date, exit_date: date | None) -> str:
    """The issue's rule restated: read on the first day, from the facts alone."""
    if exit_date is not None and exit_date <= first:
        return ""
    age = first.year - f.birth_date.year
    if (first.month, first.day) < (f.birth_date.month, f.birth_date.day):
        age -= 1
    if age < 0:
        return ""
    father, mother = f.father_status, f.mother_status
    if father in ORPHAN_PARENTS and mother in ORPHAN_PARENTS:
        if age < 18 or f.in_full_time_school:
            return "集中养育孤儿" if f.guardian_relation == "机构" else "社会散居孤儿"
        return ""
    de_facto = (
        (father in D and mother in D)
        or (father in GONE and mother in D)
        or (mother in GONE and father in D)
    )
    return "事实无人抚养儿童" if de_facto and age < 18 else ""


@settings(max_examples=500, deadline=None)
@given(facts_strategy, months, st.one_of(st.none(), months))
def test_property_the_kind_is_the_rule_read_on_the_first_day(f, day, exit_date):
    first = day.replace(day=1)
    if f.birth_date > first:  # not born yet: no record to judge
        return
    status = "active" if exit_date is None else "exited"
    result = allowance_eligibility(f, month=day, status=status, exit_date=exit_date)
    assert result.month == first
    assert result.kind == expected_kind(f, first, exit_date)
    assert result.eligible == bool(result.kind)
    assert result.reason  # always says why


@settings(max_examples=300, deadline=None)
@given(facts_strategy, months, st.integers(0, 30))
def test_property_every_day_of_a_month_gives_the_first_days_answer(f, day, offset):
    first = day.replace(day=1)
    later = min(
        first + timedelta(days=offset),
        (first + timedelta(days=31)).replace(day=1) - timedelta(days=1),
    )
    assert allowance_eligibility(f, month=later) == allowance_eligibility(
        f, month=first
    )
