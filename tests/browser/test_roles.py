"""Each role signs in through the form, sees its own navigation and figures, signs out."""

import re

import pytest
from playwright.sync_api import expect

from shouwang.accounts.models import Role

COUNTY_PATH = "湖南省 / 邵阳市 / 隆回县"
COUNTY_AREAS = {"省": 0, "市": 0, "县": 1, "乡镇": 2, "村（社区）": 7}
COUNTY_USERS = {"民政干部": 1, "儿童督导员": 1, "儿童主任": 1, "成员单位": 1, "领导": 1}
LEVELS = ["省", "市", "县", "乡镇", "村（社区）"]
BELOW = {
    Role.CIVIL_AFFAIRS: {"乡镇", "村（社区）"},
    Role.SUPERVISOR: {"村（社区）"},
    Role.DIRECTOR: set(),
    Role.DEPARTMENT: {"乡镇", "村（社区）"},
    Role.LEADER: {"乡镇", "村（社区）"},
    Role.ADMIN: set(LEVELS),
}
ALL_NAV = [
    "首页",
    "儿童信息库",
    "我的待走访",
    "花名册导入",
    "行政区划",
    "账号管理",
    "审计日志",
    "系统管理",
    "使用手册",
]
ADMIN_NAV = ["首页", "行政区划", "账号管理", "审计日志", "系统管理", "使用手册"]
VIEWER_NAV = ["首页", "行政区划", "使用手册"]
CASEWORKER_NAV = [
    "首页",
    "儿童信息库",
    "我的待走访",
    "花名册导入",
    "行政区划",
    "使用手册",
]

# role: (jurisdiction text, nav items, area figures, user figures, nav click, heading)
CASES = {
    Role.CIVIL_AFFAIRS: (
        f"民政干部 · 管辖范围：{COUNTY_PATH}",
        [
            "首页",
            "儿童信息库",
            "我的待走访",
            "花名册导入",
            "行政区划",
            "账号管理",
            "审计日志",
            "使用手册",
        ],
        COUNTY_AREAS,
        COUNTY_USERS,
        "账号管理",
        "账号管理",
    ),
    Role.SUPERVISOR: (
        f"儿童督导员 · 管辖范围：{COUNTY_PATH} / 桃洪镇",
        CASEWORKER_NAV,
        {"省": 0, "市": 0, "县": 0, "乡镇": 1, "村（社区）": 4},
        {"民政干部": 0, "儿童督导员": 1, "儿童主任": 1, "成员单位": 0, "领导": 0},
        "行政区划",
        "桃洪镇 430524100000 · 乡镇",
    ),
    Role.DIRECTOR: (
        f"儿童主任 · 管辖范围：{COUNTY_PATH} / 桃洪镇 / 桃洪镇第1村",
        CASEWORKER_NAV,
        {"省": 0, "市": 0, "县": 0, "乡镇": 0, "村（社区）": 1},
        {"民政干部": 0, "儿童督导员": 0, "儿童主任": 1, "成员单位": 0, "领导": 0},
        "行政区划",
        "桃洪镇第1村 430524100001 · 村（社区）",
    ),
    Role.DEPARTMENT: (
        f"成员单位（教育） · 管辖范围：{COUNTY_PATH}",
        VIEWER_NAV,
        COUNTY_AREAS,
        COUNTY_USERS,
        "行政区划",
        "隆回县 430524000000 · 县",
    ),
    Role.LEADER: (
        f"领导 · 管辖范围：{COUNTY_PATH}",
        VIEWER_NAV,
        COUNTY_AREAS,
        COUNTY_USERS,
        "行政区划",
        "隆回县 430524000000 · 县",
    ),
    Role.ADMIN: (
        "系统管理员 · 管辖范围：全国",
        ADMIN_NAV,
        {"省": 1, "市": 1, "县": 2, "乡镇": 3, "村（社区）": 9},
        {"民政干部": 1, "儿童督导员": 1, "儿童主任": 3, "成员单位": 1, "领导": 1},
        "审计日志",
        "审计日志",
    ),
}


def _area_figures(page) -> dict[str, int]:
    cards = page.get_by_test_id("area-figures").locator(".card-body")
    return {
        card.locator(".sw-figure-label").inner_text(): int(
            card.locator(".sw-figure").inner_text().replace(",", "")
        )
        for card in cards.all()
    }


def _user_figures(page) -> dict[str, int]:
    rows = page.get_by_test_id("user-figures").locator("tbody tr")
    return {
        row.locator("td").nth(0).inner_text(): int(
            row.locator("td").nth(1).inner_text().replace(",", "")
        )
        for row in rows.all()
    }


@pytest.mark.parametrize("role", list(CASES), ids=[str(r) for r in CASES])
def test_role_signs_in_navigates_and_signs_out(
    page, live_server, browser_world, login, static_watch, role
):
    jurisdiction, nav, areas, users, target, heading = CASES[role]
    user = browser_world.users[role]

    login(page, user.username)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"您好，{user.full_name}")
    links = page.get_by_test_id("nav").get_by_role("link")
    expect(links).to_have_text(nav)
    for hidden in set(ALL_NAV) - set(nav):
        expect(page.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="首页", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_test_id("jurisdiction")).to_have_text(jurisdiction)
    # Every figure shown is right, and the levels below the user's own are shown
    # (whether the user's own and higher levels are shown is a design choice).
    # Areas and accounts are the administrator's home page; the accounts by role are
    # on the accounts page for the roles that manage accounts.
    if role == Role.ADMIN:
        shown = _area_figures(page)
        assert shown.items() <= areas.items(), shown
        assert BELOW[role] <= shown.keys(), shown
    else:
        expect(page.get_by_test_id("area-figures")).to_have_count(0)
    expect(page.get_by_test_id("user-figures")).to_have_count(0)
    if role in (Role.ADMIN, Role.CIVIL_AFFAIRS):
        page.goto("/accounts/users/")
        assert _user_figures(page) == users
        page.goto("/")

    with page.expect_navigation():
        page.get_by_test_id("nav").get_by_role("link", name=target, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(
        page.get_by_test_id("nav").get_by_role("link", name=target, exact=True)
    ).to_have_attribute("aria-current", "page")

    page.get_by_test_id("user-menu").click()
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.get_by_test_id("nav")).to_have_count(0)

    # Signed out for real: the home page sends the browser back to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    assert static_watch.failures == []


def test_wrong_password_shows_the_chinese_error(page, browser_world, login):
    login(page, browser_world.users[Role.DIRECTOR].username, "wrong-password-1")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_test_id("form-errors")).to_have_text(
        "用户名或密码不正确。注意：连续多次输错，账号将被暂时锁定。"
    )
    expect(page.get_by_test_id("nav")).to_have_count(0)
