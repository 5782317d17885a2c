"""The bulletin in a browser: a county officer picks the county and a past quarter,
waits for the generation, reads the preview and downloads the Word file, whose
numbers match the ledger; a leader opens it but cannot generate one."""

from datetime import date, timedelta

from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import AT_HOME, ORPHAN, make_child
from shouwang.reports.tests.history import registered_days_ago


def _last_quarter() -> tuple[date, date]:
    today = timezone.localdate()
    start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    end = start - timedelta(days=1)
    return date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end


def test_a_county_officer_previews_and_downloads_a_bulletin(
    new_page, browser_world, login, static_watch, tmp_path
):
    village = browser_world.village
    for name, facts in (("张晓明", {}), ("李娜", AT_HOME), ("王小红", ORPHAN)):
        make_child(village, name=name, **facts)
    make_child(village, name="新来的")  # registered after the quarter
    for child in Child.objects.exclude(name="新来的"):
        registered_days_ago(child, 400)
    start, end = _last_quarter()

    page = new_page()
    login(page, browser_world.users[Role.CIVIL_AFFAIRS].username)
    page.goto("/reports/bulletins/")
    form = page.get_by_test_id("bulletin-form")
    form.get_by_label("区划").select_option(browser_world.county.code)
    form.get_by_label("起始日期").fill(start.isoformat())
    form.get_by_label("截止日期").fill(end.isoformat())
    form.get_by_role("button", name="生成通报").click()

    preview = page.get_by_test_id("bulletin-preview")
    expect(preview).to_contain_text("隆回县农村留守儿童和困境儿童关爱保护工作情况通报")
    expect(preview).to_contain_text("（暂无数据）")
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    path = tmp_path / "通报.docx"
    download.value.save_as(path)
    text = "\n".join(p.text for p in Document(path).paragraphs)
    assert "在册儿童3人" in text, text[:800]  # 新来的 came after the quarter
    assert "孤儿1人" in text
    assert static_watch.errors == []

    leader = new_page()
    login(leader, browser_world.users[Role.LEADER].username)
    leader.goto("/reports/bulletins/")
    expect(leader.get_by_test_id("bulletin-table")).to_contain_text("隆回县")
    expect(leader.get_by_test_id("bulletin-form")).to_have_count(0)
