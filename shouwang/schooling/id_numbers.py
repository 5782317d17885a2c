"""Checking the many ID numbers of one school list at list speed.

`IdNumberCheck(today=)(raw)` is `parse_id_number(raw, today=today).value`: the same
numbers accepted, the same InvalidIdNumber (and message) for every other value. A
list holds hundreds of thousands of numbers, nearly all valid and already written as
parse_id_number keeps them (18 ASCII characters, X upper case); `plainly_valid`
recognises those in a few operations done in C: the birth date's verdict is kept the
first time the date is seen (a list holds a few thousand dates), and the check sum
is one int() (see _check_character). Any number that is not plainly valid goes to
parse_id_number itself, so a message never comes from here.
"""

from datetime import date

from shouwang.core.idnumber import parse_id_number

_CHECK = "10X98765432"  # GB 11643-1999: the check character for each remainder


def _check_character(first17: str) -> str:
    """The check character of 17 ASCII digits. The standard weighs digit j (0-16)
    by 2**(17 - j) mod 11; read as a number in base 13, the digits add up to the sum
    of digit j times 13**(16 - j), and 13 is 2 mod 11: twice that number is the
    weighted sum, mod 11."""
    return _CHECK[2 * int(first17, 13) % 11]


class IdNumberCheck:
    """parse_id_number(raw, today=today).value for one list's numbers, faster."""

    __slots__ = ("_dates", "today")

    def __init__(self, *, today: date | None) -> None:
        self.today = today
        self._dates: dict[str, bool] = {}  # YYYYMMDD → parse_id_number accepts it

    def __call__(self, raw: str) -> str:
        if self.plainly_valid(raw):
            return raw
        return parse_id_number(raw, today=self.today).value  # the verdict, or why not

    def plainly_valid(self, raw: object) -> bool:
        """True for a valid number written as parse_id_number keeps it; False for
        every other value (which may still be valid written otherwise)."""
        if type(raw) is not str or len(raw) != 18 or not raw.isascii():
            return False
        first17 = raw[:17]
        if not first17.isdigit():  # ASCII digits only (isascii above)
            return False
        born = raw[6:14]
        known = self._dates.get(born)
        if known is None:
            known = self._dates[born] = self._birth_date_accepted(born)
        return known and _check_character(first17) == raw[17]

    def _birth_date_accepted(self, born: str) -> bool:
        try:
            when = date(int(born[:4]), int(born[4:6]), int(born[6:]))
        except ValueError:
            return False
        return when.year >= 1900 and (self.today is None or when <= self.today)
