"""The school registration list import: the check, the commit, the command, the page."""

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import make_id_number
from shouwang.registry.tests.factories import make_place
from shouwang.roster.tests import files
from shouwang.schooling.enrolment import (
    EnrolmentRefused,
    enrolment_check,
    enrolment_commit,
    enrolment_list_for,
)
from shouwang.schooling.models import EnrolmentList, EnrolmentRow
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HEADERS = ("姓名", "公民身份号码", "学籍号", "学校名称", "年级", "学籍状态")
WITH_CODE = (*HEADERS, "学校所在地区划代码")
BORN = date(2015, 3, 8)
_seq = iter(range(1, 499))


def pupil_id(sex_male: bool = True) -> str:
    return make_id_number("430524", BORN, next(_seq), male=sex_male)


def pupil(**cells) -> dict:
    row = {
        "姓名": "张晓明",
        "公民身份号码": pupil_id(),
        "学籍号": "G430524201503080011",
        "学校名称": "守望镇中心小学",
        "年级": "五年级",
        "学籍状态": "在读",
    }
    row.update(cells)
    return row


def book(rows, headers=HEADERS) -> bytes:
    return files.xlsx(rows, headers, sheet="学籍名单")


@pytest.fixture
def place():
    return make_place()


def check(place, data: bytes, user=None, **kwargs):
    return enrolment_check(
        actor=user or place.department, data=data, filename="名单.xlsx", **kwargs
    )


def messages(plan) -> list[tuple[int, str, str, str]]:
    return [(e.row, e.column, e.field, e.message) for e in plan.errors]


def test_a_good_list_is_checked_then_written_whole_and_audited(place):
    ids = [pupil_id(), pupil_id(False)]
    data = book(
        [
            pupil(公民身份号码=ids[0]),
            pupil(姓名="李小红", 公民身份号码=ids[1], 学籍状态="辍学", 年级=""),
        ]
    )
    plan = check(place, data)
    assert (plan.unusable, plan.errors) == ("", [])
    assert plan.counts == {"rows": 2, "accepted": 2, "rejected": 0, "written": 0}
    assert plan.area == place.county
    assert EnrolmentList.objects.count() == 0  # the check writes nothing
    saved = enrolment_commit(
        actor=place.department, plan=plan, listed_on=date(2026, 9, 1)
    )
    assert (saved.area, saved.listed_on, saved.row_count, saved.uploaded_by) == (
        place.county,
        date(2026, 9, 1),
        2,
        place.department,
    )
    assert list(
        saved.rows.values_list("row_number", "name", "id_number", "status", "grade")
    ) == [
        (2, "张晓明", ids[0], "在读", "五年级"),
        (3, "李小红", ids[1], "辍学", ""),
    ]
    event = AuditEvent.objects.get(action="enrolment.import")
    assert (event.actor, event.area_id, event.object_id) == (
        place.department,
        place.county.code,
        str(saved.pk),
    )
    assert event.details["rows"] == 2


def test_rows_are_written_whole_whatever_the_order_of_their_id_numbers(place):
    # Written in ID-number order on PostgreSQL: each row keeps its own cells and
    # number, and the list reads back in the sheet's order.
    ids = sorted(make_id_number("430524", BORN, 300 + n, male=True) for n in range(6))
    ids.reverse()
    names = ["张一", "李二", "王三", "赵四", "钱五", "孙六"]
    data = book(
        [
            pupil(姓名=name, 公民身份号码=number, 学籍号=f"G{number}", 年级=f"{k}年级")
            for k, (name, number) in enumerate(zip(names, ids, strict=True), start=1)
        ]
    )
    saved = enrolment_commit(actor=place.department, plan=check(place, data))
    assert list(
        saved.rows.values_list("row_number", "name", "id_number", "student_no", "grade")
    ) == [
        (k + 1, name, number, f"G{number}", f"{k}年级")
        for k, (name, number) in enumerate(zip(names, ids, strict=True), start=1)
    ]


def test_csv_and_tolerant_headers(place):
    data = files.roster_csv(
        [
            [
                "张晓明",
                pupil_id(),
                "G1",
                "守望小学",
                "三年级",
                "在读",
                place.township.code,
                "x",
            ]
        ],
        headers=(
            " 姓 名",
            "公民身份号码（18位）",
            "学籍号",
            "学校名称",
            "年　级",
            "学籍状态",
            "学校所在地区划代码",
            "备注",
        ),
    )
    plan = enrolment_check(actor=place.civil, data=data, filename="名单.csv")
    assert (plan.unusable, plan.errors) == ("", [])
    assert plan.rows[0][-1] == place.township.code
    assert plan.notes == ["以下列不是学籍名单的列，已忽略：备注。"]


def test_each_bad_cell_is_named_by_row_column_and_field(place):
    good = pupil_id()
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    data = book(
        [
            pupil(公民身份号码=good),
            pupil(公民身份号码=wrong_check),
            pupil(公民身份号码=good, 姓名="王五"),
            pupil(学籍状态="在校"),
            pupil(姓名="", 学校名称=""),
            pupil(学籍状态="", 公民身份号码=""),
            pupil(**{"学校所在地区划代码": "4305"}),
            pupil(**{"学校所在地区划代码": "430524999999"}),
        ],
        WITH_CODE,
    )
    plan = check(place, data)
    assert messages(plan) == [
        (
            3,
            "公民身份号码",
            "id_number",
            "身份号码校验位不正确：请逐位核对号码（常见原因是录入错一位）",
        ),
        (
            4,
            "公民身份号码",
            "id_number",
            "第2行和第4行的公民身份号码相同：同一份名单中一名学生只能出现一次，"
            "请核对后删除重复的一行",
        ),
        (
            5,
            "学籍状态",
            "status",
            "“在校”不是可选的学籍状态：应为 在读、休学、辍学、转出、毕业",
        ),
        (6, "姓名", "name", "姓名不能为空：请填写学生的姓名"),
        (6, "学校名称", "school", "学校名称不能为空：请填写学生就读学校的全称"),
        (
            7,
            "公民身份号码",
            "id_number",
            "公民身份号码不能为空：请填写学生的18位身份号码",
        ),
        (
            7,
            "学籍状态",
            "status",
            "学籍状态不能为空：应为 在读、休学、辍学、转出、毕业",
        ),
        (
            8,
            "学校所在地区划代码",
            "school_area_code",
            "“4305”不是12位行政区划代码：请填写如 430524101001 的代码，或留空",
        ),
        (
            9,
            "学校所在地区划代码",
            "school_area_code",
            "区划代码“430524999999”不存在：请核对学校所在地的12位行政区划代码，或留空",
        ),
    ]
    assert plan.counts == {"rows": 8, "accepted": 1, "rejected": 7, "written": 0}
    with pytest.raises(EnrolmentRefused) as refused:
        enrolment_commit(actor=place.department, plan=plan)
    assert refused.value.message == (
        "有 7 行未通过检查，未导入任何数据：请改正后重新上传整份名单。"
    )
    assert (EnrolmentList.objects.count(), EnrolmentRow.objects.count()) == (0, 0)
    assert not AuditEvent.objects.filter(action="enrolment.import").exists()


def test_an_id_stored_as_a_number_and_a_long_name(place):
    data = book([pupil(公民身份号码=430524201503080011.0, 姓名="张" * 31)])
    assert messages(check(place, data)) == [
        (2, "姓名", "name", "姓名最多30个字符，当前31个：请填写学生的姓名"),
        (
            2,
            "公民身份号码",
            "id_number",
            "身份号码被 Excel 存成了数字，后几位已丢失（显示为科学计数法）："
            "请把该列设为“文本”格式后重新填写号码",
        ),
    ]


def test_whole_file_problems(place):
    plan = check(place, files.PNG)
    assert plan.unusable == (
        "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的学籍名单。"
    )
    plan = check(
        place,
        book(
            [["张三", pupil_id(), "", "小学", "", "在读"]],
            (*HEADERS[:4], "年级", "状态"),
        ),
    )
    assert plan.unusable == (
        "缺少必填列：学籍状态。学籍名单的表头应为 姓名、公民身份号码、学籍号、"
        "学校名称、年级、学籍状态（可另加“学校所在地区划代码”）。"
    )
    plan = check(place, book([]))
    assert plan.unusable == "名单中没有学生：第1行应为表头，从第2行起每行一名学生。"


def test_who_may_import_and_for_where(place):
    data = book([pupil()])
    police = make_user(Role.DEPARTMENT, place.county, unit=Unit.POLICE)
    for user in (place.director, place.supervisor, place.leader, place.admin, police):
        with pytest.raises(EnrolmentRefused) as refused:
            check(place, data, user=user)
        assert refused.value.message == (
            "只有教育部门（成员单位：教育）和民政部门的账号可以导入学籍名单。"
        )
    plan = check(place, data, area=place.township.code)
    assert plan.area == place.township
    with pytest.raises(EnrolmentRefused) as refused:
        check(place, data, area=place.foreign_county.code)
    assert refused.value.message == (
        "“洞口县”不在您的管辖范围内：只能导入本辖区的学籍名单。"
    )
    with pytest.raises(EnrolmentRefused) as refused:
        check(place, data, area="1234")
    assert refused.value.message == (
        "区划代码“1234”不存在：请填写12位行政区划代码，如 430524000000。"
    )
    township_edu = make_user(Role.DEPARTMENT, place.township)
    with pytest.raises(EnrolmentRefused):
        check(place, data, user=township_edu, area=place.county.code)
    enrolment_commit(actor=place.department, plan=check(place, data))
    foreign = make_user(Role.CIVIL_AFFAIRS, place.foreign_county)
    assert list(enrolment_list_for(viewer=foreign)) == []
    assert enrolment_list_for(viewer=place.civil).count() == 1
    assert list(enrolment_list_for(viewer=place.director)) == []


# The command ---------------------------------------------------------------


def save(tmp_path, data: bytes, name: str = "学籍名单.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def run(*args) -> str:
    out = io.StringIO()
    call_command("enrolment_import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def fails(*args) -> tuple[CommandError, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("enrolment_import", *args, stdout=out, stderr=io.StringIO())
    return error.value, out.getvalue()


NO_COUNTS = {"rows": 0, "accepted": 0, "rejected": 0, "written": 0}


def test_command_imports_and_summarizes(place, tmp_path):
    path = save(tmp_path, book([pupil(), pupil(姓名="李四")]))
    out = run(path, "--user", "jiaoyu", "--date", "2026-09-01")
    assert out == (
        "文件“学籍名单.xlsx”（工作表“学籍名单”，隆回县）：共 2 名学生，通过 2 行，拒绝 0 行。\n"
        "导入完成：学籍名单已保存，共 2 名学生。\n"
    )
    saved = EnrolmentList.objects.get()
    assert (saved.listed_on, saved.row_count, saved.original_name) == (
        date(2026, 9, 1),
        2,
        "学籍名单.xlsx",
    )


def test_command_json_and_dry_run(place, tmp_path):
    path = save(tmp_path, book([pupil()]))
    out = run(path, "--user", "minzheng", "--dry-run", "--json")
    assert json.loads(out) == {
        "status": "dry_run",
        "counts": {**NO_COUNTS, "rows": 1, "accepted": 1},
        "errors": [],
    }
    assert EnrolmentList.objects.count() == 0
    out = run(path, "--user", "minzheng", "--json", "--area", place.township.code)
    assert out.count("\n") == 1
    assert json.loads(out) == {
        "status": "committed",
        "counts": {"rows": 1, "accepted": 1, "rejected": 0, "written": 1},
        "errors": [],
    }
    assert EnrolmentList.objects.get().area == place.township


def test_command_rejected_rows_exit_1_and_write_nothing(place, tmp_path):
    path = save(tmp_path, book([pupil(), pupil(学籍状态="在校")]))
    for extra in ((), ("--dry-run",)):
        error, out = fails(path, "--user", "jiaoyu", "--json", *extra)
        assert error.returncode == 1
        assert json.loads(out) == {
            "status": "rejected",
            "counts": {**NO_COUNTS, "rows": 2, "accepted": 1, "rejected": 1},
            "errors": [
                {
                    "row": 3,
                    "column": "学籍状态",
                    "field": "status",
                    "value": "在校",
                    "message": "“在校”不是可选的学籍状态：应为 在读、休学、辍学、转出、毕业",
                }
            ],
        }
    error, out = fails(path, "--user", "jiaoyu")
    assert (str(error), error.returncode) == ("有 1 行被拒绝，未导入任何数据。", 1)
    assert out.splitlines()[-2:] == [
        "  第3行 学籍状态“在校”：“在校”不是可选的学籍状态：应为 在读、休学、辍学、转出、毕业",
        "未导入任何数据：请改正错误后重新导入整份名单。",
    ]
    assert EnrolmentList.objects.count() == 0


def test_command_unusable_file_and_bad_arguments_exit_2(place, tmp_path):
    path = save(tmp_path, files.PNG, "照片.png")
    error, out = fails(path, "--user", "jiaoyu", "--json")
    message = "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的学籍名单。"
    assert (str(error), error.returncode) == (message, 2)
    assert json.loads(out) == {
        "status": "unusable",
        "counts": NO_COUNTS,
        "errors": [
            {"row": 0, "column": "", "field": "", "value": "", "message": message}
        ],
    }
    good = save(tmp_path, book([pupil()]))
    for args, message in (
        ((good,), "请用 --user 指定以哪个用户的身份导入（用户名）。"),
        ((good, "--user", "nobody"), "用户“nobody”不存在。"),
        (
            (good, "--user", "zhuren"),
            "只有教育部门（成员单位：教育）和民政部门的账号可以导入学籍名单。",
        ),
        (
            (good, "--user", "jiaoyu", "--area", place.foreign_county.code),
            "“洞口县”不在您的管辖范围内：只能导入本辖区的学籍名单。",
        ),
        (
            (str(tmp_path / "无.xlsx"), "--user", "jiaoyu"),
            f"找不到文件：{tmp_path / '无.xlsx'}",
        ),
        (
            (good, "--user", "jiaoyu", "--date", "9/1"),
            "名单日期“9/1”无效：请写成 YYYY-MM-DD，如 2026-09-01。",
        ),
    ):
        error, out = fails(*args, "--json")
        assert (str(error), error.returncode) == (message, 2)
        assert json.loads(out)["status"] == "error"
        assert json.loads(out)["errors"][0]["message"] == message
    assert EnrolmentList.objects.count() == 0


# The page ------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(user, data: bytes, name: str = "名单.xlsx", **fields):
    return client_for(user).post(
        reverse("schooling:enrolment-upload"),
        {"file": SimpleUploadedFile(name, data), **fields},
    )


def test_page_upload_shows_result_and_history(place):
    response = upload(place.department, book([pupil(), pupil(姓名="李四")]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "共 2 名学生，通过 2 行，拒绝 0 行。" in page
    assert "已保存学籍名单：隆回县" in page
    assert "教育刘" in page  # in the history, as the uploader
    assert EnrolmentList.objects.get().row_count == 2
    response = client_for(place.civil).get(reverse("schooling:enrolment-lists"))
    assert response.status_code == 200
    assert "名单.xlsx" in response.content.decode()


def test_page_rejects_bad_rows_with_masked_ids_and_writes_nothing(place):
    good = pupil_id()
    response = upload(
        place.department, book([pupil(公民身份号码=good), pupil(公民身份号码=good)])
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "有 1 行未通过检查，未导入任何数据" in page
    assert "第2行和第3行的公民身份号码相同" in page
    assert good not in page
    assert f"{good[:6]}********{good[-4:]}" in page
    assert EnrolmentList.objects.count() == 0


def test_page_refuses_bad_file_area_and_people(place):
    response = upload(place.department, files.PNG, "x.png")
    assert response.status_code == 400
    assert "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的学籍名单。" in (
        response.content.decode()
    )
    response = upload(place.department, book([pupil()]), area=place.foreign_county.code)
    assert response.status_code == 400
    assert "“洞口县”不在您的管辖范围内" in response.content.decode()
    response = client_for(place.department).post(
        reverse("schooling:enrolment-upload"), {}
    )
    assert response.status_code == 400
    assert "请选择要上传的学籍名单文件。" in response.content.decode()
    for user in (place.director, place.leader, place.admin):
        assert upload(user, book([pupil()])).status_code == 403
        response = client_for(user).get(reverse("schooling:enrolment-lists"))
        assert response.status_code == 403
    assert Client().get(reverse("schooling:enrolment-lists")).status_code == 302
    assert EnrolmentList.objects.count() == 0


def test_a_formula_is_read_as_its_saved_value_or_reported_without_one(place):
    saved = files.xlsx_with_formulas(
        [pupil(学校名称=files.Formula('="守望镇"&"中心小学"', "守望镇中心小学"))],
        HEADERS,
        sheet="学籍名单",
    )
    plan = check(place, saved)
    assert (plan.errors, plan.rows[0][4]) == ([], "守望镇中心小学")
    # Saved without a result (as openpyxl writes formulas): said so, not "empty".
    plan = check(place, book([pupil(学籍状态=files.Formula('=IF(1,"在读","")'))]))
    assert messages(plan) == [
        (
            2,
            "学籍状态",
            "status",
            "该单元格是公式且没有计算结果：请复制该列后“选择性粘贴为数值”",
        )
    ]
