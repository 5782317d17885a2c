"""manage.py roster_import: its report, its JSON, its exit status, its progress bar."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from django.core.management.base import connections as command_connections
from python_calamine import CalamineWorkbook

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditEvent
from shouwang.registry.models import Child, ChildChange
from shouwang.registry.tests.factories import id_for, make_child, make_place
from shouwang.roster.management.commands import roster_import
from tests.factories import make_user

from . import files

pytestmark = pytest.mark.django_db

BORN = date(2015, 3, 8)
NO_COUNTS = {"new": 0, "changed": 0, "unchanged": 0, "rejected": 0, "duplicates": 0}


@pytest.fixture
def place():
    return make_place()


def row(place, **cells) -> dict:
    cells.setdefault("出生日期", BORN)
    return files.roster_row(place.village, **cells)


def save(tmp_path, data: bytes, name: str = "花名册.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def run(*args) -> tuple[str, str]:
    """Run the command; its stdout and stderr (exit status 0)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("roster_import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args) -> tuple[CommandError, str]:
    """Run the command expecting it to fail; the error and the stdout."""
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("roster_import", *args, stdout=out, stderr=io.StringIO())
    return error.value, out.getvalue()


def written() -> tuple[int, int, int]:
    return (
        Child.objects.count(),
        ChildChange.objects.count(),
        AuditEvent.objects.filter(action="roster.import").count(),
    )


def two_good_one_bad(place) -> bytes:
    return files.xlsx(
        [
            row(place),
            row(place, 姓名="李四", 性别="男性"),
            row(place, 姓名="王五", 公民身份号码=id_for(place.village, BORN)),
        ]
    )


def test_a_good_file_is_imported_and_summarized(place, tmp_path):
    path = save(
        tmp_path,
        files.xlsx(
            [
                row(place),
                row(place, 姓名="王五", 公民身份号码=id_for(place.village, BORN)),
            ]
        ),
    )
    out, err = run(path, "--user", "minzheng")
    assert out == (
        "文件“花名册.xlsx”（工作表“花名册”）：共 2 行儿童信息。\n"
        "新增 2 名，修改 0 名，未变 0 名，拒绝 0 行，疑似重复 0 行。\n"
        "导入完成：新增 2 名，修改 0 名。\n"
    )
    assert err == ""  # no progress bar when stderr is not a terminal
    assert written() == (2, 2, 1)
    event = AuditEvent.objects.get(action="roster.import")
    assert (event.actor.username, event.object_id) == ("minzheng", "花名册.xlsx")
    assert set(ChildChange.objects.values_list("note", flat=True)) == {
        "花名册导入 花名册.xlsx"
    }


def test_json_output_is_one_object(place, tmp_path):
    path = save(tmp_path, files.xlsx([row(place)]))
    out, _ = run(path, "--user", "zhuren", "--json")
    assert json.loads(out) == {
        "status": "committed",
        "counts": {**NO_COUNTS, "new": 1},
        "errors": [],
    }
    assert out.count("\n") == 1
    out, _ = run(path, "--user", "zhuren", "--json")
    assert json.loads(out)["counts"] == {**NO_COUNTS, "unchanged": 1}


def test_a_rerun_that_writes_nothing_leaves_no_audit_row(place, tmp_path):
    path = save(tmp_path, files.xlsx([row(place)]))
    run(path, "--user", "minzheng")
    assert written() == (1, 1, 1)
    out, _ = run(path, "--user", "minzheng")
    assert out.splitlines()[-1] == "导入完成：新增 0 名，修改 0 名。"
    assert written() == (1, 1, 1)


def test_a_dry_run_checks_and_writes_nothing(place, tmp_path):
    path = save(tmp_path, files.xlsx([row(place)]))
    out, _ = run(path, "--user", "minzheng", "--dry-run")
    assert out.splitlines()[-1] == (
        "检查通过（试运行，未写入）：导入将新增 1 名，修改 0 名。"
    )
    out, _ = run(path, "--user", "minzheng", "--dry-run", "--json")
    assert json.loads(out) == {
        "status": "dry_run",
        "counts": {**NO_COUNTS, "new": 1},
        "errors": [],
    }
    assert written() == (0, 0, 0)


def test_rejected_rows_stop_the_import_with_status_1(place, tmp_path):
    path = save(tmp_path, two_good_one_bad(place))
    error, out = fails(path, "--user", "minzheng")
    assert (str(error), error.returncode) == ("有 1 行被拒绝，未导入任何数据。", 1)
    assert out == (
        "文件“花名册.xlsx”（工作表“花名册”）：共 3 行儿童信息。\n"
        "新增 2 名，修改 0 名，未变 0 名，拒绝 1 行，疑似重复 0 行。\n"
        "错误（1 处）：\n"
        "  第3行 性别“男性”：“男性”不是可选的值：应为 男、女\n"
        "未导入任何数据：请改正错误后重新导入，或加 --partial 只导入通过检查的行。\n"
    )
    assert written() == (0, 0, 0)


def test_rejected_rows_in_json(place, tmp_path):
    path = save(tmp_path, two_good_one_bad(place))
    for extra in ((), ("--dry-run",), ("--dry-run", "--partial")):
        error, out = fails(path, "--user", "minzheng", "--json", *extra)
        assert error.returncode == 1
        assert json.loads(out) == {
            "status": "rejected",
            "counts": {**NO_COUNTS, "new": 2, "rejected": 1},
            "errors": [
                {
                    "row": 3,
                    "column": "性别",
                    "value": "男性",
                    "message": "“男性”不是可选的值：应为 男、女",
                }
            ],
        }
    assert written() == (0, 0, 0)


def test_partial_imports_the_good_rows_and_still_exits_1(place, tmp_path):
    path = save(tmp_path, two_good_one_bad(place))
    error, out = fails(path, "--user", "minzheng", "--partial")
    assert (str(error), error.returncode) == (
        "有 1 行被拒绝；其余通过检查的行已导入（写入 2 名）。",
        1,
    )
    assert out.splitlines()[-1] == (
        "已导入通过检查的行：新增 2 名，修改 0 名；被拒绝的 1 行未导入。"
    )
    assert set(Child.objects.values_list("name", flat=True)) == {"张晓明", "王五"}
    assert written() == (2, 2, 1)
    error, out = fails(path, "--user", "minzheng", "--partial", "--json")
    assert json.loads(out)["status"] == "partial"
    assert json.loads(out)["counts"] == {**NO_COUNTS, "unchanged": 2, "rejected": 1}


def test_an_unusable_file_exits_2(place, tmp_path):
    path = save(tmp_path, files.PNG, "照片.png")
    error, out = fails(path, "--user", "minzheng")
    message = "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的花名册（可先下载模板）。"
    assert (str(error), error.returncode) == (message, 2)
    assert out == f"文件“照片.png”无法导入：{message}\n"
    error, out = fails(path, "--user", "minzheng", "--json")
    assert json.loads(out) == {
        "status": "unusable",
        "counts": NO_COUNTS,
        "errors": [{"row": 0, "column": "", "value": "", "message": message}],
    }
    assert written() == (0, 0, 0)


def test_the_file_level_note_is_printed_with_an_unusable_file(place, tmp_path):
    data = files.xlsx(
        [row(place)], sheet="Sheet2", before={"Sheet1": [["村名", "人数"]]}
    )
    error, out = fails(save(tmp_path, data), "--user", "minzheng")
    assert error.returncode == 2
    assert out.splitlines()[1] == (
        "文件中没有名为“花名册”的工作表，已读取第一个工作表“Sheet1”。"
    )


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("", "请用 --user 指定以哪个用户的身份导入（用户名）。"),
        ("nobody", "用户“nobody”不存在。"),
        (
            "lingdao",
            "用户“lingdao”（领导）没有登记或修改儿童信息的权限，不能导入花名册。",
        ),
        (
            "guanli",
            "用户“guanli”（系统管理员）没有登记或修改儿童信息的权限，不能导入花名册。",
        ),
        (
            "jiaoyu",
            "用户“jiaoyu”（成员单位）没有登记或修改儿童信息的权限，不能导入花名册。",
        ),
        ("tingyong", "用户“tingyong”已停用。"),
    ],
)
def test_a_user_who_may_not_import_is_refused_with_status_2(
    place, tmp_path, user, message
):
    make_user(Role.DIRECTOR, place.village, username="tingyong", is_active=False)
    path = save(tmp_path, files.xlsx([row(place)]))
    args = (path, "--user", user) if user else (path,)
    error, out = fails(*args)
    assert (str(error), error.returncode, out) == (message, 2, "")
    error, out = fails(*args, "--json")
    assert json.loads(out) == {
        "status": "error",
        "counts": NO_COUNTS,
        "errors": [{"row": 0, "column": "", "value": "", "message": message}],
    }
    assert written() == (0, 0, 0)


def test_a_missing_file_or_a_directory_is_refused_with_status_2(place, tmp_path):
    missing = str(tmp_path / "没有.xlsx")
    error, _ = fails(missing, "--user", "minzheng")
    assert (str(error), error.returncode) == (f"找不到文件：{missing}", 2)
    error, _ = fails(str(tmp_path), "--user", "minzheng")
    assert (str(error), error.returncode) == (f"{tmp_path} 是目录，不是文件。", 2)


def test_the_exit_status_reaches_the_shell(place, tmp_path, monkeypatch):
    # run_from_argv is what manage.py calls; it closes the connections at the end,
    # which here would end the test's transaction.
    monkeypatch.setattr(command_connections, "close_all", lambda: None)
    command = roster_import.Command(stdout=io.StringIO(), stderr=io.StringIO())
    bad = save(tmp_path, two_good_one_bad(place))
    for args, status in (
        ([bad, "--user", "minzheng"], 1),
        ([bad, "--user", "nobody"], 2),
        ([save(tmp_path, b"", "空.csv"), "--user", "minzheng"], 2),
    ):
        with pytest.raises(SystemExit) as exit_:
            command.run_from_argv(["manage.py", "roster_import", *args])
        assert exit_.value.code == status
    # argparse's own errors also exit 2
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["manage.py", "roster_import", bad, "--bogus"])
    assert exit_.value.code == 2
    assert written() == (0, 0, 0)


def test_duplicates_and_notes_are_listed(place, tmp_path):
    existing = make_child(place.village, name="张晓明", birth_date=BORN, id_number=None)
    headers = [*files.HEADERS, "微信号"]
    unnumbered = {"公民身份号码": "", "户口登记状况": "未登记"}
    data = files.xlsx(
        [
            [*row(place, 姓名="张小明", **unnumbered).values(), "wx"],
            [*row(place, 姓名="李四").values(), ""],
        ],
        headers,
    )
    out, _ = run(save(tmp_path, data), "--user", "zhuren")
    assert out == (
        "文件“花名册.xlsx”（工作表“花名册”）：共 2 行儿童信息。\n"
        "新增 1 名，修改 0 名，未变 0 名，拒绝 0 行，疑似重复 1 行。\n"
        "疑似重复（未导入；请在系统中核对后再登记）：\n"
        f"  第2行 张小明：与已登记的无身份号码儿童 #{existing.pk} 相似\n"
        "说明：\n"
        "  以下列不是模板中的列，已忽略：微信号。\n"
        "导入完成：新增 1 名，修改 0 名。\n"
    )
    assert Child.objects.filter(name="张小明").count() == 0


def test_changed_rows_are_counted(place, tmp_path):
    child = make_child(place.village, name="张晓明", birth_date=BORN)
    data = files.xlsx([row(place, 公民身份号码=child.id_number, 学校名称="守望小学")])
    out, _ = run(save(tmp_path, data), "--user", "dudao", "--json")
    assert json.loads(out)["counts"] == {**NO_COUNTS, "changed": 1}
    child.refresh_from_db()
    assert (child.school, child.version) == ("守望小学", 2)


def test_the_error_report_holds_the_rejected_rows(place, tmp_path):
    workbook = pytest.importorskip("shouwang.roster.workbook")
    if not hasattr(workbook, "write_error_report"):
        pytest.skip("roster.workbook.write_error_report is not written yet")
    path = save(tmp_path, two_good_one_bad(place))
    report = tmp_path / "错误报告.xlsx"
    error, out = fails(path, "--user", "minzheng", "--error-report", str(report))
    assert error.returncode == 1
    assert (
        f"  错误报告已写入 {report}：改正其中的行后可直接重新导入。" in out.splitlines()
    )
    sheet = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert sheet[1][1] == "李四"
    assert any("“男性”不是可选的值：应为 男、女" in str(cell) for cell in sheet[1])
    assert written() == (0, 0, 0)


def test_no_error_report_without_errors(place, tmp_path):
    report = tmp_path / "错误报告.xlsx"
    run(
        save(tmp_path, files.xlsx([row(place)])),
        "--user",
        "minzheng",
        "--error-report",
        str(report),
    )
    assert not report.exists()


def test_the_error_report_may_not_overwrite_the_file(place, tmp_path):
    path = save(tmp_path, two_good_one_bad(place))
    error, _ = fails(path, "--user", "minzheng", "--error-report", path)
    assert (str(error), error.returncode) == (
        "错误报告不能写到要导入的文件上：请换一个文件名。",
        2,
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_is_drawn_on_a_terminal(place, tmp_path):
    path = save(tmp_path, files.xlsx([row(place)]))
    err = Terminal()
    call_command(
        "roster_import", path, "--user", "minzheng", stdout=io.StringIO(), stderr=err
    )
    # the check reports rows read (the header counts), the commit children written
    assert err.getvalue() == f"\r检查 [{'#' * 30}] 2/2\n\r写入 [{'#' * 30}] 1/1\n"


def test_the_progress_bar_draws_each_step():
    err = Terminal()
    bar = roster_import.ProgressBar(OutputWrapper(err), "检查")
    bar(2000, 8000)
    bar(8000, 8000)
    bar.finish()
    bar.finish()
    assert err.getvalue() == (
        f"\r检查 [{'#' * 7}{'-' * 23}] 2,000/8,000\r检查 [{'#' * 30}] 8,000/8,000\n"
    )
