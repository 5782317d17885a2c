"""Phone-width layout, and the locally served front-end assets (ECharts, Bootstrap)."""

import re

from playwright.sync_api import expect

from shouwang.accounts.models import Role
from tests.browser.phone import PHONE, open_menu


def _assert_no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


def test_phone_width_collapses_the_navigation(new_page, browser_world, login):
    page = new_page(**PHONE)
    page.goto("/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    _assert_no_horizontal_overflow(page)

    login(page, browser_world.users[Role.CIVIL_AFFAIRS].username)

    expect(page.get_by_test_id("jurisdiction")).to_be_visible()
    nav = page.get_by_test_id("nav")
    toggler = page.get_by_role("button", name="展开菜单")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    expect(page.get_by_test_id("user-menu")).to_be_hidden()
    _assert_no_horizontal_overflow(page)

    open_menu(page)
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link")).to_have_text(
        [
            "首页",
            "儿童信息库",
            "我的待走访",
            "花名册导入",
            "行政区划",
            "账号管理",
            "审计日志",
            "使用手册",
        ]
    )
    for link in nav.get_by_role("link").all():
        expect(link).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    _assert_no_horizontal_overflow(page)

    # The pages with tables and filter forms fit the phone too.
    with page.expect_navigation(wait_until="domcontentloaded"):
        nav.get_by_role("link", name="账号管理").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("账号管理")
    expect(nav).to_be_hidden()
    _assert_no_horizontal_overflow(page)

    open_menu(page)
    with page.expect_navigation(wait_until="domcontentloaded"):
        nav.get_by_role("link", name="行政区划").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("隆回县")
    _assert_no_horizontal_overflow(page)

    open_menu(page)
    with page.expect_navigation(wait_until="domcontentloaded"):
        nav.get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    _assert_no_horizontal_overflow(page)

    # The 走访与摸排 drop-down opens inside the collapsed menu.
    open_menu(page)
    nav.get_by_role("button", name="走访与摸排").click()
    with page.expect_navigation(wait_until="domcontentloaded"):
        nav.get_by_role("link", name="季度摸排").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("季度摸排")
    open_menu(page)
    expect(nav.get_by_role("button", name="走访与摸排")).to_have_class(
        re.compile(r"\bactive\b")
    )
    _assert_no_horizontal_overflow(page)


def test_a_desktop_shows_every_menu_on_one_line(new_page, browser_world, login):
    """From 1200 px the navigation is laid out in full, one line high, inside the
    window, for the role with the most menus (county civil affairs)."""
    page = new_page(width=1200, height=800)
    login(page, browser_world.users[Role.CIVIL_AFFAIRS].username)
    nav = page.get_by_test_id("nav")
    expect(nav).to_be_visible()
    expect(page.get_by_role("button", name="展开菜单")).to_be_hidden()
    assert nav.get_by_role("button", name="救助保障").is_visible()
    height = page.evaluate(
        "document.querySelector('nav.sw-navbar').getBoundingClientRect().height"
    )
    assert height < 70, f"导航栏折成了多行：高 {height}px"
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('nav.sw-navbar a, "
        "nav.sw-navbar button')].map(e => e.getBoundingClientRect().right))"
    )
    assert right <= 1200, f"导航栏超出窗口：最右 {right}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200


def test_accounts_chart_renders_from_local_assets(
    page, live_server, browser_world, login, static_watch
):
    static_responses = []
    page.on(
        "response",
        lambda r: "/static/" in r.url and static_responses.append((r.url, r.status)),
    )

    login(page, browser_world.users[Role.CIVIL_AFFAIRS].username)

    expect(page).to_have_url(f"{live_server.url}/")
    page.goto("/accounts/users/")
    chart = page.locator("#users-chart svg")
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    # One bar per non-admin role, drawn by ECharts' SVG renderer.
    expect(page.locator("#users-chart svg path").first).to_be_attached()
    assert page.evaluate("typeof echarts") == "object"
    assert page.evaluate("typeof bootstrap") == "object"
    assert page.evaluate("typeof htmx") == "object"

    loaded = {re.sub(r"^.*/static/", "", url) for url, status in static_responses}
    for asset in (
        "vendor/bootstrap.min.css",
        "vendor/bootstrap.bundle.min.js",
        "vendor/htmx.min.js",
        "vendor/echarts.min.js",
        "web/app.css",
        "web/charts.js",
    ):
        assert asset in loaded, f"未请求 /static/{asset}"
    assert static_watch.failures == []
    assert static_watch.errors == []
