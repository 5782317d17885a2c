"""Periods of statistics and how a person names them: dates as YYYY-MM-DD, quarters
by default, with the Chinese message for each mistake."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from shouwang.core.exceptions import DomainError


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start:%Y年%-m月%-d日}至{self.end:%Y年%-m月%-d日}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one (the previous quarter
        or month when this one is a whole quarter or month)."""
        if self.start.day == 1 and self.end == month_end(self.end):
            months = (
                (self.end.year - self.start.year) * 12
                + (self.end.month - self.start.month)
                + 1
            )
            start = add_months(self.start, -months)
            return Period(start, month_end(add_months(self.start, -1)))
        end = date.fromordinal(self.start.toordinal() - 1)
        return Period(date.fromordinal(end.toordinal() - self.days + 1), end)


class BadPeriod(DomainError):
    """A date or period a person gave that cannot be used (the message says why)."""


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return date.fromordinal(add_months(day, 1).toordinal() - 1)


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def default_period(today: date | None = None) -> Period:
    """The current quarter up to today."""
    today = today or timezone.localdate()
    return Period(quarter_start(today), today)


def last_quarter(today: date | None = None) -> Period:
    """The last whole quarter before today's."""
    today = today or timezone.localdate()
    start = add_months(quarter_start(today), -3)
    return Period(start, month_end(add_months(start, 2)))


def parse_date(text: str | None, *, field: str, label: str) -> date | None:
    """A date written YYYY-MM-DD, or None when empty; BadPeriod otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadPeriod(
            f"{label}“{text[:20]}”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。",
            field=field,
        ) from None
    if day < EARLIEST:
        # The comparison period before one that starts at year 1 does not exist.
        raise BadPeriod(
            f"{label} {text[:20]} 太早：统计的日期不能早于 {EARLIEST:%Y-%m-%d}。",
            field=field,
        )
    return day


EARLIEST = date(1900, 1, 1)


def parse_period(
    start_text: str | None, end_text: str | None, *, today: date | None = None
) -> Period:
    """The period named by two optional dates (defaults: the current quarter up to
    today); BadPeriod for a bad date, a date in the future, or start after end."""
    today = today or timezone.localdate()
    end = parse_date(end_text, field="to", label="截止日期") or today
    start = parse_date(start_text, field="from", label="起始日期") or quarter_start(end)
    if end > today:
        raise BadPeriod(
            f"截止日期 {end:%Y-%m-%d} 在今天（{today:%Y-%m-%d}）之后：统计只能截至今天或以前。",
            field="to",
        )
    if start > end:
        raise BadPeriod(
            f"起始日期 {start:%Y-%m-%d} 晚于截止日期 {end:%Y-%m-%d}：请调换或改正。",
            field="from",
        )
    return Period(start, end)
