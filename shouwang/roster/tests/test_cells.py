"""roster.cells: one cell read as the value its column holds, or the message why not."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouwang.core.idnumber import make_id_number
from shouwang.registry.tests.factories import GUARDIAN_ID
from shouwang.roster.cells import CellError, as_text, read_cell, read_date
from shouwang.roster.columns import BY_HEADER

TODAY = date(2026, 6, 1)
ID = make_id_number("430524", date(2015, 3, 8), 12, male=True)
DATE_FORMS = "请填写如 2015-03-08、2015/3/8、20150308 或 2015年3月8日"
DIGITS_LOST = (
    "身份号码被 Excel 存成了数字，后几位已丢失（显示为科学计数法）："
    "请把该列设为“文本”格式后重新填写号码"
)


def read(header: str, value: object) -> object:
    return read_cell(BY_HEADER[header], value, today=TODAY)


def error_of(header: str, value: object) -> str:
    with pytest.raises(CellError) as error:
        read(header, value)
    return str(error.value)


@pytest.mark.parametrize(
    "value",
    [
        date(2015, 3, 8),
        datetime(2015, 3, 8),  # noqa: DTZ001 - a naive Excel date cell
        42071.0,  # the Excel serial number of 2015-03-08
        42071,
        "2015-03-08",
        "2015-3-8",
        "2015/3/8",
        "2015/03/08",
        "2015.3.8",
        "20150308",
        20150308.0,  # typed into a cell of Excel's General format
        "2015年3月8日",
        " 2015年03月08日 ",
    ],
)
def test_a_date_is_read_from_each_accepted_form(value):
    assert read("出生日期", value) == date(2015, 3, 8)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("不知道", f"“不知道”不是有效的日期：{DATE_FORMS}"),
        ("2015-02-30", f"“2015-02-30”不是有效的日期：{DATE_FORMS}"),
        ("08/03/2015", f"“08/03/2015”不是有效的日期：{DATE_FORMS}"),
        ("2015年3月", f"“2015年3月”不是有效的日期：{DATE_FORMS}"),
        (42071.5e3, f"“42071500”不是有效的日期：{DATE_FORMS}"),
        (-3.5, "“-3.5”不是有效的日期：请填写如 2015-03-08 的日期"),
    ],
)
def test_a_date_that_cannot_be_read_says_which_forms_are_accepted(value, message):
    assert error_of("出生日期", value) == message


def test_an_empty_date_is_none():
    assert read("出生日期", "") is None
    assert read("确认书签订日期", None) is None


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_every_date_reads_back_from_every_form_and_its_serial(day):
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y%m%d}",
        f"{day.year}年{day.month}月{day.day}日",
        float((day - date(1899, 12, 30)).days),
    ]
    assert {read_date(form) for form in forms} == {day}


def test_an_id_number_is_checked_and_normalized():
    assert GUARDIAN_ID.endswith("X")
    assert read("公民身份号码", f" {GUARDIAN_ID.lower()} ") == GUARDIAN_ID
    assert read("监护人公民身份号码", "４３０５２４" + GUARDIAN_ID[6:]) == GUARDIAN_ID
    assert read("公民身份号码", ID) == ID
    assert read("公民身份号码", "") is None
    assert read("父亲公民身份号码", "") == ""


@pytest.mark.parametrize("value", [1.1e17, 4.30524201503080e17, "4.30524E+17", "1E17"])
def test_an_id_number_stored_as_a_number_names_the_fix(value):
    assert error_of("公民身份号码", value) == DIGITS_LOST
    assert error_of("母亲公民身份号码", value) == DIGITS_LOST


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (12345.0, "身份号码应为18位：请把该列设为“文本”格式后重新填写"),
        ("43052420150308", "身份号码应为18位，当前为14位"),
        (
            ID[:-1] + ("0" if ID[-1] != "0" else "1"),
            "身份号码校验位不正确：请逐位核对号码（常见原因是录入错一位）",
        ),
    ],
)
def test_a_wrong_id_number_says_what_is_wrong(value, message):
    assert error_of("公民身份号码", value) == message


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("民族", "汉", "汉族"),
        ("民族", "壮族", "壮族"),
        ("民族", "", "汉族"),
        ("健康状况", "", "健康"),
        ("监护能力评估", "", "一般"),
        ("残疾等级", 1.0, "一级"),
        ("残疾等级", "2", "二级"),
        ("残疾等级", "3级", "三级"),
        ("残疾等级", 4, "四级"),
        ("残疾等级", "四级", "四级"),
        ("性别", " 女 ", "女"),
        ("户口登记状况", "", True),
        ("户口登记状况", "未登记", False),
        ("是否重病", "", False),
        ("是否重病", "是", True),
        ("是否寄宿", "", None),
        ("是否寄宿", "否", False),
        ("户籍地行政区划代码", 430524911001.0, "430524911001"),
        ("父亲联系电话", 13800138000.0, "13800138000"),
        ("家庭救助帮扶情况", "低保、临时救助", ["临时救助", "低保"]),
        (
            "家庭救助帮扶情况",
            "低保,医疗救助;建档立卡",
            ["低保", "医疗救助", "建档立卡"],
        ),
        ("家庭救助帮扶情况", "低保，低保；其他", ["低保", "其他"]),
        ("家庭救助帮扶情况", "", []),
    ],
)
def test_template_values_are_read_with_their_accepted_spellings(
    header, value, expected
):
    assert read(header, value) == expected


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("性别", "男性", "“男性”不是可选的值：应为 男、女"),
        ("残疾等级", "5", "“5”不是可选的值：应为 一级、二级、三级、四级"),
        ("民族", "火星族", "“火星族”不是可选的值：应为 汉族等规范名称"),
        ("是否重病", "可能", "“可能”应为 是 或 否"),
        ("户口登记状况", "有", "“有”应为 已登记 或 未登记"),
        (
            "户籍地行政区划代码",
            "4305249110",
            "“4305249110”不是12位区划代码：请从模板的“村（社区）代码”表中复制",
        ),
        (
            "家庭救助帮扶情况",
            "低保、五保",
            "“五保”不是可选的救助帮扶项目：应为 低保、特困供养、防返贫监测对象、建档立卡、"
            "临时救助、医疗救助、住房救助、其他 中的一项或几项，用、分隔",
        ),
        ("姓名", "张" * 31, "最多30个字，当前31个：请删减"),
        ("备注", "注" * 501, "最多500个字，当前501个：请删减"),
        ("备注", "注" * 32768, "单元格内容超过 32767 个字符：请删减"),
    ],
)
def test_a_value_outside_the_template_says_what_is_allowed(header, value, message):
    assert error_of(header, value) == message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (3.0, "3"),
        (3.5, "3.5"),
        (True, "是"),
        (date(2015, 3, 8), "2015-03-08"),
        (datetime(2015, 3, 8), "2015-03-08"),  # noqa: DTZ001
        ("  张三 ", "张三"),
    ],
)
def test_as_text(value, text):
    assert as_text(value) == text
