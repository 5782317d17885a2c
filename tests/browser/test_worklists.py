"""我的待走访 on a phone: a director sees the overdue child before the one due soon."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.tests.factories import make_child
from shouwang.visits.tests.factories import make_visit
from tests.browser.phone import PHONE


def test_a_director_sees_the_overdue_child_first_on_a_phone(
    new_page, browser_world, login, static_watch
):
    director = browser_world.users[Role.DIRECTOR]
    village = browser_world.village
    today = timezone.localdate()
    # Medium risk (every 30 days): visited 5 days ago → due in 25 days, not listed.
    soon = make_child(village, name="李娜", guardian_capacity="一般")
    make_visit(soon, visit_date=today - timedelta(days=25), recorded_by=director)
    late = make_child(village, name="张晓明", guardian_capacity="一般")
    make_visit(late, visit_date=today - timedelta(days=34), recorded_by=director)
    later = make_child(village, name="王小红", guardian_capacity="一般")
    make_visit(later, visit_date=today - timedelta(days=5), recorded_by=director)

    page = new_page(**PHONE)
    login(page, director.username)
    page.goto("/visits/due/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的待走访")
    expect(page.get_by_test_id("count-overdue")).to_have_text("1")
    expect(page.get_by_test_id("count-today")).to_have_text("0")
    expect(page.get_by_test_id("count-soon")).to_have_text("1")

    cards = page.get_by_test_id("due-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("张晓明")
    expect(cards.nth(0).get_by_test_id("due-status")).to_have_text("逾期4天")
    expect(cards.nth(1)).to_contain_text("李娜")
    expect(cards.nth(1).get_by_test_id("due-status")).to_have_text("5天后")
    # One markup: the table's rows are the cards, its header is left off on phones.
    expect(page.get_by_test_id("due-table").locator("thead")).to_be_hidden()
    record = cards.nth(0).get_by_role("link", name="记录走访")
    expect(record).to_be_visible()
    assert record.bounding_box()["height"] >= 44
    assert record.get_attribute("href") == f"/visits/children/{late.pk}/new/"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"横向溢出：scrollWidth={width}"
    assert not static_watch.failures and not static_watch.errors
