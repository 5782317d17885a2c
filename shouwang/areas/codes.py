"""The 12-digit statistical area code (统计用区划代码) and what follows from its shape.

province 2 digits + city 2 + county 2 (GB/T 2260) + township 3 + village 3. A level's
significant prefix is the code cut at that level's length; jurisdiction over an area is
every code that starts with its prefix, which `prefix_bounds` turns into a range so that
both SQLite and PostgreSQL answer it from a plain B-tree index.
"""

import re
from enum import StrEnum

CODE_LENGTH = 12
# ASCII digits only: \d would also take full-width and other Unicode digits.
_CODE_RE = re.compile(r"[0-9]{12}")


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


LEVEL_DIGITS: dict[Level, int] = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_LABELS: dict[Level, str] = {
    Level.PROVINCE: "省级",
    Level.CITY: "市级",
    Level.COUNTY: "县级",
    Level.TOWNSHIP: "乡级",
    Level.VILLAGE: "村级",
}
_ORDER = list(LEVEL_DIGITS)


def is_code(value: str) -> bool:
    """True when value has the shape of a 12-digit area code (not all zeros)."""
    return bool(_CODE_RE.fullmatch(value)) and value[:2] != "00"


def level_of(code: str) -> Level:
    """The level a well-formed code names: the shortest prefix followed only by zeros."""
    for level, digits in LEVEL_DIGITS.items():
        if code[digits:].strip("0") == "":
            return level
    raise AssertionError("unreachable: a village code has no trailing part")


def prefix_of(code: str) -> str:
    """The significant prefix of a code: what every code inside the area starts with."""
    return code[: LEVEL_DIGITS[level_of(code)]]


def pad(prefix: str) -> str:
    """A prefix padded with zeros to a full code."""
    return prefix.ljust(CODE_LENGTH, "0")


def expected_parent(code: str) -> str | None:
    """The code of the area directly above, or None for a province.

    The code is cut at the level above its own. For the few cities without counties
    (东莞市 441900…), a township's parent is then the city itself.
    """
    index = _ORDER.index(level_of(code))
    if index == 0:
        return None
    return pad(code[: LEVEL_DIGITS[_ORDER[index - 1]]])


def ancestors(code: str) -> list[str]:
    """Codes of every area above this one, province first (as far as codes tell)."""
    own = level_of(code)
    result = []
    for level in _ORDER[: _ORDER.index(own)]:
        candidate = pad(code[: LEVEL_DIGITS[level]])
        if candidate != code and candidate not in result:
            result.append(candidate)
    return result


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """The inclusive range of 12-digit codes that start with prefix."""
    return prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "9")


def next_level(level: Level) -> Level | None:
    """The level below, or None under a village."""
    index = _ORDER.index(level)
    return _ORDER[index + 1] if index + 1 < len(_ORDER) else None
