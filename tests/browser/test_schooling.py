"""Dropout control in the browser (R8's "Done when"): the county's education officer
uploads the school registration list; each village director finds, on a phone
(360 × 740), the children of their own village the comparison suspects — one not on
the list, one listed as 辍学; director A registers the missing child as a dropout
from the worklist, records two persuasion attempts and closes the case as 返校复学;
the child's 就学状况 in the ledger follows, and the county's dropout figures on the
statistics page and in the bulletin go from 0 to 1."""

import io
import re
from datetime import timedelta

from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.registry.tests.factories import make_child, years_ago
from shouwang.reports.periods import default_period
from tests.browser.phone import PHONE, open_menu
from tests.browser.signin import sign_in_to
from tests.factories import make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("姓名", "公民身份号码", "学籍号", "学校名称", "年级", "学籍状态")
SCHOOL = "桃洪镇中心小学"
# The dropout figures of the county for the current period, before and after.
REGISTERED = "schooling.dropouts_registered"
RETURNED = "schooling.returned"
OPEN = "schooling.dropouts_open"


def _assert_no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


def _submit(page, form, button: str) -> None:
    with page.expect_navigation():
        form.get_by_role("button", name=button).click()


def _school_list(rows: list[tuple]) -> bytes:
    """The education bureau's list as an .xlsx: a header row, then one pupil a row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "学籍名单"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pupil(child, grade: str, status: str = "在读") -> tuple:
    return (
        child.name,
        child.id_number,
        f"G{child.id_number}",
        SCHOOL,
        grade,
        status,
    )


def _figure(page, key: str):
    return page.locator(f'[data-figure="{key}"]').get_by_test_id("figure-value")


def _bulletin_preview(page, county_code: str):
    """Generate the county's bulletin for the current period; its preview."""
    period = default_period()
    page.goto("/reports/bulletins/")
    form = page.get_by_test_id("bulletin-form")
    form.get_by_label("区划").select_option(county_code)
    form.get_by_label("起始日期").fill(period.start.isoformat())
    form.get_by_label("截止日期").fill(period.end.isoformat())
    form.get_by_role("button", name="生成通报").click()
    preview = page.get_by_test_id("bulletin-preview")
    expect(preview).to_contain_text("控辍保学方面")
    return preview


def test_a_school_list_to_a_child_back_in_school(new_page, browser_world, static_watch):
    county = browser_world.county
    users = browser_world.users
    village_a = browser_world.village  # 桃洪镇第1村
    village_b = Area.objects.get(code="430524100002")  # 桃洪镇第2村
    director_a = users[Role.DIRECTOR]
    director_b = make_user(
        Role.DIRECTOR, village_b, username="zhuren2", full_name="主任王"
    )
    education = users[Role.DEPARTMENT]  # the county's education unit
    civil = users[Role.CIVIL_AFFAIRS]

    # School-age children of both villages, every one with a valid ID number.
    listed_a = [
        make_child(village_a, name="李思远", birth_date=years_ago(8, days=20)),
        make_child(village_a, name="张雨涵", birth_date=years_ago(12, days=90)),
    ]
    missing = make_child(village_a, name="刘晓峰", birth_date=years_ago(10, days=50))
    listed_b = make_child(village_b, name="陈可欣", birth_date=years_ago(7, days=10))
    dropped = make_child(village_b, name="赵子豪", birth_date=years_ago(13, days=30))
    school_list = _school_list(
        [
            _pupil(listed_a[0], "二年级"),
            _pupil(listed_a[1], "六年级"),
            _pupil(listed_b, "一年级"),
            _pupil(dropped, "七年级", "辍学"),
        ]
    )

    # The county's figures before: no dropout registered or returned this period.
    stats = new_page()
    sign_in_to(stats, civil.username, "/reports/")
    expect(stats.get_by_role("heading", level=1)).to_have_text("统计分析：隆回县")
    expect(_figure(stats, REGISTERED)).to_have_text("0")
    expect(_figure(stats, RETURNED)).to_have_text("0")
    expect(_figure(stats, OPEN)).to_have_text("0")
    bulletin = new_page()
    sign_in_to(bulletin, civil.username, "/reports/bulletins/")
    preview = _bulletin_preview(bulletin, county.code)
    expect(preview).to_contain_text("新登记辍学儿童0人")
    expect(preview).to_contain_text("劝返复学辍学儿童0人")

    # The education officer uploads the county's list through the navigation.
    page = new_page()
    sign_in_to(page, education.username, "/")
    nav = page.get_by_test_id("nav")
    nav.get_by_role("button", name="控辍保学").click()
    with page.expect_navigation():
        nav.get_by_role("link", name="学籍名单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("学籍名单导入")
    page.get_by_label("学籍名单文件").set_input_files(
        files=[{"name": "隆回县学籍名单.xlsx", "mimeType": XLSX, "buffer": school_list}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()
    today = timezone.localdate()
    expect(page.get_by_test_id("counts")).to_have_text(
        "共 4 名学生，通过 4 行，拒绝 0 行。"
    )
    expect(page.get_by_test_id("saved")).to_have_text(
        f"已保存学籍名单：隆回县 {today:%Y-%m-%d}，共 4 名学生。"
    )
    lists = page.get_by_test_id("list-table").locator("tbody tr")
    expect(lists).to_have_count(1)
    expect(lists.first).to_contain_text("隆回县学籍名单.xlsx")
    expect(lists.first).to_contain_text("教育刘")

    # Director A, on a phone, finds the child missing from the list, and only that one.
    phone_a = new_page(**PHONE)
    sign_in_to(phone_a, director_a.username, "/")
    open_menu(phone_a)
    nav = phone_a.get_by_test_id("nav")
    nav.get_by_role("button", name="控辍保学").click()
    with phone_a.expect_navigation():
        nav.get_by_role("link", name="疑似失学辍学").click()
    expect(phone_a.get_by_role("heading", level=1)).to_have_text("控辍保学工作清单")
    expect(phone_a.get_by_test_id("counts")).to_contain_text(
        "适龄儿童 3 名，疑似失学辍学 1 名，劝返中 0 名"
    )
    suspected = phone_a.get_by_test_id("suspected").locator("tbody tr")
    expect(suspected).to_have_count(1)
    expect(suspected.first).to_contain_text("刘晓峰")
    expect(suspected.first).to_contain_text("桃洪镇第1村")
    expect(suspected.first).to_contain_text("未在学籍名单")
    expect(phone_a.get_by_test_id("suspected")).not_to_contain_text("赵子豪")
    expect(phone_a.get_by_test_id("discrepancies")).not_to_contain_text("赵子豪")
    _assert_no_horizontal_overflow(phone_a)

    # Director B finds the child the list marks as 辍学, and not A's child.
    phone_b = new_page(**PHONE)
    sign_in_to(phone_b, director_b.username, "/schooling/worklist/")
    suspected_b = phone_b.get_by_test_id("suspected").locator("tbody tr")
    expect(suspected_b).to_have_count(1)
    expect(suspected_b.first).to_contain_text("赵子豪")
    expect(suspected_b.first).to_contain_text("学籍状态辍学")
    expect(phone_b.get_by_test_id("suspected")).not_to_contain_text("刘晓峰")
    expect(phone_b.get_by_test_id("discrepancies")).to_contain_text(
        "台账为“小学”，学籍名单为“辍学”"
    )
    _assert_no_horizontal_overflow(phone_b)

    # Director A registers the dropout from the worklist.
    left_on = today - timedelta(days=20)
    with phone_a.expect_navigation():
        suspected.first.get_by_role("link", name="登记辍学").click()
    expect(phone_a.get_by_role("heading", level=1)).to_have_text("登记辍学：刘晓峰")
    expect(phone_a.get_by_test_id("child")).to_contain_text("台账就学状况：小学")
    _assert_no_horizontal_overflow(phone_a)
    form = phone_a.get_by_test_id("form-register")
    form.get_by_label("辍学前学校").fill(SCHOOL)
    form.get_by_label("年级", exact=True).fill("四年级")
    form.get_by_label("辍学日期").fill(left_on.isoformat())
    form.get_by_label("辍学原因").select_option("学习困难或厌学")
    form.get_by_label("原因说明").fill("成绩跟不上，不愿上学")
    form.get_by_label("劝返方案（一人一案）").fill(
        "校长和班主任上门家访，村干部联系在外务工的父母，安排学业辅导。"
    )
    for i, (role, name, phone) in enumerate(
        (("校长", "周校长", "13800000001"), ("村干部", "主任张", "13800000002")), 1
    ):
        form.get_by_label(f"第{i}位身份").select_option(role)
        form.get_by_label(f"第{i}位姓名").fill(name)
        form.get_by_label(f"第{i}位电话").fill(phone)
    _submit(phone_a, form, "登记辍学")
    expect(phone_a.get_by_role("alert").first).to_contain_text(
        "已登记刘晓峰辍学，请跟进劝返。"
    )
    expect(phone_a.get_by_test_id("status")).to_have_text("劝返中")
    expect(phone_a.get_by_test_id("flag")).to_contain_text(["农村留守儿童"])
    expect(phone_a.get_by_test_id("case")).to_contain_text("学习困难或厌学")
    responsibles = phone_a.get_by_test_id("responsibles").locator("li")
    expect(responsibles).to_have_text(
        ["校长 周校长（13800000001）", "村干部 主任张（13800000002）"]
    )
    expect(phone_a.get_by_test_id("plan")).to_contain_text("校长和班主任上门家访")
    _assert_no_horizontal_overflow(phone_a)
    case_url = phone_a.url

    # The ledger says 辍学 now.
    phone_a.goto(f"/children/{missing.pk}/")
    schooling = phone_a.locator("dt:text-is('就学') + dd")
    expect(schooling).to_have_text(re.compile(r"^辍学"))
    _assert_no_horizontal_overflow(phone_a)

    # Two persuasion attempts.
    phone_a.goto(case_url)
    attempts = (
        (today - timedelta(days=15), "周校长", "入户劝返", "正在考虑", "家长犹豫"),
        (today - timedelta(days=5), "主任张", "电话劝返", "同意返校", "下周一返校"),
    )
    for n, (on, by, method, result, note) in enumerate(attempts, 1):
        phone_a.locator("summary", has_text="记录劝返").click()
        form = phone_a.get_by_test_id("form-persuasion")
        form.get_by_label("劝返日期").fill(on.isoformat())
        form.get_by_label("劝返人员").fill(by)
        form.get_by_label("劝返方式").select_option(method)
        form.get_by_label("劝返结果").select_option(result)
        form.get_by_label("情况说明").fill(note)
        _submit(phone_a, form, "记录劝返")
        expect(phone_a.get_by_role("alert").first).to_contain_text("已记录劝返情况。")
        rows = phone_a.get_by_test_id("persuasions").locator("tbody tr")
        expect(rows).to_have_count(n)
        expect(phone_a.get_by_test_id("persuasions")).to_contain_text(note)
    _assert_no_horizontal_overflow(phone_a)

    # The child is back at school: the case is closed (动态销号).
    phone_a.locator("summary", has_text="销号").click()
    form = phone_a.get_by_test_id("form-close")
    form.get_by_label("销号结果").select_option("返校复学")
    form.get_by_label("销号日期").fill(today.isoformat())
    form.get_by_label("佐证材料").fill("学校出具的复学证明")
    _submit(phone_a, form, "销号")
    expect(phone_a.get_by_role("alert").first).to_contain_text("已销号。")
    expect(phone_a.get_by_test_id("status")).to_have_text("已销号")
    expect(phone_a.get_by_test_id("outcome")).to_have_text(
        f"返校复学，{today:%Y-%m-%d}；佐证：学校出具的复学证明"
    )
    expect(phone_a.get_by_test_id("form-persuasion")).to_have_count(0)
    _assert_no_horizontal_overflow(phone_a)

    # The ledger follows the outcome: back in 小学 (四年级).
    phone_a.goto(f"/children/{missing.pk}/")
    expect(schooling).to_have_text(re.compile(r"^小学"))
    expect(phone_a.get_by_test_id("timeline")).to_contain_text("辍学销号：返校复学")
    _assert_no_horizontal_overflow(phone_a)

    # The county's figures after: one registered, one returned, none open.
    with stats.expect_navigation():
        stats.get_by_test_id("counted-at").get_by_role(
            "link", name="现在重新统计"
        ).click()
    expect(_figure(stats, REGISTERED)).to_have_text("1")
    expect(_figure(stats, RETURNED)).to_have_text("1")
    expect(_figure(stats, OPEN)).to_have_text("0")
    preview = _bulletin_preview(bulletin, county.code)
    expect(preview).to_contain_text("新登记辍学儿童1人，其中因学习困难或厌学1人")
    expect(preview).to_contain_text("劝返复学辍学儿童1人")
    assert not static_watch.failures and not static_watch.errors, static_watch
