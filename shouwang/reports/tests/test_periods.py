from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouwang.reports.periods import (
    BadPeriod,
    Period,
    default_period,
    last_quarter,
    parse_period,
)

TODAY = date(2026, 12, 7)


def test_defaults_are_the_current_quarter_up_to_today():
    assert parse_period("", "", today=TODAY) == Period(date(2026, 10, 1), TODAY)
    assert default_period(TODAY) == Period(date(2026, 10, 1), TODAY)
    assert parse_period("", "2026-08-15", today=TODAY) == Period(
        date(2026, 7, 1), date(2026, 8, 15)
    )


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (
            "",
            "2026-12-08",
            "to",
            "截止日期 2026-12-08 在今天（2026-12-07）之后：统计只能截至今天或以前。",
        ),
        (
            "2026-12-01",
            "2026-11-01",
            "from",
            "起始日期 2026-12-01 晚于截止日期 2026-11-01：请调换或改正。",
        ),
        (
            "2026/10/01",
            "",
            "from",
            "起始日期“2026/10/01”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。",
        ),
        (
            "0001-01-01",
            "",
            "from",
            "起始日期 0001-01-01 太早：统计的日期不能早于 1900-01-01。",
        ),
        (
            "",
            "9999-99-99",
            "to",
            "截止日期“9999-99-99”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。",
        ),
    ],
)
def test_bad_periods_say_what_and_where(start, end, field, message):
    with pytest.raises(BadPeriod) as caught:
        parse_period(start, end, today=TODAY)
    assert caught.value.field == field
    assert caught.value.message == message


def test_the_previous_period_of_a_quarter_is_the_quarter_before():
    q3 = Period(date(2026, 7, 1), date(2026, 9, 30))
    assert q3.previous() == Period(date(2026, 4, 1), date(2026, 6, 30))
    q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert q1.previous() == Period(date(2025, 10, 1), date(2025, 12, 31))
    month = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert month.previous() == Period(date(2026, 2, 1), date(2026, 2, 28))
    days = Period(date(2026, 10, 1), date(2026, 12, 7))
    assert days.previous() == Period(date(2026, 7, 25), date(2026, 9, 30))
    assert last_quarter(TODAY) == q3.__class__(date(2026, 7, 1), date(2026, 9, 30))


@given(st.text(max_size=30), st.text(max_size=30))
def test_any_text_is_a_period_or_a_bad_period(start, end):
    try:
        period = parse_period(start, end, today=TODAY)
    except BadPeriod as error:
        assert error.field in {"from", "to"}
        assert error.message
    else:
        assert period.start <= period.end <= TODAY
