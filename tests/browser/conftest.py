"""Browser tests: Playwright (Python) driving Debian's Chromium against live_server.

Every test in this folder is marked `browser`. Without /usr/bin/chromium the tests are
skipped, except on CI (CI=true), where a missing browser fails them.

live_server tests are transactional: pytest-django flushes every table after each one,
the areas loaded by the data migration included, so `browser_world` builds the areas
and users each test needs.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from shouwang.accounts.models import Role, User
from shouwang.areas.models import Area
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, PASSWORD, make_area, make_user

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse ORM calls made there (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The longest a step may take before the test fails: what a person on a slow intranet
# would still wait for. Every step waits for an event (a response, an element), never
# for a fixed time, so a generous ceiling costs nothing when the machine is idle and
# keeps a busy 2-core machine (the suite runs twice, other work beside it) from
# failing a navigation that merely came late.
TIMEOUT_MS = int(os.environ.get("BROWSER_TIMEOUT_MS", "30000"))
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true，浏览器测试不能跳过：{reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(
            f"Chromium 不可用（{CHROMIUM}）；运行 `make services` 或 "
            "`apt-get install chromium` 后再运行浏览器测试"
        )
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("未安装 Python 包 playwright（pip install -e '.[dev]'）")
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
    except Exception as error:
        playwright.stop()
        _unavailable(f"Chromium 无法启动：{error}")
    yield browser
    browser.close()
    playwright.stop()


@dataclass
class StaticWatch:
    """Requests for /static/ that failed or answered >= 400, and page script errors."""

    failures: list[str]
    errors: list[str]


@pytest.fixture
def static_watch():
    return StaticWatch(failures=[], errors=[])


def _watch(page, watch: StaticWatch) -> None:
    def on_response(response):
        if "/static/" in response.url and response.status >= 400:
            watch.failures.append(f"{response.status} {response.url}")

    def on_request_failed(request):
        # ERR_ABORTED: the page moved on before the file arrived (the favicon, when
        # a test clicks at once), not a missing file; those answer >= 400 above.
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            watch.failures.append(f"{request.failure} {request.url}")

    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))


@pytest.fixture
def new_page(browser, live_server, static_watch):
    """A factory of pages, each in a fresh browser context (own cookies and viewport)."""
    contexts = []

    def make(width: int = 1280, height: int = 800):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        _watch(page, static_watch)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-width page in a fresh browser context."""
    return new_page()


@dataclass
class BrowserWorld:
    """Two counties under one city; a user of every role in the home county."""

    county: Area
    township: Area
    village: Area
    users: dict[str, User]


# How many areas of each level there are (labels as on the home page).
HOME_TOWNSHIPS = {"430524100000": 4, "430524101000": 3}  # township -> villages
FOREIGN_TOWNSHIPS = {"430525100000": 2}


def _township_with_villages(code: str, name: str, villages: int) -> Area:
    township = make_area(code, name)
    for n in range(1, villages + 1):
        make_area(f"{code[:9]}{n:03d}", f"{name}第{n}村")
    return township


@pytest.fixture
def browser_world(transactional_db) -> BrowserWorld:
    make_area("430000000000", "湖南省")
    make_area("430500000000", "邵阳市")
    county = make_area(HOME_COUNTY, "隆回县")
    make_area(FOREIGN_COUNTY, "洞口县")
    names = {
        "430524100000": "桃洪镇",
        "430524101000": "小沙江镇",
        "430525100000": "洞口镇",
    }
    for code, villages in {**HOME_TOWNSHIPS, **FOREIGN_TOWNSHIPS}.items():
        _township_with_villages(code, names[code], villages)
    township = Area.objects.get(code="430524100000")
    village = Area.objects.get(code="430524100001")

    users = {
        Role.CIVIL_AFFAIRS: make_user(
            Role.CIVIL_AFFAIRS, county, username="minzheng", full_name="民政王"
        ),
        Role.SUPERVISOR: make_user(
            Role.SUPERVISOR, township, username="dudao", full_name="督导李"
        ),
        Role.DIRECTOR: make_user(
            Role.DIRECTOR, village, username="zhuren", full_name="主任张"
        ),
        Role.DEPARTMENT: make_user(
            Role.DEPARTMENT, county, username="jiaoyu", full_name="教育刘"
        ),
        Role.LEADER: make_user(
            Role.LEADER, county, username="lingdao", full_name="领导陈"
        ),
        Role.ADMIN: make_user(
            Role.ADMIN, None, username="admin1", full_name="管理员赵"
        ),
    }
    # Two directors in the foreign county: counted for the admin, never for the county.
    foreign_village = Area.objects.get(code="430525100001")
    for n in range(2):
        make_user(Role.DIRECTOR, foreign_village, username=f"waixian{n}")
    return BrowserWorld(county=county, township=township, village=village, users=users)


@pytest.fixture
def login():
    """Sign in through the login form, starting from the home page's redirect.

    Tests follow links with `page.expect_navigation()` for the same reason.
    """

    def sign_in(page, username: str, password: str = PASSWORD) -> None:
        page.goto("/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        # Wait for the next page's load event: leaving a page before its scripts
        # have loaded aborts their requests (and opens no Bootstrap dropdowns).
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()

    return sign_in
