"""A mandatory report from report to close in the browser (R7's "Done when"): a village
director reports a child living alone from a phone (360 × 740); the county police
accept it from their inbox; civil affairs assess it and refer it to education and the
women's federation, who each accept, record an action and complete; civil affairs
close the case. A user of another unit of the same county finds nothing."""

from playwright.sync_api import expect

from shouwang.accounts.models import Role, Unit
from shouwang.protection.models import Case, CaseAction
from shouwang.protection.vocab import CaseStatus, ReferralStatus
from tests.browser.phone import PHONE
from tests.browser.signin import sign_in_to
from tests.factories import make_user


def _assert_no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


def _submit(page, form, button: str) -> None:
    with page.expect_navigation():
        form.get_by_role("button", name=button).click()


def _unit_completes(page, username: str, number: str, service: str) -> None:
    """A member unit opens the referral from its inbox, accepts it, records an action
    and reports it done."""
    sign_in_to(page, username, "/protection/inbox/")
    referrals = page.get_by_test_id("inbox-referrals")
    expect(referrals.get_by_test_id("due")).to_contain_text("剩余")
    with page.expect_navigation():
        referrals.get_by_role("link", name=number).click()
    _submit(page, page.get_by_test_id("form-accept"), "接收转介")
    expect(page.get_by_role("alert").first).to_contain_text("已接收转介")

    action = page.get_by_test_id("form-action")
    action.locator("select[name=kind]").select_option("service")
    expect(action.locator("[data-field=persons]")).to_be_hidden()  # not this kind's
    action.locator("select[name=service]").select_option(service)
    action.locator("textarea[name=note]").fill("已上门帮扶")
    _submit(page, action, "记录措施")
    expect(page.get_by_test_id("actions")).to_contain_text("已上门帮扶")

    page.get_by_role("button", name="办结转介").click()
    done = page.get_by_test_id("form-done")
    done.get_by_text("办理成功", exact=True).click()
    done.locator("textarea[name=note]").fill("已办结")
    _submit(page, done, "确认办结")
    expect(page.get_by_role("alert").first).to_contain_text("已办结转介（办理成功）。")


def test_a_report_from_a_phone_to_a_closed_case(new_page, browser_world, static_watch):
    county = browser_world.county
    users = browser_world.users
    police = make_user(
        Role.DEPARTMENT, county, unit=Unit.POLICE, username="gongan", full_name="公安周"
    )
    federation = make_user(
        Role.DEPARTMENT,
        county,
        unit=Unit.WOMENS_FEDERATION,
        username="fulian",
        full_name="妇联吴",
    )
    court = make_user(
        Role.DEPARTMENT, county, unit=Unit.COURT, username="fayuan", full_name="法院郑"
    )

    # The village director reports from a phone.
    phone = new_page(**PHONE)
    sign_in_to(phone, users[Role.DIRECTOR].username, "/protection/report/")
    _assert_no_horizontal_overflow(phone)
    form = phone.get_by_test_id("report-form")
    form.get_by_label("独居、无人监护").check()
    form.get_by_text("紧急", exact=True).click()
    form.locator("input[name=found_place]").fill("村委会旁的老屋")
    form.locator("textarea[name=observed]").fill("孩子一个人在家，三天没有大人回来。")
    form.locator("input[name=child_name]").fill("小明")
    form.locator("input[name=child_age]").fill("9")
    submit = form.get_by_role("button", name="提交报告")
    assert submit.bounding_box()["height"] >= 44
    with phone.expect_navigation():
        submit.click()
    case = Case.objects.get()
    number = case.number
    expect(phone.get_by_test_id("case-number")).to_have_text(number)
    expect(phone.get_by_test_id("next-steps")).to_contain_text("公安机关应于")
    _assert_no_horizontal_overflow(phone)

    # The county police find it in their inbox, with its deadline, and accept it.
    page = new_page()
    sign_in_to(page, police.username, "/protection/inbox/")
    waiting = page.get_by_test_id("inbox-police")
    expect(waiting.get_by_test_id("due")).to_contain_text("剩余23小时")
    with page.expect_navigation():
        waiting.get_by_role("link", name=number).click()
    decide = page.get_by_test_id("form-decide")
    decide.get_by_label("受案", exact=True).check()
    _submit(page, decide, "确认受理")
    expect(page.get_by_role("alert").first).to_contain_text(f"已受案（{number}）")
    expect(page.get_by_test_id("deadlines")).to_contain_text("向报告单位反馈")

    # Civil affairs assess and refer to education and the women's federation.
    page = new_page()
    sign_in_to(page, users[Role.CIVIL_AFFAIRS].username, f"/protection/{case.pk}/")
    assess = page.get_by_test_id("form-assess")
    assess.get_by_text("高", exact=True).click()
    assess.get_by_label("监护照料").check()
    assess.locator("textarea[name=safety_plan]").fill(
        "由祖母临时照料，村主任每日探望。"
    )
    _submit(page, assess, "保存评估")
    expect(page.get_by_test_id("risk")).to_have_text("高")
    for unit, service in (("education", "schooling"), ("womens_federation", "living")):
        refer = page.get_by_test_id("form-refer")
        refer.locator("select[name=unit]").select_option(unit)
        refer.locator("select[name=service]").select_option(service)
        refer.locator("textarea[name=reason]").fill("请协助帮扶")
        _submit(page, refer, "发送转介")
        expect(page.get_by_test_id(f"referral-{unit}")).to_contain_text("待接收")

    # Each unit accepts, acts and completes.
    _unit_completes(new_page(), users[Role.DEPARTMENT].username, number, "schooling")
    _unit_completes(new_page(), federation.username, number, "living")

    # Civil affairs close the case.
    page.reload()
    close = page.get_by_test_id("form-close")
    close.locator("select[name=outcome]").select_option("resolved")
    close.locator("textarea[name=note]").fill("已妥善照料")
    _submit(page, close, "确认结案")
    expect(page.get_by_role("alert").first).to_contain_text("案件已结案：风险已消除。")
    expect(page.get_by_test_id("status").first).to_have_text("已结案")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert set(case.referrals.values_list("status", flat=True)) == {ReferralStatus.DONE}
    assert CaseAction.objects.filter(case=case).count() == 2

    # Another unit of the same county finds nothing.
    page = new_page()
    sign_in_to(page, court.username, "/protection/inbox/")
    response = page.goto(f"/protection/{case.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面或记录不存在")
    assert not static_watch.failures and not static_watch.errors, static_watch
