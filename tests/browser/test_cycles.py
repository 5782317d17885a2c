"""A county's quarterly review cycle (季度摸排) in the browser, from open to frozen
snapshot: civil affairs opens it, the director confirms the children on a phone and
submits, the supervisor returns it with a comment, the director re-submits, the
supervisor approves, civil affairs closes it and reads the snapshot."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.tests.factories import ORPHAN, make_child
from shouwang.visits.models import ReviewCycle, VillageReview
from shouwang.visits.services.cycle import current_quarter
from tests.browser.phone import PHONE


def test_a_county_runs_a_quarterly_cycle_from_open_to_snapshot(
    new_page, browser_world, login, static_watch
):
    users = browser_world.users
    make_child(browser_world.village, name="张晓明")
    make_child(browser_world.village, name="李娜", **ORPHAN)
    year, quarter = current_quarter(timezone.localdate())
    name = f"{year}年第{quarter}季度"

    # Civil affairs opens the cycle for the county.
    civil = new_page()
    login(civil, users[Role.CIVIL_AFFAIRS].username)
    civil.goto("/visits/cycles/")
    expect(civil.get_by_role("heading", level=1)).to_have_text("季度摸排")
    expect(civil.get_by_label("年度")).to_have_value(str(year))
    with civil.expect_navigation():
        civil.get_by_role("button", name="发起摸排").click()
    cycle = ReviewCycle.objects.get()
    expect(civil).to_have_url(re.compile(rf"/visits/cycles/{cycle.pk}/$"))
    expect(civil.get_by_role("alert").first).to_contain_text(
        f"已发起隆回县{name}的摸排"
    )
    expect(civil.get_by_test_id("cycle-progress-total")).to_contain_text("合计")
    review = VillageReview.objects.get(cycle=cycle, village=browser_world.village)

    # The director, on a phone, confirms each child and submits.
    director = new_page(**PHONE)
    login(director, users[Role.DIRECTOR].username)
    director.goto("/visits/cycles/")
    with director.expect_navigation():
        director.get_by_role("link", name=re.compile(name)).click()
    with director.expect_navigation():
        director.get_by_test_id("cycle-villages").get_by_role("link").click()
    expect(director.get_by_test_id("cycle-remaining")).to_have_text("还有 2 名未确认")
    rows = director.get_by_test_id("cycle-child")
    first = rows.filter(has_text="张晓明")
    first.get_by_role("button", name="已更新").click()
    expect(first.get_by_test_id("row-error")).to_contain_text(
        "张晓明 的信息没有修改记录"
    )
    first = rows.filter(has_text="张晓明")
    first.get_by_role("button", name="无变化").click()
    expect(rows.filter(has_text="张晓明").get_by_test_id("child-outcome")).to_have_text(
        "✓ 无变化"
    )
    expect(director.get_by_test_id("cycle-remaining")).to_have_text("还有 1 名未确认")
    with director.expect_navigation():
        director.get_by_role("button", name="全部确认无变化").click()
    expect(director.get_by_role("alert").first).to_contain_text(
        "已确认 1 名儿童无变化。"
    )
    expect(director.get_by_test_id("cycle-remaining")).to_have_text("已全部确认")
    with director.expect_navigation():
        director.get_by_role("button", name="提交乡镇审核").click()
    expect(director.get_by_role("alert").first).to_contain_text(
        "的摸排已提交，等待乡镇审核。"
    )
    expect(director.get_by_test_id("review-status")).to_have_text("待审核")
    width = director.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"横向溢出：scrollWidth={width}"

    # The supervisor returns it with a comment.
    supervisor = new_page()
    login(supervisor, users[Role.SUPERVISOR].username)
    supervisor.goto(f"/visits/cycles/{cycle.pk}/")
    with supervisor.expect_navigation():
        supervisor.get_by_test_id("cycle-villages").get_by_role(
            "link", name=re.compile(browser_world.village.name)
        ).click()
    supervisor.get_by_label("退回意见").fill("李娜的监护人电话请核实")
    with supervisor.expect_navigation():
        supervisor.get_by_role("button", name="退回").click()
    expect(supervisor.get_by_test_id("review-status")).to_have_text("已退回")

    # The director reads the comment and submits again.
    director.reload()
    expect(director.get_by_test_id("return-comment")).to_contain_text(
        "李娜的监护人电话请核实"
    )
    with director.expect_navigation():
        director.get_by_role("button", name="提交乡镇审核").click()
    expect(director.get_by_test_id("review-status")).to_have_text("待审核")

    # The supervisor approves.
    supervisor.reload()
    with supervisor.expect_navigation():
        supervisor.get_by_role("button", name="审核通过").click()
    expect(supervisor.get_by_test_id("review-status")).to_have_text("已通过")
    history = supervisor.get_by_test_id("review-history").locator("li")
    expect(history).to_have_count(4)
    expect(history.nth(1)).to_contain_text("退回")
    expect(history.nth(1)).to_contain_text("意见：李娜的监护人电话请核实")
    review.refresh_from_db()
    assert review.status == "approved"

    # Civil affairs closes the cycle (other villages unapproved: asked once more).
    civil.reload()
    civil.get_by_role("button", name="结束摸排…").click()
    with civil.expect_navigation():
        civil.get_by_role("button", name="确认结束").click()
    unapproved = VillageReview.objects.filter(cycle=cycle).exclude(status="approved")
    expect(civil.get_by_test_id("close-warning")).to_contain_text(
        f"还有 {unapproved.count()} 个村未审核通过；确认要结束吗？"
    )
    with civil.expect_navigation():
        civil.get_by_role("button", name="仍然结束").click()
    expect(civil.get_by_role("alert").first).to_contain_text(
        f"{name}的摸排已结束，各村的统计数已冻结为快照。"
    )
    expect(civil.get_by_test_id("cycle-status")).to_have_text("已结束")
    total = civil.get_by_test_id("cycle-snapshot-total")
    expect(total.locator("td").nth(1)).to_have_text("2")  # children
    expect(total.locator("td").nth(2)).to_have_text("1")  # orphans
    expect(civil.get_by_role("button", name="结束摸排…")).to_have_count(0)
    assert not static_watch.failures and not static_watch.errors
