"""Reading one spreadsheet cell as the value a Child field holds.

Cells arrive as python-calamine gives them (str, float, int, bool, date, datetime) or as
CSV text. Each parser returns the value or raises CellError, whose message says what is
wrong and how to fix it, in Chinese.
"""

import re
import sys
from datetime import date, datetime, timedelta

from shouwang.core.idnumber import InvalidIdNumber, parse_id_number

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
        return parse_id_number(text, today=today).value
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
    if isinstance(value, str) and len(value) > MAX_CELL:
        raise CellError(f"单元格内容超过 {MAX_CELL} 个字符：请删减")
    kind = column.kind
    if kind in {"text", "name", "phone"}:
        text = as_text(value)
        if text[:1] == "'" and text[1:2] in FORMULA_START:
            text = text[1:]  # the quote an export put before = + - @ (workbook.inert)
        if column.max_length and len(text) > column.max_length:
            raise CellError(f"最多{column.max_length}个字，当前{len(text)}个：请删减")
        return text
    if kind == "sex":
        return read_choice(column, value)
    if kind in {"choice", "grade"}:
        return read_choice(column, value)
    if kind in {"date", "optional_date"}:
        return read_date(value)
    if kind == "id":
        return read_id(value, today=today)
    if kind == "parent_id":
        return read_id(value, today=today) or ""
    if kind == "hukou":
        text = as_text(value)
        if text in ("", "已登记"):
            return True
        if text == "未登记":
            return False
        raise CellError(f"“{text[:20]}”应为 已登记 或 未登记")
    if kind == "bool":
        return read_bool(value)
    if kind == "optional_bool":
        return read_bool(value, optional=True)
    if kind == "assistance":
        return read_assistance(column, value)
    if kind == "code":
        return read_code(value)
    return as_text(value)
