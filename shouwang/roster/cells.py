"""Reading one spreadsheet cell as the value a Child field holds.

Cells arrive as python-calamine gives them (str, float, int, bool, date, datetime) or as
CSV text. Each parser returns the value or raises CellError, whose message says what is
wrong and how to fix it, in Chinese.
"""

import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from shouwang.core.idnumber import IdNumber, InvalidIdNumber, parse_id_number
from shouwang.registry.rules import normal_person_name

from .columns import Column

MAX_CELL = 32767  # Excel's own limit for one cell
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_DIGITS_LOST = "身份号码被 Excel 存成了数字，后几位已丢失（显示为科学计数法）：请把该列设为“文本”格式后重新填写号码"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # see workbook.inert
_SPLIT = re.compile(r"[、,，;；\s]+")
_CODE = re.compile(r"\d{12}")
_GRADES = {
    "1": "一级",
    "2": "二级",
    "3": "三级",
    "4": "四级",
    "1级": "一级",
    "2级": "二级",
    "3级": "三级",
    "4级": "四级",
}
_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"否", "n", "no", "false", "0", "×"}


class CellError(ValueError):
    """The cell cannot be read; `str(error)` says why and how to fix it."""


def as_text(value: object) -> str:
    """A cell as trimmed text; whole numbers lose Excel's '.0'."""
    if type(value) is str:  # the usual cell, first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_date(value: object) -> date | None:
    """An Excel date cell, an Excel serial number, or text in the accepted forms."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial range (1900-01-01 … 9999-12-31)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        if not (isinstance(value, int) or value.is_integer()):
            raise CellError(f"“{value}”不是有效的日期：请填写如 2015-03-08 的日期")
        # else 20150308 typed into a cell of Excel's "General" format: read as text
    text = as_text(value)
    for pattern in _DATE_PATTERNS:
        if match := pattern.match(text):
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(
        f"“{text[:20]}”不是有效的日期：请填写如 2015-03-08、2015/3/8、20150308 或 2015年3月8日"
    )


def read_id(value: object, *, today: date) -> str | None:
    """An ID number; a number Excel stored as a number has lost its last digits."""
    parsed = read_id_number(value, today=today)
    return parsed.value if parsed else None


def read_id_number(value: object, *, today: date) -> IdNumber | None:
    """read_id, with the birth date and sex the number holds."""
    if value in (None, ""):
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, float) and abs(value) >= 1e15:
            raise CellError(_DIGITS_LOST)
        raise CellError("身份号码应为18位：请把该列设为“文本”格式后重新填写")
    text = as_text(value)
    if _SCIENTIFIC.match(text):  # a CSV saved by Excel after it showed 4.30524E+17
        raise CellError(_DIGITS_LOST)
    try:
        return parse_id_number(text, today=today)
    except InvalidIdNumber as error:
        raise CellError(f"{error}") from None


def read_choice(column: Column, value: object) -> str:
    text = as_text(value)
    if text == "":
        return column.default if isinstance(column.default, str) else ""
    if column.field == "ethnicity" and text + "族" in column.choices:
        text += "族"
    if column.kind == "grade":
        text = _GRADES.get(text, text)
    if text not in column.choices:
        options = (
            "、".join(column.choices)
            if len(column.choices) <= 15
            else f"{column.choices[0]}等规范名称"
        )
        raise CellError(f"“{text[:20]}”不是可选的值：应为 {options}")
    return sys.intern(text)  # one string for each choice, however many rows hold it


def read_bool(value: object, *, optional: bool = False) -> bool | None:
    text = as_text(value).lower()
    if text == "":
        return None if optional else False
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"“{text[:20]}”应为 是 或 否")


def read_assistance(column: Column, value: object) -> list[str]:
    items = [item for item in _SPLIT.split(as_text(value)) if item]
    wrong = [item for item in items if item not in column.choices]
    if wrong:
        raise CellError(
            f"“{'、'.join(wrong)[:30]}”不是可选的救助帮扶项目：应为 {'、'.join(column.choices)} 中的一项或几项，用、分隔"
        )
    return sorted(set(items))


def read_code(value: object) -> str:
    text = as_text(value)
    if not _CODE.fullmatch(text):
        raise CellError(
            f"“{text[:20]}”不是12位区划代码：请从模板的“村（社区）代码”表中复制"
        )
    return text


def read_cell(column: Column, value: object, *, today: date) -> object:
    """The value of one cell for its column; CellError when it cannot be read."""
    return cell_reader(column, today=today)(value)


def cell_reader(column: Column, *, today: date) -> Callable[[object], object]:
    """read_cell for one column, its kind worked out once (an import reads every
    column of every row)."""
    kind = column.kind
    if kind == "name":
        return partial(_read_name, column.max_length)
    if kind in {"text", "phone"}:
        return partial(_read_text, column.max_length)
    if kind in {"sex", "choice", "grade"}:
        read = partial(read_choice, column)
    elif kind in {"date", "optional_date"}:
        read = read_date
    elif kind == "id":
        read = partial(read_id, today=today)
    elif kind == "parent_id":
        read = partial(_read_parent_id, today=today)
    elif kind == "hukou":
        read = _read_hukou
    elif kind == "bool":
        read = read_bool
    elif kind == "optional_bool":
        read = partial(read_bool, optional=True)
    elif kind == "assistance":
        read = partial(read_assistance, column)
    elif kind == "code":
        read = read_code
    else:
        read = as_text
    read = partial(_within_limit, read)
    return _remembering(read) if kind in _FEW_VALUES else read


# Kinds whose cells hold few distinct values in a roster (choices, flags, village
# codes, dates): each distinct cell is read once per column, by the same readers.
_FEW_VALUES = {
    "sex",
    "choice",
    "grade",
    "date",
    "optional_date",
    "hukou",
    "bool",
    "optional_bool",
    "assistance",
    "code",
}
_REMEMBERED_TYPES = (str, date, datetime)  # a date and a datetime are never equal


def _remembering(read: Callable[[object], object]) -> Callable[[object], object]:
    """read, remembering what each distinct text or date cell reads as (errors are
    not remembered: such a cell is read, and refused, again)."""
    known: dict[object, object] = {}

    def remembered(value: object) -> object:
        if type(value) not in _REMEMBERED_TYPES:
            return read(value)  # 1 == 1.0 == True: numbers are read each time
        result = known.get(value, known)
        if result is known:
            result = known[value] = read(value)
        return result.copy() if type(result) is list else result

    return remembered


def id_reader(column: Column, *, today: date) -> Callable[[object], IdNumber | None]:
    """For an ID number column: the parsed number (None when empty), for the record
    checks to use as it is; the cell's value is its `.value` (read_cell)."""
    return partial(_within_limit, partial(read_id_number, today=today))


def _too_long() -> CellError:
    return CellError(f"单元格内容超过 {MAX_CELL} 个字符：请删减")


def _within_limit(read: Callable[[object], object], value: object) -> object:
    if isinstance(value, str) and len(value) > MAX_CELL:
        raise _too_long()
    return read(value)


def _read_text(max_length: int, value: object) -> str:
    if isinstance(value, str) and len(value) > MAX_CELL:
        raise _too_long()
    text = as_text(value)
    if text[:1] == "'" and text[1:2] in FORMULA_START:
        text = text[1:]  # the quote an export put before = + - @ (workbook.inert)
    if max_length and len(text) > max_length:
        raise CellError(f"最多{max_length}个字，当前{len(text)}个：请删减")
    return text


def _read_name(max_length: int, value: object) -> str:
    return normal_person_name(_read_text(max_length, value))  # ・ • ． → ·


def _read_parent_id(value: object, *, today: date) -> str:
    return read_id(value, today=today) or ""


def _read_hukou(value: object) -> bool:
    text = as_text(value)
    if text in ("", "已登记"):
        return True
    if text == "未登记":
        return False
    raise CellError(f"“{text[:20]}”应为 已登记 或 未登记")
