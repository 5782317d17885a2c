"""Citizen ID numbers (公民身份号码, GB 11643-1999): checking, reading and masking.

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for
men, even for women), and a check character (0-9 or X) computed over the first 17.
"""

import re
from dataclasses import dataclass
from datetime import date
from operator import mul

_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# Full-width digits and Ｘ, as Chinese input methods type them, mean the ASCII ones.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_CHECK = "10X98765432"


class InvalidIdNumber(ValueError):
    """The value is not a valid ID number; the message says why in Chinese."""


@dataclass(frozen=True)
class IdNumber:
    value: str  # normalized: 18 characters, X upper case
    birth_date: date
    sex: str  # "男" or "女"


_ASCII_ZEROS = 48 * sum(_WEIGHTS)  # what the digits' ASCII codes add to the sum


def check_character(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"not 17 digits: {first17!r}")
    # Over the ASCII codes (a roster import checks hundreds of thousands).
    return _CHECK[(sum(map(mul, first17.encode(), _WEIGHTS)) - _ASCII_ZEROS) % 11]


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Check an ID number and read its birth date and sex; raise InvalidIdNumber."""
    value = (raw or "").strip()
    if not value.isascii():
        value = value.translate(_FULL_WIDTH)
    value = value.upper()
    if len(value) != 18:
        raise InvalidIdNumber(f"身份号码应为18位，当前为{len(value)}位")
    if not _SHAPE.match(value):
        raise InvalidIdNumber("身份号码前17位应为数字，最后一位为数字或 X")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            f"身份号码中的出生日期 {value[6:14]} 不是真实的日期"
        ) from None
    if born.year < 1900 or (today is not None and born > today):
        raise InvalidIdNumber(f"身份号码中的出生日期 {born:%Y-%m-%d} 不合理")
    if check_character(value[:17]) != value[17]:
        raise InvalidIdNumber(
            "身份号码校验位不正确：请逐位核对号码（常见原因是录入错一位）"
        )
    return IdNumber(value, born, "男" if int(value[16]) % 2 else "女")


_TAIL = re.compile(r"^[0-9]{3,5}[0-9X]$")
_MASKED = re.compile(r"^([0-9]{6})\*{1,12}([0-9]{3}[0-9X])$")


@dataclass(frozen=True)
class IdNumberEnd:
    """What a search by the end of an ID number asks for: the last 4-6 characters,
    and the first six when the search was a masked number as lists show it."""

    tail: str
    start: str = ""


def id_number_end(raw: str) -> IdNumberEnd | None:
    """The end of an ID number a search text is: 4-6 digits (the last may be X), or a
    masked number ("430524********1234"); None for any other text."""
    value = (raw or "").strip().translate(_FULL_WIDTH).upper().replace("＊", "*")
    if _TAIL.match(value):
        return IdNumberEnd(tail=value)
    if masked := _MASKED.match(value):
        return IdNumberEnd(tail=masked.group(2), start=masked.group(1))
    return None


def mask_id_number(value: str | None) -> str:
    """The number as shown by default: first 6, eight stars, last 4."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * 8}{value[-4:]}"


def make_id_number(area6: str, born: date, sequence: int, *, male: bool) -> str:
    """A valid ID number for synthetic data: sequence 0-499 picks the order digits."""
    order = sequence % 500 * 2 + (1 if male else 0)
    first17 = f"{area6}{born:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)
