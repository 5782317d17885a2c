"""The quarterly review cycle's pages through HTTP: who may open them, opening a cycle,
the progress page, a village's checklist with htmx rows, submit, approve, return,
and closing with its confirmation step and the frozen snapshot."""

import html

import pytest
from django.test import Client

from shouwang.accounts.models import Role
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import ORPHAN, make_child, make_place
from shouwang.visits.models import CycleSnapshot, ReviewCycle, VillageReview
from shouwang.visits.services import cycle as services
from tests.factories import make_area, make_user

from .test_cycle_services import quarter_name, this_quarter

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def cycle(place):
    make_child(place.village, name="甲")
    make_child(place.village, name="乙", **ORPHAN)
    make_child(place.other_village, name="丙")
    year, quarter = this_quarter()
    return services.cycle_open(actor=place.civil, year=year, quarter=quarter)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def review_of(cycle, village) -> VillageReview:
    return VillageReview.objects.get(cycle=cycle, village=village)


def _urls(cycle, review, child) -> list[tuple[str, str]]:
    base = f"/visits/cycles/reviews/{review.pk}/"
    return [
        ("get", "/visits/cycles/"),
        ("get", f"/visits/cycles/{cycle.pk}/"),
        ("post", f"/visits/cycles/{cycle.pk}/close/"),
        ("get", base),
        ("post", f"{base}children/{child.pk}/"),
        ("post", f"{base}confirm-all/"),
        ("post", f"{base}submit/"),
        ("post", f"{base}approve/"),
        ("post", f"{base}return/"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(place, cycle):
    review = review_of(cycle, place.village)
    for method, url in _urls(cycle, review, Child.objects.first()):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_leaders_and_departments_are_refused_every_page(place, cycle):
    review = review_of(cycle, place.village)
    for user in (place.leader, place.department, place.admin):
        client = _client(user)
        for method, url in _urls(cycle, review, Child.objects.first()):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404), (user, url)
            if response.status_code == 403:
                assert FORBIDDEN in _text(response)
    assert VillageReview.objects.get(pk=review.pk).status == "pending"


def test_other_jurisdictions_answer_like_missing_records(place, cycle):
    review = review_of(cycle, place.village)
    child = Child.objects.get(name="甲")
    other_supervisor = make_user(
        Role.SUPERVISOR, place.other_township, username="qingshi_dd"
    )
    for user in (place.foreign_civil, place.foreign_director):
        client = _client(user)
        for method, url in _urls(cycle, review, child)[1:]:
            response = getattr(client, method)(url)
            if method == "get":
                assert response.status_code == 404, (user, url)
                assert NOT_FOUND in _text(response)
            else:  # the role's own permission is checked first
                assert response.status_code in (403, 404), (user, url)
    for user in (place.other_director, other_supervisor):
        client = _client(user)
        for method, url in _urls(cycle, review, child)[3:]:
            response = getattr(client, method)(
                url, {"version": 1, "outcome": "unchanged"}
            )
            assert response.status_code in (403, 404), (user, url)
    assert not review.children.exists()


def test_the_list_shows_the_county_s_cycles_and_civil_affairs_open_one(place):
    client = _client(place.civil)
    page = _text(client.get("/visits/cycles/"))
    assert "发起季度摸排" in page and "还没有季度摸排。" in page
    year, quarter = this_quarter()
    response = client.post("/visits/cycles/", {"year": year, "quarter": quarter})
    cycle = ReviewCycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/visits/cycles/{cycle.pk}/"
    detail = client.get(response["Location"])
    assert _messages(detail) == [
        f"已发起隆回县{quarter_name()}的摸排，请各村儿童主任逐一确认本村儿童并提交。"
    ]
    # Submitting twice: the message, on the form.
    again = client.post("/visits/cycles/", {"year": year, "quarter": quarter})
    assert again.status_code == 200
    assert f"{quarter_name()}的摸排已经发起，不能重复发起。" in _text(again)
    assert ReviewCycle.objects.count() == 1
    bad = client.post("/visits/cycles/", {"year": "明年", "quarter": "9"})
    text = _text(bad)
    assert "年度应为四位数字，如 2026。" in text
    assert "“9”不是可选的季度：请选择第1至第4季度。" in text
    # A director sees the county's cycle, without the form; cannot open one.
    director = _client(place.director)
    page = _text(director.get("/visits/cycles/"))
    assert f"隆回县 {quarter_name()}" in page and "发起摸排" not in page
    assert (
        director.post("/visits/cycles/", {"year": year, "quarter": 1}).status_code
        == 403
    )
    # Another county sees none of it.
    assert "隆回县" not in _text(_client(place.foreign_civil).get("/visits/cycles/"))


def test_province_staff_follow_cycles_but_get_no_open_form(place):
    province = make_user(Role.CIVIL_AFFAIRS, make_area("430000000000", "湖南省"))
    client = _client(province)
    assert "发起季度摸排" not in _text(client.get("/visits/cycles/"))
    year, quarter = this_quarter()
    refused = client.post("/visits/cycles/", {"year": year, "quarter": quarter})
    assert "季度摸排由县级或市级民政部门发起：您的账号不属于县或市。" in _text(refused)
    assert not ReviewCycle.objects.exists()


def test_the_progress_page_by_township(place, cycle):
    review = review_of(cycle, place.village)
    services.child_confirm(
        actor=place.director,
        village_review_id=review.pk,
        child_id=Child.objects.get(name="甲").pk,
        outcome="unchanged",
    )
    response = _client(place.civil).get(f"/visits/cycles/{cycle.pk}/")
    assert response.status_code == 200
    progress = response.context["progress"]
    assert [
        (r.name, r.villages, r.pending, r.children, r.confirmed) for r in progress.rows
    ] == [
        ("守望镇", 2, 2, 3, 1),
        ("青石镇", 1, 1, 0, 0),
    ]
    assert (
        progress.total.villages,
        progress.total.children,
        progress.total.to_confirm,
    ) == (
        3,
        3,
        2,
    )
    text = _text(response)
    assert "结束摸排…" in text
    # The supervisor sees their township only, and its villages to act on.
    response = _client(place.supervisor).get(f"/visits/cycles/{cycle.pk}/")
    assert [r.name for r in response.context["progress"].rows] == ["守望镇"]
    assert [r.village_id for r in response.context["villages"]] == [
        place.village.code,
        place.other_village.code,
    ]
    assert "结束摸排" not in _text(response)
    # The director: their own village's link.
    response = _client(place.director).get(f"/visits/cycles/{cycle.pk}/")
    assert [r.pk for r in response.context["villages"]] == [review.pk]
    assert f"/visits/cycles/reviews/{review.pk}/" in _text(response)


def test_the_director_confirms_rows_with_htmx(place, cycle):
    review = review_of(cycle, place.village)
    child = Child.objects.get(name="甲")
    client = _client(place.director)
    page = client.get(f"/visits/cycles/reviews/{review.pk}/")
    assert [row.child.name for row in page.context["rows"]] == ["甲", "乙"]
    assert "还有 2 名未确认" in _text(page)
    url = f"/visits/cycles/reviews/{review.pk}/children/{child.pk}/"
    row = client.post(url, {"outcome": "unchanged"}, HTTP_HX_REQUEST="true")
    text = _text(row)
    assert row.status_code == 200
    assert f'id="cycle-child-{child.pk}"' in text and "✓ 无变化" in text
    assert 'hx-swap-oob="true"' in text and "还有 1 名未确认" in text
    refused = client.post(url, {"outcome": "updated"}, HTTP_HX_REQUEST="true")
    assert (
        "本次摸排开始后，甲 的信息没有修改记录：如有变化，请先在儿童信息库中修改其信息，"
        "再确认为“已更新”；没有变化请选“无变化”。"
    ) in _text(refused)
    assert "✓ 无变化" in _text(refused)  # the earlier word stands
    refused = client.post(url, {"outcome": "exited"}, HTTP_HX_REQUEST="true")
    assert "甲 仍在册：如已不符合条件，请先在儿童信息库中为其办理退出" in _text(refused)
    bad = client.post(url, {"outcome": "x"}, HTTP_HX_REQUEST="true")
    assert "摸排结果应为：无变化、已更新或已退出。" in _text(bad)
    # Without htmx: back to the page with the message.
    plain = client.post(url, {"outcome": "exited"})
    assert plain.status_code == 302
    # A child of another village is not on this list.
    other = Child.objects.get(name="丙")
    response = client.post(
        f"/visits/cycles/reviews/{review.pk}/children/{other.pk}/",
        {"outcome": "unchanged"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 404
    assert not review.children.filter(child=other).exists()


def test_confirm_all_then_submit_then_submit_again(place, cycle):
    review = review_of(cycle, place.village)
    client = _client(place.director)
    base = f"/visits/cycles/reviews/{review.pk}/"
    early = client.post(f"{base}submit/", {"version": 1}, follow=True)
    assert _messages(early) == [
        "还有 2 名儿童未确认：请逐一确认（无变化、已更新或已退出）后再提交。"
    ]
    ids = list(Child.objects.filter(village=place.village).values_list("pk", flat=True))
    done = client.post(f"{base}confirm-all/", {"child": ids}, follow=True)
    assert _messages(done) == ["已确认 2 名儿童无变化。"]
    assert "已全部确认" in _text(done)
    sent = client.post(f"{base}submit/", {"version": 1}, follow=True)
    assert _messages(sent) == ["守望村的摸排已提交，等待乡镇审核。"]
    assert VillageReview.objects.get(pk=review.pk).status == "submitted"
    again = client.post(f"{base}submit/", {"version": 1}, follow=True)
    assert _messages(again) == ["该村已提交，等待乡镇审核，请勿重复提交。"]
    missing = client.post(f"{base}submit/", {}, follow=True)
    assert _messages(missing) == ["请求缺少版本号，请刷新页面后重试。"]
    page = _text(again)
    assert "全部确认无变化" not in page and "提交乡镇审核" not in page
    assert "提交</strong>" in page and "主任张" in page


def test_the_supervisor_returns_with_a_comment_then_approves(place, cycle):
    review = review_of(cycle, place.village)
    director, supervisor = _client(place.director), _client(place.supervisor)
    base = f"/visits/cycles/reviews/{review.pk}/"
    ids = list(Child.objects.filter(village=place.village).values_list("pk", flat=True))
    director.post(f"{base}confirm-all/", {"child": ids})
    director.post(f"{base}submit/", {"version": 1})
    page = _text(supervisor.get(base))
    assert "审核通过" in page and "退回意见" in page
    empty = supervisor.post(f"{base}return/", {"version": 2, "comment": ""})
    assert empty.status_code == 400
    assert "请填写退回意见，说明需要核实或修改什么。" in _text(empty)
    returned = supervisor.post(
        f"{base}return/", {"version": 2, "comment": "乙的监护人电话请核实"}, follow=True
    )
    assert _messages(returned) == [
        "已退回守望村的摸排，儿童主任将按意见核实后重新提交。"
    ]
    page = _text(director.get(base))
    assert "乡镇退回意见：" in page and "乙的监护人电话请核实" in page
    assert "意见：乙的监护人电话请核实" in page and "督导李" in page
    stale = supervisor.post(f"{base}approve/", {"version": 2}, follow=True)
    assert _messages(stale) == ["该村已退回，等待儿童主任重新提交。"]
    director.post(f"{base}submit/", {"version": 3})
    approved = supervisor.post(f"{base}approve/", {"version": 4}, follow=True)
    assert _messages(approved) == ["守望村的摸排已审核通过。"]
    assert VillageReview.objects.get(pk=review.pk).status == "approved"
    history = approved.context["history"]
    assert [e.action for e in history] == ["提交", "退回", "提交", "审核通过"]


def test_a_supervisor_of_another_township_approving_gets_not_found(place, cycle):
    review = review_of(cycle, place.village)
    ids = list(Child.objects.filter(village=place.village).values_list("pk", flat=True))
    services.children_confirm_unchanged(
        actor=place.director, village_review_id=review.pk, child_ids=ids
    )
    services.village_submit(
        actor=place.director, village_review_id=review.pk, expected_version=1
    )
    other = make_user(Role.SUPERVISOR, place.other_township, username="qingshi_dd")
    foreign = make_user(Role.SUPERVISOR, make_area("430525911000"), username="wx_dd")
    for user in (other, foreign):
        response = _client(user).post(
            f"/visits/cycles/reviews/{review.pk}/approve/", {"version": 2}
        )
        assert response.status_code == 404
        assert NOT_FOUND in _text(response)
    assert VillageReview.objects.get(pk=review.pk).status == "submitted"


def test_closing_asks_again_then_shows_the_snapshot(place, cycle):
    client = _client(place.civil)
    url = f"/visits/cycles/{cycle.pk}/close/"
    first = client.post(url)
    assert first.status_code == 200
    assert "还有 3 个村未审核通过；确认要结束吗？" in _text(first)
    assert "仍然结束" in _text(first)
    assert ReviewCycle.objects.get(pk=cycle.pk).status == "open"
    closed = client.post(url, {"force": "1"}, follow=True)
    assert _messages(closed) == [
        f"{quarter_name()}的摸排已结束，各村的统计数已冻结为快照。"
    ]
    assert CycleSnapshot.objects.filter(cycle=cycle).count() == 3
    snapshot = closed.context["snapshot"]
    assert [
        (r.name, r.counts["children"], r.counts["orphans"]) for r in snapshot.rows
    ] == [
        ("守望镇", 3, 1),
        ("青石镇", 0, 0),
    ]
    assert snapshot.total.counts["left_behind"] == 2
    text = _text(closed)
    assert "结束时冻结的统计快照" in text and "结束摸排" not in text
    # Children to confirm would follow today's ledger: a closed cycle leaves it out.
    assert '<th class="text-end">待确认</th>' not in text
    assert "摸排已结束：“待确认”会随以后的登记和退出变化，不再显示" in text
    again = client.post(url, {"force": "1"}, follow=True)
    assert _messages(again) == [f"{quarter_name()}的摸排已经结束，请勿重复操作。"]
    # Writes on a closed cycle are refused with the message.
    review = review_of(cycle, place.village)
    refused = _client(place.director).post(
        f"/visits/cycles/reviews/{review.pk}/submit/", {"version": 1}, follow=True
    )
    assert _messages(refused) == [f"{quarter_name()}的摸排已结束，不能再修改。"]
    # The director sees their village's frozen counts only.
    mine = _client(place.director).get(f"/visits/cycles/{cycle.pk}/")
    assert mine.context["snapshot"].total.counts["children"] == 2
    assert _client(place.supervisor).post(url, {"force": "1"}).status_code == 403
