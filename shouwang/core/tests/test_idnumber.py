"""Citizen ID numbers (GB 11643-1999), checked against the standard itself.

The check character is recomputed here from the standard's published weights and
mapping table, independently of the implementation.
"""

import re
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shouwang.core.idnumber import (
    IdNumberEnd,
    InvalidIdNumber,
    check_character,
    id_number_end,
    make_id_number,
    mask_id_number,
    parse_id_number,
)

# GB 11643-1999: weights W_i for positions 1..17, and the check character for each
# remainder 0..10 of sum(a_i * W_i) mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_FOR_REMAINDER = ("1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2")

EXAMPLE = "11010519491231002X"  # the standard's own example
CJK = re.compile(r"[\u4e00-\u9fff]")


def gb_check(first17: str) -> str:
    return CHECK_FOR_REMAINDER[
        sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11
    ]


def with_check(first17: str) -> str:
    assert len(first17) == 17
    return first17 + gb_check(first17)


def assert_invalid(raw: str, today: date | None = None) -> InvalidIdNumber:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(raw, today=today)
    message = str(caught.value)
    assert CJK.search(message), message
    return caught.value


# --- valid numbers ------------------------------------------------------------------


def test_the_published_example_is_valid():
    assert gb_check(EXAMPLE[:17]) == "X"  # sanity of the table above
    parsed = parse_id_number(EXAMPLE)
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "女"  # 17th digit 2: even


def test_the_published_example_with_a_lower_case_x_is_valid():
    parsed = parse_id_number(EXAMPLE.lower())
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "女"
    assert parsed.value.upper() == EXAMPLE


def test_the_published_example_is_valid_with_today():
    assert parse_id_number(EXAMPLE, today=date(2026, 1, 1)).birth_date == date(
        1949, 12, 31
    )


@pytest.mark.parametrize(
    ("first17", "born"),
    [
        ("43052120150308001", date(2015, 3, 8)),
        ("44030420080229123", date(2008, 2, 29)),  # leap day
        ("51010220000101000", date(2000, 1, 1)),
        ("65010219991231999", date(1999, 12, 31)),
    ],
)
def test_other_valid_numbers(first17, born):
    assert parse_id_number(with_check(first17)).birth_date == born


def test_a_number_whose_check_character_is_x_and_one_whose_is_0():
    numbers = [with_check(f"430521201503080{n:02d}") for n in range(100)]
    checks = {n[-1] for n in numbers}
    assert {"X", "0"} <= checks
    for number in numbers:
        parse_id_number(number)
        parse_id_number(number.lower())


@pytest.mark.parametrize("digit", range(10))
def test_sex_from_the_17th_digit(digit):
    number = with_check(f"4305212015030800{digit}")
    assert parse_id_number(number).sex == ("男" if digit % 2 else "女")


def test_born_today_is_valid():
    number = with_check("43052120260601003")
    assert parse_id_number(number, today=date(2026, 6, 1)).birth_date == date(
        2026, 6, 1
    )


# --- invalid numbers -----------------------------------------------------------------


def test_wrong_check_digit():
    for wrong in "0123456789":
        if wrong != "X":
            assert_invalid(EXAMPLE[:17] + wrong)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1",
        EXAMPLE[:17],
        EXAMPLE + "0",
        EXAMPLE[:15],  # the old 15-digit numbers are not accepted
        "110105491231002",
    ],
)
def test_wrong_length(raw):
    assert_invalid(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231A02X",
        "1101051949123100XX",
        "X1010519491231002X",
        "11010519491231002Y",
        "11010519491231002*",
        "110105 9491231002X",
    ],
)
def test_non_digit(raw):
    assert_invalid(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("１１０１０５１９４９１２３１００２X", id="full-width"),
        pytest.param("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", id="arabic-indic"),
    ],
)
def test_non_ascii_digits_are_refused_or_normalized(raw):
    """Either refused, or read as the ASCII number (so that uniqueness and masking
    still work); never kept as other characters."""
    try:
        parsed = parse_id_number(raw)
    except InvalidIdNumber as error:
        assert CJK.search(str(error))
    else:
        assert parsed.value == EXAMPLE


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("²10105" + "19491231002X", id="superscript-in-area"),
        pytest.param("11010519491231" + "00²" + "X", id="superscript-in-sequence"),
    ],
)
def test_superscript_digit_is_an_invalid_number(raw):
    assert_invalid(raw)


@pytest.mark.parametrize(
    "date8",
    [
        "20100230",
        "20100231",
        "20230229",
        "19000229",
        "20101301",
        "20100001",
        "20100100",
        "20100431",
    ],
)
def test_impossible_date(date8):
    # the check character is right, so only the date is wrong
    assert_invalid(with_check(f"430521{date8}001"))


def test_birth_date_after_today():
    number = with_check("43052120260602003")
    assert_invalid(number, today=date(2026, 6, 1))
    assert parse_id_number(number, today=date(2026, 6, 2)).birth_date == date(
        2026, 6, 2
    )


# --- check_character -------------------------------------------------------------------


def test_check_character_of_the_example():
    assert check_character(EXAMPLE[:17]) == "X"


@given(st.text("0123456789", min_size=17, max_size=17))
def test_property_check_character_is_gb_11643(first17):
    assert check_character(first17) == gb_check(first17)


@pytest.mark.parametrize(
    "first17",
    ["1101051949123100", "110105194912310021", "1101051949123100X", "１" * 17],
)
def test_check_character_refuses_anything_but_17_ascii_digits(first17):
    with pytest.raises(ValueError):
        check_character(first17)


# --- masking ---------------------------------------------------------------------------


def test_mask_shows_first_6_eight_stars_last_4():
    assert mask_id_number(EXAMPLE) == "110105********002X"
    masked = mask_id_number("430521201503080012")
    assert masked == "430521********0012"
    assert len(masked) == 18


def test_mask_of_nothing_is_empty():
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


@given(st.text("0123456789X", min_size=18, max_size=18))
def test_property_mask_hides_the_birth_date_and_sequence(number):
    masked = mask_id_number(number)
    assert masked[:6] == number[:6]
    assert masked[6:14] == "*" * 8
    assert masked[14:] == number[14:]


# --- synthetic numbers -------------------------------------------------------------------

areas = st.text("0123456789", min_size=6, max_size=6)
births = st.dates(date(1900, 1, 1), date(2030, 12, 31))


@given(areas, births, st.integers(0, 499), st.booleans())
def test_property_make_id_number_parses_back(area6, born, sequence, male):
    number = make_id_number(area6, born, sequence, male=male)
    assert len(number) == 18
    assert number[:6] == area6
    assert number[-1] == gb_check(number[:17])
    parsed = parse_id_number(number, today=born)
    assert parsed.birth_date == born
    assert parsed.sex == ("男" if male else "女")


@given(
    areas,
    births,
    st.integers(0, 499),
    st.booleans(),
    st.integers(0, 16),
    st.integers(1, 9),
)
def test_property_changing_one_digit_breaks_the_check(
    area6, born, sequence, male, i, delta
):
    number = make_id_number(area6, born, sequence, male=male)
    changed = number[:i] + str((int(number[i]) + delta) % 10) + number[i + 1 :]
    assume(changed != number)
    assert check_character(changed[:17]) != number[17]
    assert gb_check(changed[:17]) != number[17]
    with pytest.raises(InvalidIdNumber):
        parse_id_number(changed)


@given(areas, births, st.integers(0, 499))
def test_property_make_id_number_men_and_women_differ(area6, born, sequence):
    man = make_id_number(area6, born, sequence, male=True)
    woman = make_id_number(area6, born, sequence, male=False)
    assert man != woman


# The end of a number, as a search asks for it ----------------------------------------


@pytest.mark.parametrize(
    ("text", "tail", "start"),
    [
        ("1234", "1234", ""),
        ("002x", "002X", ""),
        (" 12345X ", "12345X", ""),
        ("123456", "123456", ""),
        ("１２３４", "1234", ""),
        ("430524********1234", "1234", "430524"),
        ("430524＊＊＊＊＊＊＊＊002x", "002X", "430524"),
    ],
)
def test_the_end_of_a_number_a_search_asks_for(text, tail, start):
    assert id_number_end(text) == IdNumberEnd(tail=tail, start=start)


@pytest.mark.parametrize(
    "text",
    ["", "123", "1234567", "12X4", "X234", "abcd", "张晓明", "430524****", EXAMPLE],
)
def test_other_text_is_no_end_of_a_number(text):
    assert id_number_end(text) is None


@given(
    st.from_regex(r"\A[0-9]{17}\Z").map(with_check),
    st.integers(min_value=4, max_value=6),
)
def test_the_last_digits_and_the_masked_number_of_any_number_are_its_end(number, k):
    assert id_number_end(number[-k:]) == IdNumberEnd(tail=number[-k:])
    assert id_number_end(mask_id_number(number)) == IdNumberEnd(
        tail=number[-4:], start=number[:6]
    )
