"""Classification policy (domain.md rules 1–7), checked against expectations written
from domain.md alone.

Two independent derivations of the expected answers live here: literal 14 × 14 tables
written by hand from rules 1–5, and a small oracle (`expected`) that restates rules 1–6
directly. A test checks that both derivations agree; the implementation is then checked
against the tables (every parent pair) and against the oracle (random facts). Nothing
from the implementation's tables (GROUP, DE_FACTO_D, …) is imported.
"""

import re
from dataclasses import fields, replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shouwang.registry.policy import (
    Facts,
    PolicySettings,
    age_on,
    classify,
    classify_key,
    in_full_time_school,
    no_actual_guardian,
    stays_orphan_after_18,
    weakness_type,
)

# ---------------------------------------------------------------------------------------
# domain.md, restated (parent statuses and groups)
# ---------------------------------------------------------------------------------------

# In the order of domain.md's parent-status table; the short labels head the tables.
STATUS_ROWS = (
    ("在家", "H", "在家"),
    ("外出务工", "W", "务工"),
    ("重残", "A", "重残"),
    ("重病", "A", "重病"),
    ("服刑在押", "B", "服刑"),
    ("强制隔离戒毒", "B", "戒毒"),
    ("其他限制人身自由措施", "B", "限制"),
    ("被遣送出境", "B", "遣送"),
    ("弃养", "C", "弃养"),
    ("失联", "C", "失联"),
    ("被撤销监护资格", "C", "撤销"),
    ("死亡", "E", "死亡"),
    ("失踪", "E", "失踪"),
    ("不详", "U", "不详"),
)
STATUSES = tuple(s for s, _, _ in STATUS_ROWS)
GROUP_OF = {s: g for s, g, _ in STATUS_ROWS}
SHORT = tuple(label for _, _, label in STATUS_ROWS)
NO_CAPACITY = set("ABCEU")  # 无监护能力
ORPHAN_PARENTS = {"死亡", "不详"}  # rule 1
D = {  # rule 2
    "重残",
    "重病",
    "服刑在押",
    "强制隔离戒毒",
    "其他限制人身自由措施",
    "失联",
    "被撤销监护资格",
    "被遣送出境",
    "失踪",
}
GONE = {"死亡", "失踪", "不详"}  # rule 2 (b)
LIVING_ASSISTANCE = {"低保", "特困供养", "防返贫监测对象", "建档立卡"}  # rule 4
OTHER_ASSISTANCE = {"临时救助", "医疗救助", "住房救助", "其他"}
# rule 5, keyed by the two groups in alphabetical order
WEAKNESS_BY_GROUPS = {
    "AA": "①-A",
    "BB": "①-B",
    "CC": "①-C",
    "AB": "②-AB",
    "AC": "②-AC",
    "BC": "③-CB",
    "AE": "④-EA",
    "BE": "④-EB",
    "CE": "④-EC",
}
CATEGORY_ORDER = ("孤儿", "事实无人抚养儿童", "农村留守儿童", "困境儿童")

# ---------------------------------------------------------------------------------------
# Literal tables, written by hand from rules 1–5 for a 10-year-old rural child with an
# actual guardian (祖父母, capacity 较好, confirmation signed). Rows: father; columns:
# mother. Category cell, first letter: O 孤儿, D 事实无人抚养儿童, L 农村留守儿童, - none;
# second letter: G 困境儿童 (监护困境 only, as nothing else is recorded), - not.
# ---------------------------------------------------------------------------------------

CATEGORY_TABLE = """
      在家 务工 重残 重病 服刑 戒毒 限制 遣送 弃养 失联 撤销 死亡 失踪 不详
在家   --   --   --   --   --   --   --   --   -G   -G   -G   --   --   --
务工   --   L-   L-   L-   L-   L-   L-   L-   LG   LG   LG   L-   L-   L-
重残   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
重病   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
服刑   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
戒毒   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
限制   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
遣送   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
弃养   -G   LG   -G   -G   -G   -G   -G   -G   -G   -G   -G   -G   -G   -G
失联   -G   LG   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
撤销   -G   LG   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
死亡   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   OG   DG   OG
失踪   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   DG   DG   DG
不详   --   L-   DG   DG   DG   DG   DG   DG   -G   DG   DG   OG   DG   OG
"""

# Weakness type; "." = none of the four.
WEAKNESS_TABLE = """
      在家 务工 重残 重病 服刑 戒毒 限制 遣送 弃养 失联 撤销 死亡 失踪 不详
在家   .    .    .    .    .    .    .    .    .    .    .    .    .    .
务工   .    .    .    .    .    .    .    .    .    .    .    .    .    .
重残   .    .    ①-A  ①-A  ②-AB ②-AB ②-AB ②-AB ②-AC ②-AC ②-AC ④-EA ④-EA .
重病   .    .    ①-A  ①-A  ②-AB ②-AB ②-AB ②-AB ②-AC ②-AC ②-AC ④-EA ④-EA .
服刑   .    .    ②-AB ②-AB ①-B  ①-B  ①-B  ①-B  ③-CB ③-CB ③-CB ④-EB ④-EB .
戒毒   .    .    ②-AB ②-AB ①-B  ①-B  ①-B  ①-B  ③-CB ③-CB ③-CB ④-EB ④-EB .
限制   .    .    ②-AB ②-AB ①-B  ①-B  ①-B  ①-B  ③-CB ③-CB ③-CB ④-EB ④-EB .
遣送   .    .    ②-AB ②-AB ①-B  ①-B  ①-B  ①-B  ③-CB ③-CB ③-CB ④-EB ④-EB .
弃养   .    .    ②-AC ②-AC ③-CB ③-CB ③-CB ③-CB ①-C  ①-C  ①-C  ④-EC ④-EC .
失联   .    .    ②-AC ②-AC ③-CB ③-CB ③-CB ③-CB ①-C  ①-C  ①-C  ④-EC ④-EC .
撤销   .    .    ②-AC ②-AC ③-CB ③-CB ③-CB ③-CB ①-C  ①-C  ①-C  ④-EC ④-EC .
死亡   .    .    ④-EA ④-EA ④-EB ④-EB ④-EB ④-EB ④-EC ④-EC ④-EC .    .    .
失踪   .    .    ④-EA ④-EA ④-EB ④-EB ④-EB ④-EB ④-EC ④-EC ④-EC .    .    .
不详   .    .    .    .    .    .    .    .    .    .    .    .    .    .
"""


def _parse_table(text: str) -> dict[tuple[str, str], str]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header) == SHORT
    assert tuple(row[0] for row in rows) == SHORT
    table = {}
    for father, row in zip(STATUSES, rows, strict=True):
        assert len(row) == 15, row
        for mother, cell in zip(STATUSES, row[1:], strict=True):
            table[father, mother] = "" if cell == "." else cell
    return table


CATEGORIES_BY_PAIR = _parse_table(CATEGORY_TABLE)
WEAKNESS_BY_PAIR = _parse_table(WEAKNESS_TABLE)
PAIRS = [(f, m) for f in STATUSES for m in STATUSES]

# ---------------------------------------------------------------------------------------
# The oracle: rules 1–6 restated, independently of the implementation
# ---------------------------------------------------------------------------------------


def expected_age(born: date, as_of: date) -> int:
    """Whole years; the birthday counts from its own day. Interpretation (domain.md is
    silent): a 29 February birthday falls on 1 March in common years."""
    try:
        birthday = born.replace(year=as_of.year)
    except ValueError:  # 29 February in a common year
        birthday = date(as_of.year, 3, 1)
    return as_of.year - born.year - (as_of < birthday)


def expected_weakness(father: str, mother: str) -> str:
    return WEAKNESS_BY_GROUPS.get(
        "".join(sorted(GROUP_OF[father] + GROUP_OF[mother])), ""
    )


def expected_no_guardian(facts: Facts) -> bool:
    return not facts.guardian_name and "在家" not in (
        facts.father_status,
        facts.mother_status,
    )


def expected(facts: Facts, as_of: date, require_rural: bool = True) -> dict:
    """What domain.md says classify() answers for these facts."""
    f, m = facts.father_status, facts.mother_status
    fg, mg = GROUP_OF[f], GROUP_OF[m]
    age = expected_age(facts.birth_date, as_of)
    orphan_parents = f in ORPHAN_PARENTS and m in ORPHAN_PARENTS
    orphan = orphan_parents and (age < 18 or facts.in_full_time_school)
    de_facto = (
        age < 18
        and not orphan_parents
        and ((f in D and m in D) or (f in GONE and m in D) or (m in GONE and f in D))
    )
    left_parents = (fg == "W" and mg == "W") or (
        {fg, mg} & {"W"} and (fg in NO_CAPACITY or mg in NO_CAPACITY)
    )
    rural = facts.hukou_nature == "农村" or not require_rural
    left_behind = bool(left_parents) and age < 16 and rural
    kinds = []
    if age < 18:
        if facts.assistance & LIVING_ASSISTANCE:
            kinds.append("生活困境")
        if facts.disabled or facts.serious_illness:
            kinds.append("自身困境")
        if (
            orphan
            or de_facto
            or "C" in (fg, mg)
            or expected_no_guardian(facts)
            or facts.guardian_capacity == "差"
            or facts.open_abuse_case
        ):
            kinds.append("监护困境")
    categories = []
    if orphan:
        categories.append("孤儿")
    if de_facto:
        categories.append("事实无人抚养儿童")
    if left_behind:
        categories.append("农村留守儿童")
    if kinds:
        categories.append("困境儿童")
    if not categories:
        risk = ""
    elif (
        expected_no_guardian(facts)
        or facts.guardian_capacity == "差"
        or facts.lives_alone
        or facts.open_mandatory_report
        or (
            (de_facto or (orphan and facts.guardian_relation != "机构"))
            and not facts.confirmation_signed
        )
    ):
        risk = "高"
    elif kinds or orphan or de_facto or facts.guardian_capacity == "一般":
        risk = "中"
    else:
        risk = "低"
    return {
        "age": age,
        "categories": tuple(categories),
        "difficulty_kinds": set(kinds),
        "risk_level": risk,
        "visit_interval_days": {"高": 7, "中": 30, "低": 90}.get(risk),
    }


def observed(result) -> dict:
    return {
        "age": result.age,
        "categories": result.categories,
        "difficulty_kinds": set(result.difficulty_kinds),
        "risk_level": result.risk_level,
        "visit_interval_days": result.visit_interval_days,
    }


# ---------------------------------------------------------------------------------------
# Fixtures of the tests
# ---------------------------------------------------------------------------------------

AS_OF = date(2026, 6, 1)
BORN_10 = date(2016, 3, 15)  # 10 years old on AS_OF


def child(father: str = "外出务工", mother: str = "外出务工", **overrides) -> Facts:
    """A 10-year-old rural child with an actual guardian (祖父母, 较好, signed)."""
    values = {
        "birth_date": BORN_10,
        "father_status": father,
        "mother_status": mother,
        "hukou_nature": "农村",
        "guardian_name": "李桂兰",
        "guardian_relation": "祖父母",
        "guardian_capacity": "较好",
        "confirmation_signed": True,
    }
    values.update(overrides)
    return Facts(**values)


def at_home(**overrides) -> Facts:
    """Both parents at home and nothing else recorded: in no category."""
    return child("在家", "在家", **overrides)


def birthday(born: date, years: int) -> date:
    return born.replace(year=born.year + years)


# ---------------------------------------------------------------------------------------
# 1. Every father/mother pair
# ---------------------------------------------------------------------------------------


def test_the_literal_tables_and_the_oracle_agree():
    """Two derivations from domain.md, by hand and by rule, give the same answers."""
    for father, mother in PAIRS:
        want = expected(child(father, mother), AS_OF)
        cats = want["categories"]
        letter = (
            "O"
            if "孤儿" in cats
            else "D"
            if "事实无人抚养儿童" in cats
            else "L"
            if "农村留守儿童" in cats
            else "-"
        )
        cell = letter + ("G" if "困境儿童" in cats else "-")
        assert CATEGORIES_BY_PAIR[father, mother] == cell, (father, mother)
        assert WEAKNESS_BY_PAIR[father, mother] == expected_weakness(father, mother)
        # symmetric in father and mother
        assert CATEGORIES_BY_PAIR[father, mother] == CATEGORIES_BY_PAIR[mother, father]
        assert WEAKNESS_BY_PAIR[father, mother] == WEAKNESS_BY_PAIR[mother, father]


@pytest.mark.parametrize(("father", "mother"), PAIRS)
def test_every_parent_pair(father, mother):
    cell = CATEGORIES_BY_PAIR[father, mother]
    result = classify(child(father, mother), AS_OF)

    assert result.age == 10
    assert result.is_orphan is (cell[0] == "O")
    assert result.is_de_facto_unsupported is (cell[0] == "D")
    assert result.is_left_behind is (cell[0] == "L")
    assert result.is_in_difficulty is (cell[1] == "G")
    assert result.difficulty_kinds == (("监护困境",) if cell[1] == "G" else ())
    assert result.weakness_type == WEAKNESS_BY_PAIR[father, mother]
    assert weakness_type(father, mother) == WEAKNESS_BY_PAIR[father, mother]
    # guardian recorded, capacity 较好, confirmation signed: never 高
    want_risk = "中" if cell[1] == "G" else "低" if cell[0] == "L" else ""
    assert result.risk_level == want_risk
    assert result.visit_interval_days == {"中": 30, "低": 90, "": None}[want_risk]


@pytest.mark.parametrize(
    ("father", "mother", "orphan", "de_facto", "left_behind", "weakness"),
    [
        # a few rows read straight from the rules, as a check on the tables above
        ("死亡", "死亡", True, False, False, ""),
        ("死亡", "不详", True, False, False, ""),
        ("不详", "不详", True, False, False, ""),
        ("死亡", "失踪", False, True, False, ""),
        ("失踪", "失踪", False, True, False, ""),
        ("失踪", "不详", False, True, False, ""),
        ("服刑在押", "失联", False, True, False, "③-CB"),
        ("重病", "服刑在押", False, True, False, "②-AB"),
        ("重残", "不详", False, True, False, ""),
        ("被遣送出境", "死亡", False, True, False, "④-EB"),
        ("弃养", "死亡", False, False, False, "④-EC"),
        ("弃养", "弃养", False, False, False, "①-C"),
        ("弃养", "失联", False, False, False, "①-C"),
        ("失联", "失联", False, True, False, "①-C"),
        ("外出务工", "外出务工", False, False, True, ""),
        ("外出务工", "死亡", False, False, True, ""),
        ("外出务工", "不详", False, False, True, ""),
        ("外出务工", "弃养", False, False, True, ""),
        ("外出务工", "在家", False, False, False, ""),
        ("在家", "死亡", False, False, False, ""),
        ("在家", "重残", False, False, False, ""),
    ],
)
def test_selected_pairs(father, mother, orphan, de_facto, left_behind, weakness):
    for f, m in ((father, mother), (mother, father)):
        result = classify(child(f, m), AS_OF)
        assert result.is_orphan is orphan
        assert result.is_de_facto_unsupported is de_facto
        assert result.is_left_behind is left_behind
        assert result.weakness_type == weakness


# ---------------------------------------------------------------------------------------
# 2. Age boundaries, on the birthday itself
# ---------------------------------------------------------------------------------------


def test_age_on_counts_the_birthday_from_its_day():
    born = date(2010, 5, 15)
    assert age_on(born, date(2026, 5, 14)) == 15
    assert age_on(born, date(2026, 5, 15)) == 16
    assert age_on(born, date(2026, 5, 16)) == 16
    assert age_on(born, born) == 0
    assert age_on(date(2010, 12, 31), date(2011, 1, 1)) == 0


def test_left_behind_until_the_day_before_the_sixteenth_birthday():
    born = date(2010, 5, 15)
    facts = child(birth_date=born)
    day = birthday(born, 16)

    before = classify(facts, day - timedelta(days=1))
    assert before.age == 15
    assert before.is_left_behind
    assert before.categories == ("农村留守儿童",)
    assert before.risk_level == "低"

    on = classify(facts, day)
    assert on.age == 16
    assert not on.is_left_behind
    assert on.categories == ()
    assert on.risk_level == ""
    assert on.visit_interval_days is None


def test_orphan_until_the_eighteenth_birthday():
    born = date(2008, 5, 15)
    facts = child("死亡", "死亡", birth_date=born)
    day = birthday(born, 18)

    before = classify(facts, day - timedelta(days=1))
    assert before.age == 17
    assert before.categories == ("孤儿", "困境儿童")

    on = classify(facts, day)
    assert on.age == 18
    assert not on.is_orphan
    assert on.categories == ()
    assert on.risk_level == ""


def test_orphan_in_school_after_18_stays_an_orphan_but_not_in_difficulty():
    born = date(2008, 5, 15)
    facts = child("死亡", "不详", birth_date=born, in_full_time_school=True)
    assert not classify(
        facts, birthday(born, 18) - timedelta(days=1)
    ).in_school_after_18
    for as_of in (birthday(born, 18), birthday(born, 20)):
        result = classify(facts, as_of)
        assert result.is_orphan
        assert result.in_school_after_18
        assert result.categories == ("孤儿",)  # 困境儿童: age < 18 (rule 4)
        assert result.difficulty_kinds == ()
        assert result.risk_level == "中"  # an orphan (rule 6)
    # school does nothing for a child whose parents make no orphan
    other = child("服刑在押", "服刑在押", birth_date=born, in_full_time_school=True)
    assert classify(other, birthday(born, 18)).categories == ()


@pytest.mark.parametrize(
    ("schooling", "stays"),
    [
        ("高中", True),
        ("中职", True),
        ("高职及以上", True),
        ("初中", False),
        ("小学", False),
        ("辍学", False),
        ("不在学", False),
        ("", False),
    ],
)
def test_full_time_school_is_read_from_schooling(schooling, stays):
    assert in_full_time_school(schooling) is stays
    assert (
        stays_orphan_after_18(
            father_status="死亡", mother_status="不详", schooling=schooling
        )
        is stays
    )
    assert not stays_orphan_after_18(
        father_status="死亡", mother_status="失联", schooling=schooling
    )


def test_de_facto_unsupported_until_the_eighteenth_birthday():
    born = date(2008, 5, 15)
    facts = child("服刑在押", "失联", birth_date=born, in_full_time_school=True)
    day = birthday(born, 18)
    assert classify(facts, day - timedelta(days=1)).categories == (
        "事实无人抚养儿童",
        "困境儿童",
    )
    assert classify(facts, day).categories == ()


@pytest.mark.parametrize(
    "trigger",
    [
        {"assistance": frozenset({"低保"})},
        {"disabled": True, "disability_category": "肢体", "disability_grade": "二级"},
        {"serious_illness": True},
        {"guardian_capacity": "差"},
        {"open_abuse_case": True},
        {"father_status": "弃养"},
    ],
)
def test_difficulty_until_the_eighteenth_birthday(trigger):
    born = date(2008, 5, 15)
    facts = replace(at_home(birth_date=born), **trigger)
    day = birthday(born, 18)
    assert classify(facts, day - timedelta(days=1)).categories == ("困境儿童",)
    on = classify(facts, day)
    assert on.categories == ()
    assert on.difficulty_kinds == ()
    assert on.risk_level == ""


def test_left_behind_born_on_29_february_turning_16_in_a_leap_year():
    born = date(2008, 2, 29)
    facts = child(birth_date=born)
    assert classify(facts, date(2024, 2, 28)).is_left_behind
    on = classify(facts, date(2024, 2, 29))
    assert on.age == 16
    assert not on.is_left_behind


def test_born_on_29_february_turning_18_in_a_common_year():
    """domain.md is silent on 29 February in a common year; read as 1 March (the
    birthday has not yet come on 28 February). 27 Feb and 1 Mar are unambiguous."""
    born = date(2008, 2, 29)
    facts = child("死亡", "死亡", birth_date=born)
    assert age_on(born, date(2026, 2, 27)) == 17
    assert classify(facts, date(2026, 2, 27)).is_orphan
    assert age_on(born, date(2026, 2, 28)) == 17
    assert classify(facts, date(2026, 2, 28)).is_orphan
    assert age_on(born, date(2026, 3, 1)) == 18
    assert not classify(facts, date(2026, 3, 1)).is_orphan


# ---------------------------------------------------------------------------------------
# 3. Rural hukou
# ---------------------------------------------------------------------------------------


def test_urban_child_of_migrant_parents_is_not_left_behind_by_default():
    facts = child(hukou_nature="城镇")
    result = classify(facts, AS_OF)
    assert not result.is_left_behind
    assert result.categories == ()
    assert result.risk_level == ""


def test_urban_child_is_left_behind_when_the_setting_drops_the_rural_condition():
    facts = child(hukou_nature="城镇")
    result = classify(facts, AS_OF, PolicySettings(require_rural_hukou=False))
    assert result.is_left_behind
    assert result.categories == ("农村留守儿童",)
    assert result.risk_level == "低"
    # the setting drops the hukou condition only, not the age
    older = child(hukou_nature="城镇", birth_date=date(2010, 6, 1))
    assert not classify(
        older, AS_OF, PolicySettings(require_rural_hukou=False)
    ).is_left_behind


def test_rural_hukou_does_not_restrict_the_other_categories():
    for father, mother in (("死亡", "死亡"), ("重残", "失联"), ("在家", "弃养")):
        rural = classify(child(father, mother), AS_OF)
        urban = classify(child(father, mother, hukou_nature="城镇"), AS_OF)
        assert urban.categories == rural.categories


# ---------------------------------------------------------------------------------------
# 4. The three difficulty kinds, each trigger on its own
# ---------------------------------------------------------------------------------------


def test_the_base_child_with_parents_at_home_is_in_no_category():
    result = classify(at_home(), AS_OF)
    assert result.categories == ()
    assert result.difficulty_kinds == ()
    assert result.weakness_type == ""
    assert result.risk_level == ""
    assert result.visit_interval_days is None


@pytest.mark.parametrize("assistance", sorted(LIVING_ASSISTANCE))
def test_living_difficulty(assistance):
    result = classify(at_home(assistance=frozenset({assistance})), AS_OF)
    assert result.categories == ("困境儿童",)
    assert result.difficulty_kinds == ("生活困境",)


@pytest.mark.parametrize("assistance", sorted(OTHER_ASSISTANCE))
def test_other_assistance_alone_is_no_living_difficulty(assistance):
    result = classify(at_home(assistance=frozenset({assistance})), AS_OF)
    assert result.categories == ()
    assert result.difficulty_kinds == ()


def test_all_other_assistance_together_is_no_living_difficulty():
    result = classify(at_home(assistance=frozenset(OTHER_ASSISTANCE)), AS_OF)
    assert result.categories == ()


@pytest.mark.parametrize(
    "category", ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]
)
@pytest.mark.parametrize("grade", ["一级", "二级", "三级", "四级"])
def test_self_difficulty_for_any_disability(category, grade):
    facts = at_home(disabled=True, disability_category=category, disability_grade=grade)
    result = classify(facts, AS_OF)
    assert result.categories == ("困境儿童",)
    assert result.difficulty_kinds == ("自身困境",)


def test_self_difficulty_for_serious_illness():
    result = classify(at_home(serious_illness=True), AS_OF)
    assert result.categories == ("困境儿童",)
    assert result.difficulty_kinds == ("自身困境",)


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(child("死亡", "不详"), id="orphan"),
        pytest.param(child("重病", "被撤销监护资格"), id="de-facto"),
        pytest.param(child("弃养", "在家"), id="father-abandoned"),
        pytest.param(child("在家", "失联"), id="mother-out-of-contact"),
        pytest.param(child("在家", "被撤销监护资格"), id="mother-revoked"),
        pytest.param(child("外出务工", "外出务工", guardian_name=""), id="no-guardian"),
        pytest.param(child("外出务工", "死亡", guardian_name=""), id="no-guardian-2"),
        pytest.param(at_home(guardian_capacity="差"), id="capacity-poor"),
        pytest.param(at_home(open_abuse_case=True), id="abuse-case"),
    ],
)
def test_guardianship_difficulty(facts):
    result = classify(facts, AS_OF)
    assert result.is_in_difficulty
    assert result.difficulty_kinds == ("监护困境",)


@pytest.mark.parametrize(
    ("father", "mother"),
    [("在家", "外出务工"), ("外出务工", "在家"), ("在家", "在家"), ("在家", "死亡")],
)
def test_no_guardian_recorded_is_no_difficulty_when_a_parent_is_at_home(father, mother):
    facts = child(father, mother, guardian_name="", guardian_relation="")
    assert not no_actual_guardian(facts)
    result = classify(facts, AS_OF)
    assert "监护困境" not in result.difficulty_kinds
    assert not result.is_in_difficulty


def test_no_actual_guardian():
    assert no_actual_guardian(child(guardian_name=""))
    assert no_actual_guardian(child("死亡", "重病", guardian_name=""))
    assert not no_actual_guardian(child())
    assert not no_actual_guardian(child("在家", "外出务工", guardian_name=""))


def test_open_mandatory_report_alone_is_no_difficulty():
    """Rule 4 lists an open abuse/abandonment case, not any mandatory report."""
    assert classify(at_home(open_mandatory_report=True), AS_OF).categories == ()


def test_difficulty_kinds_together_in_order():
    facts = child(
        "外出务工",
        "弃养",
        assistance=frozenset({"建档立卡", "医疗救助"}),
        serious_illness=True,
    )
    result = classify(facts, AS_OF)
    assert result.categories == ("农村留守儿童", "困境儿童")
    assert set(result.difficulty_kinds) == {"生活困境", "自身困境", "监护困境"}


# ---------------------------------------------------------------------------------------
# 5. Risk and visit interval (rule 6)
# ---------------------------------------------------------------------------------------


def test_left_behind_with_capable_guardian_is_low():
    result = classify(child(), AS_OF)
    assert (result.risk_level, result.visit_interval_days) == ("低", 90)


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(child(guardian_name="", guardian_relation=""), id="no-guardian"),
        pytest.param(child(guardian_capacity="差"), id="capacity-poor"),
        pytest.param(child(lives_alone=True), id="lives-alone"),
        pytest.param(child(open_mandatory_report=True), id="open-mandatory-report"),
        pytest.param(
            child("服刑在押", "失联", confirmation_signed=False), id="de-facto-unsigned"
        ),
        pytest.param(
            child("死亡", "死亡", confirmation_signed=False),
            id="scattered-orphan-unsigned",
        ),
        pytest.param(
            child(
                "不详", "死亡", guardian_relation="外祖父母", confirmation_signed=False
            ),
            id="scattered-orphan-unsigned-2",
        ),
        pytest.param(at_home(guardian_capacity="差"), id="difficulty-capacity-poor"),
        pytest.param(
            at_home(serious_illness=True, open_mandatory_report=True),
            id="ill-with-report",
        ),
        pytest.param(at_home(disabled=True, lives_alone=True), id="disabled-alone"),
    ],
)
def test_high_risk(facts):
    result = classify(facts, AS_OF)
    assert (result.risk_level, result.visit_interval_days) == ("高", 7)


def test_orphan_in_an_institution_without_confirmation_is_not_high_for_that():
    facts = child(
        "死亡",
        "死亡",
        guardian_name="县儿童福利院",
        guardian_relation="机构",
        confirmation_signed=False,
    )
    result = classify(facts, AS_OF)
    assert result.is_orphan
    assert (result.risk_level, result.visit_interval_days) == ("中", 30)


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(child(guardian_capacity="一般"), id="left-behind-capacity-fair"),
        pytest.param(child("服刑在押", "失联"), id="de-facto-signed"),
        pytest.param(child("死亡", "死亡"), id="scattered-orphan-signed"),
        pytest.param(child("在家", "弃养"), id="group-c-parent"),
        pytest.param(
            child(assistance=frozenset({"低保"})), id="left-behind-and-living"
        ),
        pytest.param(child("外出务工", "弃养"), id="left-behind-and-group-c"),
        pytest.param(at_home(disabled=True), id="disabled"),
        pytest.param(at_home(assistance=frozenset({"特困供养"})), id="living"),
        pytest.param(at_home(open_abuse_case=True), id="abuse-case"),
        pytest.param(at_home(guardian_capacity="一般", serious_illness=True), id="ill"),
    ],
)
def test_medium_risk(facts):
    result = classify(facts, AS_OF)
    assert (result.risk_level, result.visit_interval_days) == ("中", 30)


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(at_home(), id="parents-at-home"),
        pytest.param(at_home(guardian_capacity="一般"), id="parents-at-home-fair"),
        pytest.param(child("外出务工", "在家"), id="one-migrant-one-home"),
        pytest.param(child(hukou_nature="城镇"), id="urban"),
        pytest.param(child(birth_date=date(2009, 1, 1)), id="left-behind-aged-out"),
        pytest.param(
            at_home(lives_alone=True, open_mandatory_report=True),
            id="high-triggers-no-category",
        ),
        pytest.param(
            child("外出务工", "在家", guardian_name="", lives_alone=True),
            id="alone-no-category",
        ),
    ],
)
def test_child_in_no_category_has_no_risk_and_no_interval(facts):
    result = classify(facts, AS_OF)
    assert result.categories == ()
    assert result.risk_level == ""
    assert result.visit_interval_days is None


def test_custom_intervals():
    custom = PolicySettings(intervals={"高": 3, "中": 14, "低": 21})
    assert classify(child(lives_alone=True), AS_OF, custom).visit_interval_days == 3
    assert classify(child("死亡", "死亡"), AS_OF, custom).visit_interval_days == 14
    assert classify(child(), AS_OF, custom).visit_interval_days == 21
    assert classify(at_home(), AS_OF, custom).visit_interval_days is None


def test_weekly_visits_for_everyone_as_one_county_does():
    weekly = PolicySettings(intervals={"高": 7, "中": 7, "低": 7})
    for facts in (child(), child("死亡", "不详"), at_home(disabled=True)):
        result = classify(facts, AS_OF, weekly)
        assert result.visit_interval_days == 7
    # the risk level itself does not change with the intervals
    assert classify(child(), AS_OF, weekly).risk_level == "低"


# ---------------------------------------------------------------------------------------
# 6. Reasons in Chinese, citing the policy
# ---------------------------------------------------------------------------------------

CITATION = re.compile(r"[国民]发〔\d{4}〕\d+号")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _reasons_with(result, *needles):
    return [r for r in result.reasons if all(n in r for n in needles)]


def test_de_facto_reason_is_the_one_domain_md_gives():
    result = classify(child("服刑在押", "失联"), AS_OF)
    assert (
        "父亲服刑在押、母亲失联：符合事实无人抚养儿童认定条件（民发〔2019〕62号）"
        in (result.reasons)
    )


@pytest.mark.parametrize(("father", "mother"), [("重病", "重残"), ("不详", "失踪")])
def test_de_facto_reason_cites_62_and_both_statuses(father, mother):
    result = classify(child(father, mother), AS_OF)
    assert _reasons_with(result, "事实无人抚养", "民发〔2019〕62号", father, mother)


def test_orphan_reason_names_both_parents_and_cites_policy():
    result = classify(child("死亡", "不详"), AS_OF)
    found = _reasons_with(result, "孤儿", "死亡", "不详")
    assert found
    assert any(CITATION.search(r) for r in found)


@pytest.mark.parametrize(
    ("father", "mother"), [("外出务工", "外出务工"), ("外出务工", "服刑在押")]
)
def test_left_behind_reason_cites_13(father, mother):
    result = classify(child(father, mother), AS_OF)
    assert _reasons_with(result, "留守", "国发〔2016〕13号")


@pytest.mark.parametrize(
    ("facts", "kind"),
    [
        (at_home(assistance=frozenset({"低保"})), "生活困境"),
        (
            at_home(disabled=True, disability_category="视力", disability_grade="一级"),
            "自身困境",
        ),
        (at_home(serious_illness=True), "自身困境"),
        (child("在家", "弃养"), "监护困境"),
        (child(guardian_name=""), "监护困境"),
        (at_home(open_abuse_case=True), "监护困境"),
    ],
)
def test_difficulty_reason_cites_36(facts, kind):
    result = classify(facts, AS_OF)
    assert _reasons_with(result, kind, "国发〔2016〕36号")


def test_weakness_type_has_a_reason():
    result = classify(child("重残", "服刑在押"), AS_OF)
    assert _reasons_with(result, "②-AB")


def test_risk_has_a_reason():
    assert _reasons_with(classify(child(lives_alone=True), AS_OF), "风险", "高")
    assert _reasons_with(classify(child(), AS_OF), "风险", "低")


@pytest.mark.parametrize(("father", "mother"), PAIRS[::5])
def test_every_category_has_a_chinese_reason(father, mother):
    result = classify(child(father, mother), AS_OF)
    assert all(CJK.search(r) for r in result.reasons)
    for category, needle in (
        ("孤儿", "孤儿"),
        ("事实无人抚养儿童", "事实无人抚养儿童"),
        ("农村留守儿童", "留守"),
    ):
        if category in result.categories:
            assert any(needle in r and CITATION.search(r) for r in result.reasons)
    for kind in result.difficulty_kinds:
        assert any(kind in r and CITATION.search(r) for r in result.reasons)


# ---------------------------------------------------------------------------------------
# 7. Properties over random facts and dates
# ---------------------------------------------------------------------------------------

statuses = st.sampled_from(STATUSES)
facts_strategy = st.builds(
    Facts,
    birth_date=st.dates(date(1995, 1, 1), date(2030, 12, 31)),
    father_status=statuses,
    mother_status=statuses,
    hukou_nature=st.sampled_from(["农村", "城镇"]),
    guardian_name=st.sampled_from(["", "王秀英"]),
    guardian_relation=st.sampled_from(["", "祖父母", "外祖父母", "机构", "其他亲属"]),
    guardian_capacity=st.sampled_from(["较好", "一般", "差"]),
    assistance=st.frozensets(
        st.sampled_from(sorted(LIVING_ASSISTANCE | OTHER_ASSISTANCE))
    ),
    disabled=st.booleans(),
    serious_illness=st.booleans(),
    lives_alone=st.booleans(),
    confirmation_signed=st.booleans(),
    in_full_time_school=st.booleans(),
    open_mandatory_report=st.booleans(),
    open_abuse_case=st.booleans(),
)


@st.composite
def facts_and_dates(draw):
    facts = draw(facts_strategy)
    as_of = draw(
        st.dates(facts.birth_date, facts.birth_date + timedelta(days=365 * 25))
    )
    return facts, as_of


@settings(max_examples=400, deadline=None)
@given(facts_and_dates())
def test_property_never_both_orphan_and_de_facto(case):
    result = classify(*case)
    assert not (result.is_orphan and result.is_de_facto_unsupported)


@settings(max_examples=400, deadline=None)
@given(facts_and_dates(), st.booleans())
def test_property_no_left_behind_child_at_16_or_older(case, rural_only):
    facts, as_of = case
    result = classify(facts, as_of, PolicySettings(require_rural_hukou=rural_only))
    if expected_age(facts.birth_date, as_of) >= 16:
        assert not result.is_left_behind


@settings(max_examples=400, deadline=None)
@given(facts_and_dates())
def test_property_no_category_no_risk(case):
    result = classify(*case)
    if not result.categories:
        assert result.risk_level == ""
        assert result.visit_interval_days is None
    else:
        assert result.risk_level in {"高", "中", "低"}
        assert result.visit_interval_days in {7, 30, 90}


@settings(max_examples=400, deadline=None)
@given(facts_and_dates())
def test_property_difficulty_kinds_iff_in_difficulty(case):
    result = classify(*case)
    assert bool(result.difficulty_kinds) is ("困境儿童" in result.categories)
    assert set(result.difficulty_kinds) <= {"生活困境", "自身困境", "监护困境"}
    assert len(set(result.difficulty_kinds)) == len(result.difficulty_kinds)


@settings(max_examples=400, deadline=None)
@given(facts_and_dates())
def test_property_weakness_only_for_both_parents_in_abce_and_not_both_e(case):
    facts, as_of = case
    result = classify(facts, as_of)
    groups = {GROUP_OF[facts.father_status], GROUP_OF[facts.mother_status]}
    if result.weakness_type:
        assert groups <= set("ABCE")
        assert groups != {"E"}
        assert result.weakness_type == expected_weakness(
            facts.father_status, facts.mother_status
        )
    if expected_age(facts.birth_date, as_of) < 18:
        # under 18 the type depends on the parents alone (rule 5)
        assert result.weakness_type == expected_weakness(
            facts.father_status, facts.mother_status
        )


@settings(max_examples=400, deadline=None)
@given(facts_and_dates())
def test_property_categories_in_canonical_order(case):
    result = classify(*case)
    assert result.categories == tuple(
        c for c in CATEGORY_ORDER if c in result.categories
    )


@settings(max_examples=600, deadline=None)
@given(facts_and_dates(), st.booleans())
def test_property_classify_agrees_with_domain_md(case, rural_only):
    facts, as_of = case
    result = classify(facts, as_of, PolicySettings(require_rural_hukou=rural_only))
    assert observed(result) == expected(facts, as_of, require_rural=rural_only)


@settings(max_examples=300, deadline=None)
@given(
    st.dates(date(1996, 1, 1), date(2030, 12, 31)),
    st.dates(date(1996, 1, 1), date(2060, 12, 31)),
)
def test_property_age_on(born, as_of):
    if born <= as_of:
        assert age_on(born, as_of) == expected_age(born, as_of)


@st.composite
def facts_alike(draw):
    """Facts, a date, and other facts of the same classify_key that day: another
    birth date of the same age, another guardian's name as blank or not."""
    facts, as_of = draw(facts_and_dates())
    age = age_on(facts.birth_date, as_of)
    born = draw(st.dates(facts.birth_date - timedelta(days=366), facts.birth_date))
    born = born if age_on(born, as_of) == age else facts.birth_date
    name = " 李 四 " if facts.guardian_name.strip() else "\u3000 "
    return facts, replace(facts, birth_date=born, guardian_name=name), as_of


@settings(max_examples=400, deadline=None)
@given(facts_alike(), st.booleans())
def test_property_facts_of_one_key_classify_alike(case, rural_only):
    facts, other, as_of = case
    rules = PolicySettings(require_rural_hukou=rural_only)
    assert classify_key(facts, as_of) == classify_key(other, as_of)
    assert classify(facts, as_of, rules) == classify(other, as_of, rules)


def test_the_key_reads_every_fact():
    """A fact added to Facts must be added to classify_key too."""
    facts = Facts(
        birth_date=date(2015, 3, 8), father_status="在家", mother_status="在家"
    )
    assert len(classify_key(facts, date(2026, 9, 1))) == len(fields(Facts))
