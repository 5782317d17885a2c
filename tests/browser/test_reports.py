"""The statistics dashboard on a phone: a leader drills from the county to a township
to a village, numbers only, charts drawn from the locally served ECharts."""

from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.registry.tests.factories import AT_HOME, make_child
from tests.browser.phone import PHONE


def _assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


def _figure(page, key: str):
    return page.locator(f'[data-figure="{key}"]').get_by_test_id("figure-value")


def test_a_leader_drills_down_on_a_phone(new_page, browser_world, login, static_watch):
    village = browser_world.village  # 桃洪镇第1村
    make_child(village, name="张晓明")
    make_child(village, name="李娜", **AT_HOME)
    make_child(Area.objects.get(code="430524100002"), name="王小红")
    make_child(Area.objects.get(code="430524101001"), name="赵小刚")

    page = new_page(**PHONE)
    login(page, browser_world.users[Role.LEADER].username)
    page.goto("/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("统计分析：隆回县")
    expect(_figure(page, "children.total")).to_have_text("4")
    expect(_figure(page, "children.left_behind")).to_have_text("3")
    # Numbers only: a leader gets no link to a list of children.
    expect(page.locator("main a[href^='/children/']")).to_have_count(0)
    # The trend charts are drawn (ECharts' SVG renderer, served locally).
    expect(page.locator("#trend-counts svg")).to_have_count(1)
    expect(page.locator("#trend-rates svg")).to_have_count(1)
    rows = page.get_by_test_id("subarea-table").get_by_test_id("subarea-row")
    expect(rows).to_have_count(2)
    _assert_fits(page)

    with page.expect_navigation():
        rows.get_by_role("link", name="桃洪镇").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("统计分析：桃洪镇")
    expect(_figure(page, "children.total")).to_have_text("3")
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("隆回县")
    rows = page.get_by_test_id("subarea-table").get_by_test_id("subarea-row")
    expect(rows).to_have_count(4)
    _assert_fits(page)

    with page.expect_navigation():
        rows.get_by_role("link", name="桃洪镇第1村").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("统计分析：桃洪镇第1村")
    expect(_figure(page, "children.total")).to_have_text("2")
    expect(page.get_by_test_id("subarea-table")).to_have_count(0)
    crumbs = page.get_by_test_id("breadcrumb").locator("li")
    expect(crumbs).to_have_text(["隆回县", "桃洪镇", "桃洪镇第1村"])
    _assert_fits(page)

    # Back up through the breadcrumb.
    with page.expect_navigation():
        page.get_by_test_id("breadcrumb").get_by_role("link", name="隆回县").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("统计分析：隆回县")
    assert static_watch.failures == []
    assert static_watch.errors == []
