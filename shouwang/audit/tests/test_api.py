"""The audit API /api/audit/events: the same jurisdiction and filters as the page."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction, AuditEvent
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db

URL = "/api/audit/events"


@pytest.fixture
def trail():
    def event(day, action, actor, area):
        return AuditEvent.objects.create(
            at=datetime(2026, 3, day, 2, tzinfo=UTC),
            action=action,
            actor_name=actor,
            object_type="user",
            object_id="9",
            area_id=area,
            ip="10.0.0.1",
            details={"k": day},
        )

    return {
        "login": event(1, AuditAction.LOGIN, "zhou", HOME_COUNTY),
        "logout": event(2, AuditAction.LOGOUT, "zhou", HOME_COUNTY),
        "other": event(3, AuditAction.LOGIN, "wu", HOME_COUNTY),
        "foreign": event(3, AuditAction.LOGIN, "waixian", FOREIGN_COUNTY),
    }


@pytest.fixture
def client():
    client = Client()
    client.force_login(
        make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    )
    return client


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()]


def test_anonymous_callers_get_401():
    response = Client().get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或登录已过期，请先登录。"}


@pytest.mark.parametrize(
    ("role", "area_code"),
    [
        (Role.DIRECTOR, "430524101201"),
        (Role.SUPERVISOR, "430524101000"),
        (Role.LEADER, HOME_COUNTY),
        (Role.DEPARTMENT, HOME_COUNTY),
    ],
)
def test_roles_without_the_audit_trail_get_403(trail, role, area_code):
    client = Client()
    client.force_login(make_user(role, make_area(area_code)))
    response = client.get(URL)
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有查看审计日志的权限。"}


def test_the_jurisdiction_newest_first_with_every_field(trail, client):
    response = client.get(URL)
    assert _ids(response) == [trail[k].id for k in ("other", "logout", "login")]
    last = response.json()[-1]
    assert datetime.fromisoformat(last.pop("at")) == trail["login"].at
    assert last == {
        "id": trail["login"].id,
        "actor_name": "zhou",
        "action": "login",
        "object_type": "user",
        "object_id": "9",
        "area_code": HOME_COUNTY,
        "ip": "10.0.0.1",
        "details": {"k": 1},
    }


def test_filters(trail, client):
    assert _ids(client.get(URL, {"action": "logout"})) == [trail["logout"].id]
    assert _ids(client.get(URL, {"actor": "WU"})) == [trail["other"].id]
    assert _ids(
        client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    ) == [trail["logout"].id]
    assert _ids(client.get(URL, {"actor": "waixian"})) == []


def test_limit_and_offset(trail, client):
    assert _ids(client.get(URL, {"limit": 1, "offset": 1})) == [trail["logout"].id]
    assert len(_ids(client.get(URL, {"limit": 0}))) == 1  # at least one
    assert len(_ids(client.get(URL, {"offset": -5}))) == 3


def test_a_malformed_date_is_a_422(client):
    response = client.get(URL, {"date_from": "yesterday"})
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数有误。"
    assert response.json()["errors"][0]["field"] == "query.date_from"
