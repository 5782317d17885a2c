"""The shape of the 12-digit statistical area code: examples and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouwang.areas import codes
from shouwang.areas.codes import Level

ORDER = list(codes.LEVEL_DIGITS)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def area_codes(draw, level: Level | None = None) -> str:
    """A well-formed code of a level: its own segment is not all zeros, the rest pads."""
    level = level or draw(st.sampled_from(ORDER))
    digits = codes.LEVEL_DIGITS[level]
    province = draw(st.from_regex(r"0[1-9]|[1-9][0-9]", fullmatch=True))
    rest = draw(st.from_regex(rf"[0-9]{{{digits - 2}}}", fullmatch=True))
    prefix = province + rest
    if level != Level.PROVINCE:
        above = codes.LEVEL_DIGITS[ORDER[ORDER.index(level) - 1]]
        if set(prefix[above:]) == {"0"}:
            prefix = prefix[:-1] + "1"
    return codes.pad(prefix)


# --- examples --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["430524000000", "110101001001", "441900003000", "650000000000"],
)
def test_well_formed_codes_are_codes(value):
    assert codes.is_code(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "43052400000",  # 11 digits
        "4305240000000",  # 13 digits
        "43052400000a",
        "000000000000",
        "001234000000",  # no province 00
        " 430524000000",
        "430524000000\n",  # $ would let a trailing newline through
        "430524000000".translate(FULL_WIDTH),  # \d would take full-width digits
        "٤٣٠٥٢٤٠٠٠٠٠٠",  # Arabic-Indic digits
    ],
)
def test_malformed_codes_are_not_codes(value):
    assert not codes.is_code(value)


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("430000000000", Level.PROVINCE, "43"),
        ("430500000000", Level.CITY, "4305"),
        ("430524000000", Level.COUNTY, "430524"),
        ("430524101000", Level.TOWNSHIP, "430524101"),
        ("430524101201", Level.VILLAGE, "430524101201"),
        ("441900003000", Level.TOWNSHIP, "441900003"),  # 东莞: township under a city
    ],
)
def test_level_and_prefix(code, level, prefix):
    assert codes.level_of(code) == level
    assert codes.prefix_of(code) == prefix


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("430000000000", None),
        ("430500000000", "430000000000"),
        ("430524000000", "430500000000"),
        ("430524101000", "430524000000"),
        ("430524101201", "430524101000"),
        ("441900003000", "441900000000"),  # 东莞's townships hang from the city
        ("429004000000", "429000000000"),  # 仙桃: under 省直辖县级行政区划
    ],
)
def test_expected_parent(code, parent):
    assert codes.expected_parent(code) == parent


def test_ancestors_run_province_first_and_skip_missing_levels():
    assert codes.ancestors("430524101201") == [
        "430000000000",
        "430500000000",
        "430524000000",
        "430524101000",
    ]
    assert codes.ancestors("441900003000") == ["440000000000", "441900000000"]
    assert codes.ancestors("430000000000") == []


def test_prefix_bounds():
    assert codes.prefix_bounds("4305") == ("430500000000", "430599999999")
    assert codes.prefix_bounds("430524101201") == ("430524101201", "430524101201")
    assert codes.prefix_bounds("") == ("000000000000", "999999999999")


def test_next_level():
    assert [codes.next_level(level) for level in ORDER] == [*ORDER[1:], None]


# --- properties ------------------------------------------------------------------


@given(area_codes())
def test_generated_codes_are_codes_and_only_in_ascii(code):
    assert codes.is_code(code)
    assert not codes.is_code(code.translate(FULL_WIDTH))
    assert not codes.is_code(code + "\n")
    assert not codes.is_code(code[:-1])


@given(
    st.sampled_from(ORDER).flatmap(lambda lv: st.tuples(st.just(lv), area_codes(lv)))
)
def test_level_of_reads_the_level_a_code_was_made_at(level_and_code):
    level, code = level_and_code
    assert codes.level_of(code) == level
    prefix = codes.prefix_of(code)
    assert len(prefix) == codes.LEVEL_DIGITS[level]
    assert code.startswith(prefix)
    assert codes.pad(prefix) == code


@given(area_codes(), st.data())
def test_prefix_bounds_hold_exactly_the_codes_with_the_prefix(code, data):
    prefix = codes.prefix_of(code)
    low, high = codes.prefix_bounds(prefix)
    inside = prefix + data.draw(
        st.from_regex(rf"[0-9]{{{12 - len(prefix)}}}", fullmatch=True)
    )
    other = data.draw(st.from_regex(r"[0-9]{12}", fullmatch=True))
    assert low <= inside <= high
    assert (low <= other <= high) == other.startswith(prefix)


@given(area_codes())
def test_expected_parent_is_a_prefix_ancestor_one_level_or_more_up(code):
    parent = codes.expected_parent(code)
    if codes.level_of(code) == Level.PROVINCE:
        assert parent is None
        return
    assert parent is not None
    assert codes.is_code(parent)
    assert parent != code
    assert code.startswith(codes.prefix_of(parent))
    assert ORDER.index(codes.level_of(parent)) < ORDER.index(codes.level_of(code))


@given(area_codes())
def test_ancestors_are_the_chain_of_expected_parents(code):
    chain, parent = [], codes.expected_parent(code)
    while parent is not None:
        chain.insert(0, parent)
        parent = codes.expected_parent(parent)
    assert codes.ancestors(code) == chain
    assert all(code.startswith(codes.prefix_of(a)) for a in chain)
