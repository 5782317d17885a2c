"""A county civil-affairs worker imports a roster in the browser: a file with a bad
row shows its errors with their row numbers; the corrected file is previewed,
imported while the page follows the worker's progress, and its children are listed."""

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.tests.factories import make_child
from shouwang.roster.models import ImportJob
from shouwang.roster.tasks import commit_roster_import
from shouwang.roster.tests import files

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choose(page, name: str, data: bytes) -> None:
    page.get_by_label("花名册文件").set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": data}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传并检查").click()


def test_a_civil_affairs_worker_corrects_and_imports_a_roster(
    page, browser_world, login, static_watch, settings, tmp_path
):
    settings.ROSTER_UPLOAD_DIR = tmp_path
    user = browser_world.users[Role.CIVIL_AFFAIRS]
    village = browser_world.village.code
    good = files.roster_row(village, 姓名="李娜", 性别="女")
    bad = files.roster_row(village, 姓名="王强", 父亲状况="外地打工")
    fixed = {**bad, "父亲状况": "外出务工"}

    login(page, user.username)
    with page.expect_navigation():
        page.get_by_test_id("nav").get_by_role("link", name="花名册导入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("花名册导入")

    # The first file has a bad row: its errors are listed with the sheet's row number.
    _choose(page, "桃洪镇花名册.xlsx", files.xlsx([good, bad]))
    expect(page.get_by_role("heading", level=1)).to_have_text("桃洪镇花名册.xlsx")
    expect(page.get_by_test_id("import-status")).to_have_text("已检查，待导入")
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_contain_text("1新增")
    expect(counts).to_contain_text("1有错误")
    errors = page.get_by_test_id("import-errors").locator("tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("第3行")
    expect(errors.first.locator("td").nth(1)).to_have_text("父亲状况")
    expect(errors.first.locator("td").nth(2)).to_have_text("外地打工")
    expect(page.get_by_role("button", name="只导入无误的行")).to_be_visible()
    expect(page.get_by_role("button", name="导入", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("report-link")).to_be_visible()

    # The corrected file passes; the import is queued for the worker, and the page
    # follows its progress until the worker has finished.
    with page.expect_navigation():
        page.get_by_role("link", name="花名册导入").first.click()
    _choose(page, "桃洪镇花名册（改）.xlsx", files.xlsx([good, fixed]))
    expect(page.get_by_test_id("commit-panel")).to_contain_text(
        "检查通过：将新增 2 名、更新 0 名儿童。"
    )
    job = ImportJob.objects.get(original_name="桃洪镇花名册（改）.xlsx")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    with page.expect_navigation():
        page.get_by_role("button", name="导入", exact=True).click()
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_contain_text("排队等待后台处理")
    expect(page.get_by_test_id("import-status")).to_have_text("正在导入")

    commit_roster_import.call(job.pk)  # what the db_worker does
    message = page.get_by_test_id("import-message")
    expect(message).to_have_text(re.compile(r"已导入：新增 2 名，更新 0 名。"))
    expect(page.get_by_test_id("import-status")).to_have_text("已导入")
    expect(progress).to_have_count(0)

    with page.expect_navigation():
        message.get_by_role("link", name="到儿童信息库查看").click()
    links = page.get_by_test_id("child-table").get_by_role("link")
    expect(links).to_have_count(2)
    for name in ("李娜", "王强"):
        expect(links.filter(has_text=name)).to_have_count(1)

    # The history lists both files, newest first.
    with page.expect_navigation():
        page.get_by_test_id("nav").get_by_role("link", name="花名册导入").click()
    rows = page.get_by_test_id("import-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("桃洪镇花名册（改）.xlsx")
    expect(rows.nth(0)).to_contain_text("已导入")
    expect(rows.nth(1)).to_contain_text("已检查，待导入")
    expect(rows.nth(1)).to_contain_text("下载（1 处）")
    assert not static_watch.failures and not static_watch.errors


def test_a_worker_who_may_reveal_numbers_exports_them_in_full(
    page, browser_world, login, static_watch
):
    child = make_child(browser_world.village, name="李娜", sex="女")
    login(page, browser_world.users[Role.CIVIL_AFFAIRS].username)
    page.goto("/children/")
    button = page.get_by_test_id("roster-export-full-id")
    expect(button).to_have_text("导出（完整身份号码）")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.startswith("儿童信息花名册-")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book[files.SHEET_NAME].iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=False))
    assert record["姓名"] == "李娜"
    assert record["公民身份号码"] == child.id_number
    assert static_watch.errors == []
