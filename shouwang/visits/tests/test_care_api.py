"""The responsibility and confirmation API (/api/care…) through HTTP: 401, 403, 404
and 422 like the registry API, and the writes it makes."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import DE_FACTO, make_child, make_place
from shouwang.visits.models import GuardianshipConfirmation, PatchLeader
from shouwang.visits.services import care
from tests.factories import make_user

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"detail": "未登录或登录已过期，请先登录。"}
VIEW_DENIED = {"detail": "您没有查看儿童信息的权限。"}
RECORD_DENIED = {"detail": "您没有记录委托监护责任确认书的权限。"}
ASSIGN_DENIED = {"detail": "您没有调整责任人的权限。"}
PATCH_DENIED = {"detail": "您没有指定包片领导的权限。"}
CHILD_NOT_FOUND = {"detail": "儿童记录不存在或不在您的管辖范围内。"}
AREA_NOT_FOUND = {"detail": "区划不存在或不在您的管辖范围内。"}


@pytest.fixture
def place():
    place = make_place()
    place.director_b = make_user(
        Role.DIRECTOR, place.village, username="zhuren_b", full_name="主任乙"
    )
    return place


def _today():
    return timezone.localdate()


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _confirmation_body(**overrides) -> dict:
    return {
        "signed_on": (_today() - timedelta(days=2)).isoformat(),
        "valid_until": (_today() + timedelta(days=363)).isoformat(),
        "entrusting_parties": "父亲张建国、母亲李丽",
        "entrusted_guardian": "王桂兰",
        "committee_signatory": "村委刘会计",
    } | overrides


# --- who may call what ------------------------------------------------------------


def test_anonymous_callers_get_401(place):
    child = make_child(place.village)
    client = _client()
    for method, url in (
        ("get", "/api/care/my-children"),
        ("get", "/api/care/coverage"),
        ("get", f"/api/care/children/{child.pk}/confirmations"),
        ("post", f"/api/care/children/{child.pk}/confirmations"),
        ("post", "/api/care/responsibility"),
        ("get", "/api/care/patch-leaders"),
        ("post", "/api/care/patch-leaders"),
        ("post", "/api/care/patch-leaders/end"),
    ):
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 401, url
        assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize(
    ("role", "method", "url", "denied"),
    [
        ("leader", "get", "/api/care/my-children", VIEW_DENIED),
        ("department", "get", "/api/care/coverage", VIEW_DENIED),
        ("leader", "get", "/api/care/coverage", VIEW_DENIED),
        ("leader", "get", "/api/care/children/{pk}/confirmations", VIEW_DENIED),
        ("leader", "post", "/api/care/children/{pk}/confirmations", RECORD_DENIED),
        ("department", "post", "/api/care/children/{pk}/confirmations", RECORD_DENIED),
        ("director", "post", "/api/care/responsibility", ASSIGN_DENIED),
        ("leader", "post", "/api/care/responsibility", ASSIGN_DENIED),
        ("director", "get", "/api/care/patch-leaders", PATCH_DENIED),
        ("department", "post", "/api/care/patch-leaders", PATCH_DENIED),
        ("director", "post", "/api/care/patch-leaders/end", PATCH_DENIED),
    ],
)
def test_roles_without_the_permission_get_403(place, role, method, url, denied):
    child = make_child(place.village)
    client, url = _client(getattr(place, role)), url.format(pk=child.pk)
    response = client.get(url) if method == "get" else _post(client, url, {})
    assert response.status_code == 403
    assert response.json() == denied


def test_a_foreign_child_is_not_found_whatever_is_posted(place):
    foreign = make_child(place.foreign_village)
    far = make_child(place.far_village)
    for user, child in ((place.civil, foreign), (place.supervisor, far)):
        client = _client(user)
        url = f"/api/care/children/{child.pk}/confirmations"
        assert client.get(url).status_code == 404
        assert client.get(url).json() == CHILD_NOT_FOUND
        for body in ({}, _confirmation_body()):
            response = _post(client, url, body)
            assert response.status_code == 404
            assert response.json() == CHILD_NOT_FOUND
    assert GuardianshipConfirmation.objects.count() == 0


# --- confirmations ----------------------------------------------------------------


def test_recording_and_listing_confirmations(place):
    child = make_child(place.village, **DE_FACTO)
    client = _client(place.director)
    url = f"/api/care/children/{child.pk}/confirmations"

    response = _post(client, url, _confirmation_body())

    assert response.status_code == 201
    body = response.json()
    first_id = body.pop("id")
    assert body == {
        "child_id": child.pk,
        "signed_on": (_today() - timedelta(days=2)).isoformat(),
        "valid_until": (_today() + timedelta(days=363)).isoformat(),
        "entrusting_parties": "父亲张建国、母亲李丽",
        "entrusted_guardian": "王桂兰",
        "committee_signatory": "村委刘会计",
        "status": "current",
        "renewed_by": None,
        "note": "",
        "attachments": [],
    }
    child.refresh_from_db()
    assert (child.confirmation_signed, child.risk_level) == (True, "中")

    renewal = _post(client, url, _confirmation_body(signed_on=_today().isoformat()))
    assert renewal.status_code == 201

    listed = client.get(url).json()
    assert [(c["id"], c["status"], c["renewed_by"]) for c in listed] == [
        (renewal.json()["id"], "current", None),
        (first_id, "renewed", renewal.json()["id"]),
    ]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {},
            [
                {"field": "signed_on", "message": "请填写签订日期。"},
                {"field": "entrusting_parties", "message": "请填写委托方（父母）。"},
                {"field": "entrusted_guardian", "message": "请填写受委托监护人。"},
                {
                    "field": "committee_signatory",
                    "message": "请填写村（居）委会经办人。",
                },
            ],
        ),
        (
            _confirmation_body(signed_on="2026-02-30", scan="x"),
            [
                {
                    "field": "signed_on",
                    "message": "签订日期应为日期，格式如 2026-01-31。",
                },
                {"field": "scan", "message": "不认识的字段“scan”：请核对字段名。"},
            ],
        ),
    ],
)
def test_a_bad_body_is_a_422_by_field(place, body, errors):
    child = make_child(place.village)
    response = _post(
        _client(place.director),
        f"/api/care/children/{child.pk}/confirmations",
        body,
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "请求参数有误。", "errors": errors}


def test_a_refused_confirmation_is_a_422_with_the_services_message(place):
    child = make_child(place.village)
    client = _client(place.director)
    url = f"/api/care/children/{child.pk}/confirmations"

    response = _post(
        client,
        url,
        _confirmation_body(signed_on=(_today() + timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "签订日期不能晚于今天。",
        "errors": [{"field": "signed_on", "message": "签订日期不能晚于今天。"}],
    }
    response = _post(client, url, _confirmation_body(entrusted_guardian=" "))
    assert response.json()["detail"] == "请填写受委托监护人。"
    response = _post(client, "/api/care/children/abc/confirmations", {})
    assert response.status_code == 422
    assert GuardianshipConfirmation.objects.count() == 0


# --- responsibility ---------------------------------------------------------------


def test_setting_responsibility_in_bulk(place):
    a = make_child(place.village, name="留守甲")
    b = make_child(place.village, name="留守乙")
    client = _client(place.supervisor)

    response = _post(
        client,
        "/api/care/responsibility",
        {
            "children": [a.pk, b.pk],
            "director": place.director_b.pk,
            "cadre_name": "王干部",
            "note": "调整",
        },
    )

    assert response.status_code == 200
    assert response.json() == {"changed": [a.pk, b.pk]}
    assert set(
        Child.objects.values_list("responsible_director_id", "liaison_cadre_name")
    ) == {(place.director_b.pk, "王干部")}

    my = _client(place.director_b).get("/api/care/my-children").json()
    assert [c["name"] for c in my["items"]] == ["留守甲", "留守乙"]
    assert my["items"][0]["needs_confirmation"] is True
    assert my["items"][0]["village"] == place.village.code
    assert my["counts"]["儿童"] == 2
    assert _client(place.director).get("/api/care/my-children").json()["items"] == []


def test_refused_responsibility_is_a_422(place):
    a = make_child(place.village, name="留守甲")
    foreign = make_child(place.foreign_village)
    client = _client(place.supervisor)
    for body, detail, field in (
        (
            {"children": [a.pk], "director": place.other_director.pk},
            "主任向是向阳村的儿童主任，不能负责守望村的留守甲：请选择该村的儿童主任。",
            "director",
        ),
        (
            {"children": [a.pk, foreign.pk], "director": place.director.pk},
            "所选儿童中有记录不存在或不在您的管辖范围内：请刷新页面后重新选择。",
            "children",
        ),
        (
            {"children": [a.pk], "director": place.foreign_director.pk},
            "责任儿童主任须为您管辖范围内在岗的儿童主任。",
            "director",
        ),
        (
            {"children": [], "director": place.director.pk},
            "请选择要调整责任人的儿童。",
            "children",
        ),
    ):
        response = _post(client, "/api/care/responsibility", body)
        assert response.status_code == 422
        assert response.json() == {
            "detail": detail,
            "errors": [{"field": field, "message": detail}],
        }
    response = _post(client, "/api/care/responsibility", {"children": "a"})
    assert response.json()["errors"] == [
        {"field": "children", "message": "儿童应为列表。"}
    ]
    a.refresh_from_db()
    assert a.version == 1


# --- coverage ---------------------------------------------------------------------


def test_coverage_by_area(place):
    signed = make_child(place.village, name="已签")
    make_child(place.village, name="未签")
    make_child(place.far_village, name="青石")
    care.confirmation_record(
        actor=place.director,
        child_id=signed.pk,
        signed_on=_today(),
        entrusting_parties="父母",
        entrusted_guardian="王桂兰",
        committee_signatory="村委",
    )
    client = _client(place.civil)

    body = client.get("/api/care/coverage").json()
    assert body["area"] == place.county.code
    assert body["rows"] == [
        {
            "area": place.township.code,
            "name": "守望镇",
            "needing": 2,
            "signed": 1,
            "rate": 0.5,
        },
        {
            "area": place.other_township.code,
            "name": "青石镇",
            "needing": 1,
            "signed": 0,
            "rate": 0.0,
        },
    ]
    assert body["total"]["rate"] == pytest.approx(0.3333)
    body = client.get(f"/api/care/coverage?area={place.other_village.code}").json()
    assert body["rows"] == [
        {
            "area": place.other_village.code,
            "name": "向阳村",
            "needing": 0,
            "signed": 0,
            "rate": None,
        }
    ]
    for viewer, code in (
        (place.civil, place.foreign_county.code),
        (place.supervisor, place.other_township.code),
        (place.civil, "x"),
    ):
        response = _client(viewer).get(f"/api/care/coverage?area={code}")
        assert response.status_code == 404
        assert response.json() == AREA_NOT_FOUND


# --- 包片 leaders ----------------------------------------------------------------


def test_patch_leaders_set_listed_and_ended(place):
    client = _client(place.supervisor)

    response = _post(
        client,
        "/api/care/patch-leaders",
        {"area": place.village.code, "name": "李镇长", "title": "副镇长"},
    )
    assert response.status_code == 201
    assert response.json() | {"id": 0} == {
        "id": 0,
        "area": place.village.code,
        "area_name": "守望村",
        "name": "李镇长",
        "title": "副镇长",
        "phone": "",
        "started_on": _today().isoformat(),
        "ended_on": None,
    }

    listed = client.get("/api/care/patch-leaders").json()
    assert listed["township"] == place.township.code
    assert [
        (a["name"], a["current"] and a["current"]["name"]) for a in listed["areas"]
    ] == [
        ("守望镇", None),
        ("守望村", "李镇长"),
        ("向阳村", None),
    ]
    ended = _post(client, "/api/care/patch-leaders/end", {"area": place.village.code})
    assert ended.status_code == 200
    assert ended.json()["ended_on"] == _today().isoformat()
    again = _post(client, "/api/care/patch-leaders/end", {"area": place.village.code})
    assert again.status_code == 422
    assert again.json()["detail"] == "守望村目前没有包片领导。"


def test_patch_leaders_outside_the_township_are_not_found(place):
    client = _client(place.supervisor)
    for code in (place.far_village.code, place.other_township.code, "430525911001"):
        for url, body in (
            ("/api/care/patch-leaders", {"area": code, "name": "周镇长"}),
            ("/api/care/patch-leaders/end", {"area": code}),
        ):
            response = _post(client, url, body)
            assert response.status_code == 404
            assert response.json() == AREA_NOT_FOUND
    response = client.get(
        f"/api/care/patch-leaders?township={place.other_township.code}"
    )
    assert response.status_code == 404
    assert PatchLeader.objects.count() == 0


def test_civil_affairs_must_name_the_township(place):
    client = _client(place.civil)
    response = client.get("/api/care/patch-leaders")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "township",
            "message": "请用 township 参数指定乡镇（街道）的12位区划代码。",
        }
    ]
    response = client.get(
        f"/api/care/patch-leaders?township={place.other_township.code}"
    )
    assert [a["name"] for a in response.json()["areas"]] == ["青石镇", "青石村"]
    response = _post(
        client,
        "/api/care/patch-leaders",
        {"area": place.county.code, "name": "周镇长"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "包片区域须为乡镇（街道）或村（社区）。"
