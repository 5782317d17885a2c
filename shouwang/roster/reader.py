"""Opening a roster file: .xlsx/.xls/.ods through python-calamine, .csv as text.

`read_table(data, filename)` finds the sheet (the one named 花名册, else the first),
checks what makes a file unusable as a whole (not a spreadsheet, corrupt, password
protected, empty, too many rows), and yields the rows with the sheet's own numbers
(the header is row 1). Anything wrong with the file as a whole is an UnusableFile.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from shouwang.core.textfile import UndecodableText, decode_text

from .cells import MAX_CELL
from .columns import NORMALIZED, SHEET_NAME, normalize_header

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


NOT_A_SPREADSHEET = (
    "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的花名册（可先下载模板）。"
)
CORRUPT = "文件已损坏或不是有效的电子表格：请在 Excel 中打开确认后另存为 .xlsx 再上传。"
PASSWORD_PROTECTED = "文件设置了打开密码：请在 Excel 中取消密码后另存，再上传。"
# An .xlsx saved with an opening password is an OLE compound file holding these
# streams (MS-OFFCRYPTO); their directory names are UTF-16.
_ENCRYPTED_STREAMS = (
    "EncryptedPackage".encode("utf-16-le"),
    "EncryptionInfo".encode("utf-16-le"),
)


class UnusableFile(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


def _why_unreadable(data: bytes) -> str:
    """Why a file with a workbook's signature could not be opened."""
    if data.startswith(_OLE):
        if any(name in data for name in _ENCRYPTED_STREAMS):
            return PASSWORD_PROTECTED
        return CORRUPT
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return CORRUPT  # e.g. cut short in the upload
    if any(name.startswith("xl/") for name in names) or "content.xml" in names:
        return CORRUPT
    return NOT_A_SPREADSHEET  # a zip, but not a workbook (a .docx, an archive)


@dataclass
class Table:
    sheet: str
    header: list[object]
    header_row: int
    rows: Iterator[tuple[int, list[object]]]
    row_count: int
    notes: list[str] = field(default_factory=list)  # e.g. which sheet was read
    formula_cells: set[tuple[int, int]] = field(
        default_factory=set
    )  # (row, col), 1-based


def read_table(data: bytes, filename: str = "", *, max_rows: int) -> Table:
    """The roster sheet of a file; UnusableFile when the file cannot be used at all."""
    if not data or not data.strip():
        raise UnusableFile("文件是空的：请选择填好的花名册文件。")
    if data.startswith(_ZIP) or data.startswith(_OLE):
        return _read_workbook(data, max_rows=max_rows)
    suffix = filename.rpartition(".")[2].lower() if "." in filename else ""
    if b"\x00" in data[:4096] or suffix not in ("csv", "txt", ""):
        raise UnusableFile(NOT_A_SPREADSHEET)
    return _read_csv(data, max_rows=max_rows)


def _read_workbook(data: bytes, *, max_rows: int) -> Table:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise UnusableFile(PASSWORD_PROTECTED) from None
    except (CalamineError, ValueError, OSError):
        raise UnusableFile(_why_unreadable(data)) from None
    names = book.sheet_names
    if not names:
        raise UnusableFile("文件中没有工作表：请使用花名册模板。")
    notes = []
    if SHEET_NAME in names:
        index = names.index(SHEET_NAME)
    else:
        index = 0
        if len(names) > 1:
            notes.append(
                f"文件中没有名为“{SHEET_NAME}”的工作表，已读取第一个工作表“{names[0]}”。"
            )
    try:
        sheet = book.get_sheet_by_index(index)
        rows = sheet.iter_rows()
        (_, first_col), (last_row, _) = (
            sheet.start or (0, 0),
            sheet.end or (0, 0),
        )
    except (CalamineError, ValueError):
        raise UnusableFile(
            f"工作表“{names[index]}”无法读取：请另存为 .xlsx 后重试。"
        ) from None
    if sheet.start is None:
        raise UnusableFile(
            f"工作表“{names[index]}”是空的：第1行应为表头，从第2行起每行一名儿童。"
        )
    pad = [""] * first_col  # iter_rows starts at the first used column
    numbered = (
        (number, pad + list(cells) if pad else cells)  # a new list for each row
        for number, cells in enumerate(rows, start=1)
    )
    header_row, header = _find_header(numbered, names[index])
    _check_size(last_row + 1 - header_row, max_rows)
    merged = sorted(  # in reading order, as the user looks for them
        ((r0 + 1, c0 + 1), (r1 + 1, c1 + 1))
        for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
        if r1 + 1 >= header_row  # a merged title above the header is fine
    )
    if merged:
        where = "、".join(f"{_cell_name(a)}:{_cell_name(b)}" for a, b in merged[:10])
        raise UnusableFile(
            f"工作表中有合并单元格（{where}{' 等' if len(merged) > 10 else ''}）：请取消合并，并在每一行填写完整后再上传。"
        )
    formulas = _formula_cells(data, index) if data.startswith(_ZIP) else set()
    return Table(
        names[index],
        header,
        header_row,
        numbered,
        last_row + 1 - header_row,
        notes,
        formulas,
    )


def _find_header(numbered, sheet: str) -> tuple[int, list[object]]:
    """The header row: the first of the first ten rows naming two template columns,
    else the first row with anything in it (its problems are reported later)."""
    first_filled = None
    for number, cells in numbered:
        if first_filled is None and any(_filled(cell) for cell in cells):
            first_filled = (number, cells)
        known = sum(
            normalize_header(cell) in NORMALIZED for cell in cells if _filled(cell)
        )
        if known >= 2:
            return number, cells
        if number >= 10:
            break
    if first_filled is None:
        raise UnusableFile(
            f"工作表“{sheet}”是空的：第1行应为表头，从第2行起每行一名儿童。"
        )
    return first_filled


def _read_csv(data: bytes, *, max_rows: int) -> Table:
    try:
        text = decode_text(data)
    except UndecodableText as error:
        raise UnusableFile(str(error)) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise UnusableFile(
                f"第{reader.line_num}行有单元格超过 {MAX_CELL} 个字符：请删减后再上传。"
            ) from None
        raise UnusableFile(
            f"CSV 文件第{reader.line_num}行格式有误：请用 Excel 打开后另存为 .xlsx 再上传。"
        ) from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    numbered = ((number, list(cells)) for number, cells in enumerate(rows, start=1))
    header_row, header = _find_header(numbered, "CSV")
    _check_size(len(rows) - header_row, max_rows)
    return Table("CSV", header, header_row, numbered, len(rows) - header_row)


def _check_size(count: int, max_rows: int) -> None:
    if count > max_rows:
        raise UnusableFile(
            f"文件有 {count:,} 行，超过一次导入的上限 {max_rows:,} 行：请拆分成几个文件分别导入。"
        )


def _filled(cell: object) -> bool:
    return cell is not None and cell != ""


def column_letter(index: int) -> str:
    """Excel's column name for a 1-based index (1 → A, 27 → AA)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_name(cell: tuple[int, int]) -> str:
    return f"{column_letter(cell[1])}{cell[0]}"


_CELL_REF = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)


def _mentions_formula(stream: IO[bytes]) -> bool:
    """Whether a sheet's XML holds "<f" (a formula element) anywhere: read in pieces,
    so that a sheet without formulas, the usual case, is never held whole."""
    last = b""
    while piece := stream.read(1 << 20):
        if b"<f" in piece or last + piece[:1] == b"<f":
            return True
        last = piece[-1:]
    return False


def _formula_cells(data: bytes, index: int) -> set[tuple[int, int]]:
    """Cells of the index-th sheet of an .xlsx that hold a formula, as (row, col);
    not those whose saved result is text (an empty one is =IF(…,"",…) at work)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml")
            rels = archive.read("xl/_rels/workbook.xml.rels")
            ids = re.findall(rb'<sheet [^>]*?r:id="([^"]+)"', workbook)
            if index >= len(ids):
                return set()
            target = re.search(
                rb'<Relationship [^>]*?Id="'
                + re.escape(ids[index])
                + rb'"[^>]*?Target="([^"]+)"',
                rels,
            ) or re.search(
                rb'<Relationship [^>]*?Target="([^"]+)"[^>]*?Id="'
                + re.escape(ids[index])
                + rb'"',
                rels,
            )
            if target is None:
                return set()
            path = target.group(1).decode().lstrip("/")
            path = path if path.startswith("xl/") else f"xl/{path}"
            with archive.open(path) as stream:
                may_hold_formulas = _mentions_formula(stream)
            if not may_hold_formulas:
                return set()
            sheet = archive.read(path)
    except (KeyError, zipfile.BadZipFile, OSError):
        return set()
    found = set()
    for cell in _CELL_REF.finditer(sheet):  # one cell at a time, not a list of all
        letters, row, attributes, inner = cell.groups()
        if inner and b"<f" in inner and b't="str"' not in attributes:
            col = 0
            for letter in letters.decode():
                col = col * 26 + ord(letter) - 64
            found.add((int(row), col))
    return found
