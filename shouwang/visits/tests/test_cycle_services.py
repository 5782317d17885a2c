"""The quarterly review cycle's services: open, confirm, submit, approve, return and
close, every rule and its message, the audit trail, and the frozen snapshot's counts
checked against children registered through the registry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry import services as registry
from shouwang.registry.models import Child
from shouwang.registry.policy import needs_confirmation
from shouwang.registry.tests.factories import (
    AT_HOME,
    DE_FACTO,
    ORPHAN,
    make_child,
    make_place,
)
from shouwang.visits.models import (
    ChildReview,
    CycleSnapshot,
    ReviewCycle,
    VillageReview,
)
from shouwang.visits.services import cycle as services
from shouwang.visits.tests.factories import make_visit
from tests.factories import make_area, make_user

pytestmark = pytest.mark.django_db

REVIEW_NOT_FOUND = "村摸排记录不存在或不在您的管辖范围内。"


def this_quarter():
    return services.current_quarter(timezone.localdate())


def quarter_name() -> str:
    year, quarter = this_quarter()
    return f"{year}年第{quarter}季度"


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def children(place):
    """Two children in the director's village and one in the neighbouring village,
    registered before the cycle opens."""
    return {
        "a": make_child(place.village, name="甲"),
        "b": make_child(place.village, name="乙", **ORPHAN),
        "c": make_child(place.other_village, name="丙"),
    }


@pytest.fixture
def cycle(place, children):
    year, quarter = this_quarter()
    return services.cycle_open(actor=place.civil, year=year, quarter=quarter)


def review_of(cycle, village) -> VillageReview:
    return VillageReview.objects.get(cycle=cycle, village=village)


def refused(call, message: str, exception=DomainError):
    with pytest.raises(exception) as caught:
        call()
    assert caught.value.message == message


def confirm(place, review, child, outcome="unchanged", actor=None):
    return services.child_confirm(
        actor=actor or place.director,
        village_review_id=review.pk,
        child_id=child.pk,
        outcome=outcome,
    )


def submitted(place, cycle) -> VillageReview:
    """The director's village with every child confirmed unchanged, submitted."""
    review = review_of(cycle, place.village)
    for child in Child.objects.filter(village=place.village, status="active"):
        confirm(place, review, child)
    return services.village_submit(
        actor=place.director, village_review_id=review.pk, expected_version=1
    )


# Open ---------------------------------------------------------------------------------


def test_opening_a_cycle_gives_every_village_a_pending_review(place, cycle):
    year, quarter = this_quarter()
    assert (cycle.area_id, cycle.year, cycle.quarter) == (
        place.county.code,
        year,
        quarter,
    )
    assert cycle.status == "open"
    reviews = VillageReview.objects.filter(cycle=cycle)
    assert sorted(reviews.values_list("village_id", flat=True)) == sorted(
        [place.village.code, place.other_village.code, place.far_village.code]
    )
    assert set(reviews.values_list("status", "version")) == {("pending", 1)}
    event = AuditEvent.objects.get(action=AuditAction.CYCLE_OPEN)
    assert (event.actor, event.area_id, event.object_id) == (
        place.civil,
        place.county.code,
        str(cycle.pk),
    )
    assert event.details["villages"] == 3


def test_a_quarter_is_opened_once_per_area(place, cycle):
    year, quarter = this_quarter()
    refused(
        lambda: services.cycle_open(actor=place.civil, year=year, quarter=quarter),
        f"{quarter_name()}的摸排已经发起，不能重复发起。",
    )
    assert ReviewCycle.objects.count() == 1
    # Another county opens its own.
    services.cycle_open(actor=place.foreign_civil, year=year, quarter=quarter)
    # The city's cycle would cover the county's villages a second time.
    city = make_user(Role.CIVIL_AFFAIRS, make_area("430500000000"), username="city")
    refused(
        lambda: services.cycle_open(actor=city, year=year, quarter=quarter),
        f"隆回县已发起{quarter_name()}的摸排（包含本区划的村），不能重复发起。",
    )
    assert ReviewCycle.objects.count() == 2


@pytest.mark.parametrize(
    "shift, quarter, message",
    [
        (0, 5, "季度应为 1、2、3 或 4。"),
        (0, 0, "季度应为 1、2、3 或 4。"),
        (1, 1, "年度应在 2000 到 {year} 之间。"),
        (None, 1, "年度应在 2000 到 {year} 之间。"),
    ],
)
def test_a_cycle_needs_a_real_quarter(place, shift, quarter, message):
    year, _ = this_quarter()
    asked = 1999 if shift is None else year + shift
    refused(
        lambda: services.cycle_open(actor=place.civil, year=asked, quarter=quarter),
        message.format(year=year),
    )


def test_a_future_quarter_cannot_be_opened(place):
    year, quarter = this_quarter()
    if quarter == 4:
        asked_year, asked_quarter = year + 1, 1
        expected = f"年度应在 2000 到 {year} 之间。"
    else:
        asked_year, asked_quarter = year, quarter + 1
        expected = (
            f"{year}年第{quarter + 1}季度尚未开始，不能发起摸排"
            f"（当前为{year}年第{quarter}季度）。"
        )
    refused(
        lambda: services.cycle_open(
            actor=place.civil, year=asked_year, quarter=asked_quarter
        ),
        expected,
    )
    assert not ReviewCycle.objects.exists()


def test_only_county_or_city_civil_affairs_open_cycles(place):
    year, quarter = this_quarter()
    for user in (place.director, place.supervisor, place.leader, place.admin):
        refused(
            lambda user=user: services.cycle_open(
                actor=user, year=year, quarter=quarter
            ),
            "您没有发起季度摸排的权限。",
        )
    province = make_user(
        Role.CIVIL_AFFAIRS, make_area("430000000000"), username="sheng"
    )
    refused(
        lambda: services.cycle_open(actor=province, year=year, quarter=quarter),
        "季度摸排由县级或市级民政部门发起：您的账号不属于县或市。",
    )
    assert not ReviewCycle.objects.exists()


def test_a_city_cycle_covers_every_county(place):
    year, quarter = this_quarter()
    city = make_user(Role.CIVIL_AFFAIRS, make_area("430500000000"), username="city")
    cycle = services.cycle_open(actor=city, year=year, quarter=quarter)
    villages = set(
        VillageReview.objects.filter(cycle=cycle).values_list("village_id", flat=True)
    )
    assert place.foreign_village.code in villages and place.village.code in villages
    refused(
        lambda: services.cycle_open(actor=place.civil, year=year, quarter=quarter),
        f"邵阳市已发起{quarter_name()}的摸排（包含本区划的村），不能重复发起。",
    )


# Confirm ------------------------------------------------------------------------------


def test_a_director_confirms_a_child_and_may_change_the_word(place, children, cycle):
    review = review_of(cycle, place.village)
    first = confirm(place, review, children["a"])
    assert (first.outcome, first.child_version, first.confirmed_by) == (
        "unchanged",
        1,
        place.director,
    )
    # The township's supervisor may confirm too; the row is replaced, not added.
    registry.child_update(
        actor=place.director,
        child_id=children["a"].pk,
        expected_version=1,
        data={"school": "守望小学"},
    )
    again = confirm(place, review, children["a"], "updated", actor=place.supervisor)
    assert ChildReview.objects.filter(village_review=review).count() == 1
    assert (again.pk, again.outcome, again.child_version, again.confirmed_by) == (
        first.pk,
        "updated",
        2,
        place.supervisor,
    )
    events = AuditEvent.objects.filter(action=AuditAction.CYCLE_CHILD_CONFIRM)
    assert [e.details for e in events.order_by("pk")] == [
        {"child": children["a"].pk, "outcome": "unchanged"},
        {"child": children["a"].pk, "outcome": "updated"},
    ]
    assert {e.area_id for e in events} == {place.village.code}


def test_updated_needs_an_edit_made_in_this_cycle(place, children, cycle):
    review = review_of(cycle, place.village)
    refused(
        lambda: confirm(place, review, children["a"], "updated"),
        "本次摸排开始后，甲 的信息没有修改记录：如有变化，请先在儿童信息库中修改其信息，"
        "再确认为“已更新”；没有变化请选“无变化”。",
    )
    # The nightly reclassification is not an edit.
    registry.children_reclassify(as_of=timezone.localdate() + timedelta(days=1))
    refused(
        lambda: confirm(place, review, children["a"], "updated"),
        "本次摸排开始后，甲 的信息没有修改记录：如有变化，请先在儿童信息库中修改其信息，"
        "再确认为“已更新”；没有变化请选“无变化”。",
    )
    assert not ChildReview.objects.exists()


def test_a_child_registered_in_the_cycle_may_be_confirmed_as_updated(place, cycle):
    newcomer = make_child(place.village, name="新")
    review = review_of(cycle, place.village)
    assert confirm(place, review, newcomer, "updated").outcome == "updated"


def test_exited_only_once_the_registry_exit_is_done(place, children, cycle):
    review = review_of(cycle, place.village)
    refused(
        lambda: confirm(place, review, children["a"], "exited"),
        "甲 仍在册：如已不符合条件，请先在儿童信息库中为其办理退出，再确认为“已退出”。",
    )
    registry.child_exit(
        actor=place.director,
        child_id=children["a"].pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=timezone.localdate(),
    )
    for outcome in ("unchanged", "updated"):
        refused(
            lambda outcome=outcome: confirm(place, review, children["a"], outcome),
            "甲 已退出儿童信息库：请确认为“已退出”。",
        )
    assert confirm(place, review, children["a"], "exited").outcome == "exited"


def test_a_child_confirmed_belongs_to_the_village(place, children, cycle):
    review = review_of(cycle, place.village)
    refused(
        lambda: confirm(place, review, children["c"]),
        "该儿童不是本村在册的儿童，不能在本村的摸排中确认。",
    )
    refused(
        lambda: services.child_confirm(
            actor=place.director,
            village_review_id=review.pk,
            child_id=999999,
            outcome="unchanged",
        ),
        "该儿童不是本村在册的儿童，不能在本村的摸排中确认。",
    )
    refused(
        lambda: confirm(place, review, children["a"], "lost"),
        "摸排结果应为：无变化、已更新或已退出。",
    )
    assert not ChildReview.objects.exists()


def test_a_child_who_left_before_the_cycle_needs_no_word(place):
    gone = make_child(place.village, name="早退")
    registry.child_exit(
        actor=place.director,
        child_id=gone.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=timezone.localdate(),
    )
    year, quarter = this_quarter()
    cycle = services.cycle_open(actor=place.civil, year=year, quarter=quarter)
    review = review_of(cycle, place.village)
    refused(
        lambda: confirm(place, review, gone, "exited"),
        "该儿童在本次摸排开始前已退出儿童信息库，无需确认。",
    )
    assert services.unconfirmed_count(review) == 0


def test_only_the_village_s_own_people_confirm(place, children, cycle):
    review = review_of(cycle, place.village)
    for user in (place.other_director, place.foreign_director):
        refused(
            lambda user=user: confirm(place, review, children["a"], actor=user),
            REVIEW_NOT_FOUND,
            NotFound,
        )
    for user in (place.leader, place.department, place.civil):
        refused(
            lambda user=user: confirm(place, review, children["a"], actor=user),
            "您没有确认摸排结果的权限。",
        )
    assert not ChildReview.objects.exists()


def test_a_submitted_or_approved_village_is_not_confirmed_again(place, children, cycle):
    review = submitted(place, cycle)
    refused(
        lambda: confirm(place, review, children["a"]),
        "该村已提交，等待乡镇审核，不能再修改确认结果。",
    )
    services.village_approve(
        actor=place.supervisor, village_review_id=review.pk, expected_version=2
    )
    refused(
        lambda: confirm(place, review, children["a"]),
        "该村已审核通过，不能再修改确认结果。",
    )


def test_confirm_all_unchanged_takes_the_unconfirmed_rows_shown(place, children, cycle):
    review = review_of(cycle, place.village)
    late = make_child(place.village, name="丁")
    gone = make_child(place.village, name="戊")
    registry.child_exit(
        actor=place.director,
        child_id=gone.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=timezone.localdate(),
    )
    confirm(place, review, children["a"])
    count = services.children_confirm_unchanged(
        actor=place.director,
        village_review_id=review.pk,
        # a: confirmed already; c: another village; gone: exited; late: not shown
        child_ids=[children["a"].pk, children["b"].pk, children["c"].pk, gone.pk],
    )
    assert count == 1
    assert dict(
        ChildReview.objects.filter(village_review=review).values_list(
            "child__name", "outcome"
        )
    ) == {"甲": "unchanged", "乙": "unchanged"}
    assert services.unconfirmed_count(review) == 2  # late, and gone's exit
    event = (
        AuditEvent.objects.filter(action=AuditAction.CYCLE_CHILD_CONFIRM)
        .order_by("pk")
        .last()
    )
    assert event.details == {"children": 1, "outcome": "unchanged"}
    assert late.pk not in ChildReview.objects.values_list("child_id", flat=True)


# Submit -------------------------------------------------------------------------------


def test_a_village_is_submitted_once_every_child_is_confirmed(place, children, cycle):
    review = review_of(cycle, place.village)
    refused(
        lambda: services.village_submit(
            actor=place.director, village_review_id=review.pk, expected_version=1
        ),
        "还有 2 名儿童未确认：请逐一确认（无变化、已更新或已退出）后再提交。",
    )
    confirm(place, review, children["a"])
    confirm(place, review, children["b"])
    saved = services.village_submit(
        actor=place.director, village_review_id=review.pk, expected_version=1
    )
    assert (saved.status, saved.version, saved.submitted_by) == (
        "submitted",
        2,
        place.director,
    )
    assert saved.submitted_at is not None
    event = AuditEvent.objects.get(action=AuditAction.CYCLE_VILLAGE_SUBMIT)
    assert (event.object_id, event.area_id) == (str(review.pk), place.village.code)
    # The second click, on the page as it was.
    refused(
        lambda: services.village_submit(
            actor=place.director, village_review_id=review.pk, expected_version=1
        ),
        "该村已提交，等待乡镇审核，请勿重复提交。",
    )
    assert VillageReview.objects.get(pk=review.pk).version == 2


def test_an_edit_after_confirming_asks_for_a_new_word(place, children, cycle):
    review = review_of(cycle, place.village)
    confirm(place, review, children["a"])
    confirm(place, review, children["b"])
    registry.child_exit(
        actor=place.director,
        child_id=children["a"].pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=timezone.localdate(),
    )
    refused(
        lambda: services.village_submit(
            actor=place.director, village_review_id=review.pk, expected_version=1
        ),
        "还有 1 名儿童未确认：请逐一确认（无变化、已更新或已退出）后再提交。",
    )
    confirm(place, review, children["a"], "exited")
    assert (
        services.village_submit(
            actor=place.director, village_review_id=review.pk, expected_version=1
        ).status
        == "submitted"
    )


def test_a_stale_submit_is_refused(place, children, cycle):
    review = review_of(cycle, place.village)
    VillageReview.objects.filter(pk=review.pk).update(version=5)
    with pytest.raises(services.StaleReview) as caught:
        services.village_submit(
            actor=place.director, village_review_id=review.pk, expected_version=1
        )
    assert caught.value.message == (
        "操作未完成：在您打开页面之后，该村的摸排状态已变为“待提交”。请刷新页面后再操作。"
    )
    assert VillageReview.objects.get(pk=review.pk).status == "pending"


def test_an_empty_village_submits_at_once(place, cycle):
    review = review_of(cycle, place.far_village)
    director = make_user(Role.DIRECTOR, place.far_village, username="qingshi")
    saved = services.village_submit(
        actor=director, village_review_id=review.pk, expected_version=1
    )
    assert saved.status == "submitted"


# Approve and return -------------------------------------------------------------------


def test_the_township_approves_a_submitted_village(place, children, cycle):
    review = submitted(place, cycle)
    saved = services.village_approve(
        actor=place.supervisor, village_review_id=review.pk, expected_version=2
    )
    assert (saved.status, saved.version, saved.reviewed_by) == (
        "approved",
        3,
        place.supervisor,
    )
    assert (
        AuditEvent.objects.filter(action=AuditAction.CYCLE_VILLAGE_APPROVE).count() == 1
    )
    refused(
        lambda: services.village_approve(
            actor=place.supervisor, village_review_id=review.pk, expected_version=3
        ),
        "该村已审核通过，请勿重复审核。",
    )
    refused(
        lambda: services.village_submit(
            actor=place.director, village_review_id=review.pk, expected_version=3
        ),
        "该村已审核通过，无需再次提交。",
    )


def test_approving_outside_one_s_township_is_not_found(place, children, cycle):
    review = submitted(place, cycle)
    other = make_user(Role.SUPERVISOR, place.other_township, username="qingshi_dd")
    foreign = make_user(
        Role.SUPERVISOR, make_area("430525911000"), username="waixian_dd"
    )
    for user in (other, foreign, place.foreign_civil):
        refused(
            lambda user=user: services.village_approve(
                actor=user, village_review_id=review.pk, expected_version=2
            ),
            REVIEW_NOT_FOUND,
            NotFound,
        )
        refused(
            lambda user=user: services.village_return(
                actor=user, village_review_id=review.pk, expected_version=2, comment="x"
            ),
            REVIEW_NOT_FOUND,
            NotFound,
        )
    refused(
        lambda: services.village_approve(
            actor=place.director, village_review_id=review.pk, expected_version=2
        ),
        "您没有审核村摸排的权限。",
    )
    assert VillageReview.objects.get(pk=review.pk).status == "submitted"
    # The county's civil affairs may review too.
    assert (
        services.village_approve(
            actor=place.civil, village_review_id=review.pk, expected_version=2
        ).status
        == "approved"
    )


def test_only_submitted_villages_are_reviewed(place, children, cycle):
    review = review_of(cycle, place.village)
    refused(
        lambda: services.village_approve(
            actor=place.supervisor, village_review_id=review.pk, expected_version=1
        ),
        "该村尚未提交，不能审核。",
    )
    review = submitted(place, cycle)
    with pytest.raises(services.StaleReview):
        services.village_approve(
            actor=place.supervisor, village_review_id=review.pk, expected_version=1
        )


def test_a_return_needs_a_comment_and_goes_back_to_the_director(place, children, cycle):
    review = submitted(place, cycle)
    for comment in ("", "   "):
        refused(
            lambda comment=comment: services.village_return(
                actor=place.supervisor,
                village_review_id=review.pk,
                expected_version=2,
                comment=comment,
            ),
            "请填写退回意见，说明需要核实或修改什么。",
        )
    refused(
        lambda: services.village_return(
            actor=place.supervisor,
            village_review_id=review.pk,
            expected_version=2,
            comment="长" * 501,
        ),
        "退回意见最多500个字，当前501个。",
    )
    assert VillageReview.objects.get(pk=review.pk).status == "submitted"
    saved = services.village_return(
        actor=place.supervisor,
        village_review_id=review.pk,
        expected_version=2,
        comment="  乙的监护人电话请核实  ",
    )
    assert (saved.status, saved.version, saved.comment) == (
        "returned",
        3,
        "乙的监护人电话请核实",
    )
    event = AuditEvent.objects.get(action=AuditAction.CYCLE_VILLAGE_RETURN)
    assert event.details["comment"] == "乙的监护人电话请核实"
    refused(
        lambda: services.village_approve(
            actor=place.supervisor, village_review_id=review.pk, expected_version=3
        ),
        "该村已退回，等待儿童主任重新提交。",
    )
    # The director re-confirms and submits again.
    confirm(place, review, Child.objects.get(name="乙"))
    again = services.village_submit(
        actor=place.director, village_review_id=review.pk, expected_version=3
    )
    assert (again.status, again.version, again.comment) == (
        "submitted",
        4,
        "乙的监护人电话请核实",
    )
    approved = services.village_approve(
        actor=place.supervisor, village_review_id=review.pk, expected_version=4
    )
    assert (approved.status, approved.comment) == ("approved", "")


# Close --------------------------------------------------------------------------------


def test_closing_with_villages_unapproved_needs_force(place, children, cycle):
    refused(
        lambda: services.cycle_close(actor=place.civil, cycle_id=cycle.pk),
        "还有 3 个村未审核通过；确认要结束吗？",
        services.CloseNeedsForce,
    )
    cycle.refresh_from_db()
    assert cycle.status == "open"
    assert not CycleSnapshot.objects.exists()
    closed = services.cycle_close(actor=place.civil, cycle_id=cycle.pk, force=True)
    assert (closed.status, closed.closed_by) == ("closed", place.civil)
    assert CycleSnapshot.objects.filter(cycle=cycle).count() == 3
    event = AuditEvent.objects.get(action=AuditAction.CYCLE_CLOSE)
    assert event.details == {"unapproved": 3, "forced": True}


def test_closing_when_all_are_approved_needs_no_force(place, cycle):
    VillageReview.objects.filter(cycle=cycle).update(status="approved")
    assert services.cycle_close(actor=place.civil, cycle_id=cycle.pk).status == "closed"


def test_a_closed_cycle_refuses_every_write(place, children, cycle):
    review = submitted(place, cycle)
    services.cycle_close(actor=place.civil, cycle_id=cycle.pk, force=True)
    closed = f"{quarter_name()}的摸排已结束，不能再修改。"
    other = review_of(cycle, place.other_village)
    refused(
        lambda: confirm(place, review_of(cycle, place.village), children["a"]), closed
    )
    refused(
        lambda: services.children_confirm_unchanged(
            actor=place.director, village_review_id=review.pk, child_ids=[]
        ),
        closed,
    )
    refused(
        lambda: services.village_submit(
            actor=place.other_director, village_review_id=other.pk, expected_version=1
        ),
        closed,
    )
    refused(
        lambda: services.village_approve(
            actor=place.supervisor, village_review_id=review.pk, expected_version=2
        ),
        closed,
    )
    refused(
        lambda: services.village_return(
            actor=place.supervisor,
            village_review_id=review.pk,
            expected_version=2,
            comment="再核实",
        ),
        closed,
    )
    refused(
        lambda: services.cycle_close(actor=place.civil, cycle_id=cycle.pk, force=True),
        f"{quarter_name()}的摸排已经结束，请勿重复操作。",
    )
    assert CycleSnapshot.objects.filter(cycle=cycle).count() == 3


def test_only_the_cycle_s_own_civil_affairs_close_it(place, cycle):
    refused(
        lambda: services.cycle_close(actor=place.foreign_civil, cycle_id=cycle.pk),
        "季度摸排不存在或不在您的管辖范围内。",
        NotFound,
    )
    for user in (place.supervisor, place.director, place.leader):
        refused(
            lambda user=user: services.cycle_close(actor=user, cycle_id=cycle.pk),
            "您没有结束季度摸排的权限。",
        )
    city = make_user(Role.CIVIL_AFFAIRS, make_area("430500000000"), username="city")
    year, quarter = this_quarter()
    city_cycle = ReviewCycle.objects.create(
        area=city.area, year=year - 1, quarter=quarter, opened_by=city
    )
    refused(
        lambda: services.cycle_close(actor=place.civil, cycle_id=city_cycle.pk),
        "季度摸排不存在或不在您的管辖范围内。",
        NotFound,
    )
    assert ReviewCycle.objects.get(pk=cycle.pk).status == "open"


# The snapshot -------------------------------------------------------------------------


def test_the_snapshot_counts_each_village_s_active_children(place):
    today = timezone.localdate()
    make_child(place.village, name="留守")  # left-behind, guardian capacity 一般: 中
    make_child(place.village, name="留守好", guardian_capacity="较好")  # 低
    make_child(
        place.village,
        name="已签",
        confirmation_signed=True,
        confirmation_date=today - timedelta(days=30),
    )
    make_child(place.village, name="孤儿", **ORPHAN)
    make_child(place.village, name="事实", **DE_FACTO)
    make_child(place.village, name="低保", family_assistance=["低保"], **AT_HOME)
    make_child(
        place.village,
        name="残疾",
        health="残疾",
        disability_category="肢体",
        disability_grade="二级",
        **AT_HOME,
    )
    make_child(place.village, name="无类", **AT_HOME)
    overdue = make_child(place.village, name="逾期")
    make_visit(
        overdue, visit_date=today - timedelta(days=100), recorded_by=place.director
    )
    gone = make_child(place.village, name="退出")
    registry.child_exit(
        actor=place.director,
        child_id=gone.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=today,
    )
    make_child(place.other_village, name="邻村孤儿", **ORPHAN)
    make_child(place.foreign_village, name="外县")

    year, quarter = this_quarter()
    cycle = services.cycle_open(actor=place.civil, year=year, quarter=quarter)
    services.cycle_close(actor=place.civil, cycle_id=cycle.pk, force=True)

    snapshot = {s.village_id: s for s in CycleSnapshot.objects.filter(cycle=cycle)}
    assert set(snapshot) == {
        place.village.code,
        place.other_village.code,
        place.far_village.code,
    }
    home = snapshot[place.village.code]
    assert {
        "children": home.children,
        "orphans": home.orphans,
        "de_facto_unsupported": home.de_facto_unsupported,
        "left_behind": home.left_behind,
        "in_difficulty": home.in_difficulty,
        "difficulty_living": home.difficulty_living,
        "difficulty_self": home.difficulty_self,
        "difficulty_guardianship": home.difficulty_guardianship,
        "risk_high": home.risk_high,
        "risk_medium": home.risk_medium,
        "risk_low": home.risk_low,
        "needing_confirmation": home.needing_confirmation,
        "confirmations_signed": home.confirmations_signed,
        "overdue": home.overdue,
    } == {
        "children": 9,
        "orphans": 1,
        "de_facto_unsupported": 1,
        "left_behind": 4,  # 留守, 留守好, 已签, 逾期
        "in_difficulty": 4,  # 孤儿, 事实, 低保, 残疾
        "difficulty_living": 1,
        "difficulty_self": 1,
        "difficulty_guardianship": 2,
        "risk_high": 2,  # 孤儿, 事实 (no signed confirmation)
        "risk_medium": 5,  # 留守, 已签, 逾期, 低保, 残疾
        "risk_low": 1,  # 留守好
        "needing_confirmation": 6,  # the 4 left-behind, 孤儿 and 事实 (grandparents)
        "confirmations_signed": 1,
        "overdue": 1,
    }
    assert home.weakness_types == {"③-CB": 1}
    other = snapshot[place.other_village.code]
    assert (other.children, other.orphans, other.risk_high, other.weakness_types) == (
        1,
        1,
        1,
        {},
    )
    empty = snapshot[place.far_village.code]
    assert (empty.children, empty.weakness_types) == (0, {})


def test_the_snapshot_s_confirmation_query_follows_the_policy(place):
    relations = ["父亲", "母亲", "祖父母", "外祖父母", "兄姐", "机构", "其他", ""]
    for n, relation in enumerate(relations):
        make_child(
            place.village,
            name=f"监护{n}",
            guardian_relation=relation,
            guardian_name="某人" if relation else "",
            **{
                k: v
                for k, v in AT_HOME.items()
                if k not in ("guardian_name", "guardian_relation")
            },
        )
    make_child(place.village, name="留守父亲监护", guardian_relation="父亲")
    counts = services.snapshot_counts(place.village.code, on=timezone.localdate())
    expected = sum(
        needs_confirmation(
            left_behind=c.is_left_behind, guardian_relation=c.guardian_relation
        )
        for c in Child.objects.filter(village=place.village)
    )
    assert counts[place.village.code]["needing_confirmation"] == expected == 5


def test_the_snapshot_is_frozen(place):
    child = make_child(place.village, name="甲")
    year, quarter = this_quarter()
    cycle = services.cycle_open(actor=place.civil, year=year, quarter=quarter)
    services.cycle_close(actor=place.civil, cycle_id=cycle.pk, force=True)
    registry.child_update(
        actor=place.director,
        child_id=child.pk,
        expected_version=1,
        data=dict(AT_HOME, family_assistance=["低保"]),
    )
    frozen = CycleSnapshot.objects.get(cycle=cycle, village=place.village)
    assert (frozen.left_behind, frozen.in_difficulty) == (1, 0)
