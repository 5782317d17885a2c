"""The home page on a phone: a director sees today's work and follows it to the list."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.tests.factories import make_child
from shouwang.visits.tests.factories import make_visit
from tests.browser.phone import PHONE


def _assert_no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


def test_a_director_sees_today_s_work_on_a_phone_and_opens_the_list(
    new_page, browser_world, login, static_watch
):
    director = browser_world.users[Role.DIRECTOR]
    village = browser_world.village
    today = timezone.localdate()
    # Medium risk (every 30 days): visited 34 days ago → 4 days overdue.
    late = make_child(village, name="张晓明", guardian_capacity="一般")
    make_visit(late, visit_date=today - timedelta(days=34), recorded_by=director)
    make_child(village, name="李娜", guardian_capacity="一般")  # due today
    followed = make_child(village, name="王小红", guardian_capacity="一般")
    make_visit(
        followed,
        visit_date=today - timedelta(days=1),
        recorded_by=director,
        followup_needed=True,
        followup_due=today + timedelta(days=3),
    )
    # Another village of the township: not the director's.
    other = make_child(browser_world.township.children.get(code="430524100002"))
    make_visit(other, visit_date=today - timedelta(days=60), recorded_by=director)

    page = new_page(**PHONE)
    login(page, director.username)
    expect(page.get_by_role("heading", name="今天要走访")).to_be_visible()
    expect(page.get_by_test_id("home-count-overdue")).to_have_text("1")
    expect(page.get_by_test_id("home-count-today")).to_have_text("1")
    expect(page.get_by_test_id("home-count-soon")).to_have_text("1")
    items = page.get_by_test_id("home-due-list").get_by_role("listitem")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("张晓明")
    expect(items.nth(0)).to_contain_text("逾期4天")
    expect(items.nth(1)).to_contain_text("李娜")
    expect(items.nth(2)).to_contain_text("王小红")
    tasks = page.get_by_test_id("tasks")
    expect(
        tasks.get_by_test_id("task-followups").get_by_test_id("task-count")
    ).to_have_text("1")
    expect(
        tasks.get_by_test_id("task-confirmations").get_by_test_id("task-count")
    ).to_have_text("3")
    _assert_no_horizontal_overflow(page)

    link = page.get_by_test_id("due-list-link")
    expect(link).to_have_text("查看全部待走访（3）")
    assert link.bounding_box()["height"] >= 44
    with page.expect_navigation():
        link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的待走访")
    cards = page.get_by_test_id("due-card")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("张晓明")

    # The follow-up item leads to its own list.
    page.goto("/")
    with page.expect_navigation():
        page.get_by_test_id("task-followups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待跟进")
    expect(page.get_by_test_id("followup-card")).to_have_count(1)
    expect(page.get_by_test_id("followup-card")).to_contain_text("王小红")
    _assert_no_horizontal_overflow(page)
    assert not static_watch.failures and not static_watch.errors
