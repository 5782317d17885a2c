"""Reads one workbook with python-calamine in a process of its own, whose address
space is capped, so that a file which needs more memory than it should ends this
process and not the worker that started it (roster.reader runs it).

    python -m shouwang.roster.readproc SHEET_NAME MEMORY_MB < workbook

Only python-calamine and the standard library are imported: the process starts in a
few tens of milliseconds. It reads the file from stdin, picks the sheet named
SHEET_NAME (else the first) and writes pickled messages to stdout:

    ("book", sheet_names, index)               the file opened
    ("sheet", start, end, merged_cell_ranges)  the chosen sheet loaded
    ("rows", [row, …])                         up to CHUNK_ROWS rows at a time
    ("end",)                                   every row sent
    ("failed", kind)                           instead of what would follow: kind is
                                               password, unreadable, no_sheets,
                                               sheet_unreadable or memory
"""

import io
import pickle
import resource
import sys

CHUNK_ROWS = 500
OUT_OF_MEMORY = 3  # the exit status when Python's own allocations failed
# Room the rows still need once the sheet is loaded (a chunk and its pickle): proved
# free before the first row is sent, so that running short of memory ends the read
# before any row is used, not half way.
HEADROOM = 32 * 1024 * 1024


def _send(out, message: tuple) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)


def read(data: bytes, sheet_name: str, out) -> None:
    """Write the messages for the workbook in data to out (a binary stream)."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        return _send(out, ("failed", "password"))
    except (CalamineError, ValueError, OSError):
        return _send(out, ("failed", "unreadable"))
    names = book.sheet_names
    if not names:
        return _send(out, ("failed", "no_sheets"))
    index = names.index(sheet_name) if sheet_name in names else 0
    _send(out, ("book", names, index))
    out.flush()
    try:
        sheet = book.get_sheet_by_index(index)
        rows = sheet.iter_rows()
        start, end = sheet.start, sheet.end
        merged = sheet.merged_cell_ranges
    except (CalamineError, ValueError):
        return _send(out, ("failed", "sheet_unreadable"))
    bytearray(HEADROOM)  # MemoryError here, rather than after some rows
    _send(out, ("sheet", start, end, merged))
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            _send(out, ("rows", chunk))
            chunk = []
    if chunk:
        _send(out, ("rows", chunk))
    _send(out, ("end",))


def main(argv: list[str]) -> int:
    sheet_name, memory_mb = argv[0], int(argv[1])
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = sys.stdout.buffer
    try:
        read(sys.stdin.buffer.read(), sheet_name, out)
        out.flush()
    except MemoryError:
        # Python's own allocations fail with MemoryError; Rust's abort the process,
        # which the reader sees as well.
        try:
            _send(out, ("failed", "memory"))
            out.flush()
        except (MemoryError, OSError):
            pass
        return OUT_OF_MEMORY
    except BrokenPipeError:  # the reader stopped listening (it had what it needed)
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
