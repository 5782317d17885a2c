"""schooling.id_numbers: the list's fast ID-number check gives parse_id_number's own
verdict (the normalized number, or the same InvalidIdNumber message) for any text."""

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shouwang.core.idnumber import (
    InvalidIdNumber,
    check_character,
    make_id_number,
    parse_id_number,
)
from shouwang.schooling.id_numbers import IdNumberCheck

TODAY = date(2026, 9, 1)


def verdict_of(check, raw: str) -> tuple[str, str]:
    try:
        return ("accepted", check(raw))
    except InvalidIdNumber as error:
        return ("refused", str(error))


def parse_verdict(raw: str, today: date | None) -> tuple[str, str]:
    return verdict_of(lambda r: parse_id_number(r, today=today).value, raw)


# Numbers near valid ones: real and impossible birth dates, every sequence, any check
# character, then typed the ways people type them (lower-case x, spaces, full width).
_birth = st.one_of(
    st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31)).map(
        lambda d: f"{d:%Y%m%d}"
    ),
    st.tuples(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)).map(
        lambda t: f"{t[0]:04d}{t[1]:02d}{t[2]:02d}"
    ),
)
_first17 = st.tuples(
    st.sampled_from(["430524", "110105", "000000", "999999"])
    | st.from_regex(r"\A[0-9]{6}\Z"),
    _birth,
    st.integers(0, 999).map(lambda n: f"{n:03d}"),
).map("".join)
_typed = st.sampled_from(
    [
        lambda s: s,
        lambda s: s.lower(),
        lambda s: f" {s}",
        lambda s: f"{s} ",
        lambda s: s[:-1],
        lambda s: s.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
        lambda s: s[:5] + "a" + s[6:],
        lambda s: s[:10] + "٣" + s[11:],  # a digit, but not an ASCII one
    ]
)


@st.composite
def id_texts(draw) -> str:
    first17 = draw(_first17)
    last = draw(st.sampled_from("0123456789Xx"))
    if draw(st.booleans()):  # the right check character, half the time
        last = check_character(first17)
    return draw(_typed)(first17 + last)


@given(
    texts=st.lists(id_texts() | st.text(max_size=20), min_size=1, max_size=8),
    today=st.none() | st.dates(min_value=date(1999, 1, 1), max_value=date(2040, 1, 1)),
)
@example(texts=["11010519491231002X", "11010519491231002x"], today=None)
@example(texts=["430524201503080011"], today=date(2015, 3, 7))  # born tomorrow
@example(texts=["430524189912310011", "430524201502290011"], today=TODAY)
def test_the_same_verdict_as_parse_id_number(texts, today):
    check = IdNumberCheck(today=today)  # one per list: what it keeps is reused
    for raw in [*texts, *texts]:
        assert verdict_of(check, raw) == parse_verdict(raw, today)


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(0, 499),
    male=st.booleans(),
    area=st.from_regex(r"\A[0-9]{6}\Z"),
)
def test_every_valid_number_is_accepted_as_it_is(born, sequence, male, area):
    number = make_id_number(area, born, sequence, male=male)
    assert IdNumberCheck(today=TODAY)(number) == number


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("43052420150308001", "身份号码应为18位，当前为17位"),
        ("43052420150308001A", "身份号码前17位应为数字，最后一位为数字或 X"),
        ("430524201502300011", "身份号码中的出生日期 20150230 不是真实的日期"),
        ("430524202701010011", "身份号码中的出生日期 2027-01-01 不合理"),
    ],
)
def test_refusals_say_why_as_parse_id_number_does(raw, message):
    check = IdNumberCheck(today=TODAY)
    for _ in range(2):  # the second time from what it kept
        with pytest.raises(InvalidIdNumber) as refused:
            check(raw)
        assert str(refused.value) == message


def test_a_date_is_judged_against_the_checks_own_today():
    number = make_id_number("430524", TODAY, 1, male=True)
    assert IdNumberCheck(today=TODAY)(number) == number
    with pytest.raises(InvalidIdNumber):
        IdNumberCheck(today=TODAY - timedelta(days=1))(number)
