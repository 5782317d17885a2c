"""A village director records a visit on a phone (360 × 740) over a poor network:
a refused submission and a failed request both leave every typed value on the page,
a draft survives a reload, and the saved visit moves the child's next due date."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child
from shouwang.visits.models import Visit
from tests.browser.phone import PHONE

NETWORK_FAILED = "网络连接失败，填写的内容仍在本页，请稍后再提交。"
PHOTO = {
    "name": "屋顶.png",
    "mimeType": "image/png",
    "buffer": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
}


def _assert_no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


def _field(page, label: str):
    """The form control labelled exactly `label` (a required one's label ends in *)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def _choose(page, group: str, value: str) -> None:
    """Tap the big button `value` of a radio group (走访方式 or a finding)."""
    page.get_by_test_id(group).get_by_text(value, exact=True).click()


def _expect_typed_values_kept(page, *, visit_date: str, followup: str) -> None:
    expect(_field(page, "走访日期")).to_have_value(visit_date)
    expect(page.locator("#id_mode_1")).to_be_checked()  # 电话
    expect(_field(page, "走访人员")).to_have_value("主任张")
    expect(_field(page, "见到的人")).to_have_value("祖母王桂兰")
    expect(page.locator("#id_guardianship_0")).to_be_checked()  # 正常
    expect(page.locator("#id_living_2")).to_be_checked()  # 有问题
    expect(_field(page, "生活情况说明")).to_have_value("屋顶漏雨")
    expect(page.locator("#id_emotion_1")).to_be_checked()  # 需关注
    expect(_field(page, "心理情感情况说明")).to_have_value("想念外出务工的父母")
    expect(_field(page, "发现的问题")).to_have_value("住房屋顶漏雨")
    expect(_field(page, "采取的措施")).to_have_value("已联系村委会安排维修")
    expect(_field(page, "需要跟进")).to_be_checked()
    expect(_field(page, "跟进期限")).to_have_value(followup)


def test_a_director_records_a_visit_on_a_phone_over_a_poor_network(
    new_page, browser_world, login, static_watch
):
    director = browser_world.users[Role.DIRECTOR]
    child = make_child(browser_world.village, name="张晓明")
    today = timezone.localdate()
    tomorrow = (today + timedelta(days=1)).isoformat()
    followup = (today + timedelta(days=10)).isoformat()
    assert child.visit_interval_days > 10  # the follow-up date is the earlier one

    page = new_page(**PHONE)
    login(page, director.username)
    page.goto(f"/children/{child.pk}/")
    panel = page.get_by_test_id("visits-panel")
    expect(panel.get_by_test_id("last-visit")).to_have_text("尚无走访记录")
    _assert_no_horizontal_overflow(page)
    with page.expect_navigation():
        panel.get_by_role("link", name="记录走访").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("记录走访：张晓明")
    _assert_no_horizontal_overflow(page)

    # The defaults: today, a home visit, the director's own name.
    expect(_field(page, "走访日期")).to_have_value(today.isoformat())
    expect(page.locator("#id_mode_0")).to_be_checked()
    expect(_field(page, "走访人员")).to_have_value("主任张")
    box = page.get_by_test_id("mode").get_by_text("电话", exact=True).bounding_box()
    assert box["height"] >= 44, f"走访方式按钮太小：{box}"
    submit = page.get_by_role("button", name="保存走访记录")
    assert submit.bounding_box()["height"] >= 44

    # Filled in with a visit date in the future: refused, every value kept.
    _field(page, "走访日期").fill(tomorrow)
    _choose(page, "mode", "电话")
    _field(page, "见到的人").fill("祖母王桂兰")
    for aspect in ("guardianship", "study", "safety"):
        _choose(page, f"aspect-{aspect}", "正常")
    _choose(page, "aspect-living", "有问题")
    _field(page, "生活情况说明").fill("屋顶漏雨")
    _choose(page, "aspect-emotion", "需关注")
    _field(page, "心理情感情况说明").fill("想念外出务工的父母")
    _field(page, "发现的问题").fill("住房屋顶漏雨")
    _field(page, "采取的措施").fill("已联系村委会安排维修")
    _field(page, "需要跟进").check()
    _field(page, "跟进期限").fill(followup)
    _field(page, "照片或扫描件").set_input_files(PHOTO)
    submit.click()

    errors = page.get_by_test_id("form-errors")
    expect(errors).to_contain_text(
        f"走访日期不能晚于今天（{today.isoformat()}）：请填写实际走访的日期。"
    )
    expect(errors).to_contain_text("请修改以下1处后再提交")
    _expect_typed_values_kept(page, visit_date=tomorrow, followup=followup)
    # The photo was not the problem: the script carried the chosen file over.
    files = page.evaluate("document.getElementById('id_attachments').files.length")
    assert files == 1
    expect(page.get_by_test_id("reselect-files")).to_have_count(0)
    _assert_no_horizontal_overflow(page)
    assert not Visit.objects.exists()

    # The date corrected, but the network drops the request: nothing changes.
    _field(page, "走访日期").fill(today.isoformat())

    def drop_posts(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(re.compile(r"/visits/children/\d+/new/$"), drop_posts)
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.get_by_test_id("visit-status")).to_have_text(NETWORK_FAILED)
    _expect_typed_values_kept(page, visit_date=today.isoformat(), followup=followup)
    expect(page.get_by_role("button", name="保存走访记录")).to_be_enabled()
    assert not Visit.objects.exists()
    page.unroute(re.compile(r"/visits/children/\d+/new/$"))

    # Even a reload (the phone closed the tab) brings the draft back; files cannot
    # be kept in a draft, so the photo is chosen again.
    page.reload()
    expect(page.get_by_test_id("visit-draft")).to_be_visible()
    _expect_typed_values_kept(page, visit_date=today.isoformat(), followup=followup)
    _field(page, "照片或扫描件").set_input_files(PHOTO)

    with page.expect_navigation(url=re.compile(rf"/children/{child.pk}/$")):
        page.get_by_role("button", name="保存走访记录").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        f"已记录走访。下次走访日期：{followup}"
    )
    panel = page.get_by_test_id("visits-panel")
    expect(panel.get_by_test_id("last-visit")).to_have_text(today.isoformat())
    expect(panel.get_by_test_id("next-due")).to_contain_text(followup)
    expect(panel.get_by_test_id("due-badge")).to_have_text("还有10天")
    expect(panel.get_by_test_id("recent-visits")).to_contain_text("生活有问题")
    _assert_no_horizontal_overflow(page)

    visit = Visit.objects.get()
    assert (visit.mode, visit.living, visit.emotion) == ("电话", "有问题", "需关注")
    assert [a.original_name for a in visit.attachments.all()] == ["屋顶.png"]
    assert Child.objects.get(pk=child.pk).next_visit_due.isoformat() == followup

    # The draft went with the saved visit: the form starts afresh.
    with page.expect_navigation():
        panel.get_by_role("link", name="记录走访").click()
    expect(page.get_by_test_id("visit-draft")).to_be_hidden()
    expect(_field(page, "见到的人")).to_have_value("")

    # The visit's page, at phone width too.
    page.goto(f"/visits/{visit.pk}/")
    expect(page.get_by_test_id("visit-findings")).to_contain_text("屋顶漏雨")
    photo = page.get_by_role("img", name="屋顶.png")
    expect(photo).to_be_visible()
    served = page.request.get(photo.get_attribute("src"))
    assert (served.status, served.headers["content-type"]) == (200, "image/png")
    _assert_no_horizontal_overflow(page)
    assert static_watch.failures == []
    assert static_watch.errors == []
