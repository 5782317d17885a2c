"""roster.reader: which sheet is read, where its header is, the sheet's own row
numbers, and what makes a file unusable as a whole."""

import io
import pickle
from datetime import date

import pytest

from shouwang.roster.reader import (
    UnusableFile,
    column_letter,
    read_table,
)

from . import files

VILLAGE = "430524911001"
BORN = date(2015, 3, 8)


def rows(count: int = 1) -> list[dict]:
    return [
        files.roster_row(VILLAGE, 姓名=f"儿童{chr(0x4E00 + n)}", 出生日期=BORN)
        for n in range(count)
    ]


def unusable(data: bytes, filename: str = "花名册.xlsx", max_rows: int = 100) -> str:
    with pytest.raises(UnusableFile) as error:
        read_table(data, filename, max_rows=max_rows)
    return str(error.value)


def test_an_xlsx_is_read_from_the_roster_sheet_with_the_sheet_row_numbers():
    data = files.xlsx(rows(2), before={"填表说明": [["说明"], ["第二行"]]})
    table = read_table(data, "花名册.xlsx", max_rows=100)
    assert (table.sheet, table.header_row, table.row_count) == ("花名册", 1, 2)
    assert table.notes == []
    assert table.header == list(files.HEADERS)
    read = list(table.rows)
    assert [number for number, _ in read] == [2, 3]
    assert read[0][1][1:5] == ["儿童一", "男", "汉族", BORN]


def test_without_a_roster_sheet_the_first_is_read_and_a_note_says_so():
    alone = read_table(files.xlsx(rows(1), sheet="村里报的"), "a.xlsx", max_rows=100)
    assert (alone.sheet, alone.notes) == ("村里报的", [])  # the only sheet

    two = files.xlsx(rows(1), sheet="Sheet2", before={"Sheet1": [["别的表"]]})
    table = read_table(two, "a.xlsx", max_rows=100)
    assert table.sheet == "Sheet1"
    assert table.notes == [
        "文件中没有名为“花名册”的工作表，已读取第一个工作表“Sheet1”。"
    ]


def test_a_title_above_the_header_moves_the_header_down():
    data = files.xlsx(rows(2), title="隆回县农村留守儿童和困境儿童信息花名册")
    table = read_table(data, "a.xlsx", max_rows=100)
    assert (table.header_row, table.row_count) == (2, 2)
    assert [number for number, _ in table.rows] == [3, 4]


def test_a_sheet_starting_in_a_later_column_keeps_its_column_positions():
    data = files.xlsx([["", *row.values()] for row in rows(1)], ["", *files.HEADERS])
    table = read_table(data, "a.xlsx", max_rows=100)
    assert table.header[:3] == ["", "序号", "姓名"]
    [(number, cells)] = list(table.rows)
    assert (number, cells[2]) == (2, "儿童一")


def test_merged_cells_in_the_data_rows_make_the_file_unusable():
    data = files.xlsx(rows(3), title="花名册", merge=["B4:B5", "F3:G3"])
    assert unusable(data) == (
        "工作表中有合并单元格（F3:G3、B4:B5）：请取消合并，并在每一行填写完整后再上传。"
    )


def test_formula_cells_of_an_xlsx_are_listed():
    data = files.xlsx([files.roster_row(VILLAGE, 姓名=files.Formula("=A1"))])
    assert read_table(data, "a.xlsx", max_rows=100).formula_cells == {(2, 2)}


def test_the_row_limit_is_checked_before_the_rows_are_read():
    assert unusable(files.xlsx(rows(6)), max_rows=5) == (
        "文件有 6 行，超过一次导入的上限 5 行：请拆分成几个文件分别导入。"
    )
    assert unusable(files.roster_csv(rows(6)), "a.csv", max_rows=5) == (
        "文件有 6 行，超过一次导入的上限 5 行：请拆分成几个文件分别导入。"
    )
    assert read_table(files.xlsx(rows(5)), "a.xlsx", max_rows=5).row_count == 5


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", False), ("utf-8", True), ("gbk", False), ("gb18030", False)],
)
def test_a_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(encoding, bom):
    data = files.roster_csv(rows(1), encoding=encoding, bom=bom)
    table = read_table(data, "花名册.csv", max_rows=100)
    assert table.header == list(files.HEADERS)
    [(number, cells)] = list(table.rows)
    assert (number, cells[1], cells[4]) == (2, "儿童一", "2015-03-08")


def test_a_csv_with_a_cell_beyond_the_csv_modules_limit_is_unusable():
    data = files.roster_csv([files.roster_row(VILLAGE, 备注="长" * 140_000)])
    assert unusable(data, "a.csv") == (
        "第2行有单元格超过 32767 个字符：请删减后再上传。"
    )


def test_trailing_blank_csv_lines_are_not_rows():
    data = files.roster_csv(rows(1)) + b",,,\r\n\r\n"
    assert read_table(data, "a.csv", max_rows=1).row_count == 1


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (files.PNG, "花名册.xlsx"),
        (files.PNG, "花名册.png"),
        (b"\x93\xfa\x11random\x01\x02bytes" * 40, "花名册.xlsx"),
        ("姓名,性别".encode(), "花名册.xlsx"),  # text saved under an Excel name
        (files.docx_like(), "花名册.xlsx"),
    ],
)
def test_a_file_that_is_no_spreadsheet_is_unusable(data, filename):
    assert unusable(data, filename) == (
        "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的花名册（可先下载模板）。"
    )


def test_text_in_an_unknown_encoding_is_unusable():
    assert unusable(b"\xff\xfe\xfd" * 10, "a.csv") == (
        "文件编码无法识别：请另存为 UTF-8 或 GB18030（GBK）编码的文本。"
    )


def test_a_truncated_xlsx_is_corrupt():
    whole = files.xlsx(rows(3))
    assert unusable(whole[: len(whole) // 2]) == (
        "文件已损坏或不是有效的电子表格：请在 Excel 中打开确认后另存为 .xlsx 再上传。"
    )


def test_a_password_protected_xlsx_says_so():
    assert unusable(files.encrypted_xlsx()) == (
        "文件设置了打开密码：请在 Excel 中取消密码后另存，再上传。"
    )


def test_calamines_own_password_error_says_so(monkeypatch):
    import python_calamine
    from python_calamine import PasswordError

    from shouwang.roster import reader, readproc

    class Locked:
        @staticmethod
        def from_filelike(filelike):
            raise PasswordError("Workbook is password protected")

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Locked)
    out = io.BytesIO()  # what the reading process sends for such a file
    readproc.read(files.xlsx(rows(1)), "花名册", out)
    assert pickle.loads(out.getvalue()) == ("failed", "password")
    assert reader._failure("password", b"", None) == (
        "文件设置了打开密码：请在 Excel 中取消密码后另存，再上传。"
    )


@pytest.mark.parametrize("data", [b"", b" \r\n\t "])
def test_an_empty_file_is_unusable(data):
    assert unusable(data) == "文件是空的：请选择填好的花名册文件。"


def test_an_empty_sheet_is_unusable():
    assert unusable(files.xlsx((), ())) == (
        "工作表“花名册”是空的：第1行应为表头，从第2行起每行一名儿童。"
    )


@pytest.mark.parametrize(
    ("index", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (36, "AJ")]
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters
