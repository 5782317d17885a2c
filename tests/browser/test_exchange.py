"""Department data exchange in the browser (R10's "Done when"): the county's justice
contact uploads a prison list; the alert it raises reaches one village director's
phone (and not the other village's); the director accepts it; the child becomes de
facto unsupported, the history citing the list; the county's figure and the
allowance eligibility for next month change the same day."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from shouwang.accounts.models import Role, Unit
from shouwang.areas.models import Area
from shouwang.registry.tests.factories import id_for, make_child, years_ago
from tests.browser.phone import PHONE, open_menu
from tests.browser.signin import sign_in_to
from tests.factories import make_user

DE_FACTO = "children.de_facto_unsupported"


def _assert_no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


def _next_month() -> str:
    first = timezone.localdate().replace(day=1)
    return (first + timedelta(days=32)).strftime("%Y-%m")


def test_a_prison_list_to_a_de_facto_unsupported_child(
    new_page, browser_world, static_watch
):
    village_a = browser_world.village  # 桃洪镇第1村
    village_b = Area.objects.get(code="430524100002")
    director_a = browser_world.users[Role.DIRECTOR]
    director_b = make_user(Role.DIRECTOR, village_b, username="zhuren2")
    civil = browser_world.users[Role.CIVIL_AFFAIRS]
    justice = make_user(
        Role.DEPARTMENT,
        browser_world.county,
        username="sifa",
        full_name="司法周",
        unit=Unit.JUSTICE,
    )
    father = id_for(village_a, years_ago(38))
    child = make_child(
        village_a,
        name="李小雨",
        birth_date=years_ago(9, days=30),
        father_name="李建军",
        father_id_number=father,
        father_status="外出务工",
        mother_status="失联",
    )
    assert not child.is_de_facto_unsupported
    since = timezone.localdate() - timedelta(days=40)

    # Before: no de facto unsupported child in the county, none eligible next month.
    stats = new_page()
    sign_in_to(stats, civil.username, "/reports/")
    figure = stats.locator(f'[data-figure="{DE_FACTO}"]').get_by_test_id("figure-value")
    expect(figure).to_have_text("0")
    unpaid = new_page()
    sign_in_to(
        unpaid,
        civil.username,
        f"/assistance/beneficiaries/unpaid/?month={_next_month()}",
    )
    expect(unpaid.get_by_test_id("count")).to_have_text("0")

    # The justice contact uploads the prison list through the navigation.
    page = new_page()
    sign_in_to(page, justice.username, "/")
    nav = page.get_by_test_id("nav")
    nav.get_by_role("button", name="协同").click()
    with page.expect_navigation():
        nav.get_by_role("link", name="部门名单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("部门名单")
    page.get_by_label("名单类型").select_option(label="服刑在押")
    rows = [
        "姓名,公民身份号码,开始日期,结束日期,场所",
        f"李建军,{father},{since.isoformat()},,某监狱",
        f"王强,{id_for(village_b, years_ago(40))},{since.isoformat()},,某监狱",
    ]
    page.get_by_label("名单文件").set_input_files(
        files=[
            {
                "name": "隆回县服刑在押人员名单.csv",
                "mimeType": "text/csv",
                "buffer": ("\n".join(rows) + "\n").encode(),
            }
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传并比对").click()
    expect(page.get_by_test_id("counts")).to_have_text(
        "共 2 行，通过 2 行，拒绝 0 行。"
    )
    expect(page.get_by_test_id("saved")).to_contain_text(
        "比对命中 1 行，生成比对提示 1 条"
    )

    # The other village's director has nothing to verify.
    phone_b = new_page(**PHONE)
    sign_in_to(phone_b, director_b.username, "/exchange/alerts/")
    expect(phone_b.get_by_test_id("alerts")).to_contain_text("没有符合条件的比对提示")

    # Director A finds it on the phone: what the list says and what would follow.
    phone = new_page(**PHONE)
    sign_in_to(phone, director_a.username, "/")
    open_menu(phone)
    nav = phone.get_by_test_id("nav")
    nav.get_by_role("button", name="协同").click()
    with phone.expect_navigation():
        nav.get_by_role("link", name="比对提示").click()
    alerts = phone.get_by_test_id("alerts").locator("tbody tr")
    expect(alerts).to_have_count(1)
    expect(alerts.first).to_contain_text(
        f"父亲 李建军 在服刑在押名单中（{since.isoformat()} 起，某监狱）"
    )
    expect(alerts.first).to_contain_text("外出务工 → 服刑在押")
    expect(alerts.first).to_contain_text("儿童 李小雨 可能符合事实无人抚养儿童认定条件")
    _assert_no_horizontal_overflow(phone)
    with phone.expect_navigation():
        alerts.first.get_by_role("link", name="李小雨").click()
    _assert_no_horizontal_overflow(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="采纳并修改记录").click()
    expect(phone.get_by_role("alert").first).to_contain_text("已采纳")

    # The child is de facto unsupported; the history cites the list.
    phone.goto(f"/children/{child.pk}/")
    expect(phone.get_by_test_id("classification")).to_contain_text("事实无人抚养儿童")
    expect(phone.get_by_test_id("reasons")).to_contain_text(
        "父亲服刑在押、母亲失联：符合事实无人抚养儿童认定条件"
    )
    expect(phone.get_by_test_id("timeline")).to_contain_text("服刑在押名单")
    expect(phone.get_by_test_id("timeline")).to_contain_text("核实采纳")
    _assert_no_horizontal_overflow(phone)

    # The same day: the county's figure (today's stocks counted again on asking)
    # and next month's allowance eligibility.
    with stats.expect_navigation():
        stats.get_by_role("link", name="现在重新统计").click()
    expect(figure).to_have_text("1")
    unpaid.reload()
    expect(unpaid.get_by_test_id("count")).to_have_text("1")
    expect(unpaid.get_by_test_id("worklist")).to_contain_text("李小雨")
    expect(unpaid.get_by_test_id("worklist")).to_contain_text("事实无人抚养儿童")


def test_a_list_being_checked_cannot_be_sent_twice(page, browser_world, login):
    """The upload's button is disabled and says why once pressed (a province's list
    takes seconds): a second press would send the same list again."""
    login(page, browser_world.users[Role.CIVIL_AFFAIRS].username)
    page.goto("/exchange/lists/")
    # The answer opens in another window, so that this page stays to be looked at.
    page.locator("form[data-busy]").evaluate("form => { form.target = 'answer'; }")
    with page.expect_popup():
        page.get_by_role("button", name="上传并比对").click()
    busy = page.locator('button[aria-busy="true"]')
    expect(busy).to_be_disabled()
    expect(busy).to_have_text("正在检查并比对，请稍候…")
