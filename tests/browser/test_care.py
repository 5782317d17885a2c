"""Responsibility and guardianship confirmations in the browser: a supervisor gives two
children to a director, who finds them on 我负责的儿童, records a confirmation with
its PDF scan, and sees the village's signing rate go up."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child
from shouwang.visits.models import Attachment, GuardianshipConfirmation
from tests.factories import make_user

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _field(page, label: str):
    """The form control labelled exactly `label` (a required one's label ends in *)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def test_a_supervisor_reassigns_and_the_director_records_a_confirmation(
    new_page, browser_world, login, static_watch
):
    village = browser_world.village
    director = make_user(
        Role.DIRECTOR, village, username="zhuren_wang", full_name="主任王"
    )
    for name in ("张一", "李二", "王三"):
        make_child(village, name=name)

    # The supervisor gives 张一 and 李二 to 主任王.
    page = new_page()
    login(page, browser_world.users[Role.SUPERVISOR].username)
    page.goto("/visits/responsibility/")
    expect(page.get_by_role("heading", level=1)).to_have_text("调整责任人")
    with page.expect_navigation():
        page.get_by_label("村（社区）").select_option(village.code)
    table = page.get_by_test_id("responsibility-table")
    expect(table.get_by_text("未指定")).to_have_count(3)
    page.get_by_label("选择 张一").check()
    page.get_by_label("选择 李二").check()
    _field(page, "责任儿童主任").select_option(label="主任王")
    _field(page, "说明").fill("原儿童主任调离")
    with page.expect_navigation():
        page.get_by_role("button", name="调整所选儿童").click()
    expect(page.get_by_role("alert").first).to_contain_text("已调整 2 名儿童的责任人。")
    expect(table.locator("tr", has_text="张一")).to_contain_text("主任王")
    expect(table.locator("tr", has_text="王三")).to_contain_text("未指定")

    # 主任王 finds them on 我负责的儿童, and the village's rate is 0%.
    page = new_page()
    login(page, director.username)
    page.goto("/visits/confirmations/")
    total = page.get_by_test_id("coverage-total")
    expect(total).to_contain_text("0%")
    expect(total.locator("td").nth(1)).to_have_text("3")

    page.goto("/visits/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我负责的儿童")
    mine = page.get_by_test_id("my-children")
    expect(mine.get_by_role("link")).to_have_text(["李二", "张一"])
    expect(page.get_by_test_id("my-counts")).to_contain_text("未签确认书 2")

    with page.expect_navigation():
        mine.get_by_role("link", name="张一").click()
    panel = page.get_by_test_id("care-panel")
    expect(panel).to_contain_text("主任王")
    expect(panel).to_contain_text("确认书：未签订")
    expect(page.get_by_test_id("responsibility-history")).to_contain_text(
        "责任儿童主任：（无） → 主任王"
    )
    with page.expect_navigation():
        panel.get_by_role("link", name="记录确认书").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("记录 张一 的确认书")
    _field(page, "签订日期").fill(timezone.localdate().isoformat())
    _field(page, "委托方（父母）").fill("父亲张建国、母亲李丽")
    expect(_field(page, "受委托监护人")).to_have_value("王桂兰")
    _field(page, "村（居）委会经办人").fill("村委刘会计")
    _field(page, "确认书扫描件").set_input_files(
        files=[{"name": "张一确认书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "已记录 张一 的委托监护责任确认书"
    )
    panel = page.get_by_test_id("care-panel")
    expect(panel).to_contain_text("确认书：已签订")
    expect(panel.get_by_role("link", name="扫描件：张一确认书.pdf")).to_be_visible()

    page.goto("/visits/confirmations/")
    total = page.get_by_test_id("coverage-total")
    expect(total).to_contain_text("33%")
    expect(total.locator("td").nth(2)).to_have_text("1")
    expect(
        page.get_by_test_id("missing-table").locator("td:first-child a")
    ).to_have_text(["李二", "王三"])

    child = Child.objects.get(name="张一")
    assert child.confirmation_signed and child.responsible_director == director
    assert GuardianshipConfirmation.objects.get().child == child
    assert Attachment.objects.get().file.read() == PDF
    assert static_watch.failures == []
    assert static_watch.errors == []
