"""Opening a roster file: .xlsx/.xls/.ods through python-calamine, .csv as text.

`read_table(data, filename)` finds the sheet (the one named 花名册, else the first),
checks what makes a file unusable as a whole (not a spreadsheet, corrupt, password
protected, empty, too many rows), and yields the rows with the sheet's own numbers
(the header is row 1). Anything wrong with the file as a whole is an UnusableFile.

A workbook is never parsed in this process. A zip-based one (.xlsx, .ods) is first
checked from its central directory (core.zipguard: sizes and compression ratios against
roster_zip_limits), then python-calamine reads it in a child process (readproc) whose
address space is capped at ROSTER_READ_MEMORY_MB: a file that needs more memory ends
that process, and the import with a message, not the worker. The rows come back
through a pipe a chunk at a time.
"""

import contextlib
import csv
import io
import itertools
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings

from shouwang.core.textfile import UndecodableText, decode_text
from shouwang.core.zipguard import (
    MB,
    SUSPECT,
    ZipLimits,
    ZipRejected,
    check_zip,
    size_text,
)

from . import readproc
from .cells import MAX_CELL
from .columns import NORMALIZED, SHEET_NAME, normalize_header

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


NOT_A_SPREADSHEET = (
    "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的花名册（可先下载模板）。"
)
CORRUPT = "文件已损坏或不是有效的电子表格：请在 Excel 中打开确认后另存为 .xlsx 再上传。"
PASSWORD_PROTECTED = "文件设置了打开密码：请在 Excel 中取消密码后另存，再上传。"
SAVE_AGAIN = "请在 Excel 中打开后另存为 .xlsx 再上传。"
OUT_OF_MEMORY = (
    "读取这个文件需要的内存超过了上限（{mb:,} MB）：文件可能已损坏或被恶意构造，"
    "也可能一次导入的数据太多。请在 Excel 中打开后另存为 .xlsx 再上传，"
    "或拆分成几个文件分别导入。"
)
READ_FAILED = "读取文件时出错：请在 Excel 中打开确认后另存为 .xlsx 再上传。"
# The largest honest roster: ROSTER_MAX_ROWS rows of the template's columns. A
# 200,000-row roster written by xlsxwriter (bench/roster_import.py) holds 1,945 bytes
# of sheet XML a row and compresses 8.7 to 1; the limits leave three times the one and
# eleven times the other, and still refuse a bomb (several hundred to 1) unread.
ROW_BYTES = 6 * 1024
MAX_RATIO = 100
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
    formula_cells: "set[tuple[int, int]] | CellSet" = field(
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


def roster_zip_limits(max_rows: int) -> ZipLimits:
    """What the parts of an honest roster of at most max_rows rows can amount to."""
    largest = max(64 * MB, (max_rows + 10) * ROW_BYTES)
    return ZipLimits(member_bytes=largest, total_bytes=largest * 2, ratio=MAX_RATIO)


def _read_workbook(data: bytes, *, max_rows: int) -> Table:
    child = _SheetProcess(settings.ROSTER_READ_MEMORY_MB)
    try:  # the child starts up while the archive is checked
        if data.startswith(_ZIP):
            try:
                check_zip(data, limits=roster_zip_limits(max_rows), fix=SAVE_AGAIN)
            except ZipRejected as error:
                raise UnusableFile(str(error)) from None
        child.send(data)
        return _table(child, data, max_rows=max_rows)
    except BaseException:
        child.close()
        raise


def _table(child: "_SheetProcess", data: bytes, *, max_rows: int) -> Table:
    kind, *details = child.receive()
    if kind == "failed":
        raise UnusableFile(_failure(details[0], data, child))
    names, index = details
    scan = _FormulaScan(data, index) if data.startswith(_ZIP) else None
    try:
        return _sheet_table(child, data, names, index, scan, max_rows=max_rows)
    finally:
        if scan is not None:
            scan.stop()  # a no-op once its result is taken


def _sheet_table(
    child: "_SheetProcess",
    data: bytes,
    names: list[str],
    index: int,
    scan: "_FormulaScan | None",
    *,
    max_rows: int,
) -> Table:
    notes = []
    if SHEET_NAME not in names and len(names) > 1:
        notes.append(
            f"文件中没有名为“{SHEET_NAME}”的工作表，已读取第一个工作表“{names[0]}”。"
        )
    kind, *details = child.receive()
    if kind == "failed":
        if details[0] == "sheet_unreadable":
            raise UnusableFile(
                f"工作表“{names[index]}”无法读取：请另存为 .xlsx 后重试。"
            )
        raise UnusableFile(_failure(details[0], data, child))
    start, end, merged_ranges = details
    if start is None:
        raise UnusableFile(
            f"工作表“{names[index]}”是空的：第1行应为表头，从第2行起每行一名儿童。"
        )
    (_, first_col), (last_row, last_col) = start, end or (0, 0)
    if scan is not None:
        scan.sized(last_row + 1, last_col + 1)
    pad = [""] * first_col  # iter_rows starts at the first used column
    numbered = (
        (number, pad + cells if pad else cells)
        for number, cells in enumerate(child.rows(), start=1)
    )
    header_row, header, numbered = _find_header(numbered, names[index])
    _check_size(last_row + 1 - header_row, max_rows)
    merged = sorted(  # in reading order, as the user looks for them
        ((r0 + 1, c0 + 1), (r1 + 1, c1 + 1))
        for (r0, c0), (r1, c1) in (merged_ranges or [])
        if r1 + 1 >= header_row  # a merged title above the header is fine
    )
    if merged:
        where = "、".join(f"{_cell_name(a)}:{_cell_name(b)}" for a, b in merged[:10])
        raise UnusableFile(
            f"工作表中有合并单元格（{where}{' 等' if len(merged) > 10 else ''}）：请取消合并，并在每一行填写完整后再上传。"
        )
    formulas = scan.result() if scan is not None else set()
    return Table(
        names[index],
        header,
        header_row,
        numbered,
        last_row + 1 - header_row,
        notes,
        formulas,
    )


def _failure(kind: str, data: bytes, child: "_SheetProcess") -> str:
    if kind == "password":
        return PASSWORD_PROTECTED
    if kind == "unreadable":
        return _why_unreadable(data)
    if kind == "no_sheets":
        return "文件中没有工作表：请使用花名册模板。"
    return OUT_OF_MEMORY.format(mb=child.memory_mb)


class _Unpickler(pickle.Unpickler):
    """Only what python-calamine gives for a cell, besides the builtins: the child
    parsed an untrusted file, so nothing it sends may name other code."""

    _ALLOWED = {
        ("datetime", cls.__name__): cls for cls in (date, datetime, time, timedelta)
    }

    def find_class(self, module: str, name: str):
        try:
            return self._ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name}") from None


class _SheetProcess:
    """python-calamine reading one workbook in a child process (readproc) whose
    address space is capped at memory_mb; its messages, and why it died if it did."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.process = subprocess.Popen(
            [sys.executable, readproc.__file__, SHEET_NAME, str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            bufsize=1 << 16,
        )

    def send(self, data: bytes) -> None:
        """Hand the file to the child (the bytes are written, not copied)."""
        try:
            self.process.stdin.write(data)
            self.process.stdin.close()
        except OSError:  # it died already: receive() says why
            pass

    def receive(self) -> tuple:
        try:
            return _Unpickler(self.process.stdout).load()
        except (EOFError, pickle.UnpicklingError, ValueError, TypeError):
            raise UnusableFile(self._why_dead()) from None

    def rows(self) -> Iterator[list]:
        """The sheet's rows, then the child is gone."""
        try:
            while (message := self.receive())[0] == "rows":
                yield from message[1]
            if message[0] != "end":
                raise UnusableFile(_failure(message[1], b"", self))
        finally:
            self.close()

    def _why_dead(self) -> str:
        self.process.stdout.close()
        code = self.process.wait()
        size = self.stderr.seek(0, 2)
        self.stderr.seek(0)
        said = self.stderr.read(8192)  # Rust's message comes first, a backtrace after
        self.stderr.seek(max(len(said), size - 4096))
        said += self.stderr.read()
        if code in (readproc.OUT_OF_MEMORY, -signal.SIGKILL) or any(
            sign in said for sign in _MEMORY_SIGNS
        ):
            return OUT_OF_MEMORY.format(mb=self.memory_mb)
        return READ_FAILED

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.stderr):
            if stream and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()


# What a child that ran out of its address space leaves on stderr: Rust's allocator
# aborts with the first, a Rust collection that cannot grow panics with the second.
_MEMORY_SIGNS = (b"memory allocation of", b"capacity overflow", b"MemoryError")


def _find_header(numbered, sheet: str) -> tuple[int, list[object], Iterator]:
    """The header row: the first of the first ten rows naming two template columns,
    else the first row with anything in it (its problems are reported later); and
    the rows after it (those looked at to find it included)."""
    looked_at: list[tuple[int, list[object]]] = []
    for number, cells in numbered:
        known = sum(
            normalize_header(cell) in NORMALIZED for cell in cells if _filled(cell)
        )
        if known >= 2:
            return number, cells, numbered
        looked_at.append((number, cells))
        if number >= 10:
            break
    for at, (number, cells) in enumerate(looked_at):
        if any(_filled(cell) for cell in cells):
            return number, cells, itertools.chain(looked_at[at + 1 :], numbered)
    raise UnusableFile(f"工作表“{sheet}”是空的：第1行应为表头，从第2行起每行一名儿童。")


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
    header_row, header, after = _find_header(numbered, "CSV")
    _check_size(len(rows) - header_row, max_rows)
    return Table("CSV", header, header_row, after, len(rows) - header_row)


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


class CellSet:
    """Cells (row, col), 1-based, of a sheet of rows × cols, one bit each: however
    many formulas a sheet holds, this takes an eighth of a byte a cell, where the
    child that loaded the same sheet needed some 32 bytes a cell."""

    __slots__ = ("bits", "cols", "rows")

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.bits = bytearray((rows * cols + 7) // 8)

    def add(self, row: int, col: int) -> None:
        if 0 < row <= self.rows and 0 < col <= self.cols:
            at = (row - 1) * self.cols + col - 1
            self.bits[at >> 3] |= 1 << (at & 7)

    def __contains__(self, cell: object) -> bool:
        row, col = cell  # type: ignore[misc]
        if not (0 < row <= self.rows and 0 < col <= self.cols):
            return False
        at = (row - 1) * self.cols + col - 1
        return bool(self.bits[at >> 3] & (1 << (at & 7)))

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for byte_at, byte in enumerate(self.bits):
            if byte:
                for bit in range(8):
                    if byte & (1 << bit):
                        row, col = divmod(byte_at * 8 + bit, self.cols)
                        yield row + 1, col + 1

    def __len__(self) -> int:
        return sum(byte.bit_count() for byte in self.bits)

    def __bool__(self) -> bool:
        return any(self.bits)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CellSet | set | frozenset):
            return set(self) == set(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


_PIECE = 1 << 20
# The longest a single cell's XML can honestly be: 32,767 characters of text, escaped,
# in rich-text runs, and a formula of 8,192; a "cell" longer than this is no cell.
_MAX_CELL_XML = 16 * _PIECE
_CELL_START = b"<c "
_SHEET_DATA_END = b"</sheetData>"
_REF = re.compile(rb'<c r="([A-Z]+)(\d+)"')


def _sheet_path(archive: zipfile.ZipFile, index: int) -> str | None:
    """Where the index-th sheet of an .xlsx lives in the archive."""
    workbook = archive.read("xl/workbook.xml")  # both small: zipguard capped them
    rels = archive.read("xl/_rels/workbook.xml.rels")
    ids = re.findall(rb'<sheet [^>]*?r:id="([^"]+)"', workbook)
    if index >= len(ids):
        return None
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
        return None
    path = target.group(1).decode().lstrip("/")
    return path if path.startswith("xl/") else f"xl/{path}"


class _FormulaScan(threading.Thread):
    """The cells of the index-th sheet of an .xlsx that hold a formula, as (row,
    col); not those whose saved result is text (an empty one is =IF(…,"",…) at work).

    Runs in a thread started as soon as the sheet is chosen, while the child parses
    it (zlib lets go of the GIL as it inflates). The sheet's XML is read a piece at a
    time, never whole; a sheet without formulas, the usual case, costs one pass of
    search. Cells are kept only once the sheet's size is known (sized()), one bit
    each, and only within it."""

    def __init__(self, data: bytes, index: int) -> None:
        super().__init__(daemon=True, name="roster-formula-scan")
        self.data, self.index = data, index
        self.size: tuple[int, int] | None = None
        self.known = threading.Event()
        self.stopped = False
        self.found: set | CellSet = set()
        self.error: UnusableFile | None = None
        self.start()

    def sized(self, rows: int, cols: int) -> None:
        self.size = (rows, cols)
        self.known.set()

    def stop(self) -> None:
        self.stopped = True
        self.known.set()

    def result(self) -> set | CellSet:
        self.join()
        if self.error is not None:
            raise self.error
        return self.found

    def run(self) -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                path = _sheet_path(archive, self.index)
                if path is not None:
                    with archive.open(path) as stream:
                        self._scan(stream)
        except (KeyError, zipfile.BadZipFile, OSError):
            self.found = set()
        except UnusableFile as error:
            self.error = error

    def _scan(self, stream) -> None:
        carry = b""
        while (piece := stream.read(_PIECE)) and not self.stopped:
            buffer = carry + piece
            end = buffer.find(_SHEET_DATA_END)
            cut = end if end >= 0 else max(0, buffer.rfind(_CELL_START))
            if buffer.find(b"<f", 0, cut) >= 0:
                if not self.found:
                    self.known.wait()
                    if self.size is None:
                        return  # stopped
                    self.found = CellSet(*self.size)
                _mark_formulas(buffer[:cut], self.found)
            if end >= 0:
                return
            carry = buffer[cut:]
            if len(carry) > _MAX_CELL_XML:
                raise UnusableFile(
                    f"工作表中有一个单元格的内容超过 {size_text(_MAX_CELL_XML)}："
                    f"{SUSPECT}{SAVE_AGAIN}"
                )


def _mark_formulas(xml: bytes, found: CellSet) -> None:
    """Add to found each cell of xml (whole cells only) holding a formula whose saved
    result is not text; the work is in proportion to the formulas, not the cells."""
    at = xml.find(b"<f")
    while at >= 0:
        start = xml.rfind(_CELL_START, 0, at)
        tag_end = xml.find(b">", start)
        ref = _REF.match(xml, start) if start >= 0 else None
        if (
            ref is not None
            and 0 <= tag_end < at
            and xml[tag_end - 1] != ord("/")  # <c …/> holds nothing
            and xml.find(b"</c>", tag_end, at) < 0  # the <f is inside this cell
            and b't="str"' not in xml[ref.end() : tag_end]
        ):
            col = 0
            for letter in ref.group(1):
                col = col * 26 + letter - 64
            found.add(int(ref.group(2)), col)
        at = xml.find(b"<f", at + 2)
