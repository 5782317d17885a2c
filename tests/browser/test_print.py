"""Printing on a phone: a director at 360 px opens a left-behind child, prints the
child's record (the page's 打印 button calls window.print from print.js, no inline
handler) and downloads the pre-filled 委托监护责任确认书 to have it signed."""

import io
from pathlib import Path

from docx import Document
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.tests.factories import make_child


def test_a_director_on_a_phone_prints_the_record_and_the_confirmation_form(
    new_page, browser_world, login, static_watch
):
    child = make_child(browser_world.village, name="张晓明")
    page = new_page(360, 740)
    # Headless Chromium prints nowhere: count the calls instead.
    page.add_init_script(
        "window.__printed = 0; window.print = () => { window.__printed += 1; };"
    )
    login(page, browser_world.users[Role.DIRECTOR].username)

    page.goto(f"/children/{child.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("print-link").click()
    expect(page.get_by_test_id("print-title")).to_have_text("儿童信息表：张晓明")
    expect(page.get_by_test_id("print-family")).to_contain_text("王桂兰（祖父母）")
    expect(page.get_by_test_id("nav")).to_have_count(0)
    page.get_by_role("button", name="打印").click()
    page.wait_for_function("window.__printed === 1")
    # On paper the toolbar is left off; the record is not.
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print-toolbar")).to_be_hidden()
    expect(page.get_by_test_id("print-basic")).to_be_visible()
    page.emulate_media(media="screen")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width

    with page.expect_navigation():
        page.get_by_role("link", name="返回").click()
    links = page.get_by_test_id("confirmation-form-links")
    with page.expect_download() as download_info:
        links.get_by_role("link", name="下载确认书（Word，待签字）").click()
    download = download_info.value
    assert download.suggested_filename == "委托监护责任确认书_张晓明.docx"
    document = Document(io.BytesIO(Path(download.path()).read_bytes()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "张晓明" in cells and "王桂兰" in cells and "张建国" in cells
    assert static_watch.failures == [] and static_watch.errors == []
