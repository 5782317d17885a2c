"""The worklists API: the worklist, rates, the policy, and every denied path."""

import json

import pytest
from django.test import Client

from shouwang.audit.models import AuditEvent
from shouwang.registry.models import Child, VisitPolicy
from shouwang.registry.tests.factories import make_place

from .test_schedule_selectors import TODAY, build_ledger, days

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def ledger(place):
    return build_ledger(place)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _put(client, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.put(url, data, content_type="application/json")


def _policy_url(place, county=None) -> str:
    return f"/api/worklists/policy/{(county or place.county).code}"


GOOD = {"high_days": 5, "medium_days": 14, "low_days": 60}


def test_anonymous_callers_get_401(place):
    for url in ("/api/worklists/due", "/api/worklists/overdue", _policy_url(place)):
        response = Client().get(url)
        assert response.status_code == 401
        assert response.json() == {"detail": "未登录或登录已过期，请先登录。"}
    assert _put(Client(), _policy_url(place), GOOD).status_code == 401


def test_the_worklist_in_order_with_counts(place, ledger):
    body = _client(place.director).get("/api/worklists/due").json()
    assert body["as_of"] == TODAY.isoformat()
    assert body["counts"] == {"overdue": 2, "today": 1, "soon": 2}
    assert body["total"] == 5
    first = body["items"][0]
    child = ledger["逾期十"]
    assert first == {
        "id": child.pk,
        "name": "逾期十",
        "village_code": place.village.code,
        "village_name": "守望村",
        "risk_level": "中",
        "last_visit_date": days(-40).isoformat(),
        "due_date": days(-10).isoformat(),
        "status": "overdue",
        "status_text": "逾期10天",
    }
    assert [i["status_text"] for i in body["items"]] == [
        "逾期10天",
        "逾期3天",
        "今天",
        "5天后",
        "7天后",
    ]
    page = _client(place.director).get("/api/worklists/due?limit=2&offset=2").json()
    assert [i["name"] for i in page["items"]] == ["今天", "五天后"]


@pytest.mark.parametrize("who", ["leader", "department", "admin"])
def test_the_worklist_is_refused_without_casework(place, ledger, who):
    response = _client(getattr(place, who)).get("/api/worklists/due")
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有查看儿童信息的权限。"}


def test_rates_for_a_county_and_a_drill_down(place, ledger):
    client = _client(place.leader)
    body = client.get("/api/worklists/overdue").json()
    assert body["area_code"] == place.county.code
    assert [(r["name"], r["overdue"], r["rate"]) for r in body["rows"]] == [
        ("守望镇", 3, 37.5),
        ("青石镇", 1, 100.0),
    ]
    assert body["total"]["rate"] == 44.4
    body = client.get(f"/api/worklists/overdue?area={place.township.code}").json()
    assert [r["code"] for r in body["rows"]] == [
        place.village.code,
        place.other_village.code,
    ]
    assert "逾期十" not in json.dumps(body, ensure_ascii=False)


def test_rates_refuse_a_bad_code_a_foreign_area_and_roles_without_stats(place, ledger):
    client = _client(place.supervisor)
    response = client.get("/api/worklists/overdue?area=4305")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "请求参数有误。",
        "errors": [
            {"field": "area", "message": "区划代码应为12位数字，如 430524101000。"}
        ],
    }
    for code in (place.foreign_village.code, place.other_township.code):
        response = client.get(f"/api/worklists/overdue?area={code}")
        assert response.status_code == 404
        assert response.json() == {"detail": "区划不存在或不在您的管辖范围内。"}
    for who in (place.department, place.admin):
        response = _client(who).get("/api/worklists/overdue")
        assert response.status_code == 403
        assert response.json() == {"detail": "您没有查看统计数字的权限。"}


def test_reading_the_policy(place):
    body = _client(place.director).get(_policy_url(place)).json()
    assert body | {"updated_at": None} == {
        "county_code": place.county.code,
        "county_name": "隆回县",
        "high_days": 7,
        "medium_days": 30,
        "low_days": 90,
        "is_default": True,
        "updated_at": None,
        "updated_by": "",
    }
    response = _client(place.director).get(_policy_url(place, place.foreign_county))
    assert response.status_code == 404
    assert response.json() == {"detail": "县（市、区）不存在或不在您的管辖范围内。"}
    response = _client(place.department).get(_policy_url(place))
    assert response.status_code == 403


def test_setting_the_policy_reschedules_the_county(
    place, ledger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _put(_client(place.civil), _policy_url(place), GOOD)
    assert response.status_code == 200
    body = response.json()
    assert (body["high_days"], body["medium_days"], body["is_default"]) == (
        5,
        14,
        False,
    )
    assert body["updated_by"] == "民政王"
    # 逾期三 was visited 33 days ago: with 14 days it is 19 days overdue.
    assert Child.objects.get(pk=ledger["逾期三"].pk).next_visit_due == days(-19)
    assert AuditEvent.objects.filter(action="visit_policy.set").count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"high_days": 0, "medium_days": 14, "low_days": 60},
            [("high_days", "风险高儿童的走访间隔应为1至7天的整数，当前为0天。")],
        ),
        (
            {"high_days": 5, "medium_days": 14.5, "low_days": "60"},
            [
                ("medium_days", "风险中儿童的走访间隔应为整数天数。"),
                ("low_days", "风险低儿童的走访间隔应为整数天数。"),
            ],
        ),
        (
            {"high_days": 5, "medium_days": 14},
            [("low_days", "请填写风险低儿童的走访间隔（整数天数）。")],
        ),
        (
            {**GOOD, "weekly": True},
            [("weekly", "不认识的字段“weekly”：请核对字段名。")],
        ),
        ("{", [("", "请求内容不是有效的 JSON。")]),
    ],
)
def test_a_bad_policy_is_refused_by_field(place, body, errors):
    response = _put(_client(place.civil), _policy_url(place), body)
    assert response.status_code == 422
    found = [(e["field"], e["message"]) for e in response.json()["errors"]]
    assert found == errors
    assert not VisitPolicy.objects.exists()


def test_setting_the_policy_is_refused_to_others_and_for_a_foreign_county(place):
    for who in (place.supervisor, place.director, place.leader, place.admin):
        response = _put(_client(who), _policy_url(place), GOOD)
        assert response.status_code == 403
        assert response.json() == {"detail": "您没有设置走访间隔的权限。"}
    for county in (place.foreign_county, place.township):
        response = _put(_client(place.civil), _policy_url(place, county), GOOD)
        assert response.status_code == 404
        assert response.json() == {"detail": "县（市、区）不存在或不在您的管辖范围内。"}
    # Even a bad body answers 404 for a foreign county.
    response = _put(_client(place.civil), _policy_url(place, place.foreign_county), "{")
    assert response.status_code == 404
    assert not VisitPolicy.objects.exists()
