"""Joint work in the browser (R11's "Done when"): the city office records a joint
meeting with three decisions; the education and police units see their tasks; the
education unit reports one done on a phone and the office closes it; the police task
goes overdue and receives a 督办通知 (.docx); the responsibility bulletin of the
period ranks the counties and the units; the main bulletin's social-care paragraph
is filled from a donation recorded on the care page."""

import io
import re
from datetime import timedelta

from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from shouwang.accounts.models import Role, Unit
from shouwang.areas.models import Area
from tests.browser.phone import PHONE
from tests.browser.signin import sign_in_to
from tests.factories import make_user


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_a_meeting_its_tasks_a_notice_and_the_bulletins(
    new_page, browser_world, static_watch
):
    today = timezone.localdate()
    held = today - timedelta(days=40)
    start = held  # the period the bulletins cover: from the meeting to today
    city = Area.objects.get(code="430500000000")
    office = make_user(Role.CIVIL_AFFAIRS, city, username="shimz", full_name="市民政")
    education = make_user(
        Role.DEPARTMENT, city, username="shijy", full_name="市教育", unit=Unit.EDUCATION
    )
    police = make_user(
        Role.DEPARTMENT, city, username="shiga", full_name="市公安", unit=Unit.POLICE
    )

    # The office records the meeting: three decisions, tasks for three units.
    page = new_page()
    sign_in_to(page, office.username, "/jointwork/meetings/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登记联席会议")
    page.get_by_label("会议名称").fill("邵阳市未成年人保护联席会议")
    page.get_by_label("召开日期").fill(held.isoformat())
    decisions = (
        (
            "开展控辍保学专项行动",
            "education",
            "摸排辍学儿童",
            today,  # due today, so in the period the bulletins cover
        ),
        ("整治校园周边治安", "police", "开展校园周边巡查", held + timedelta(days=1)),
        (
            "落实健康关爱",
            "health",
            "为留守儿童建立健康档案",
            today + timedelta(days=30),
        ),
    )
    for n, (text, unit, title, deadline) in enumerate(decisions, 1):
        slot = page.get_by_test_id(f"decision-{n}")
        slot.get_by_label(f"议定事项{n}").fill(text)
        slot.get_by_label("任务1承办单位").select_option(unit)
        slot.get_by_label("任务1内容").fill(title)
        slot.get_by_label("任务1办理期限").fill(deadline.isoformat())
    _submit(page, "保存")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "邵阳市未成年人保护联席会议"
    )

    # The education unit, on a phone, finds its task and reports it done.
    phone = new_page(**PHONE)
    sign_in_to(phone, education.username, "/jointwork/tasks/")
    rows = phone.get_by_test_id("task-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("摸排辍学儿童")
    with phone.expect_navigation():
        rows.first.get_by_role("link", name="摸排辍学儿童").click()
    form = phone.get_by_test_id("report-form")
    form.get_by_label("办理情况").fill("已逐村摸排，辍学儿童均已劝返。")
    form.get_by_label("已办结，报办公室确认").check()
    with phone.expect_navigation():
        form.get_by_role("button", name="提交").click()
    expect(phone.get_by_test_id("state")).to_contain_text("已报办结")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

    # The police see theirs, overdue.
    police_page = new_page()
    sign_in_to(police_page, police.username, "/jointwork/tasks/")
    police_rows = police_page.get_by_test_id("task-table").locator("tbody tr")
    expect(police_rows).to_have_count(1)
    expect(police_rows.first).to_contain_text("开展校园周边巡查")
    expect(police_page.get_by_test_id("overdue-count")).to_contain_text(
        "有 1 项任务已逾期"
    )

    # The office closes the education task and sends the police a notice.
    page.goto("/jointwork/tasks/")
    with page.expect_navigation():
        page.get_by_role("link", name="摸排辍学儿童").click()
    _submit(page, "确认办结")
    expect(page.get_by_test_id("state")).to_contain_text("已办结")
    page.goto("/jointwork/tasks/")
    with page.expect_navigation():
        page.get_by_role("link", name="开展校园周边巡查").click()
    expect(page.get_by_test_id("overdue")).to_contain_text("已逾期")
    notice = page.get_by_test_id("notice-form")
    notice.get_by_label("新的办理期限").fill((today + timedelta(days=15)).isoformat())
    notice.get_by_label("督办事项").fill("请于限期内完成巡查并报送情况。")
    with page.expect_navigation():
        notice.get_by_role("button", name="发出督办通知").click()
    number = f"邵督〔{today.year}〕1号"
    expect(page.get_by_test_id("notices")).to_contain_text(number)
    with page.expect_download() as download:
        page.get_by_test_id("notices").get_by_role("link", name=number).click()
    text = "\n".join(
        p.text
        for p in Document(io.BytesIO(download.value.path().read_bytes())).paragraphs
    )
    assert "开展校园周边巡查" in text
    assert number in text
    police_page.reload()
    with police_page.expect_navigation():
        police_rows.first.get_by_role("link", name="开展校园周边巡查").click()
    expect(police_page.get_by_test_id("notices")).to_contain_text(number)

    # A donation on the care page.
    page.goto("/jointwork/care/")
    with page.expect_navigation():
        page.get_by_test_id("create").get_by_role(
            "link", name=re.compile("捐赠")
        ).click()
    form = page.get_by_test_id("care-form")
    form.get_by_label("捐赠方").fill("邵阳市慈善总会")
    form.get_by_label("金额（元）").fill("5000")
    form.get_by_label("捐赠日期").fill(today.isoformat())
    form.get_by_label("用途").fill("留守儿童助学")
    _submit(page, "保存")

    # The responsibility bulletin of the period ranks the counties and the units.
    page.goto(f"/jointwork/responsibility/?area={city.code}&from={start}&to={today}")
    ranking = page.get_by_test_id("ranking")
    counties = ranking.first.get_by_test_id("rank-row")
    expect(counties.and_(page.locator('[data-code="430524000000"]'))).to_have_count(1)
    expect(counties.and_(page.locator('[data-code="430525000000"]'))).to_have_count(1)
    units = ranking.nth(1)
    expect(units.locator('[data-code="education"]')).to_have_attribute(
        "data-mark", "best"
    )
    expect(units.locator('[data-code="police"]')).to_have_attribute(
        "data-mark", "lagging"
    )
    expect(page.get_by_test_id("summary")).to_contain_text("靠后的是")

    # The main bulletin's social-care paragraph is filled.
    page.goto("/reports/bulletins/")
    form = page.get_by_test_id("bulletin-form")
    form.get_by_label("区划").select_option(city.code)
    form.get_by_label("起始日期").fill(start.isoformat())
    form.get_by_label("截止日期").fill(today.isoformat())
    form.get_by_role("button", name="生成通报").click()
    preview = page.get_by_test_id("bulletin-preview")
    expect(preview).to_contain_text("社会关爱方面")
    expect(preview).to_contain_text(re.compile(r"筹集捐款0\.50?万元"))
