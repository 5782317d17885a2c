"""Hostile workbooks (R6): refused from the archive's directory before anything
parses them, or, when they get past that check, ended with the child process that
reads them, never the worker. Time and memory are measured as a worker meets such a
file: in a fresh process with Django set up, around read_table alone."""

import io
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shouwang.roster import reader
from shouwang.roster.importer import roster_check
from shouwang.roster.reader import CellSet, UnusableFile, read_table

from . import files, hostile

SUSPECT = "文件可能已损坏或被恶意构造，请在 Excel 中打开后另存为 .xlsx 再上传。"
CORRUPT = "文件已损坏或不是有效的电子表格：请在 Excel 中打开确认后另存为 .xlsx 再上传。"
ROOT = Path(__file__).resolve().parents[3]


def out_of_memory(mb: int) -> str:
    return (
        f"读取这个文件需要的内存超过了上限（{mb:,} MB）：文件可能已损坏或被恶意构造，"
        "也可能一次导入的数据太多。请在 Excel 中打开后另存为 .xlsx 再上传，"
        "或拆分成几个文件分别导入。"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ratio_refusal(data: bytes, member: str) -> str:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    ratio = info.file_size // info.compress_size
    return f"文件中的“{member}”解压后是压缩时的 {ratio:,} 倍，正常文件不超过 100 倍：{SUSPECT}"


WORKER = """
import json, resource, sys, time
import django
django.setup()
from shouwang.roster import reader
path, guard = sys.argv[1], sys.argv[2]
if guard == "off":  # as if the archive's check missed the file
    reader.check_zip = lambda *args, **kwargs: None
data = open(path, "rb").read()
started = time.perf_counter()
try:
    table = reader.read_table(data, "花名册.xlsx", max_rows=300_000)
    message = f"read {sum(1 for _ in table.rows)} rows"
except reader.UnusableFile as error:
    message = str(error)
seconds = time.perf_counter() - started
# The peak of this process's own memory (VmHWM, in kB): ru_maxrss would also count
# what the process that started this one held when it forked (Linux keeps it across
# exec), i.e. the whole test run's memory.
status = open("/proc/self/status").read().split("VmHWM:")[1]
print(json.dumps({
    "message": message,
    "seconds": seconds,
    "worker_mb": int(status.split()[0]) / 1024,
    "reader_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def as_a_worker(path: Path, *, guard: bool = True, memory_mb: int = 2048) -> dict:
    """read_table on the file in a fresh process, as the import worker calls it: the
    message, the seconds it took, and the peak memory of the worker and its reader."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shouwang.settings",
        "ROSTER_READ_MEMORY_MB": str(memory_mb),
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(path), "on" if guard else "off"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]  # the worker lives
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="session")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """The hostile files, built once a session (each takes a second or two)."""
    folder = tmp_path_factory.mktemp("bombs")
    built = {
        "shared_strings": hostile.shared_strings_bomb(),
        "one_letter_strings": hostile.shared_strings_bomb(letters=1),
        "formulas": hostile.formula_bomb(),
        "far_corner": hostile.far_corner(),
    }
    for name, data in built.items():
        (folder / f"{name}.xlsx").write_bytes(data)
    return {name: folder / f"{name}.xlsx" for name in built}


@pytest.mark.parametrize("name", ["shared_strings", "one_letter_strings"])
def test_a_gigabyte_of_shared_strings_is_refused_in_under_2s_with_the_worker_small(
    bombs, name
):
    data = bombs[name].read_bytes()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/sharedStrings.xml")
    assert info.file_size > 10**9 and len(data) < 3 * 1024**2  # what is tested
    result = as_a_worker(bombs[name])
    assert result["message"] == ratio_refusal(data, "xl/sharedStrings.xml")
    assert result["seconds"] < 2
    assert result["worker_mb"] < 300
    assert result["reader_mb"] < 300


def test_a_formula_bomb_is_refused_unread():
    data = hostile.formula_bomb()
    started = time.perf_counter()
    with pytest.raises(UnusableFile) as error:
        read_table(data, "花名册.xlsx", max_rows=300_000)
    assert time.perf_counter() - started < 2
    assert str(error.value) == ratio_refusal(data, "xl/worksheets/sheet1.xml")


def test_an_ods_bomb_is_refused_unread():
    data = hostile.ods_bomb()
    with pytest.raises(UnusableFile) as error:
        read_table(data, "花名册.ods", max_rows=300_000)
    assert str(error.value) == ratio_refusal(data, "content.xml")


def test_a_bomb_past_the_archive_check_ends_its_reader_not_the_worker(bombs):
    result = as_a_worker(bombs["one_letter_strings"], guard=False, memory_mb=400)
    assert result["message"] == out_of_memory(400)
    assert result["worker_mb"] < 300
    assert result["reader_mb"] < 450


def test_a_sheet_spanning_excels_far_corner_ends_its_reader_not_the_worker(bombs):
    # 311 bytes of XML: nothing for the archive's check to see, but a dense reader
    # allocates 1,048,576 × 16,384 cells (calamine: 512 GiB, then aborts).
    result = as_a_worker(bombs["far_corner"])
    assert result["message"] == out_of_memory(2048)
    assert result["worker_mb"] < 300


def test_a_reader_short_of_memory_says_so(settings):
    settings.ROSTER_READ_MEMORY_MB = 40  # less than Python itself needs to start
    data = files.xlsx([files.roster_row("430524911001")])
    with pytest.raises(UnusableFile) as error:
        read_table(data, "花名册.xlsx", max_rows=100)
    assert str(error.value) == out_of_memory(40)


def test_no_reader_outlives_its_table_read_or_not(monkeypatch):
    started = []
    init = reader._SheetProcess.__init__

    def remember(self, memory_mb):
        init(self, memory_mb)
        started.append(self.process)

    monkeypatch.setattr(reader._SheetProcess, "__init__", remember)
    data = files.xlsx([files.roster_row("430524911001") for _ in range(3)])
    table = read_table(data, "花名册.xlsx", max_rows=100)
    assert len(list(table.rows)) == 3
    assert started[0].returncode is not None  # ended (once "end" came), and reaped
    table = read_table(data, "花名册.xlsx", max_rows=100)
    del table  # a file refused after its header, say: the rows are never read
    assert started[1].returncode is not None
    with pytest.raises(UnusableFile):
        read_table(data, "花名册.xlsx", max_rows=2)  # too many rows
    assert started[2].returncode is not None


def test_a_reader_killed_by_the_kernel_for_memory_says_so(monkeypatch):
    # The OOM killer's SIGKILL, when the service's memory cap bites before ours.
    send = reader._SheetProcess.send

    def send_then_die(self, data):
        send(self, data)
        self.process.kill()

    monkeypatch.setattr(reader._SheetProcess, "send", send_then_die)
    data = files.xlsx([files.roster_row("430524911001")])
    with pytest.raises(UnusableFile) as error:
        read_table(data, "花名册.xlsx", max_rows=100)
    assert str(error.value) == out_of_memory(2048)


@pytest.mark.parametrize(
    ("declared_ratio", "message"),
    [
        # fewer bytes declared than its deflated data holds: impossible on its face
        (
            0.5,
            "记录的大小（压缩后 {packed:,} 字节、解压后 {declared:,} 字节）不可能成立",
        ),
        # plausible, but 1 GB behind it: the reader stops at the declared size
        (4, None),
    ],
)
def test_a_member_lying_about_its_size_is_refused_quickly(declared_ratio, message):
    data = hostile.lying(declared_ratio=declared_ratio)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/sharedStrings.xml")
    started, cpu = time.perf_counter(), _children_cpu()
    with pytest.raises(UnusableFile) as error:
        read_table(data, "花名册.xlsx", max_rows=300_000)
    # The second is read by the child up to its declared size (a few MB): a second
    # of CPU at most, though a loaded machine may stretch the wall time.
    assert _children_cpu() - cpu < 1
    assert time.perf_counter() - started < 10
    if message is None:
        assert str(error.value) == CORRUPT
    else:
        said = message.format(packed=info.compress_size, declared=info.file_size)
        assert str(error.value) == (f"文件中的“xl/sharedStrings.xml”{said}：{SUSPECT}")


@pytest.mark.django_db
def test_the_import_check_gives_the_refusal_as_the_file_s_message(bombs):
    from shouwang.registry.tests.factories import make_place

    place = make_place()
    data = bombs["shared_strings"].read_bytes()
    plan = roster_check(data, "花名册.xlsx", actor=place.civil)
    assert plan.unusable == ratio_refusal(data, "xl/sharedStrings.xml")
    assert plan.rows == [] and plan.errors == []


# The formula scan reads the sheet a piece at a time --------------------------------


def formula_rows() -> list[dict]:
    village = "430524911001"
    return [
        files.roster_row(village, 姓名=files.Formula("=A1")),
        files.roster_row(village),
        files.roster_row(village, 民族=files.Formula('=IF(1,"","汉族")', cached="")),
        files.roster_row(
            village, 备注=files.Formula("=1+1"), 性别=files.Formula("=B2")
        ),
    ]


@pytest.mark.parametrize("piece", [3, 7, 64, 1000])
def test_formula_cells_are_found_whatever_the_pieces_the_sheet_is_read_in(
    monkeypatch, piece
):
    data = files.xlsx_with_formulas(formula_rows())
    whole = read_table(data, "a.xlsx", max_rows=100).formula_cells
    assert whole == {(2, 2), (5, 3), (5, 36)}  # not the one saved as text
    monkeypatch.setattr(reader, "_PIECE", piece)
    assert read_table(data, "a.xlsx", max_rows=100).formula_cells == whole


def test_a_cell_longer_than_any_real_one_stops_the_scan(monkeypatch):
    monkeypatch.setattr(reader, "_MAX_CELL_XML", 2000)
    monkeypatch.setattr(reader, "_PIECE", 500)
    long = "长" * 4000  # 12,000 bytes of XML in one cell
    rows = [files.roster_row("430524911001", 备注=long, 姓名=files.Formula("=A1"))]
    with pytest.raises(UnusableFile) as error:
        read_table(files.xlsx(rows), "a.xlsx", max_rows=100)
    assert str(error.value) == (f"工作表中有一个单元格的内容超过 2,000 字节：{SUSPECT}")


def test_formula_cells_take_a_bit_each():
    cells = CellSet(300_001, 36)
    assert len(cells.bits) == (300_001 * 36 + 7) // 8  # 1.3 MB for the largest roster
    cells.add(300_001, 36)
    cells.add(300_002, 1)  # outside the sheet: never asked about
    assert list(cells) == [(300_001, 36)] and len(cells) == 1


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 40),
    cells=st.sets(st.tuples(st.integers(-2, 45), st.integers(-2, 45)), max_size=60),
)
def test_a_cell_set_answers_as_a_set_of_the_cells_inside_the_sheet(rows, cols, cells):
    inside = {(r, c) for r, c in cells if 0 < r <= rows and 0 < c <= cols}
    kept = CellSet(rows, cols)
    for row, col in cells:
        kept.add(row, col)
    assert kept == inside and len(kept) == len(inside) and bool(kept) == bool(inside)
    assert all((cell in kept) == (cell in inside) for cell in cells)
