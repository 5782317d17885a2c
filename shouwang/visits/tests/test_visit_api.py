"""The visits API (/api/visits…) through HTTP, with the pages' policy."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from shouwang.audit.models import AuditEvent
from shouwang.registry import services as registry_services
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.visits.models import Visit

from .test_visit_services import today, visit_values
from .test_visit_views import _recorded

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"detail": "未登录或登录已过期，请先登录。"}
VIEW_DENIED = {"detail": "您没有查看儿童信息的权限。"}
RECORD_DENIED = {"detail": "您没有记录走访的权限。"}
CHILD_NOT_FOUND = {"detail": "儿童记录不存在或不在您的管辖范围内。"}
VISIT_NOT_FOUND = {"detail": "走访记录不存在或不在您的管辖范围内。"}


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def child(place):
    return make_child(place.village, name="张晓明")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(**overrides) -> dict:
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in visit_values(**overrides).items()
    }


def post(client, child_id, payload) -> object:
    return client.post(
        f"/api/visits/children/{child_id}",
        json.dumps(payload) if not isinstance(payload, str) else payload,
        content_type="application/json",
    )


# Who may call ----------------------------------------------------------------------


def test_anonymous_callers_get_401(place, child):
    visit = _recorded(place, child)
    client = Client()
    assert client.get(f"/api/visits/children/{child.pk}").json() == UNAUTHENTICATED
    assert client.get(f"/api/visits/{visit.pk}").status_code == 401
    response = post(client, child.pk, body())
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("who", ["leader", "department", "admin"])
def test_roles_without_casework_get_403(place, child, who):
    visit = _recorded(place, child)
    client = _client(getattr(place, who))
    listed = client.get(f"/api/visits/children/{child.pk}")
    assert (listed.status_code, listed.json()) == (403, VIEW_DENIED)
    one = client.get(f"/api/visits/{visit.pk}")
    assert (one.status_code, one.json()) == (403, VIEW_DENIED)
    recorded = post(client, child.pk, body())
    assert (recorded.status_code, recorded.json()) == (403, RECORD_DENIED)
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("who", ["other_director", "foreign_director", "foreign_civil"])
def test_a_child_or_visit_elsewhere_is_404_like_a_missing_one(place, child, who):
    visit = _recorded(place, child)
    client = _client(getattr(place, who))
    missing = Child.objects.order_by("-pk").first().pk + 100
    for child_id in (child.pk, missing):
        listed = client.get(f"/api/visits/children/{child_id}")
        assert (listed.status_code, listed.json()) == (404, CHILD_NOT_FOUND)
        # Whatever the body, a child elsewhere is not found first.
        recorded = post(client, child_id, "not json")
        assert (recorded.status_code, recorded.json()) == (404, CHILD_NOT_FOUND)
    for visit_id in (visit.pk, visit.pk + 100):
        one = client.get(f"/api/visits/{visit_id}")
        assert (one.status_code, one.json()) == (404, VISIT_NOT_FOUND)
    assert Visit.objects.count() == 1


# Reading ---------------------------------------------------------------------------


def test_a_childs_visits_newest_first_with_their_files(place, child):
    older = _recorded(place, child, visit_date=today() - timedelta(days=9))
    newer = _recorded(
        place, child, emotion="需关注", emotion_note="想念父母", measures="视频通话"
    )
    response = _client(place.supervisor).get(f"/api/visits/children/{child.pk}")
    assert response.status_code == 200
    items = response.json()
    assert [item["id"] for item in items] == [newer.pk, older.pk]
    first = items[0]
    assert first["child"] == child.pk
    assert first["village"] == place.village.code
    assert first["visit_date"] == today().isoformat()
    assert (first["emotion"], first["emotion_note"]) == ("需关注", "想念父母")
    assert first["recorded_by"] == "主任张"
    png, pdf = newer.attachments.all()
    assert first["attachments"] == [
        {
            "id": png.pk,
            "name": "屋顶.png",
            "content_type": "image/png",
            "size": png.size,
            "url": f"/visits/attachments/{png.pk}/",
        },
        {
            "id": pdf.pk,
            "name": "确认书.pdf",
            "content_type": "application/pdf",
            "size": pdf.size,
            "url": f"/visits/attachments/{pdf.pk}/",
        },
    ]
    paged = _client(place.supervisor).get(
        f"/api/visits/children/{child.pk}?limit=1&offset=1"
    )
    assert [item["id"] for item in paged.json()] == [older.pk]
    one = _client(place.civil).get(f"/api/visits/{older.pk}")
    assert one.status_code == 200
    assert one.json()["visit_date"] == (today() - timedelta(days=9)).isoformat()


# Recording -------------------------------------------------------------------------


def test_recording_answers_201_with_the_visit_and_the_new_due_date(place, child):
    soon = today() + timedelta(days=4)
    response = post(
        _client(place.director),
        child.pk,
        body(
            mode="电话",
            safety="有问题",
            safety_note="独自下河游泳",
            followup_needed=True,
            followup_due=soon,
        ),
    )
    assert response.status_code == 201
    answer = response.json()
    visit = Visit.objects.get()
    assert answer["visit"]["id"] == visit.pk
    assert answer["visit"]["mode"] == "电话"
    assert answer["visit"]["attachments"] == []
    assert answer["next_visit_due"] == soon.isoformat()
    assert Child.objects.get(pk=child.pk).next_visit_due == soon
    assert AuditEvent.objects.filter(action="visit.record").count() == 1


def test_every_problem_is_listed_in_chinese_by_field(place, child):
    response = post(
        _client(place.director),
        child.pk,
        {
            "visit_date": (today() + timedelta(days=1)).isoformat(),
            "mode": "上门",
            "visitors": "主任张",
            "guardianship": "正常",
            "living": "需关注",
            "study": "正常",
            "safety": "正常",
            "problems": "问" * 2001,
            "followup_needed": True,
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "请求参数有误。",
        "errors": [
            {
                "field": "visit_date",
                "message": f"走访日期不能晚于今天（{today().isoformat()}）："
                "请填写实际走访的日期。",
            },
            {
                "field": "mode",
                "message": "走访方式“上门”不是可选的值，应为：入户、电话、视频、在校。",
            },
            {"field": "met", "message": "请填写见到的人。"},
            {
                "field": "living_note",
                "message": "生活情况为“需关注”：请在“生活情况说明”中写明具体情况。",
            },
            {
                "field": "emotion",
                "message": "请选择心理情感情况：正常、需关注或有问题。",
            },
            {"field": "problems", "message": "发现的问题最多2000个字，当前2001个。"},
            {"field": "followup_due", "message": "已选择需要跟进：请填写跟进期限。"},
        ],
    }
    assert not Visit.objects.exists()


def test_a_date_before_birth_is_refused(place, child):
    before = (child.birth_date - timedelta(days=1)).isoformat()
    response = post(_client(place.director), child.pk, body() | {"visit_date": before})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "visit_date",
            "message": f"走访日期不能早于儿童的出生日期（{child.birth_date.isoformat()}）。",
        }
    ]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ("{not json", [{"field": "", "message": "请求内容不是有效的 JSON。"}]),
        ("[1, 2]", [{"field": "", "message": "请求内容应为 JSON 对象。"}]),
        (
            {"visit_date": "明天", "followup_needed": "也许", "met": 5, "photo": "x"},
            [
                {
                    "field": "visit_date",
                    "message": "走访日期应为日期，格式如 2026-01-31。",
                },
                {"field": "met", "message": "见到的人应为字符串。"},
                {"field": "followup_needed", "message": "需要跟进应为 true 或 false。"},
                {"field": "photo", "message": "不认识的字段“photo”：请核对字段名。"},
            ],
        ),
    ],
)
def test_a_body_of_the_wrong_shape_is_named(place, child, payload, errors):
    response = post(_client(place.director), child.pk, payload)
    assert response.status_code == 422
    assert response.json() == {"detail": "请求参数有误。", "errors": errors}
    assert not Visit.objects.exists()


def test_an_exited_child_gets_no_visit(place, child):
    registry_services.child_exit(
        actor=place.civil,
        child_id=child.pk,
        expected_version=child.version,
        reason="父母返乡/监护恢复",
        exit_date=today(),
    )
    response = post(_client(place.director), child.pk, body())
    assert response.status_code == 422
    assert response.json() == {
        "detail": "该儿童已退出儿童信息库，不能记录走访：如需走访，请先重新纳入。",
        "errors": [],
    }
    assert not Visit.objects.exists()
