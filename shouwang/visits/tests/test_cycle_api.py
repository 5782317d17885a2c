"""The quarterly review cycle's API (/api/cycles…) through HTTP: the same policy as the
pages, with 401/403/404/409/422 and their Chinese details."""

import json

import pytest
from django.test import Client

from shouwang.accounts.models import Role
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import ORPHAN, make_child, make_place
from shouwang.visits.models import ReviewCycle, VillageReview
from shouwang.visits.services import cycle as services
from tests.factories import make_area, make_user

from .test_cycle_services import quarter_name, this_quarter

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"detail": "未登录或登录已过期，请先登录。"}
REVIEW_NOT_FOUND = {"detail": "村摸排记录不存在或不在您的管辖范围内。"}
CYCLE_NOT_FOUND = {"detail": "季度摸排不存在或不在您的管辖范围内。"}


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


def _client(user=None) -> Client:
    client = Client()
    if user:
        client.force_login(user)
    return client


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def review_of(cycle, village) -> VillageReview:
    return VillageReview.objects.get(cycle=cycle, village=village)


def _operations(cycle, review, child):
    base = f"/api/cycles/reviews/{review.pk}"
    return [
        ("get", "/api/cycles", None),
        ("post", "/api/cycles", {"year": 2026, "quarter": 1}),
        ("get", f"/api/cycles/{cycle.pk}", None),
        ("post", f"/api/cycles/{cycle.pk}/close", {"force": True}),
        ("get", base, None),
        ("post", f"{base}/children/{child.pk}", {"outcome": "unchanged"}),
        ("post", f"{base}/confirm-unchanged", {"child_ids": [child.pk]}),
        ("post", f"{base}/submit", {"version": 1}),
        ("post", f"{base}/approve", {"version": 1}),
        ("post", f"{base}/return", {"version": 1, "comment": "x"}),
    ]


def _call(client, method, url, body):
    return client.get(url) if method == "get" else _post(client, url, body)


def test_anonymous_callers_are_told_to_sign_in(place, cycle):
    review = review_of(cycle, place.village)
    for method, url, body in _operations(cycle, review, Child.objects.first()):
        response = _call(Client(), method, url, body)
        assert response.status_code == 401, url
        assert response.json() == UNAUTHENTICATED


def test_roles_without_the_permission_get_403(place, cycle):
    review = review_of(cycle, place.village)
    child = Child.objects.get(name="甲")
    for user in (place.leader, place.department):
        for method, url, body in _operations(cycle, review, child):
            response = _call(_client(user), method, url, body)
            assert response.status_code == 403, (user, url)
    client = _client(place.leader)
    assert client.get("/api/cycles").json() == {"detail": "您没有查看季度摸排的权限。"}
    director = _client(place.director)
    assert _post(director, "/api/cycles", {"year": 2026, "quarter": 1}).json() == {
        "detail": "您没有发起或结束季度摸排的权限。"
    }
    assert _post(
        director, f"/api/cycles/reviews/{review.pk}/approve", {"version": 1}
    ).json() == {"detail": "您没有审核村摸排的权限。"}
    assert _post(
        _client(place.civil),
        f"/api/cycles/reviews/{review.pk}/children/{child.pk}",
        {"outcome": "unchanged"},
    ).json() == {"detail": "您没有确认摸排结果、提交村摸排的权限。"}
    assert not review.children.exists()


def test_other_jurisdictions_get_404(place, cycle):
    review = review_of(cycle, place.village)
    child = Child.objects.get(name="甲")
    other_supervisor = make_user(
        Role.SUPERVISOR, place.other_township, username="qingshi_dd"
    )
    foreign_supervisor = make_user(
        Role.SUPERVISOR, make_area("430525911000"), username="wx_dd"
    )
    client = _client(place.foreign_civil)
    assert client.get(f"/api/cycles/{cycle.pk}").json() == CYCLE_NOT_FOUND
    assert _post(client, f"/api/cycles/{cycle.pk}/close", {"force": True}).json() == (
        CYCLE_NOT_FOUND
    )
    assert client.get(f"/api/cycles/reviews/{review.pk}").status_code == 404
    for user in (place.other_director, place.foreign_director):
        response = _post(
            _client(user),
            f"/api/cycles/reviews/{review.pk}/children/{child.pk}",
            {"outcome": "unchanged"},
        )
        assert (response.status_code, response.json()) == (404, REVIEW_NOT_FOUND)
    for user in (other_supervisor, foreign_supervisor, place.foreign_civil):
        response = _post(
            _client(user), f"/api/cycles/reviews/{review.pk}/approve", {"version": 1}
        )
        assert (response.status_code, response.json()) == (404, REVIEW_NOT_FOUND)
    assert client.get("/api/cycles").json() == []
    assert not review.children.exists()


def test_a_full_cycle_through_the_api(place):
    civil, director, supervisor = (
        _client(place.civil),
        _client(place.director),
        _client(place.supervisor),
    )
    make_child(place.village, name="甲")
    make_child(place.village, name="乙", **ORPHAN)
    year, quarter = this_quarter()
    opened = _post(civil, "/api/cycles", {"year": year, "quarter": quarter})
    assert opened.status_code == 201
    body = opened.json()
    assert (body["area"], body["name"], body["status"], body["opened_by"]) == (
        place.county.code,
        quarter_name(),
        "open",
        "民政王",
    )
    again = _post(civil, "/api/cycles", {"year": year, "quarter": quarter})
    assert again.status_code == 422
    assert again.json() == {
        "detail": f"{quarter_name()}的摸排已经发起，不能重复发起。",
        "errors": [
            {
                "field": "quarter",
                "message": f"{quarter_name()}的摸排已经发起，不能重复发起。",
            }
        ],
    }
    cycle_id = body["id"]
    assert [c["id"] for c in director.get("/api/cycles").json()] == [cycle_id]

    progress = director.get(f"/api/cycles/{cycle_id}").json()
    assert [
        (t["name"], t["villages"], t["children"]) for t in progress["townships"]
    ] == [("守望镇", 1, 2)]
    assert progress["snapshot"] is None

    review = review_of(ReviewCycle.objects.get(pk=cycle_id), place.village)
    base = f"/api/cycles/reviews/{review.pk}"
    detail = director.get(base).json()
    assert (detail["status"], detail["version"], detail["remaining"]) == (
        "pending",
        1,
        2,
    )
    first, second = detail["children"]
    assert (first["name"], first["confirmed"], first["outcome"]) == ("甲", False, None)

    refused = _post(director, f"{base}/children/{first['id']}", {"outcome": "updated"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "outcome"
    confirmed = _post(
        director, f"{base}/children/{first['id']}", {"outcome": "unchanged"}
    )
    assert confirmed.status_code == 200
    assert (confirmed.json()["confirmed"], confirmed.json()["outcome"]) == (
        True,
        "unchanged",
    )
    early = _post(director, f"{base}/submit", {"version": 1})
    assert (early.status_code, early.json()["detail"]) == (
        422,
        "还有 1 名儿童未确认：请逐一确认（无变化、已更新或已退出）后再提交。",
    )
    rest = _post(
        director,
        f"{base}/confirm-unchanged",
        {"child_ids": [first["id"], second["id"]]},
    )
    assert rest.json() == {"confirmed": 1, "remaining": 0}
    sent = _post(director, f"{base}/submit", {"version": 1})
    assert (sent.status_code, sent.json()["status"], sent.json()["version"]) == (
        200,
        "submitted",
        2,
    )
    twice = _post(director, f"{base}/submit", {"version": 1})
    assert (twice.status_code, twice.json()["detail"]) == (
        422,
        "该村已提交，等待乡镇审核，请勿重复提交。",
    )
    stale = _post(supervisor, f"{base}/approve", {"version": 1})
    assert stale.status_code == 409
    assert stale.json()["detail"] == (
        "操作未完成：在您打开页面之后，该村的摸排状态已变为“待审核”。请刷新页面后再操作。"
    )
    assert stale.json()["current"]["version"] == 2
    no_comment = _post(supervisor, f"{base}/return", {"version": 2, "comment": " "})
    assert no_comment.status_code == 422
    assert no_comment.json()["errors"] == [
        {"field": "comment", "message": "请填写退回意见，说明需要核实或修改什么。"}
    ]
    returned = _post(
        supervisor, f"{base}/return", {"version": 2, "comment": "请核实乙"}
    )
    assert (returned.json()["status"], returned.json()["comment"]) == (
        "returned",
        "请核实乙",
    )
    assert _post(director, f"{base}/submit", {"version": 3}).json()["status"] == (
        "submitted"
    )
    approved = _post(supervisor, f"{base}/approve", {"version": 4})
    assert (approved.json()["status"], approved.json()["reviewed_by"]) == (
        "approved",
        "督导李",
    )
    history = director.get(base).json()["history"]
    assert [(h["action"], h["comment"]) for h in history] == [
        ("提交", ""),
        ("退回", "请核实乙"),
        ("提交", ""),
        ("审核通过", ""),
    ]

    unforced = _post(civil, f"/api/cycles/{cycle_id}/close", {})
    assert unforced.status_code == 422
    assert unforced.json()["detail"] == "还有 2 个村未审核通过；确认要结束吗？"
    closed = _post(civil, f"/api/cycles/{cycle_id}/close", {"force": True})
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    snapshot = civil.get(f"/api/cycles/{cycle_id}").json()["snapshot"]
    assert snapshot["total"]["counts"]["children"] == 2
    assert snapshot["total"]["counts"]["orphans"] == 1
    late = _post(director, f"{base}/children/{first['id']}", {"outcome": "unchanged"})
    assert late.json()["detail"] == f"{quarter_name()}的摸排已结束，不能再修改。"


def test_bodies_are_checked_field_by_field(place, cycle):
    review = review_of(cycle, place.village)
    client = _client(place.civil)
    response = _post(client, "/api/cycles", {"year": "明年", "extra": 1})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "year", "message": "年度应为整数。"},
        {"field": "quarter", "message": "请填写季度。"},
        {"field": "extra", "message": "不认识的字段“extra”：请核对字段名。"},
    ]
    response = client.post(
        f"/api/cycles/reviews/{review.pk}/approve",
        "{not json",
        content_type="application/json",
    )
    assert response.json()["errors"] == [
        {"field": "", "message": "请求内容不是有效的 JSON。"}
    ]
    response = _post(
        _client(place.director), f"/api/cycles/reviews/{review.pk}/submit", {}
    )
    assert response.json()["errors"] == [
        {"field": "version", "message": "请填写版本号。"}
    ]
