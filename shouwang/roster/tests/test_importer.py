"""roster.importer: read → check → plan → commit, for every bad input the template
names; each refusal asserts the message a worker sees and that nothing was written."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditEvent
from shouwang.registry import services
from shouwang.registry.models import Child, ChildChange, VisitPolicy
from shouwang.registry.tests.factories import (
    GUARDIAN_ID,
    id_for,
    make_child,
    make_place,
    years_ago,
)
from shouwang.roster.importer import (
    NothingToCommit,
    RowError,
    roster_check,
    roster_commit,
)
from tests.factories import make_user

from . import files

pytestmark = pytest.mark.django_db

BORN = date(2015, 3, 8)
NOT_A_SPREADSHEET = (
    "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的花名册（可先下载模板）。"
)
CORRUPT = "文件已损坏或不是有效的电子表格：请在 Excel 中打开确认后另存为 .xlsx 再上传。"
PASSWORD = "文件设置了打开密码：请在 Excel 中取消密码后另存，再上传。"
DATE_FORMS = "请填写如 2015-03-08、2015/3/8、20150308 或 2015年3月8日"
PARENT_STATUSES = (
    "在家、外出务工、重残、重病、服刑在押、强制隔离戒毒、其他限制人身自由措施、"
    "被遣送出境、弃养、失联、被撤销监护资格、死亡、失踪、不详"
)


@pytest.fixture
def place():
    return make_place()


def written() -> tuple[int, int, int]:
    """What an import writes: children, history rows, import audit rows."""
    return (
        Child.objects.count(),
        ChildChange.objects.count(),
        AuditEvent.objects.filter(action="roster.import").count(),
    )


def row(place, **cells) -> dict:
    """A valid row for the home village (born 2015-03-08 unless told; a birth date
    given as text keeps an ID number of 2015-03-08)."""
    cells.setdefault("出生日期", BORN)
    if not isinstance(cells["出生日期"], date):
        cells.setdefault("公民身份号码", id_for(place.village, BORN))
    return files.roster_row(place.village, **cells)


def check(place, data: bytes, filename: str = "花名册.xlsx", actor=None):
    return roster_check(data, filename, actor=actor or place.civil)


def refused(place, data: bytes, filename: str = "花名册.xlsx", actor=None) -> str:
    """The message of a file that cannot be used, after checking that committing
    it writes nothing."""
    before = written()
    plan = check(place, data, filename, actor)
    assert plan.rows == [] and plan.errors == []
    with pytest.raises(NothingToCommit) as error:
        roster_commit(plan, actor=actor or place.civil, partial=True)
    assert str(error.value) == plan.unusable
    assert written() == before
    return plan.unusable


def rejected(place, rows: list, *, headers=files.HEADERS, actor=None) -> list:
    """The errors of a file whose rows are rejected (as tuples), after checking that
    committing it writes nothing."""
    before = written()
    plan = check(place, files.xlsx(rows, headers), actor=actor)
    assert not plan.unusable
    assert plan.count("rejected")
    with pytest.raises(NothingToCommit) as error:
        roster_commit(plan, actor=actor or place.civil)
    assert str(error.value) == "有被拒绝的行，未导入任何数据。"
    assert written() == before
    return [(e.row, e.column, e.value, e.message) for e in plan.errors]


def imported(place, data: bytes, filename: str = "花名册.xlsx", actor=None):
    """Check and commit a file that has no errors; the plan."""
    plan = check(place, data, filename, actor)
    assert (plan.unusable, plan.errors) == ("", [])
    roster_commit(plan, actor=actor or place.civil, source=filename)
    return plan


# Files that cannot be used at all.


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\x13\x37\xfa\xce random bytes, no spreadsheet" * 20, "花名册.xlsx"),
        (files.PNG, "花名册.png"),
        (files.docx_like(), "花名册.xlsx"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet(place, data, filename):
    assert refused(place, data, filename) == NOT_A_SPREADSHEET


def test_a_corrupt_xlsx(place):
    whole = files.xlsx([row(place)])
    assert refused(place, whole[: len(whole) * 2 // 3]) == CORRUPT


def test_a_password_protected_xlsx(place):
    assert refused(place, files.encrypted_xlsx()) == PASSWORD


def test_an_empty_file(place):
    assert refused(place, b"") == "文件是空的：请选择填好的花名册文件。"


def test_a_file_with_headers_only(place):
    message = "文件只有表头，没有儿童信息：请从第2行起每行填写一名儿童。"
    assert refused(place, files.xlsx([])) == message
    assert refused(place, files.roster_csv([]), "花名册.csv") == message
    # 序号 filled down the template and blank lines are no children either
    assert refused(place, files.xlsx([{"序号": n} for n in range(1, 6)])) == message


def test_without_a_roster_sheet_the_first_sheet_is_read_and_a_note_says_so(place):
    alone = files.xlsx([row(place)], sheet="三月名单")
    assert check(place, alone).notes == []  # the only sheet: nothing to say
    data = files.xlsx([row(place)], sheet="Sheet1", after={"填表说明": [["每行一名"]]})
    plan = imported(place, data)
    assert plan.sheet == "Sheet1"
    assert plan.notes == [
        "文件中没有名为“花名册”的工作表，已读取第一个工作表“Sheet1”。"
    ]
    assert Child.objects.count() == 1


def test_a_workbook_whose_first_sheet_has_no_template_headers(place):
    data = files.xlsx(
        [row(place)],
        sheet="Sheet2",
        before={"Sheet1": [["村名", "人数"], ["守望村", 3]]},
    )
    plan = check(place, data)
    assert plan.unusable == (
        "缺少必填列：姓名、性别、出生日期、户籍地行政区划代码、父亲状况、母亲状况。"
        "请使用花名册模板的表头（表头在第1行）。"
    )
    assert plan.notes == [
        "文件中没有名为“花名册”的工作表，已读取第一个工作表“Sheet1”。"
    ]
    assert refused(place, data) == plan.unusable


def test_a_missing_required_column_is_named(place):
    headers = [h for h in files.HEADERS if h not in ("性别", "母亲状况")]
    assert refused(place, files.xlsx([row(place)], headers)) == (
        "缺少必填列：性别、母亲状况。请使用花名册模板的表头（表头在第1行）。"
    )


def test_a_column_given_twice(place):
    headers = [*files.HEADERS, " 姓名 "]
    data = files.xlsx([[*row(place).values(), "张三"]], headers)
    assert refused(place, data) == (
        "表头“姓名”出现了两次（第B列和第AK列）：请删除其中一列。"
    )


def test_merged_cells_in_the_data_rows(place):
    data = files.xlsx([row(place), row(place, 姓名="李四")], merge=["P2:P3"])
    assert refused(place, data) == (
        "工作表中有合并单元格（P2:P3）：请取消合并，并在每一行填写完整后再上传。"
    )


def test_a_merged_title_row_above_the_header_is_accepted(place):
    data = files.xlsx([row(place)], title="隆回县农村留守儿童和困境儿童信息花名册")
    plan = check(place, data)
    assert (plan.unusable, plan.errors) == ("", [])
    assert [(r.row, r.action) for r in plan.rows] == [(3, "new")]


def test_more_rows_than_the_limit_is_refused_before_any_work(place, settings):
    settings.ROSTER_MAX_ROWS = 5
    rows = [row(place, 姓名=f"儿童{chr(0x4E00 + n)}") for n in range(6)]
    assert refused(place, files.xlsx(rows)) == (
        "文件有 6 行，超过一次导入的上限 5 行：请拆分成几个文件分别导入。"
    )
    assert refused(place, files.roster_csv(rows), "花名册.csv") == (
        "文件有 6 行，超过一次导入的上限 5 行：请拆分成几个文件分别导入。"
    )
    plan = check(place, files.xlsx(rows[:5]))
    assert plan.counts["new"] == 5


# Cells as spreadsheets hold them.


def test_a_formula_is_read_as_its_saved_value(place):
    data = files.xlsx_with_formulas(
        [row(place, 姓名=files.Formula('="张"&"晓明"', "张晓明"))]
    )
    plan = check(place, data)
    assert plan.errors == []
    assert plan.rows[0].data["name"] == "张晓明"


def test_a_formula_whose_saved_value_is_empty_text_is_an_empty_cell(place):
    formula = files.Formula('=IF(P2="外出务工","深圳","")', "")
    plan = check(place, files.xlsx_with_formulas([row(place, 学校名称=formula)]))
    assert plan.errors == []
    assert plan.rows[0].data["school"] == ""


def test_a_formula_without_a_saved_value_is_reported(place):
    errors = rejected(place, [row(place, 姓名=files.Formula('="张"&"晓明"'))])
    assert errors == [
        (
            2,
            "姓名",
            "",
            "该单元格是公式且没有计算结果：请复制该列后“选择性粘贴为数值”",
        )
    ]


def test_an_id_number_stored_as_a_number(place):
    assert rejected(place, [row(place, 公民身份号码=1.1e17)]) == [
        (
            2,
            "公民身份号码",
            "1.1e+17",
            "身份号码被 Excel 存成了数字，后几位已丢失（显示为科学计数法）："
            "请把该列设为“文本”格式后重新填写号码",
        )
    ]


@pytest.mark.parametrize(
    "cell",
    [BORN, 42071.0, "2015-03-08", "2015/3/8", "20150308", 20150308, "2015年3月8日"],
)
def test_a_birth_date_in_each_accepted_form(place, cell):
    number = id_for(place.village, BORN)
    plan = check(place, files.xlsx([row(place, 出生日期=cell, 公民身份号码=number)]))
    assert plan.errors == []
    assert plan.rows[0].data["birth_date"] == BORN


def test_a_birth_date_that_is_no_date(place):
    assert rejected(place, [row(place, 出生日期="三月八号")]) == [
        (2, "出生日期", "三月八号", f"“三月八号”不是有效的日期：{DATE_FORMS}")
    ]


def test_a_csv_cell_over_excels_limit(place):
    data = files.roster_csv([row(place, 备注="注" * 32768)])
    plan = check(place, data, "花名册.csv")
    assert [(e.row, e.column, e.value, e.message) for e in plan.errors] == [
        (2, "备注", "注" * 100, "单元格内容超过 32767 个字符：请删减")
    ]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", False), ("utf-8", True), ("gbk", False), ("gb18030", False)],
)
def test_a_csv_in_each_accepted_encoding(place, encoding, bom):
    data = files.roster_csv(
        [row(place, 姓名="龚晓䶮", 母亲姓名="欧阳丽")]
        if encoding == "gb18030"
        else [row(place, 姓名="龚晓明", 母亲姓名="欧阳丽")],
        encoding=encoding,
        bom=bom,
    )
    plan = imported(place, data, "花名册.csv")
    [child] = Child.objects.all()
    assert child.name == ("龚晓䶮" if encoding == "gb18030" else "龚晓明")
    assert child.mother_name == "欧阳丽"
    assert plan.sheet == "CSV"


def test_unknown_columns_are_reported_and_ignored(place):
    headers = [*files.HEADERS, "微信号", "儿童类别", "风险等级"]
    data = files.xlsx([[*row(place).values(), "wx123", "孤儿", "高"]], headers)
    plan = check(place, data)
    assert plan.errors == []
    assert plan.notes == ["以下列不是模板中的列，已忽略：微信号。"]
    assert plan.counts["new"] == 1


def test_headers_with_spaces_and_brackets_are_accepted(place):
    spelled = {
        "姓名": " 姓名 ",
        "出生日期": "出生日期（年月日）",
        "公民身份号码": "公民身份号码 (18位)",
        "户籍地行政区划代码": "户籍地行政区划代码【12位】",
        "父亲状况": "父亲\u3000状况",
    }
    headers = [spelled.get(h, h) for h in files.HEADERS]
    plan = check(place, files.xlsx([list(row(place).values())], headers))
    assert (plan.unusable, plan.errors, plan.notes) == ("", [], [])
    assert plan.rows[0].data["birth_date"] == BORN


def test_a_required_cell_left_empty(place):
    assert rejected(place, [row(place, 户籍地行政区划代码="", 母亲状况=" ")]) == [
        (2, "户籍地行政区划代码", "", "户籍地行政区划代码为必填项：请填写"),
        (2, "母亲状况", "", "母亲状况为必填项：请填写"),
    ]


# The template's rules.


def test_sex_must_agree_with_the_id_number(place):
    assert rejected(
        place, [row(place, 性别="女", 公民身份号码=id_for(place.village, BORN))]
    ) == [(2, "性别", "女", "性别“女”与身份号码（第17位表示男性）不一致：请核对")]


def test_birth_date_must_agree_with_the_id_number(place):
    number = id_for(place.village, BORN)
    assert rejected(
        place, [row(place, 出生日期="2015-03-09", 公民身份号码=number)]
    ) == [
        (
            2,
            "出生日期",
            "2015-03-09",
            "出生日期 2015-03-09 与身份号码中的 2015-03-08 不一致：请核对",
        )
    ]


def test_a_birth_date_in_the_future(place):
    tomorrow = timezone.localdate() + timedelta(days=1)
    unregistered = {"公民身份号码": "", "户口登记状况": "未登记"}
    assert rejected(place, [row(place, 出生日期=tomorrow, **unregistered)]) == [
        (
            2,
            "出生日期",
            tomorrow.isoformat(),
            f"出生日期 {tomorrow:%Y-%m-%d} 晚于今天：请核对",
        )
    ]


def test_a_registered_child_needs_an_id_number(place):
    assert rejected(place, [row(place, 公民身份号码="")]) == [
        (
            2,
            "公民身份号码",
            "",
            "户口已登记的儿童必须填写公民身份号码；确未登记户口的请将户口登记状况选为未登记",
        )
    ]


def test_disability_needs_category_and_grade(place):
    assert rejected(place, [row(place, 健康状况="残疾")]) == [
        (2, "残疾类别", "", "健康状况为残疾时，请选择残疾类别"),
        (2, "残疾等级", "", "健康状况为残疾时，请选择残疾等级"),
    ]


def test_a_signed_confirmation_needs_its_date(place):
    assert rejected(place, [row(place, 是否签订委托监护责任确认书="是")]) == [
        (2, "确认书签订日期", "", "已签订委托监护责任确认书时，请填写签订日期")
    ]


def test_a_parent_status_outside_the_list(place):
    assert rejected(place, [row(place, 父亲状况="打工")]) == [
        (2, "父亲状况", "打工", f"“打工”不是可选的值：应为 {PARENT_STATUSES}")
    ]


def test_a_village_outside_the_importers_jurisdiction(place):
    far = place.far_village.code  # the other township: not the director's
    foreign = place.foreign_village.code
    outside = "不是您管辖范围内的村（社区）代码：请核对，或由该村所在地的工作人员导入"
    assert rejected(
        place,
        [row(place, 户籍地行政区划代码=far), row(place, 户籍地行政区划代码=foreign)],
        actor=place.director,
    ) == [
        (2, "户籍地行政区划代码", far, outside),
        (3, "户籍地行政区划代码", foreign, outside),
    ]
    # the county's civil-affairs worker may import the first, not the second
    assert rejected(
        place,
        [row(place, 户籍地行政区划代码=far), row(place, 户籍地行政区划代码=foreign)],
    ) == [(3, "户籍地行政区划代码", foreign, outside)]


def test_a_village_code_the_system_does_not_know(place):
    assert rejected(place, [row(place, 户籍地行政区划代码="430524911099")]) == [
        (
            2,
            "户籍地行政区划代码",
            "430524911099",
            "不是系统中的村（社区）代码：请从模板的“村（社区）代码”表中复制",
        )
    ]


def test_accepted_spellings_are_normalized(place):
    cells = {
        "民族": "汉",
        "健康状况": "残疾",
        "残疾类别": "肢体",
        "家庭救助帮扶情况": "低保、临时救助,医疗救助;建档立卡",
        "公民身份号码": id_for(place.village, BORN).lower(),
        "监护人公民身份号码": GUARDIAN_ID.lower(),
    }
    rows = [
        row(place, 姓名=f"儿童{name}", 残疾等级=grade, **cells)
        for name, grade in (("甲", 1), ("乙", "2"), ("丙", "3级"), ("丁", "四级"))
    ]
    for line in rows[1:]:
        line["公民身份号码"] = id_for(place.village, BORN)
    plan = check(place, files.xlsx(rows))
    assert plan.errors == []
    data = [r.data for r in plan.rows]
    assert [d["disability_grade"] for d in data] == ["一级", "二级", "三级", "四级"]
    assert {d["ethnicity"] for d in data} == {"汉族"}
    assert data[0]["family_assistance"] == ["临时救助", "低保", "医疗救助", "建档立卡"]
    assert data[0]["guardian_id_number"] == GUARDIAN_ID
    assert data[0]["id_number"] == cells["公民身份号码"].upper()


def test_all_errors_of_a_row_are_reported_together(place):
    bad = row(
        place,
        姓名="张3",
        性别="女",
        公民身份号码=id_for(place.village, BORN),
        父亲状况="打工",
        健康状况="残疾",
        父亲联系电话="12345",
        是否签订委托监护责任确认书="是",
    )
    assert rejected(place, [row(place, 姓名="李好"), bad]) == [
        (3, "父亲状况", "打工", f"“打工”不是可选的值：应为 {PARENT_STATUSES}"),
        (3, "姓名", "张3", "姓名不能包含数字"),
        (3, "性别", "女", "性别“女”与身份号码（第17位表示男性）不一致：请核对"),
        (3, "残疾类别", "", "健康状况为残疾时，请选择残疾类别"),
        (3, "残疾等级", "", "健康状况为残疾时，请选择残疾等级"),
        (
            3,
            "父亲联系电话",
            "12345",
            "电话号码应为11位手机号（1开头）或带区号的固定电话（如 0739-1234567）",
        ),
        (3, "确认书签订日期", "", "已签订委托监护责任确认书时，请填写签订日期"),
    ]


NAME_RULE = "姓名只能由汉字、字母、间隔号“·”（如 阿依古丽·买买提）组成，外文姓名的字母之间可有一个空格"


def test_names_with_markup_are_refused_row_by_row(place):
    rows = [
        row(place, 姓名="李好"),
        row(place, 姓名="<script>", 实际监护人姓名='王"奶奶'),
        row(place, 姓名="张晓", 父亲姓名="张&李", 母亲姓名="古丽·"),
    ]
    assert rejected(place, rows) == [
        (3, "姓名", "<script>", "姓名不能包含“<”“>”：" + NAME_RULE),
        (3, "实际监护人姓名", '王"奶奶', '实际监护人姓名不能包含“"”：' + NAME_RULE),
        (4, "父亲姓名", "张&李", "父亲姓名不能包含“&”：" + NAME_RULE),
        (
            4,
            "母亲姓名",
            "古丽·",
            "母亲姓名中的间隔号“·”只能在两部分之间，不能在开头、结尾或连用",
        ),
    ]


def test_names_are_imported_with_the_middle_dot(place):
    data = files.xlsx([row(place, 姓名="阿依古丽・买买提", 母亲姓名="古丽．热合曼")])
    imported(place, data)
    child = Child.objects.get()
    assert (child.name, child.mother_name) == ("阿依古丽·买买提", "古丽·热合曼")
    # The same file again matches the record as it was kept: nothing changes.
    assert check(place, data).counts["unchanged"] == 1


# Matching against the ledger.


def test_an_id_number_given_twice_in_the_file(place):
    number = id_for(place.village, BORN)
    rows = [
        row(place, 公民身份号码=number),
        row(place, 姓名="张晓", 公民身份号码=number),
    ]
    assert rejected(place, rows) == [
        (3, "公民身份号码", number, "与第2行的身份号码相同：同一名儿童只能填一行")
    ]


def test_an_unnumbered_child_given_twice_in_the_file(place):
    unnumbered = {"公民身份号码": "", "户口登记状况": "未登记"}
    rows = [row(place, **unnumbered), row(place, 学校名称="一小", **unnumbered)]
    assert rejected(place, rows) == [
        (
            3,
            "姓名",
            "张晓明",
            "与第2行是同一名儿童（同村、同名、同出生日期，均无身份号码）：请删除重复的一行",
        )
    ]


def test_a_child_registered_outside_the_jurisdiction_names_only_the_county(place):
    there = make_child(place.foreign_village, name="外县孩子", birth_date=BORN)
    nearby = make_child(place.far_village, name="邻镇孩子", birth_date=BORN)
    rows = [
        row(place, 公民身份号码=there.id_number),
        row(place, 姓名="张晓", 公民身份号码=nearby.id_number),
    ]
    errors = rejected(place, rows, actor=place.director)
    assert errors == [
        (2, "公民身份号码", there.id_number, "该身份号码已在洞口县登记"),
        (3, "公民身份号码", nearby.id_number, "该身份号码已在隆回县登记"),
    ]
    assert not any("孩子" in message or "村" in message for *_, message in errors)


def test_an_unnumbered_child_like_one_in_the_ledger_is_a_possible_duplicate(place):
    existing = make_child(
        place.other_village, name="张晓明", birth_date=BORN, id_number=None
    )
    unnumbered = {"公民身份号码": "", "户口登记状况": "未登记"}
    plan = check(
        place,
        files.xlsx(
            [
                row(place, 姓名="张小明", **unnumbered),
                row(place, 姓名="李华", **unnumbered),
            ]
        ),
    )
    assert plan.errors == []
    assert [(r.row, r.action, r.candidates) for r in plan.rows] == [
        (2, "duplicate", [existing.pk]),
        (3, "new", []),
    ]
    assert plan.counts["duplicates"] == 1
    roster_commit(plan, actor=place.civil)
    assert set(Child.objects.values_list("name", flat=True)) == {"李华", "张晓明"}
    existing.refresh_from_db()
    assert (existing.name, existing.version, existing.village_id) == (
        "张晓明",
        1,
        place.other_village.code,
    )


def test_an_unnumbered_child_of_the_same_village_name_and_birth_is_the_same(place):
    existing = make_child(place.village, name="张晓明", birth_date=BORN, id_number=None)
    unnumbered = {"公民身份号码": "", "户口登记状况": "未登记"}
    plan = check(place, files.xlsx([row(place, 学校名称="守望小学", **unnumbered)]))
    assert [(r.action, r.child_id, r.changes) for r in plan.rows] == [
        ("changed", existing.pk, {"school": ["", "守望小学"]})
    ]


def test_changed_rows_carry_their_field_diffs(place):
    child = make_child(place.village, name="张晓明", birth_date=BORN)
    same = row(place, 公民身份号码=child.id_number)
    moved = row(
        place,
        公民身份号码=child.id_number,
        户籍地行政区划代码=place.other_village.code,
        父亲状况="在家",
        父亲务工地="",
        家庭救助帮扶情况="低保",
    )
    plan = check(place, files.xlsx([same]))
    assert [(r.action, r.child_id, r.changes) for r in plan.rows] == [
        ("unchanged", child.pk, {})
    ]
    plan = check(place, files.xlsx([moved]))
    [planned] = plan.rows
    assert (planned.action, planned.child_id) == ("changed", child.pk)
    assert planned.changes == {
        "village_id": [place.village.code, place.other_village.code],
        "father_status": ["外出务工", "在家"],
        "father_work_place": ["广东省深圳市", ""],
        "family_assistance": [[], ["低保"]],
    }


def test_columns_missing_from_the_file_keep_the_records_values(place):
    child = make_child(
        place.village, name="张晓明", birth_date=BORN, school="守望小学", notes="爱画画"
    )
    headers = [h for h in files.HEADERS if h not in ("学校名称", "备注")]
    plan = check(
        place,
        files.xlsx(
            [row(place, 公民身份号码=child.id_number, 就学状况="初中")], headers
        ),
    )
    assert [(r.action, r.changes) for r in plan.rows] == [
        ("changed", {"schooling": ["小学", "初中"]})
    ]
    roster_commit(plan, actor=place.civil)
    child.refresh_from_db()
    assert (child.schooling, child.school, child.notes) == (
        "初中",
        "守望小学",
        "爱画画",
    )


def test_a_child_who_has_left_the_ledger_is_not_changed_by_an_import(place):
    child = make_child(place.village, name="张晓明", birth_date=BORN)
    services.child_exit(
        actor=place.civil,
        child_id=child.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=timezone.localdate(),
    )
    plan = check(place, files.xlsx([row(place, 公民身份号码=child.id_number)]))
    assert [(r.action, r.child_id) for r in plan.rows] == [("unchanged", child.pk)]
    assert rejected(
        place, [row(place, 公民身份号码=child.id_number, 学校名称="一中")]
    ) == [
        (
            2,
            "公民身份号码",
            child.id_number,
            f"该儿童已退出儿童信息库（记录 #{child.pk}）：如需修改，请先在系统中重新纳入",
        )
    ]


# Committing.


def test_commit_is_all_or_nothing_unless_partial(place):
    rows = [row(place), row(place, 姓名="李四", 性别="男性"), row(place, 姓名="王五")]
    data = files.xlsx(rows)
    assert rejected(place, rows) == [
        (3, "性别", "男性", "“男性”不是可选的值：应为 男、女")
    ]
    plan = check(place, data)
    counts = roster_commit(plan, actor=place.civil, partial=True, source="花名册.xlsx")
    assert counts == {
        "new": 2,
        "changed": 0,
        "unchanged": 0,
        "rejected": 1,
        "duplicates": 0,
    }
    assert sorted(Child.objects.values_list("name", flat=True)) == ["张晓明", "王五"]
    [event] = AuditEvent.objects.filter(action="roster.import")
    assert event.details == {"file": "花名册.xlsx", "counts": counts, "partial": True}
    assert (event.actor, event.object_type, event.object_id, event.area_id) == (
        place.civil,
        "roster",
        "花名册.xlsx",
        place.county.code,
    )


def test_commit_writes_history_and_one_audit_row(place):
    child = make_child(place.village, name="张晓明", birth_date=BORN)
    rows = [
        row(place, 公民身份号码=child.id_number, 学校名称="守望小学"),
        row(
            place,
            姓名="李小红",
            性别="女",
            公民身份号码=id_for(place.village, BORN, "女"),
        ),
    ]
    progress = []
    plan = check(place, files.xlsx(rows))
    roster_commit(
        plan,
        actor=place.director,
        source="三月.xlsx",
        progress=lambda done, total: progress.append((done, total)),
    )
    assert progress == [(1, 2), (2, 2)]
    new = Child.objects.get(name="李小红")
    [created] = ChildChange.objects.filter(child=new)
    assert (created.action, created.version, created.actor, created.changes) == (
        "import",
        1,
        place.director,
        {},
    )
    assert created.note == "花名册导入 三月.xlsx"
    assert created.snapshot["name"] == "李小红"
    changed = ChildChange.objects.filter(child=child).order_by("version").last()
    assert (changed.action, changed.version, changed.actor_name) == (
        "import",
        2,
        "zhuren",
    )
    assert changed.changes == {"school": ["", "守望小学"]}
    child.refresh_from_db()
    assert (child.version, child.school) == (2, "守望小学")
    assert AuditEvent.objects.filter(action="roster.import").count() == 1


def test_imported_children_are_classified(place):
    rows = [
        row(place),
        row(
            place,
            姓名="李安",
            出生日期=years_ago(6),
            公民身份号码=id_for(place.village, years_ago(6)),
            父亲状况="在家",
            父亲务工地="",
            母亲状况="在家",
            母亲务工地="",
            实际监护人姓名="",
            监护人与儿童关系="",
        ),
        row(
            place,
            姓名="王残",
            出生日期=years_ago(12),
            公民身份号码=id_for(place.village, years_ago(12)),
            健康状况="残疾",
            残疾类别="智力",
            残疾等级=2,
        ),
    ]
    imported(place, files.xlsx(rows))
    left = Child.objects.get(name="张晓明")
    assert (left.categories, left.risk_level, left.visit_interval_days) == (
        ["农村留守儿童"],
        "中",
        30,
    )
    assert left.classified_on == timezone.localdate()
    assert left.classification_reasons
    home = Child.objects.get(name="李安")
    assert (home.categories, home.risk_level) == ([], "")
    disabled = Child.objects.get(name="王残")
    assert disabled.categories == ["农村留守儿童", "困境儿童"]
    assert disabled.difficulty_kinds == ["自身困境"]


def test_imported_children_follow_their_county_s_visit_intervals(place):
    VisitPolicy.objects.create(
        county_id=place.county.code,
        high_days=5,
        medium_days=14,
        low_days=60,
        updated_by=place.civil,
    )
    imported(place, files.xlsx([row(place)]))
    child = Child.objects.get(name="张晓明")
    # Never visited: due the day it entered the ledger.
    assert (child.risk_level, child.visit_interval_days, child.next_visit_due) == (
        "中",
        14,
        timezone.localdate(),
    )


def test_importing_the_same_file_again_changes_nothing(place):
    rows = [
        row(place),
        row(
            place,
            姓名="李小红",
            性别="女",
            公民身份号码=id_for(place.village, BORN, "女"),
            是否寄宿="是",
            家庭救助帮扶情况="低保、建档立卡",
            是否签订委托监护责任确认书="是",
            确认书签订日期="2024年9月1日",
            母亲联系电话="13800138000",
            户籍性质="城镇",
        ),
        row(place, 姓名="赵无号", 公民身份号码="", 户口登记状况="未登记"),
    ]
    data = files.xlsx(rows)
    imported(place, data)
    before = (Child.objects.count(), ChildChange.objects.count())
    plan = check(place, data)
    assert plan.counts == {
        "new": 0,
        "changed": 0,
        "unchanged": 3,
        "rejected": 0,
        "duplicates": 0,
    }
    roster_commit(plan, actor=place.civil)
    assert (Child.objects.count(), ChildChange.objects.count()) == before
    # The re-run wrote nothing, so it leaves no audit row (the README's promise).
    assert AuditEvent.objects.filter(action="roster.import").count() == 1


def test_an_id_number_registered_between_check_and_commit(place):
    number = id_for(place.village, BORN)
    plan = check(
        place, files.xlsx([row(place, 姓名="王五"), row(place, 公民身份号码=number)])
    )
    assert plan.counts["new"] == 2
    make_child(place.village, name="抢先", birth_date=BORN, id_number=number)
    before = written()
    with pytest.raises(NothingToCommit) as error:
        roster_commit(plan, actor=place.civil)
    assert str(error.value) == (
        "检查之后，文件中有身份号码已被他人登记：未导入任何数据。请重新上传文件检查后再导入。"
    )
    assert written() == before


def test_row_errors_serialize_for_the_preview_and_the_command():
    assert RowError(3, "姓名", "张3", "姓名不能包含数字").as_dict() == {
        "row": 3,
        "column": "姓名",
        "value": "张3",
        "message": "姓名不能包含数字",
    }


def test_a_record_saved_after_the_check_is_never_overwritten(place):
    child = make_child(place.village, name="张晓明", birth_date=BORN, school="守望小学")
    plan = check(
        place,
        files.xlsx([row(place, 公民身份号码=child.id_number, 学校名称="向阳小学")]),
    )
    assert [r.action for r in plan.rows] == ["changed"]
    services.child_update(
        actor=place.civil,
        child_id=child.pk,
        expected_version=child.version,
        data={"notes": "别人刚改的"},
    )
    before = written()
    with pytest.raises(
        NothingToCommit, match="第2行对应的儿童记录在检查之后被他人修改"
    ):
        roster_commit(plan, actor=place.civil)
    assert written() == before
    child.refresh_from_db()
    assert (child.school, child.notes) == ("守望小学", "别人刚改的")


def test_an_adult_row_passes_only_as_an_orphan_in_full_time_school(place):
    adult_born = years_ago(19)
    orphan_cells = {
        "父亲状况": "死亡",
        "父亲务工地": "",
        "母亲状况": "不详",
        "母亲务工地": "",
    }
    on_file = make_child(
        place.village,
        name="李华",
        birth_date=adult_born,
        schooling="高中",
        father_status="死亡",
        father_work_place="",
        mother_status="死亡",
        mother_work_place="",
    )
    newcomer = row(  # not an orphan
        place,
        姓名="王成",
        出生日期=years_ago(20),
        公民身份号码=id_for(place.village, years_ago(20)),
        就学状况="高中",
    )
    junior = row(  # an orphan, but 初中 is not full-time school
        place,
        姓名="赵初",
        出生日期=years_ago(18),
        公民身份号码=id_for(place.village, years_ago(18)),
        就学状况="初中",
        **orphan_cells,
    )
    again = row(
        place,
        姓名="李华",
        出生日期=adult_born,
        公民身份号码=on_file.id_number,
        就学状况="高中",
        **{**orphan_cells, "母亲状况": "死亡"},
    )
    student = row(
        place,
        姓名="钱学",
        出生日期=years_ago(18, days=40),
        公民身份号码=id_for(place.village, years_ago(18, days=40)),
        就学状况="高职及以上",
        **orphan_cells,
    )
    plan = check(place, files.xlsx([newcomer, junior, again, student]))
    assert [(r.row, r.action) for r in plan.rows] == [
        (2, "rejected"),
        (3, "rejected"),
        (4, "unchanged"),
        (5, "new"),
    ]
    refusal = (
        "已年满18周岁，不在儿童信息库登记范围内（父母均死亡或不详、就学状况为高中、中职或"
        "高职及以上的孤儿除外）"
    )
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (2, "出生日期", refusal),
        (3, "出生日期", refusal),
    ]

    roster_commit(plan, actor=place.civil, partial=True)
    added = Child.objects.get(name="钱学")
    assert (added.is_orphan, added.in_school_after_18) == (True, True)
    assert added.categories == ["孤儿"]
    assert not Child.objects.filter(name__in=["王成", "赵初"]).exists()


def test_the_history_of_an_import_holds_the_registrys_snapshot(place):
    rows = [
        row(
            place,
            家庭救助帮扶情况="低保、建档立卡",
            是否签订委托监护责任确认书="是",
            确认书签订日期="2024年9月1日",
            是否寄宿="是",
        ),
        row(place, 姓名="赵无号", 公民身份号码="", 户口登记状况="未登记"),
    ]
    imported(place, files.xlsx(rows))
    for child in Child.objects.all():
        [change] = ChildChange.objects.filter(child=child)
        assert change.snapshot == services.snapshot(child)
        assert change.at >= child.created_at


def test_a_new_child_of_a_village_with_one_director_gets_that_director(place):
    far = files.roster_row(
        place.far_village, 公民身份号码=id_for(place.far_village, BORN), 出生日期=BORN
    )
    second = make_user(Role.DIRECTOR, place.village, username="zhuren3")
    imported(place, files.xlsx([row(place), far]))
    assert dict(Child.objects.values_list("village_id", "responsible_director")) == {
        place.village.code: None,  # two directors there now: nobody is chosen
        place.far_village.code: None,  # no director in that village
    }
    second.is_active = False
    second.save()
    other = row(
        place, 姓名="李小红", 性别="女", 公民身份号码=id_for(place.village, BORN, "女")
    )
    imported(place, files.xlsx([other]))
    assert Child.objects.get(name="李小红").responsible_director == place.director
