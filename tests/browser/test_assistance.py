"""Monthly allowance batches in the browser (R9's "Done when"): the county raises the
scattered-orphan standard from the month after its last approved batch; that month's
batch shows every orphan's new amount and the 标准调整 change with its reason, and a
second civil-affairs officer approves it; the month after, an orphan who turned 18
out of school is not in the batch and the 减员 change says why; the bank file's
amounts add up to the batch total on the page, and the bulletin and the statistics
page give the same total to the yuan.

The months are the two before this one and this one (m0, m1, m2): the bulletin and
the statistics page only count periods up to today, and this month's batch is the one
whose bank file they must agree with."""

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

import openpyxl
from django.utils import timezone
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.assistance import services_beneficiaries as beneficiaries
from shouwang.assistance import services_payments as payments
from shouwang.assistance.tests.beneficiaries_factories import (
    SCATTERED,
    application_values,
    orphan,
    previous_month,
    scan,
    standards,
)
from shouwang.registry.tests.factories import years_ago
from tests.browser.signin import sign_in_to
from tests.factories import make_user

OLD, NEW = Decimal("1200.00"), Decimal("1500.00")
PAID_TOTAL = "assistance.paid_total"
# The bulletin's sentence with the period's paid total.
PAID_SAID = re.compile(r"期内发放基本生活费(?:和基本生活补贴)?(\d+(?:\.\d+)?)元")


def _submit(page, form, button: str) -> None:
    with page.expect_navigation():
        form.get_by_role("button", name=button).click()


def _label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def _beneficiary(place, child, *, start: date) -> None:
    """Applied for by the township, reviewed, and approved by the county on the 20th
    of the month before `start` (payment starts in `start`)."""
    applied_on = previous_month(start).replace(day=20)
    app = beneficiaries.application_submit(
        actor=place.supervisor,
        child_id=child.pk,
        values=application_values(agreement_signed_on=applied_on.replace(day=5)),
        scan=scan(),
        today=applied_on,
    )
    app = beneficiaries.application_review(
        actor=place.supervisor, pk=app.pk, expected_version=app.version
    )
    beneficiaries.application_approve(
        actor=place.civil, pk=app.pk, expected_version=app.version, today=applied_on
    )


def _open_batch(page, month: date) -> None:
    """From the batch list, open the county's batch of `month`."""
    page.goto("/assistance/payments/")
    with page.expect_navigation():
        page.get_by_test_id("batch-table").get_by_role(
            "link", name=_label(month)
        ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"隆回县{_label(month)}发放批次"
    )


def _generate(page, month: date) -> None:
    page.goto("/assistance/payments/")
    form = page.get_by_test_id("generate-form")
    form.get_by_label("发放月份").fill(f"{month:%Y-%m}")
    _submit(page, form, "生成本县该月批次")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"隆回县{_label(month)}发放批次"
    )
    expect(page.get_by_test_id("status")).to_have_text("待审批")


def _approve(page, month: date) -> None:
    _open_batch(page, month)
    _submit(page, page.get_by_test_id("approve-form"), "审批通过（审批后明细冻结）")
    expect(page.get_by_role("alert").first).to_contain_text(
        "已审批，本批次已冻结，可以导出银行代发文件。"
    )
    expect(page.get_by_test_id("status")).to_have_text("已审批")


def _amount(text: str) -> Decimal:
    """An amount as a page prints it ("3000", "3000.00", "3041.5")."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*", text)
    assert match, f"不是金额：{text!r}"
    return Decimal(match.group(1))


def _bank_file_total(page, tmp_path) -> tuple[int, Decimal]:
    """Download the batch's bank file; its rows and the sum of its 金额 column."""
    with page.expect_download() as download:
        page.get_by_test_id("bank-file").get_by_role(
            "link", name="导出（隐去号码）"
        ).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True)["代发明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "公民身份号码", "账号", "金额"), rows[0]
    amounts = [Decimal(str(row[3])).quantize(Decimal("0.01")) for row in rows[1:]]
    return len(amounts), sum(amounts, Decimal("0.00"))


def test_a_raise_an_18th_birthday_and_the_totals_that_agree(
    new_page, browser_world, static_watch, tmp_path
):
    county = browser_world.county
    users = browser_world.users
    civil = users[Role.CIVIL_AFFAIRS]  # generates
    approver = make_user(
        Role.CIVIL_AFFAIRS, county, username="minzheng2", full_name="民政刘"
    )
    place = SimpleNamespace(
        county=county,
        village=browser_world.village,
        supervisor=users[Role.SUPERVISOR],
        civil=civil,
    )
    today = timezone.localdate()
    m2 = today.replace(day=1)
    m1 = previous_month(m2)
    m0 = previous_month(m1)

    # The province's standards in force for years: 1200 yuan for scattered orphans.
    standards(str(OLD))
    # Three scattered orphans, paid since m0; one turns 18 on the 15th of m1 and is
    # not at school: 17 on the 1st of m1, 18 on the 1st of m2. He is 18 today, so he
    # is registered, applied for and approved as of before m0, when he was 17.
    birthday = m1.replace(day=15)
    turning = orphan(
        place,
        name="周建国",
        birth_date=birthday.replace(year=birthday.year - 18),
        schooling="不在学",
        as_of=m0,
    )
    staying = [
        orphan(place, name="刘欣怡", birth_date=years_ago(9, days=30)),
        orphan(
            place,
            name="陈浩然",
            village=Area.objects.get(code="430524100002"),
            birth_date=years_ago(12, days=90),
        ),
    ]
    for child in (turning, *staying):
        _beneficiary(place, child, start=m0)
    # m0's batch, generated and approved through the services, to start from.
    batch = payments.payment_batch_generate(
        actor=civil, county_code=county.code, month=m0
    )
    assert (batch.count, batch.total) == (3, 3 * OLD)
    payments.payment_batch_approve(
        actor=approver, pk=batch.pk, expected_version=batch.version
    )

    # The county raises the scattered-orphan standard from the 1st of m1.
    page = new_page()
    sign_in_to(page, civil.username, "/assistance/standards/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "基本生活保障标准：隆回县"
    )
    form = page.get_by_test_id("form-standard")
    form.get_by_label("类别").select_option(SCATTERED)
    form.get_by_label("标准（元/人·月）").fill("1500")
    form.get_by_label("执行日期").fill(m1.isoformat())
    _submit(page, form, "保存标准")
    expect(page.get_by_role("alert").first).to_contain_text(
        f"已设置隆回县社会散居孤儿标准：每人每月 {NEW} 元，{m1:%Y-%m-%d} 起执行。"
    )
    rows = page.get_by_test_id("rows").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{m1:%Y-%m-%d}")
    expect(rows.first).to_contain_text("社会散居孤儿")
    expect(rows.first).to_contain_text(str(NEW))

    # m1's batch: every orphan at the new amount, each with the 标准调整 and why.
    _generate(page, m1)
    expect(page.get_by_role("alert").first).to_contain_text(
        f"已生成{_label(m1)}发放批次：3 名，合计 {3 * NEW} 元，请由另一名民政干部审批。"
    )
    expect(page.get_by_test_id("count")).to_have_text("3")
    expect(page.get_by_test_id("total")).to_have_text(str(3 * NEW))
    expect(page.get_by_test_id("change-counts")).to_have_text(
        "与上月相比：标准调整 3 人。"
    )
    lines = page.get_by_test_id("lines").get_by_test_id("line-row")
    expect(lines).to_have_count(3)
    for child in (turning, *staying):
        line = lines.filter(has_text=child.name)
        expect(line).to_have_count(1)
        expect(line).to_contain_text(SCATTERED)
        expect(line.locator("td").nth(4)).to_have_text(str(NEW))
    reason = (
        f"标准由 {OLD} 元调整为 {NEW} 元"
        f"（隆回县社会散居孤儿标准自 {m1:%Y-%m-%d} 起执行）"
    )
    changes = page.get_by_test_id("changes").get_by_test_id("change-row")
    expect(changes).to_have_count(3)
    for child in (turning, *staying):
        change = changes.filter(has_text=child.name)
        expect(change.locator("td")).to_have_text(
            [child.name, "标准调整", str(OLD), str(NEW), reason]
        )
    # Who generated it cannot approve it.
    _submit(page, page.get_by_test_id("approve-form"), "审批通过（审批后明细冻结）")
    expect(page.get_by_test_id("form-errors")).to_have_text(
        "不能审批自己生成的发放批次：请由本县另一名民政干部审批。"
    )
    expect(page.get_by_test_id("status")).to_have_text("待审批")

    # The second officer approves it.
    second = new_page()
    sign_in_to(second, approver.username, "/assistance/payments/")
    _approve(second, m1)

    # m2's batch: the 18-year-old out of school is gone, and the 减员 says why.
    _generate(page, m2)
    expect(page.get_by_test_id("count")).to_have_text("2")
    expect(page.get_by_test_id("total")).to_have_text(str(2 * NEW))
    expect(page.get_by_test_id("change-counts")).to_have_text("与上月相比：减员 1 人。")
    lines = page.get_by_test_id("lines").get_by_test_id("line-row")
    expect(lines).to_have_count(2)
    expect(page.get_by_test_id("lines")).not_to_contain_text(turning.name)
    for child in staying:
        expect(lines.filter(has_text=child.name).locator("td").nth(4)).to_have_text(
            str(NEW)
        )
    changes = page.get_by_test_id("changes").get_by_test_id("change-row")
    expect(changes).to_have_count(1)
    expect(changes.first.locator("td")).to_have_text(
        [
            turning.name,
            "减员",
            str(NEW),
            "—",
            f"{m2:%Y-%m-%d}已年满18周岁，未在全日制学校（高中、中职、高职及以上）就读",
        ]
    )
    _approve(second, m2)

    # The bank file adds up to the total on the page, to the fen.
    shown = _amount(second.get_by_test_id("total").inner_text())
    count, total = _bank_file_total(second, tmp_path)
    assert (count, total) == (2, shown) == (2, 2 * NEW)

    # The bulletin of m2 (its 1st to today) and the statistics page: the same total.
    bulletin = new_page()
    sign_in_to(bulletin, civil.username, "/reports/bulletins/")
    form = bulletin.get_by_test_id("bulletin-form")
    form.get_by_label("区划").select_option(county.code)
    form.get_by_label("起始日期").fill(m2.isoformat())
    form.get_by_label("截止日期").fill(today.isoformat())
    form.get_by_role("button", name="生成通报").click()
    preview = bulletin.get_by_test_id("bulletin-preview")
    expect(preview).to_contain_text("救助保障方面")
    expect(preview).to_contain_text(
        f"社会散居孤儿基本生活费标准分别为每人每月1600元、{int(NEW)}元"
    )
    expect(preview).to_contain_text(PAID_SAID)
    said = PAID_SAID.search(preview.inner_text())
    assert said and _amount(said.group(1)) == total, preview.inner_text()

    period = {"area": county.code, "from": m2.isoformat(), "to": today.isoformat()}
    stats = new_page()
    sign_in_to(stats, civil.username, f"/reports/?{urlencode(period)}")
    expect(stats.get_by_role("heading", level=1)).to_have_text("统计分析：隆回县")
    paid = stats.locator(f'[data-figure="{PAID_TOTAL}"]').get_by_test_id("figure-value")
    expect(paid).to_have_text(re.compile(r"^\d"))
    assert _amount(paid.inner_text()) == total
    assert not static_watch.failures and not static_watch.errors, static_watch
