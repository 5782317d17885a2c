"""The pages that still showed wide tables, on a 360 px phone: the statistics of an
area (sub-areas and rates), the bulletins and their placeholders, the audit trail and
the refused accounts, a quarterly cycle open and closed; and the village director's
own pages. None scrolls sideways, the page or a table inside it: each row is a card
whose cells say what they hold, and the rates keep their sort links."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.registry.tests.factories import AT_HOME, ORPHAN, make_child
from shouwang.reports.bulletin.generate import DEFAULT_NAME
from shouwang.reports.models import Bulletin, BulletinStatus
from shouwang.visits.models import VillageReview
from shouwang.visits.services.cycle import current_quarter, cycle_close, cycle_open
from shouwang.visits.tests.factories import make_visit
from tests.browser.phone import PHONE

# Elements inside <main> that scroll sideways (a .table-responsive wider than the
# screen scrolls inside an otherwise fitting page).
SIDEWAYS = """() => [...document.querySelectorAll('main *')].filter(el => {
  const overflow = getComputedStyle(el).overflowX;
  return (overflow === 'auto' || overflow === 'scroll')
    && el.scrollWidth > el.clientWidth + 1;
}).map(el => `${el.tagName}.${el.className} ${el.scrollWidth}>${el.clientWidth}`)"""


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"
    assert page.evaluate(SIDEWAYS) == [], f"{page.url} 有横向滚动的表格"


def _label(cell) -> str:
    """What a card's cell says it holds (its ::before, from data-label)."""
    return cell.evaluate("el => getComputedStyle(el, '::before').content")


def _cards(page, testid: str):
    """A table's rows shown as cards, the first one inside the screen."""
    table = page.get_by_test_id(testid).first
    cards = table.locator("tbody tr")
    expect(cards.first).to_be_visible()
    box = cards.first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    return table, cards


def _previous_quarter(today) -> tuple[int, int]:
    year, quarter = current_quarter(today)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def test_the_wide_tables_are_cards_on_a_phone(
    new_page, browser_world, login, static_watch, settings
):
    settings.AUDIT_REFUSAL_ALERT_THRESHOLD = 1
    users = browser_world.users
    civil, director = users[Role.CIVIL_AFFAIRS], users[Role.DIRECTOR]
    village = browser_world.village
    today = timezone.localdate()
    child = make_child(village, name="张晓明", guardian_capacity="一般")
    make_child(village, name="李娜", **AT_HOME)
    make_child(Area.objects.get(code="430524100002"), name="王小红", **ORPHAN)
    make_child(Area.objects.get(code="430524101001"), name="赵小刚")
    foreign = make_child(Area.objects.get(code="430525100001"), name="外县儿童")
    make_visit(
        child,
        visit_date=today - timedelta(days=2),
        recorded_by=director,
        followup_needed=True,
        followup_due=today + timedelta(days=3),
    )
    # Last quarter's cycle closed (a frozen snapshot), this quarter's open.
    year, quarter = _previous_quarter(today)
    closed = cycle_open(actor=civil, year=year, quarter=quarter)
    cycle_close(actor=civil, cycle_id=closed.pk, force=True)
    year, quarter = current_quarter(today)
    current = cycle_open(actor=civil, year=year, quarter=quarter)
    # Bulletins written straight to the table (generation has its own tests).
    for status in (BulletinStatus.DONE, BulletinStatus.FAILED):
        Bulletin.objects.create(
            area=browser_world.county,
            start=today - timedelta(days=90),
            end=today - timedelta(days=1),
            reference_date=today - timedelta(days=365),
            template_name=DEFAULT_NAME,
            requested_by=civil,
            status=status,
        )

    # The director: home, children, a child and its visits, follow-ups, the cycle.
    page = new_page(**PHONE)
    login(page, director.username)
    expect(page.get_by_role("heading", name="今天要走访")).to_be_visible()
    _fits(page)
    assert page.request.get(f"/children/{foreign.pk}/").status == 404  # refused
    for url, heading in (
        ("/children/", "儿童信息库"),
        (f"/children/{child.pk}/", "张晓明"),
        (f"/visits/children/{child.pk}/", "张晓明 的走访记录"),
        ("/visits/followups/", "待跟进"),
        ("/visits/due/", "我的待走访"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        _fits(page)
    page.goto("/visits/followups/")
    expect(page.get_by_test_id("followup-card")).to_have_count(1)
    _fits(page)
    page.goto(f"/visits/{child.visits.get().pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("走访：张晓明")
    _fits(page)
    page.goto(f"/visits/cycles/{current.pk}/")
    expect(page.get_by_test_id("cycle-status")).to_have_text("进行中")
    table, cards = _cards(page, "cycle-progress")
    expect(cards).to_have_count(1)
    _fits(page)
    review = VillageReview.objects.get(cycle=current, village=village)
    page.goto(f"/visits/cycles/reviews/{review.pk}/")
    expect(page.get_by_test_id("cycle-remaining")).to_contain_text("未确认")
    _fits(page)

    # The county officer: statistics, bulletins, placeholders, audit, the cycles.
    page = new_page(**PHONE)
    login(page, civil.username)
    page.goto("/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("统计分析：隆回县")
    table, cards = _cards(page, "subarea-table")
    expect(table.locator("thead")).to_be_hidden()
    expect(cards).to_have_count(2)
    town = cards.filter(has_text="桃洪镇")
    expect(town.locator("th")).to_have_text("桃洪镇")
    total = town.locator("td").first
    assert _label(total) == '"在册儿童："'
    expect(total).to_contain_text("3人")
    rates, rate_cards = _cards(page, "rate-table")
    expect(rate_cards).to_have_count(2)
    assert "确认书签订率" in _label(rate_cards.first.locator("td").first)
    _fits(page)
    # The rate headers stay on the phone as sort links.
    sort = rates.locator("thead").get_by_role("link", name=re.compile("^确认书签订率"))
    expect(sort).to_be_visible()
    with page.expect_navigation():
        sort.click()
    expect(page).to_have_url(re.compile(r"sort=confirmations\.rate"))
    expect(
        page.get_by_test_id("rate-table")
        .locator("thead")
        .get_by_role("link", name=re.compile("^确认书签订率 ↑"))
    ).to_be_visible()
    _fits(page)

    page.goto("/reports/bulletins/")
    table, cards = _cards(page, "bulletin-table")
    expect(table.locator("thead")).to_be_hidden()
    expect(cards).to_have_count(2)
    done = cards.filter(
        has=page.get_by_test_id("bulletin-status").filter(has_text="已生成")
    )
    expect(done.get_by_role("link", name="下载")).to_be_visible()
    assert _label(done.locator("td").nth(1)) == '"期间："'
    _fits(page)

    page.goto("/reports/bulletins/placeholders/")
    table, cards = _cards(page, "figures")
    first = cards.first
    expect(first.locator("code")).to_have_text("{{ children.total }}")
    assert _label(first.locator("td").nth(3)) == '"口径："'
    _fits(page)

    page.goto("/audit/")
    table, cards = _cards(page, "audit-table")
    expect(table.locator("thead")).to_be_hidden()
    expect(cards.filter(has_text="访问管辖范围外的记录被拒绝").first).to_contain_text(
        director.username
    )
    _fits(page)
    page.goto("/audit/refused/")
    table, cards = _cards(page, "refused-users")
    expect(cards).to_have_count(1)
    expect(cards.first.locator("td").first).to_have_text(director.username)
    _fits(page)

    page.goto(f"/visits/cycles/{closed.pk}/")
    expect(page.get_by_test_id("cycle-status")).to_have_text("已结束")
    table, cards = _cards(page, "cycle-snapshot")
    expect(table.locator("thead")).to_be_hidden()
    expect(cards).to_have_count(2)
    total = page.get_by_test_id("cycle-snapshot-total").locator("tr")
    expect(total).to_be_visible()
    children = total.locator("td").nth(1)
    assert _label(children) == '"在册儿童："'
    expect(children).to_have_text("4")
    _cards(page, "cycle-progress")
    _fits(page)
    page.goto(f"/visits/cycles/{current.pk}/")
    _cards(page, "cycle-progress")
    _fits(page)

    # The leader and the supervisor read the statistics of their own area.
    for role, heading, rows in (
        (Role.LEADER, "统计分析：隆回县", 2),
        (Role.SUPERVISOR, "统计分析：桃洪镇", 4),
    ):
        page = new_page(**PHONE)
        login(page, users[role].username)
        page.goto("/reports/")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _table, cards = _cards(page, "subarea-table")
        expect(cards).to_have_count(rows)
        _fits(page)
    page.goto(f"/visits/cycles/{current.pk}/")
    _cards(page, "cycle-progress")
    _fits(page)
    page = new_page(**PHONE)
    login(page, users[Role.LEADER].username)
    page.goto("/reports/bulletins/")
    _cards(page, "bulletin-table")
    _fits(page)
    assert not static_watch.failures and not static_watch.errors


def test_the_school_lists_and_their_errors_are_cards_on_a_phone(
    new_page, browser_world, login, static_watch
):
    """The education officer's school-list page: the lists kept and the rows a file
    was refused for, each a card, on a 360 px phone."""
    from shouwang.schooling.models import EnrolmentList

    officer = browser_world.users[Role.DEPARTMENT]
    EnrolmentList.objects.create(
        area=browser_world.county,
        listed_on=timezone.localdate(),
        original_name="隆回县2026年秋季学期义务教育阶段学生学籍名单（含转入转出）.xlsx",
        row_count=31250,
        uploaded_by=officer,
    )
    page = new_page(**PHONE)
    login(page, officer.username)
    page.goto("/schooling/enrolment/")
    _table, cards = _cards(page, "list-table")
    expect(cards.first).to_contain_text("31250")
    _fits(page)
    bad = (
        "姓名,公民身份号码,学籍号,学校名称,年级,学籍状态\n"
        "张三,430524201501011235,G1,育才小学,三年级,在读\n"
        "李四,430524201501011234,G2,育才小学,三年级,留级\n"
    ).encode()
    page.locator("input[type=file]").set_input_files(
        {"name": "名单.csv", "mimeType": "text/csv", "buffer": bad}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()
    _table, cards = _cards(page, "error-table")
    expect(cards).to_have_count(2)
    expect(cards.nth(1)).to_contain_text("第3行")
    _fits(page)
    assert not static_watch.failures and not static_watch.errors
