"""A village director's day with the child ledger, in the browser: register, read the
classification, find, edit, exit and re-admit; and the ledger's pages at phone width."""

import re

from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.core.idnumber import make_id_number
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child, years_ago
from tests.browser.phone import PHONE

LEFT_BEHIND_REASON = (
    "父母双方均外出务工，未满16周岁：符合农村留守儿童认定条件（国发〔2016〕13号）"
)


def _assert_no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


def _field(page, label: str):
    """The form control labelled exactly `label` (a required one's label ends in *)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def _fill_left_behind_child(page, *, name: str, born, id_number: str) -> None:
    form = page.get_by_test_id("child-form")
    _field(form, "姓名").fill(name)
    _field(form, "性别").select_option("男")
    _field(form, "出生日期").fill(born.isoformat())
    _field(form, "公民身份号码").fill(id_number)
    _field(form, "父亲状况").select_option("外出务工")
    _field(form, "父亲务工地").fill("广东省深圳市")
    _field(form, "母亲状况").select_option("外出务工")
    _field(form, "母亲务工地").fill("浙江省杭州市")
    _field(form, "实际监护人姓名").fill("王桂兰")
    _field(form, "监护人与儿童关系").select_option("祖父母")


def test_a_director_registers_finds_edits_exits_and_readmits_a_child(
    page, browser_world, login, static_watch
):
    director = browser_world.users[Role.DIRECTOR]
    village = browser_world.village
    make_child(village, name="李娜")  # someone the search must leave out
    born = years_ago(9, days=20)
    number = make_id_number(village.code[:6], born, 321, male=True)

    login(page, director.username)
    with page.expect_navigation():
        page.get_by_test_id("nav").get_by_role("link", name="儿童信息库").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("儿童信息库")
    with page.expect_navigation():
        page.get_by_role("link", name="登记儿童").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记儿童")
    # The director's only village is already chosen.
    expect(_field(page, "户籍地村（社区）")).to_have_value(village.code)

    _fill_left_behind_child(page, name="张晓明", born=born, id_number=number)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()

    child = Child.objects.get(name="张晓明")
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))
    expect(page.get_by_role("alert").first).to_contain_text("已登记 张晓明。")
    expect(page.get_by_role("heading", level=1)).to_have_text("张晓明")
    classification = page.get_by_test_id("classification")
    expect(classification).to_contain_text("农村留守儿童")
    expect(classification).to_contain_text("风险中·每30天走访")
    expect(page.get_by_test_id("reasons").locator("li").first).to_have_text(
        LEFT_BEHIND_REASON
    )
    expect(page.get_by_test_id("child-ids")).to_contain_text(
        f"{number[:6]}********{number[-4:]}"
    )
    assert number not in page.content()

    # Find the child in the list by the initials of the name's pinyin.
    with page.expect_navigation():
        page.get_by_role("link", name="儿童信息库").first.click()
    table = page.get_by_test_id("child-table")
    expect(table.get_by_role("link")).to_have_text(["李娜", "张晓明"])
    page.get_by_label("搜索").fill("zxm")
    page.get_by_label("搜索").press("Enter")
    expect(table.get_by_role("link")).to_have_text(["张晓明"])
    expect(page.get_by_test_id("child-total")).to_have_text("共 1 名儿童")
    expect(page).to_have_url(re.compile(r"q=zxm"))

    with page.expect_navigation():
        table.get_by_role("link", name="张晓明").click()
    with page.expect_navigation():
        page.get_by_role("link", name="修改信息").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("修改 张晓明 的信息")
    _field(page, "学校名称").fill("桃洪镇中心小学")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("alert").first).to_contain_text(
        "已保存 张晓明 的信息（第2版）。"
    )
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("li").first).to_contain_text("修改")
    expect(timeline.locator("li").first).to_contain_text(
        "学校名称：（空） → 桃洪镇中心小学"
    )

    page.get_by_label("退出原因").select_option("父母返乡/监护恢复")
    page.get_by_label("说明").fill("父母均已返乡")
    with page.expect_navigation():
        page.get_by_role("button", name="办理退出").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "张晓明 已退出儿童信息库，记录和历史均保留，可随时重新纳入。"
    )
    expect(page.get_by_text("已退出：父母返乡/监护恢复")).to_be_visible()
    expect(page.get_by_role("link", name="修改信息")).to_have_count(0)
    expect(timeline.locator("li").first).to_contain_text("状态：在册 → 已退出")

    with page.expect_navigation():
        page.get_by_role("button", name="重新纳入儿童信息库").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "张晓明 已重新纳入儿童信息库。"
    )
    expect(page.get_by_text("在册", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="修改信息")).to_be_visible()

    child.refresh_from_db()
    assert (child.status, child.version, child.school) == (
        "active",
        4,
        "桃洪镇中心小学",
    )
    assert static_watch.failures == []
    assert static_watch.errors == []


def test_the_create_form_and_the_list_fit_a_phone(new_page, browser_world, login):
    village = browser_world.village
    for name in ("张晓明", "李娜", "欧阳娜娜"):
        make_child(village, name=name, school="桃洪镇中心小学")
    page = new_page(**PHONE)
    login(page, browser_world.users[Role.DIRECTOR].username)

    page.goto("/children/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登记儿童")
    expect(_field(page, "姓名")).to_be_visible()
    _assert_no_horizontal_overflow(page)
    # A form sent back with errors still fits.
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("姓名：请填写姓名。")
    _assert_no_horizontal_overflow(page)

    page.goto("/children/")
    expect(page.get_by_test_id("child-table").get_by_role("link")).to_have_count(3)
    _assert_no_horizontal_overflow(page)
    # The table is a card per child on a phone: nothing to scroll sideways.
    expect(page.get_by_test_id("child-table").locator("thead")).to_be_hidden()
    card = page.get_by_test_id("child-card").first.bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= PHONE["width"]

    page.goto("/children/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("待复核退出")
    _assert_no_horizontal_overflow(page)
