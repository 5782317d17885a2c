"""Roster files built in code for the tests: template rows, .xlsx through openpyxl or
xlsxwriter, CSV in any encoding, and bytes that are not (usable) spreadsheets.

A row is a dict of template header → cell; `roster_row(village)` is a valid left-behind
boy of 9 in the village, and keyword arguments named after the headers change it
(`roster_row(village, 姓名="李四")`).
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import openpyxl
import xlsxwriter

from shouwang.areas.models import Area
from shouwang.registry.tests.factories import LEFT_BEHIND, id_for, years_ago
from shouwang.roster.columns import COLUMNS, SHEET_NAME
from shouwang.roster.reader import column_letter

HEADERS = tuple(column.header for column in COLUMNS)


@dataclass(frozen=True)
class Formula:
    """A formula cell; `cached` is the value saved with it (None: none, as openpyxl
    saves formulas; xlsx_with_formulas then lets xlsxwriter save its default 0)."""

    text: str
    cached: Any = None


def roster_row(village: Area | str, **cells: Any) -> dict[str, Any]:
    """A template row of a valid left-behind boy of 9 (ID number of the village's
    county, parents working away, grandmother caring), changed by `cells`."""
    code = village if isinstance(village, str) else village.code
    born = cells.get("出生日期") or years_ago(9, days=40)
    sex = cells.get("性别", "男")
    row = {
        "序号": 1,
        "姓名": "张晓明",
        "性别": sex,
        "民族": "汉族",
        "出生日期": born,
        "公民身份号码": id_for(code, born, sex) if isinstance(born, date) else "",
        "户口登记状况": "已登记",
        "户籍性质": "农村",
        "户籍地行政区划代码": code,
        "现居住地址": "",
        "健康状况": "健康",
        "残疾类别": "",
        "残疾等级": "",
        "是否重病": "否",
        "就学状况": "小学",
        "学校名称": "",
        "是否寄宿": "",
        "父亲姓名": LEFT_BEHIND["father_name"],
        "父亲公民身份号码": "",
        "父亲状况": LEFT_BEHIND["father_status"],
        "父亲务工地": LEFT_BEHIND["father_work_place"],
        "父亲联系电话": "",
        "母亲姓名": LEFT_BEHIND["mother_name"],
        "母亲公民身份号码": "",
        "母亲状况": LEFT_BEHIND["mother_status"],
        "母亲务工地": LEFT_BEHIND["mother_work_place"],
        "母亲联系电话": "",
        "实际监护人姓名": LEFT_BEHIND["guardian_name"],
        "监护人与儿童关系": LEFT_BEHIND["guardian_relation"],
        "监护人公民身份号码": "",
        "监护人联系电话": "",
        "监护能力评估": "一般",
        "是否签订委托监护责任确认书": "否",
        "确认书签订日期": "",
        "家庭救助帮扶情况": "",
        "备注": "",
    }
    unknown = set(cells) - set(row)
    if unknown:
        raise KeyError(f"not template headers: {sorted(unknown)}")
    row.update(cells)
    return row


def grid(
    rows: Iterable[dict[str, Any] | Sequence[Any]], headers: Sequence[str] = HEADERS
) -> list[list[Any]]:
    """The header row followed by the rows, each as a list in header order."""
    table = [list(headers)]
    for row in rows:
        if isinstance(row, dict):
            table.append([row.get(header, "") for header in headers])
        else:
            table.append(list(row))
    return table


def xlsx(
    rows: Iterable[dict[str, Any] | Sequence[Any]] = (),
    headers: Sequence[str] = HEADERS,
    *,
    sheet: str = SHEET_NAME,
    title: str | None = None,
    merge: Sequence[str] = (),
    before: dict[str, list[list[Any]]] | None = None,
    after: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    """An .xlsx written by openpyxl: the roster on `sheet`, between the sheets of
    `before` and `after`; `title` goes in a row above the header, merged across it;
    `merge` lists ranges to merge ("A3:B3"). A string beginning with = is a formula
    saved without a value, as openpyxl saves them."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, cells in (before or {}).items():
        other = book.create_sheet(name)
        for line in cells:
            other.append(line)
    roster = book.create_sheet(sheet)
    table = grid(rows, headers)
    if title is not None:
        roster.append([title])
        roster.merge_cells(
            start_row=1, start_column=1, end_row=1, end_column=len(headers)
        )
    for line in table:
        roster.append([_plain(cell) for cell in line])
    for cells in merge:
        roster.merge_cells(cells)
    for name, cells in (after or {}).items():
        other = book.create_sheet(name)
        for line in cells:
            other.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(cell: Any) -> Any:
    if isinstance(cell, Formula):
        return cell.text
    return None if cell == "" else cell


def xlsx_with_formulas(
    rows: Iterable[dict[str, Any] | Sequence[Any]],
    headers: Sequence[str] = HEADERS,
    *,
    sheet: str = SHEET_NAME,
) -> bytes:
    """An .xlsx written by xlsxwriter, whose Formula cells carry their saved value
    (as Excel saves them: an empty text result as a cell of type str)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    roster = book.add_worksheet(sheet)
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    empty_text = []
    for r, line in enumerate(grid(rows, headers)):
        for c, cell in enumerate(line):
            if isinstance(cell, Formula):
                saved = () if cell.cached is None else (cell.cached,)
                roster.write_formula(r, c, cell.text, None, *saved)
                if cell.cached == "":
                    empty_text.append(f"{column_letter(c + 1)}{r + 1}")
            elif isinstance(cell, date):
                roster.write_datetime(r, c, cell, dates)
            elif cell not in ("", None):
                roster.write(r, c, cell)
    book.close()
    return _typed_as_text(out.getvalue(), empty_text)


def _typed_as_text(data: bytes, cells: list[str]) -> bytes:
    """The workbook with the given cells of the first sheet marked t="str"."""
    if not cells:
        return data
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for ref in cells:
                    content = content.replace(
                        f'<c r="{ref}"><f>'.encode(),
                        f'<c r="{ref}" t="str"><f>'.encode(),
                    )
            target.writestr(item, content)
    return out.getvalue()


def roster_csv(
    rows: Iterable[dict[str, Any] | Sequence[Any]] = (),
    headers: Sequence[str] = HEADERS,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    """A CSV of the rows (dates as 2015-03-08) in `encoding`, with a BOM if asked."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    for line in grid(rows, headers):
        writer.writerow(["" if cell is None else _csv_text(cell) for cell in line])
    data = text.getvalue().encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def _csv_text(cell: Any) -> str:
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


# A 1×1 PNG.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def docx_like() -> bytes:
    """A zip laid out like a Word document: no xl/ inside."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def encrypted_xlsx() -> bytes:
    """What Excel saves for an .xlsx with an opening password: an OLE compound file
    whose streams are EncryptionInfo and EncryptedPackage (only their directory names
    are real here; the content is filler)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entries = b"".join(
        name.encode("utf-16-le").ljust(64, b"\x00") + bytes(64)
        for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage")
    )
    return header + entries + bytes(1024)
