"""roster.workbook: the template, the export's cells and the error report, read back
with openpyxl (and python-calamine, as the importer reads them)."""

import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from shouwang.registry.models import Child
from shouwang.registry.tests.factories import (
    FATHER_ID,
    GUARDIAN_ID,
    child_data,
    make_place,
)
from shouwang.roster.columns import COLUMNS, COMPUTED_HEADERS, SHEET_NAME
from shouwang.roster.importer import roster_check
from shouwang.roster.reader import column_letter
from shouwang.roster.tests.files import roster_csv, roster_row
from shouwang.roster.workbook import (
    CHOICES_SHEET,
    INSTRUCTIONS_SHEET,
    VILLAGES_SHEET,
    Village,
    inert,
    write_error_report,
    write_roster,
    write_template,
)

HEADERS = [c.header for c in COLUMNS]
VILLAGES = [
    Village("430524911001", "守望村", "守望镇"),
    Village("430524911002", "向阳村", "守望镇"),
    Village("430524912001", "青石村", "青石镇"),
]
TEXT_COLUMNS = {
    "公民身份号码",
    "父亲公民身份号码",
    "母亲公民身份号码",
    "监护人公民身份号码",
    "户籍地行政区划代码",
    "父亲联系电话",
    "母亲联系电话",
    "监护人联系电话",
}
HYPERLINK = '=HYPERLINK("http://x.cn","点")'


def _template(villages=VILLAGES) -> bytes:
    out = io.BytesIO()
    write_template(out, villages=villages)
    return out.getvalue()


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _letter_of(header: str) -> str:
    return column_letter(HEADERS.index(header) + 1)


def _validations(sheet) -> dict[str, object]:
    """Column letter → the data validation that covers the column's rows 2…"""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in str(validation.sqref).split():
            match = re.fullmatch(r"([A-Z]+)2:([A-Z]+)1048576", cells)
            assert match and match[1] == match[2], cells
            found[match[1]] = validation
    return found


def _list_values(book, formula: str) -> list[str]:
    match = re.fullmatch(r"'(.+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet = book[match[1]]
    cells = sheet[f"{match[2]}{match[3]}:{match[4]}{match[5]}"]
    return [row[0].value for row in cells]


def _xml(data: bytes, part: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(part).decode()


# The template.


def test_the_template_has_the_36_headers_in_order_on_the_roster_sheet():
    book = _open(_template())
    sheet = book[SHEET_NAME]
    assert [c.value for c in sheet[1]] == HEADERS
    assert len(HEADERS) == 36
    assert book.active.title == SHEET_NAME
    assert sheet.max_row == 1


def test_the_template_sheets_lists_are_hidden_and_the_header_frozen():
    book = _open(_template())
    assert book.sheetnames == [
        SHEET_NAME,
        INSTRUCTIONS_SHEET,
        CHOICES_SHEET,
        VILLAGES_SHEET,
    ]
    states = {name: book[name].sheet_state for name in book.sheetnames}
    assert states == {
        SHEET_NAME: "visible",
        INSTRUCTIONS_SHEET: "visible",
        CHOICES_SHEET: "hidden",
        VILLAGES_SHEET: "hidden",
    }
    assert book[SHEET_NAME].freeze_panes == "A2"


def _export_of_nobody() -> bytes:
    out = io.BytesIO()
    write_roster(out, [], full_id=False, villages=VILLAGES)
    return out.getvalue()


@pytest.mark.parametrize("written", [_template, _export_of_nobody])
def test_every_closed_vocabulary_has_a_drop_down_from_the_hidden_sheet(written):
    book = _open(written())
    validations = _validations(book[SHEET_NAME])
    closed = [c for c in COLUMNS if c.choices]
    assert len(closed) == 16
    for column in closed:
        validation = validations[_letter_of(column.header)]
        assert validation.type == "list", column.header
        assert validation.formula1.startswith(f"'{CHOICES_SHEET}'!"), column.header
        assert _list_values(book, validation.formula1) == list(column.choices)
    ethnicity = validations[_letter_of("民族")]
    assert len(_list_values(book, ethnicity.formula1)) == 56
    # Several assistance items share a cell: the list is offered, not enforced.
    assert validations[_letter_of("家庭救助帮扶情况")].showErrorMessage is False
    assert validations[_letter_of("性别")].showErrorMessage is True
    assert validations[_letter_of("性别")].error == "请从下拉列表中选择性别。"


@pytest.mark.parametrize("written", [_template, _export_of_nobody])
def test_the_village_codes_drop_down_lists_the_villages_given(written):
    book = _open(written())
    validation = _validations(book[SHEET_NAME])[_letter_of("户籍地行政区划代码")]
    assert validation.type == "list"
    assert validation.formula1 == f"'{VILLAGES_SHEET}'!$A$2:$A$4"
    assert _list_values(book, validation.formula1) == [v.code for v in VILLAGES]
    rows = [[c.value for c in row] for row in book[VILLAGES_SHEET].iter_rows()]
    assert rows == [
        ["代码", "名称", "所属乡镇（街道）"],
        ["430524911001", "守望村", "守望镇"],
        ["430524911002", "向阳村", "守望镇"],
        ["430524912001", "青石村", "青石镇"],
    ]
    assert validation.prompt.startswith("请从下拉列表选择12位村（社区）代码")


def test_without_villages_the_code_column_has_no_list():
    book = _open(_template(villages=[]))
    validation = _validations(book[SHEET_NAME])[_letter_of("户籍地行政区划代码")]
    assert validation.type is None  # an input message only
    assert book[VILLAGES_SHEET].max_row == 1


def test_id_code_and_phone_columns_are_text_dates_are_dates_widths_from_the_table():
    sheet = _open(_template())[SHEET_NAME]
    # Adjacent columns alike are stored as one range (<col min= max=>).
    ranges = list(sheet.column_dimensions.values())
    for index, column in enumerate(COLUMNS, start=1):
        [dimension] = [d for d in ranges if d.min <= index <= d.max]
        assert int(dimension.width) == column.width, column.header
        if column.header in TEXT_COLUMNS:
            assert dimension.number_format == "@", column.header
        elif column.kind in ("date", "optional_date"):
            assert dimension.number_format == "yyyy-mm-dd", column.header
        else:
            assert dimension.number_format == "General", column.header


def test_the_instructions_list_every_column_whether_required_and_its_values():
    sheet = _open(_template())[INSTRUCTIONS_SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "儿童信息花名册 填写说明（模板第1版）"
    table = {row[1]: row for row in rows if row[1] in HEADERS}
    assert list(table) == HEADERS
    assert table["姓名"][2:] == ["必填", "1–30个字，首尾空格自动去除；不能含数字。"]
    assert table["公民身份号码"][2] == "户口已登记时必填"
    assert table["残疾类别"][2] == "健康状况为“残疾”时必填"
    assert table["备注"][2:] == ["选填", "最多500个字。"]
    assert table["户籍性质"][3] == "从下拉列表选择：农村 / 城镇；不填时默认为“农村”。"
    assert "填“汉”视为“汉族”" in table["民族"][3]
    assert table["是否寄宿"][3] == "从下拉列表选择：是 / 否；不清楚的可不填。"
    assert table["父亲状况"][2] == "必填"
    assert "其他限制人身自由措施" in table["父亲状况"][3]


def test_the_template_is_read_by_the_importer_as_headers_only():
    book = CalamineWorkbook.from_filelike(io.BytesIO(_template()))
    rows = book.get_sheet_by_name(SHEET_NAME).to_python()
    assert rows == [HEADERS]


# Cells of an export.


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 13800138000", "'+86 13800138000"),
        ("-无-", "'-无-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_inert_puts_a_quote_before_what_a_spreadsheet_could_run(text, written):
    assert inert(text) == written


def _child(village="430524911001", **overrides) -> Child:
    """An unsaved child (the writer only reads attributes)."""

    class Area:
        code = village

    data = child_data(Area(), **overrides)
    data.pop("responsible_director_id")
    return Child(**data)


def _export(children, *, full_id: bool, villages=VILLAGES) -> bytes:
    out = io.BytesIO()
    count = write_roster(out, children, full_id=full_id, villages=villages)
    assert count == len(children)
    return out.getvalue()


def _rows(data: bytes) -> list[dict[str, object]]:
    sheet = _open(data)[SHEET_NAME]
    lines = list(sheet.iter_rows())
    header = [c.value for c in lines[0]]
    return [dict(zip(header, line, strict=True)) for line in lines[1:]]


def test_an_export_has_the_template_then_the_computed_columns():
    data = _export([_child()], full_id=False)
    book = _open(data)
    sheet = book[SHEET_NAME]
    assert [c.value for c in sheet[1]] == HEADERS + list(COMPUTED_HEADERS)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:AP2"
    assert book.sheetnames == [
        SHEET_NAME,
        INSTRUCTIONS_SHEET,
        CHOICES_SHEET,
        VILLAGES_SHEET,
    ]
    notes = [c.value for c in book[INSTRUCTIONS_SHEET]["A"] if c.value]
    assert any("由系统计算，导入时忽略" in n for n in notes)
    assert any("身份号码已遮蔽" in n for n in notes)
    assert set(_validations(sheet)) >= {
        _letter_of("民族"),
        _letter_of("户籍地行政区划代码"),
    }


def test_each_kind_of_cell_is_written_as_the_template_reads_it():
    signed = date(2024, 5, 6)
    child = _child(
        name="李四",
        sex="女",
        hukou_nature="城镇",
        address="守望村3组",
        health="残疾",
        disability_category="肢体",
        disability_grade="二级",
        boarding=True,
        father_id_number=FATHER_ID,
        father_phone="13800138000",
        guardian_id_number=GUARDIAN_ID,
        guardian_phone="0739-1234567",
        confirmation_signed=True,
        confirmation_date=signed,
        family_assistance=["临时救助", "低保"],
        notes="按时走访",
    )
    child.is_left_behind = child.is_in_difficulty = True
    child.difficulty_self = True
    child.weakness_type = "②-AB"
    child.risk_level = "高"
    child.classification_reasons = ["父母均外出务工", "本人残疾"]
    child.next_visit_due = date(2026, 12, 7)
    unknown = _child(name="王五", id_number=None, boarding=None)
    [first, second] = _rows(_export([child, unknown], full_id=True))
    values = {k: c.value for k, c in first.items()}
    assert values["序号"] == 1
    assert values["姓名"] == "李四"
    assert values["性别"] == "女"
    assert values["出生日期"].date() == child.birth_date
    assert first["出生日期"].number_format == "yyyy-mm-dd"
    assert values["公民身份号码"] == child.id_number
    assert first["公民身份号码"].data_type == "s"
    assert first["公民身份号码"].number_format == "@"
    assert values["户口登记状况"] == "已登记"
    assert values["户籍性质"] == "城镇"
    assert values["户籍地行政区划代码"] == "430524911001"
    assert first["户籍地行政区划代码"].data_type == "s"
    assert values["残疾等级"] == "二级"
    assert values["是否重病"] == "否"
    assert values["是否寄宿"] == "是"
    assert values["父亲公民身份号码"] == FATHER_ID
    assert values["父亲联系电话"] == "13800138000"
    assert values["母亲公民身份号码"] is None
    assert values["监护人公民身份号码"] == GUARDIAN_ID
    assert values["监护人联系电话"] == "0739-1234567"
    assert values["是否签订委托监护责任确认书"] == "是"
    assert values["确认书签订日期"].date() == signed
    assert values["家庭救助帮扶情况"] == "临时救助、低保"
    assert values["备注"] == "按时走访"
    assert values["儿童类别"] == "农村留守儿童、困境儿童"
    assert values["困境类型"] == "自身困境"
    assert values["监护能力薄弱类型"] == "②-AB"
    assert values["风险等级"] == "高"
    assert values["认定依据"] == "父母均外出务工；本人残疾"
    assert values["下次走访日期"].date() == date(2026, 12, 7)
    assert first["下次走访日期"].number_format == "yyyy-mm-dd"
    other = {k: c.value for k, c in second.items()}
    assert other["序号"] == 2
    assert other["公民身份号码"] is None
    assert other["户口登记状况"] == "未登记"
    assert other["是否寄宿"] is None
    assert other["确认书签订日期"] is None
    assert other["儿童类别"] is None


def test_id_numbers_are_masked_unless_full_numbers_are_asked_for():
    child = _child(father_id_number=FATHER_ID, guardian_id_number=GUARDIAN_ID)
    [masked] = _rows(_export([child], full_id=False))
    number = child.id_number
    assert masked["公民身份号码"].value == f"{number[:6]}********{number[-4:]}"
    assert (
        masked["父亲公民身份号码"].value == f"{FATHER_ID[:6]}********{FATHER_ID[-4:]}"
    )
    assert masked["监护人公民身份号码"].value.endswith(GUARDIAN_ID[-4:])
    assert GUARDIAN_ID not in _xml(
        _export([child], full_id=False), "xl/worksheets/sheet1.xml"
    )
    [full] = _rows(_export([child], full_id=True))
    assert full["公民身份号码"].value == number
    assert full["父亲公民身份号码"].value == FATHER_ID


def test_text_that_looks_like_a_formula_is_exported_as_inert_text():
    child = _child(
        name=HYPERLINK,
        address="+cmd|' /C calc'!A0",
        school="@SUM(1+1)",
        notes='=HYPERLINK("http://evil.example/","点击领取补助")',
    )
    data = _export([child], full_id=False)
    [row] = _rows(data)
    assert row["姓名"].value == "'" + HYPERLINK
    assert row["姓名"].data_type == "s"
    assert row["现居住地址"].value == "'+cmd|' /C calc'!A0"
    assert row["学校名称"].value == "'@SUM(1+1)"
    assert row["备注"].value == "'" + child.notes
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        assert "<f>" not in _xml(data, part) and "<f " not in _xml(data, part)


def test_an_export_of_no_children_is_the_header_alone():
    data = _export([], full_id=False)
    assert _rows(data) == []


# The error report.


@pytest.fixture
def place(db):
    return make_place()


def _bad_file(place) -> bytes:
    village = place.village.code
    good = roster_row(village, 姓名="王好")
    bad_sex = roster_row(village, 姓名="李错", 性别="男女")
    two_errors = roster_row(
        village,
        姓名="钱错",
        现居住地址='=HYPERLINK("http://x.cn","点")',
        户籍地行政区划代码="123",
    )
    two_errors["备注"] = "@危险"
    return roster_csv([good, bad_sex, roster_row(village, 姓名="赵好"), two_errors])


def _report(plan) -> bytes:
    out = io.BytesIO()
    write_error_report(out, plan)
    return out.getvalue()


def test_the_error_report_holds_the_rows_with_errors_and_why(place):
    plan = roster_check(_bad_file(place), "花名册.csv", actor=place.civil)
    assert [e.row for e in plan.errors] == [3, 5]
    data = _report(plan)
    book = _open(data)
    assert book.sheetnames == [SHEET_NAME]
    sheet = book[SHEET_NAME]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == [*HEADERS, "错误说明", "原文件行号"]
    rows = [dict(zip(header, line, strict=True)) for line in sheet.iter_rows(min_row=2)]
    assert [r["原文件行号"].value for r in rows] == [3, 5]
    first, second = rows
    assert first["姓名"].value == "李错"
    assert first["性别"].value == "男女"
    assert first["错误说明"].value == "性别：“男女”不是可选的值：应为 男、女"
    assert first["性别"].fill.fgColor.rgb == "FFFFC7CE"
    assert first["姓名"].fill.fgColor.rgb != "FFFFC7CE"
    assert first["性别"].comment.text.startswith("“男女”不是可选的值")
    assert second["现居住地址"].value == '\'=HYPERLINK("http://x.cn","点")'
    assert second["备注"].value == "'@危险"
    assert second["户籍地行政区划代码"].value == "123"
    assert second["户籍地行政区划代码"].fill.fgColor.rgb == "FFFFC7CE"
    assert second["错误说明"].value == (
        "户籍地行政区划代码：“123”不是12位区划代码：请从模板的“村（社区）代码”表中复制"
    )
    assert "<f>" not in _xml(data, "xl/worksheets/sheet1.xml")


def test_every_error_of_a_row_is_joined_in_the_explanation(place):
    row = roster_row(place.village, 性别="不详", 出生日期="明天", 父亲状况="")
    plan = roster_check(roster_csv([row]), "x.csv", actor=place.civil)
    [line] = list(
        _open(_report(plan))[SHEET_NAME].iter_rows(min_row=2, values_only=True)
    )
    explanation = line[len(HEADERS)]
    assert explanation == "；".join(f"{e.column}：{e.message}" for e in plan.errors)
    assert [e.column for e in plan.errors] == [
        "性别",
        "出生日期",
        "父亲状况",
        "公民身份号码",
    ]


def test_a_corrected_error_report_imports_like_the_original_rows(place):
    plan = roster_check(_bad_file(place), "花名册.csv", actor=place.civil)
    again = roster_check(_report(plan), "错误报告.xlsx", actor=place.civil)
    assert [(e.column, e.message) for e in again.errors] == [
        (e.column, e.message) for e in plan.errors
    ]
    assert again.notes == []  # the report's own columns are read back silently
