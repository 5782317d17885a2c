"""Writing roster spreadsheets (xlsxwriter): the template, the export, the error report.

All three are laid out from the one table of columns (columns.COLUMNS). Every text cell
is written with write_string and any text a spreadsheet could take for a formula (it
begins with = + - @, a tab or a carriage return) gets a leading single quote, as OWASP
advises against CSV/formula injection: a name or a note typed as "=HYPERLINK(…)" stays
inert text in Excel, WPS and LibreOffice, and in any CSV a user saves from the file.
The importer drops that quote again (cells.read_cell), so an export imports unchanged.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter
from xlsxwriter.workbook import Format, Workbook
from xlsxwriter.worksheet import Worksheet

from shouwang.core.idnumber import mask_id_number

from .cells import FORMULA_START, MAX_CELL, as_text
from .columns import (
    COLUMNS,
    COMPUTED_HEADERS,
    NORMALIZED,
    REPORT_HEADERS,
    SHEET_NAME,
    TEMPLATE_VERSION,
    Column,
    normalize_header,
)
from .importer import ImportPlan, map_columns
from .reader import column_letter

INSTRUCTIONS_SHEET = "说明"
CHOICES_SHEET = "选项"
VILLAGES_SHEET = "村（社区）代码"
ERROR_COLUMN, ROW_COLUMN = REPORT_HEADERS
LAST_ROW = 1_048_575  # Excel's last row, 0-based: drop-downs cover the whole column
MAX_COMMENTS = 10_000  # past this, errors stay in 错误说明 only (Excel slows down)

_TEXT_KINDS = {"id", "parent_id", "code", "phone"}
_DATE_KINDS = {"date", "optional_date"}
_COMPUTED_WIDTHS = {
    "儿童类别": 20,
    "困境类型": 16,
    "监护能力薄弱类型": 10,
    "风险等级": 6,
    "认定依据": 40,
    "下次走访日期": 12,
}
# When a column that is not always required must be filled (roster-template.md).
_CONDITIONS = {
    "公民身份号码": "户口已登记时必填",
    "残疾类别": "健康状况为“残疾”时必填",
    "残疾等级": "健康状况为“残疾”时必填",
    "父亲务工地": "父亲外出务工时必填",
    "母亲务工地": "母亲外出务工时必填",
    "监护人与儿童关系": "填写了实际监护人时必填",
    "确认书签订日期": "已签订确认书时必填",
}
# What the template says about a column beyond its kind (roster-template.md).
_CHECKS = {
    "姓名": "1–30个字，首尾空格自动去除；不能含数字",
    "性别": "须与身份号码第17位一致",
    "民族": "56个民族的规范名称，从下拉列表选择；填“汉”视为“汉族”",
    "出生日期": "日期，如 2015-03-08、2015/3/8、20150308、2015年3月8日；不能晚于今天；须与身份号码一致",
    "公民身份号码": "18位，末位校验码正确（X 大小写均可），出生日期真实；在全部台账中唯一；户口未登记的可不填。本列为文本格式，请勿改为数字格式",
    "户籍地行政区划代码": "12位村（社区）代码，须是您管辖范围内的村（社区）：从下拉列表选择，代码与村名对照见工作表“村（社区）代码”（隐藏，右键工作表标签→取消隐藏）",
    "残疾等级": "也可填 1–4",
    "父亲务工地": "省和市，如 广东省深圳市",
    "母亲务工地": "省和市，如 广东省深圳市",
    "实际监护人姓名": "不填表示无人监护（父母一方在家时除外）",
    "确认书签订日期": "日期，不能晚于今天",
    "家庭救助帮扶情况": "可填多项，用、或 , 或 ; 分隔",
}
_KIND_CHECKS = {
    "name": "同姓名（不能含数字）",
    "parent_id": "同公民身份号码（18位，校验码正确），不要求唯一；本列为文本格式",
    "phone": "手机号（11位，以1开头）或带区号的固定电话",
    "optional_date": "日期，如 2015-03-08",
}
_COMPUTED_NOTES = {
    "儿童类别": "孤儿、事实无人抚养儿童、农村留守儿童、困境儿童中符合的各项",
    "困境类型": "生活困境、自身困境、监护困境中符合的各项",
    "监护能力薄弱类型": "①-A … ④-EC 之一，或空",
    "风险等级": "高 / 中 / 低；不属于任何类别的为空",
    "认定依据": "系统认定各类别的理由",
    "下次走访日期": "按风险等级和上次走访计算",
}


def inert(text: str) -> str:
    """Text that no spreadsheet reads as a formula (OWASP: a leading single quote)."""
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str


class _Book:
    """A workbook with the roster's formats; writes the 花名册 sheet's layout."""

    def __init__(self, out: IO[bytes] | str, *, constant_memory: bool = False):
        self.book: Workbook = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": constant_memory,
                # Never let xlsxwriter turn text into formulas, links or numbers.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        add = self.book.add_format
        head = {"bold": True, "border": 1, "valign": "vcenter", "text_wrap": True}
        self.header = add({**head, "bg_color": "#DDEBF7"})
        self.required = add({**head, "bg_color": "#DDEBF7", "font_color": "#C00000"})
        self.computed = add({**head, "bg_color": "#EDEDED"})
        self.text = add({"num_format": "@"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.title = add({"bold": True, "font_size": 14})
        self.bad = add({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.bad_text = add(
            {"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "@"}
        )
        self.bad_date = add(
            {"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "yyyy-mm-dd"}
        )

    def close(self) -> None:
        self.book.close()

    def column_format(self, column: Column) -> Format | None:
        if column.kind in _TEXT_KINDS:
            return self.text
        if column.kind in _DATE_KINDS:
            return self.date
        return None

    def roster_sheet(self, *, computed: bool = False) -> Worksheet:
        """The 花名册 sheet: headers, widths, text and date columns, frozen header."""
        sheet = self.book.add_worksheet(SHEET_NAME)
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(COLUMNS):
            sheet.set_column(index, index, column.width, self.column_format(column))
            style = self.required if column.required else self.header
            sheet.write_string(0, index, column.header, style)
        if computed:
            for offset, header in enumerate(COMPUTED_HEADERS):
                index = len(COLUMNS) + offset
                fmt = self.date if header == "下次走访日期" else None
                sheet.set_column(index, index, _COMPUTED_WIDTHS[header], fmt)
                sheet.write_string(0, index, header, self.computed)
        return sheet

    def drop_downs(self, sheet: Worksheet, villages: Sequence[Village]) -> None:
        """The hidden lists and the drop-downs of 花名册 that point at them."""
        self._choices(sheet)
        self._villages(sheet, villages)

    def _choices(self, sheet: Worksheet) -> None:
        """A hidden sheet of every closed vocabulary, one column each, and a
        drop-down on each such column of 花名册 pointing at its list (Excel caps an
        inline list at 255 characters: the 56 ethnic groups do not fit)."""
        lists = self.book.add_worksheet(CHOICES_SHEET)
        lists.hide()
        closed = [(i, c) for i, c in enumerate(COLUMNS) if c.choices]
        # Row by row: in constant-memory mode a row cannot be gone back to.
        longest = max(len(c.choices) for _, c in closed)
        for row in range(longest + 1):
            for slot, (_, column) in enumerate(closed):
                if row == 0:
                    lists.set_column(slot, slot, max(column.width, 10))
                    lists.write_string(0, slot, column.header)
                elif row <= len(column.choices):
                    lists.write_string(row, slot, column.choices[row - 1])
        for slot, (index, column) in enumerate(closed):
            letter = column_letter(slot + 1)
            source = (
                f"='{CHOICES_SHEET}'!${letter}$2:${letter}${len(column.choices) + 1}"
            )
            options: dict[str, Any] = {"validate": "list", "source": source}
            if column.kind == "assistance":
                # Several items may share a cell: offer the list, accept any text.
                options["show_error"] = False
            else:
                options |= {
                    "error_title": column.header,
                    "error_message": f"请从下拉列表中选择{column.header}。",
                }
            if column.note:
                options |= _input_message(column)
            sheet.data_validation(1, index, LAST_ROW, index, options)
        for index, column in enumerate(COLUMNS):
            if column.note and not column.choices and column.kind != "code":
                sheet.data_validation(
                    1,
                    index,
                    LAST_ROW,
                    index,
                    {"validate": "any"} | _input_message(column),
                )

    def _villages(self, sheet: Worksheet, villages: Sequence[Village]) -> None:
        """A hidden sheet of the villages the user may fill in, and the drop-down of
        户籍地行政区划代码 pointing at their codes."""
        table = self.book.add_worksheet(VILLAGES_SHEET)
        table.hide()
        table.freeze_panes(1, 0)
        table.set_column(0, 0, 16, self.text)
        table.set_column(1, 2, 20)
        for col, header in enumerate(("代码", "名称", "所属乡镇（街道）")):
            table.write_string(0, col, header, self.header)
        for row, village in enumerate(villages, start=1):
            table.write_string(row, 0, village.code, self.text)
            table.write_string(row, 1, inert(village.name))
            table.write_string(row, 2, inert(village.township))
        index = next(i for i, c in enumerate(COLUMNS) if c.kind == "code")
        column = COLUMNS[index]
        message = {
            "input_title": column.header,
            "input_message": "请从下拉列表选择12位村（社区）代码；代码与村名对照见隐藏的工作表“村（社区）代码”。",
        }
        if not villages:
            sheet.data_validation(
                1, index, LAST_ROW, index, {"validate": "any"} | message
            )
            return
        source = f"='{VILLAGES_SHEET}'!$A$2:$A${len(villages) + 1}"
        sheet.data_validation(
            1,
            index,
            LAST_ROW,
            index,
            {
                "validate": "list",
                "source": source,
                "error_title": column.header,
                "error_message": "不是您管辖范围内的村（社区）代码：请从下拉列表中选择。",
            }
            | message,
        )

    def instructions(self, *, export: bool = False, full_id: bool = False) -> None:
        """The 说明 sheet: how to fill the template, then each column in a table."""
        sheet = self.book.add_worksheet(INSTRUCTIONS_SHEET)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 26)
        sheet.set_column(2, 2, 22)
        sheet.set_column(3, 3, 90)
        sheet.write_string(
            0, 0, f"儿童信息花名册 填写说明（模板第{TEMPLATE_VERSION}版）", self.title
        )
        lines = [
            f"1. 在工作表“{SHEET_NAME}”中填写：第1行为表头，请勿修改；从第2行起每行填写一名儿童。",
            "2. 红色表头为必填列；其余列可不填，不填时按下表的默认值处理。",
            "3. 有下拉箭头的列请从下拉列表中选择；身份号码、区划代码、电话列已设为文本格式，请勿改为数字格式（否则 Excel 会把18位号码变成 4.30524E+17，后几位丢失）。",
            "4. 可上传 .xlsx、.xls、.ods 或 .csv 文件；系统读取名为“花名册”的工作表（没有时读取第一个）。导入前会逐行检查，出错的行会在错误报告中标出原因。",
            "5. 同一名儿童以公民身份号码识别；没有身份号码的，以户籍地村（社区）、姓名和出生日期识别。",
        ]
        if export:
            lines.append(
                "6. 本文件由系统导出，可修改后重新导入。表头为灰色的最后几列（儿童类别、困境类型等）由系统计算，导入时忽略。"
            )
            if not full_id:
                lines.append(
                    "7. 身份号码已遮蔽（前6位和后4位可见）。修改后重新导入时，遮蔽的号码保持原样即可："
                    "系统按本行的姓名、出生日期在您管辖范围内找到对应的儿童，号码不变；请勿修改遮蔽的号码，"
                    "改了姓名或出生日期的行请填写完整号码（或导出完整身份号码后修改）。"
                )
        for row, line in enumerate(lines, start=1):
            sheet.write_string(row, 0, line)
        top = len(lines) + 2
        for col, header in enumerate(("列", "列名", "是否必填", "可填的值和检查")):
            sheet.write_string(top, col, header, self.header)
        sheet.freeze_panes(top + 1, 0)
        row = top
        for index, column in enumerate(COLUMNS, start=1):
            row += 1
            sheet.write_string(row, 0, column_letter(index), self.wrap)
            sheet.write_string(row, 1, column.header, self.wrap)
            sheet.write_string(row, 2, _required_text(column), self.wrap)
            sheet.write_string(row, 3, column_description(column), self.wrap)
        if export:
            for offset, header in enumerate(COMPUTED_HEADERS):
                row += 1
                sheet.write_string(row, 0, column_letter(len(COLUMNS) + offset + 1))
                sheet.write_string(row, 1, header, self.wrap)
                sheet.write_string(row, 2, "系统计算", self.wrap)
                sheet.write_string(row, 3, _COMPUTED_NOTES[header], self.wrap)


def _input_message(column: Column) -> dict[str, str]:
    return {"input_title": column.header[:32], "input_message": column.note[:255]}


def _required_text(column: Column) -> str:
    if column.required:
        return "必填"
    return _CONDITIONS.get(column.header, "选填")


def column_description(column: Column) -> str:
    """What the 说明 sheet says about a column: values, checks and default."""
    parts: list[str] = []
    if column.kind == "ignore":
        return "可不填，导入时忽略。"
    check = _CHECKS.get(column.header) or _KIND_CHECKS.get(column.kind, "")
    if column.choices and column.field != "ethnicity":
        joined = " / ".join(column.choices)
        parts.append(
            f"可选：{joined}"
            if column.kind == "assistance"
            else f"从下拉列表选择：{joined}"
        )
    if check:
        parts.append(check)
    if column.max_length and column.kind == "text":
        parts.append(f"最多{column.max_length}个字")
    default = _default_text(column)
    if default:
        parts.append(f"不填时默认为“{default}”")
    elif column.kind == "optional_bool":
        parts.append("不清楚的可不填")
    return "；".join(parts) + "。"


def _default_text(column: Column) -> str:
    if column.kind == "hukou":
        return "已登记"
    if column.kind == "bool":
        return "否"
    return column.default if isinstance(column.default, str) else ""


def write_template(out: IO[bytes] | str, *, villages: Iterable[Village]) -> None:
    """The empty roster template: 花名册 with headers and drop-downs, 说明, and the
    hidden lists (vocabularies; the villages given, which the user may fill in)."""
    book = _Book(out)
    sheet = book.roster_sheet()
    book.instructions()
    book.drop_downs(sheet, list(villages))
    book.close()


def roster_cells(child, *, full_id: bool) -> list[Any]:
    """The template's 36 cells for a child, then the computed columns: text, dates,
    numbers or None; ID numbers masked unless full_id."""
    cells: list[Any] = []
    for column in COLUMNS:
        value = getattr(child, column.field) if column.field else None
        kind = column.kind
        if kind in ("id", "parent_id"):
            value = value or ""
            cells.append(value if full_id else mask_id_number(value))
        elif kind == "hukou":
            cells.append("已登记" if value else "未登记")
        elif kind in ("bool", "optional_bool"):
            cells.append(None if value is None else ("是" if value else "否"))
        elif kind == "assistance":
            cells.append("、".join(value or ()))
        else:
            cells.append(value)
    cells += [
        "、".join(child.categories),
        "、".join(child.difficulty_kinds),
        child.weakness_type,
        child.risk_level,
        "；".join(child.classification_reasons or ()),
        child.next_visit_due,
    ]
    return cells


def write_roster(
    out: IO[bytes] | str,
    children: Iterable,
    *,
    full_id: bool,
    villages: Iterable[Village] = (),
) -> int:
    """The children as a roster in the template (plus the computed columns), written
    row by row in constant-memory mode; returns how many children were written."""
    book = _Book(out, constant_memory=True)
    sheet = book.roster_sheet(computed=True)
    book.instructions(export=True, full_id=full_id)
    book.drop_downs(sheet, list(villages))
    formats = [book.column_format(c) for c in COLUMNS] + [
        book.date if h == "下次走访日期" else None for h in COMPUTED_HEADERS
    ]
    count = 0
    for count, child in enumerate(_one_by_one(children), start=1):
        cells = roster_cells(child, full_id=full_id)
        cells[0] = count  # 序号
        _write_row(sheet, count, cells, formats, book)
    last = len(COLUMNS) + len(COMPUTED_HEADERS) - 1
    sheet.autofilter(0, 0, max(count, 1), last)
    book.close()
    return count


def _write_row(
    sheet: Worksheet,
    row: int,
    cells: Sequence[Any],
    formats: Sequence[Format | None],
    book: _Book,
) -> None:
    for col, value in enumerate(cells):
        _write_value(
            sheet, row, col, value, formats[col] if col < len(formats) else None, book
        )


def _write_value(
    sheet: Worksheet,
    row: int,
    col: int,
    value: Any,
    fmt: Format | None,
    book: _Book,
    *,
    bad: bool = False,
) -> None:
    """One literal cell: a number, a date or text, never a formula."""
    if value is None or value == "":
        if bad:
            sheet.write_blank(row, col, None, book.bad)
        return
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, int | float):
        sheet.write_number(row, col, value, book.bad if bad else fmt)
    elif isinstance(value, date | datetime):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        sheet.write_datetime(row, col, value, book.bad_date if bad else book.date)
    else:
        text = inert(str(value))[:MAX_CELL]
        if bad:
            fmt = book.bad_text if fmt is book.text else book.bad
        sheet.write_string(row, col, text, fmt)


def write_error_report(out: IO[bytes] | str, plan: ImportPlan) -> None:
    """The rows of an import that have errors, as they were in the file, with a
    错误说明 column (every error of the row, "列名：原因" joined by "；") and the
    original row number; the cells in error filled in red, each with its error as a
    comment. Correct the rows and import this file again."""
    book = _Book(out)
    sheet = book.book.add_worksheet(SHEET_NAME)
    sheet.freeze_panes(1, 0)
    skipped = {normalize_header(ERROR_COLUMN), normalize_header(ROW_COLUMN)}
    kept = [i for i, h in enumerate(plan.headers) if normalize_header(h) not in skipped]
    errors: dict[int, list] = {}
    for error in plan.errors:
        errors.setdefault(error.row, []).append(error)
    widest = max(
        [len(plan.headers), *(len(plan.raw.get(n, ())) for n in errors)], default=0
    )
    kept += range(len(plan.headers), widest)  # cells beyond the header row
    found, _, _ = map_columns(list(plan.headers))
    position = {original: new for new, original in enumerate(kept)}
    by_header = {h: position[i] for h, i in found.items() if i in position}
    formats: list[Format | None] = []
    for new, original in enumerate(kept):
        header = plan.headers[original] if original < len(plan.headers) else ""
        column = _column_for(header)
        fmt = book.column_format(column) if column else None
        formats.append(fmt)
        sheet.set_column(new, new, column.width if column else 12, fmt)
        sheet.write_string(0, new, inert(as_text(header)), book.header)
    error_col, row_col = len(kept), len(kept) + 1
    sheet.set_column(error_col, error_col, 60, book.wrap)
    sheet.set_column(row_col, row_col, 10)
    sheet.write_string(0, error_col, ERROR_COLUMN, book.required)
    sheet.write_string(0, row_col, ROW_COLUMN, book.header)
    comments = 0
    for out_row, number in enumerate(sorted(errors), start=1):
        cells = plan.raw.get(number, [])
        problems: dict[int, list[str]] = {}
        for error in errors[number]:
            if error.column in by_header:
                problems.setdefault(by_header[error.column], []).append(error.message)
        for new, original in enumerate(kept):
            value = cells[original] if original < len(cells) else None
            _write_value(
                sheet, out_row, new, value, formats[new], book, bad=new in problems
            )
            if new in problems and comments < MAX_COMMENTS:
                comments += 1
                sheet.write_comment(
                    out_row,
                    new,
                    "\n".join(problems[new])[:MAX_CELL],
                    {"x_scale": 2, "y_scale": 1.5},
                )
        explanation = "；".join(
            f"{e.column}：{e.message}" if e.column else e.message
            for e in errors[number]
        )
        sheet.write_string(out_row, error_col, inert(explanation)[:MAX_CELL], book.wrap)
        sheet.write_number(out_row, row_col, number)
    book.close()


def _column_for(header: object) -> Column | None:
    return NORMALIZED.get(normalize_header(header))


def _one_by_one(children: Iterable) -> Iterator:
    """The children one at a time: a queryset is read in chunks, never all at once."""
    iterator = getattr(children, "iterator", None)
    return iterator(chunk_size=2000) if iterator else iter(children)
