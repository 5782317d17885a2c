"""The audit page /audit/: jurisdiction, filters, the htmx fragment, and who is refused."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction, AuditEvent
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "audit-results"}


@pytest.fixture
def trail():
    """Events at home (two days, two actions, two actors) and one in the foreign county."""
    make_area("430524101000", "桃花镇")

    def event(day, action, actor, area, ip):
        return AuditEvent.objects.create(
            at=datetime(2026, 3, day, 2, tzinfo=UTC),
            action=action,
            actor_name=actor,
            object_type="user",
            object_id="1",
            area_id=area,
            ip=ip,
        )

    return {
        "login": event(1, AuditAction.LOGIN, "zhou", HOME_COUNTY, "10.0.0.1"),
        "logout": event(2, AuditAction.LOGOUT, "zhou", "430524101000", "10.0.0.2"),
        "other": event(3, AuditAction.LOGIN, "wu", HOME_COUNTY, "10.0.0.3"),
        "foreign": event(3, AuditAction.LOGIN, "waixian", FOREIGN_COUNTY, "10.9.9.9"),
    }


@pytest.fixture
def client():
    officer = make_user(
        Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY), username="officer"
    )
    client = Client()
    client.force_login(officer)
    return client


def _ids(response) -> list[int]:
    return [e.id for e in response.context["page"]]


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/audit/"


@pytest.mark.parametrize(
    ("role", "area_code"),
    [
        (Role.DIRECTOR, "430524101201"),
        (Role.SUPERVISOR, "430524101000"),
        (Role.LEADER, HOME_COUNTY),
        (Role.DEPARTMENT, HOME_COUNTY),
    ],
)
def test_roles_without_the_audit_trail_are_refused(trail, role, area_code):
    client = Client()
    client.force_login(make_user(role, make_area(area_code)))
    for headers in ({}, HTMX):
        response = client.get("/audit/", headers=headers)
        assert response.status_code == 403
        body = response.content.decode()
        assert "您的角色没有此项操作的权限。" in body
        assert "10.0.0.1" not in body


def test_the_page_lists_only_the_jurisdiction_newest_first(trail, client):
    response = client.get("/audit/")
    assert response.status_code == 200
    assert _ids(response) == [trail["other"].id, trail["logout"].id, trail["login"].id]
    body = response.content.decode()
    assert "共 3 条" in body
    assert "<td>10.0.0.1</td>" in body
    assert "<td>桃花镇</td>" in body
    assert "waixian" not in body
    assert "10.9.9.9" not in body


def test_the_administrator_sees_every_jurisdiction(trail):
    client = Client()
    client.force_login(make_user(Role.ADMIN, None))
    assert len(_ids(client.get("/audit/"))) == 4


def test_filter_by_action(trail, client):
    response = client.get("/audit/", {"action": "logout"})
    assert _ids(response) == [trail["logout"].id]
    assert "<td>退出登录</td>" in response.content.decode()


def test_filter_by_actor_ignores_case(trail, client):
    response = client.get("/audit/", {"actor": "ZHOU"})
    assert _ids(response) == [trail["logout"].id, trail["login"].id]


def test_filter_by_date_range(trail, client):
    response = client.get(
        "/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-02"}
    )
    assert _ids(response) == [trail["logout"].id]
    response = client.get("/audit/", {"date_from": "2026-03-02"})
    assert _ids(response) == [trail["other"].id, trail["logout"].id]


def test_a_reversed_date_range_is_explained_and_selects_nothing(trail, client):
    response = client.get(
        "/audit/", {"date_from": "2026-03-03", "date_to": "2026-03-01"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "截止日期不能早于起始日期。" in body
    assert _ids(response) == []
    assert "没有符合条件的审计记录。" in body


def test_a_malformed_date_is_explained(trail, client):
    response = client.get("/audit/", {"date_from": "3/1/2026"})
    assert "起始日期格式应为 2026-01-31。" in response.content.decode()
    assert _ids(response) == []


def test_the_htmx_request_gets_only_the_rows(trail, client):
    response = client.get("/audit/", {"action": "login"}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert [t.name for t in response.templates] == [
        "audit/_rows.html",
        "web/includes/pagination.html",
        "web/includes/pager.html",
    ]
    assert body.lstrip().startswith('<p class="text-muted small">共 2 条</p>')
    assert "<form" not in body
    assert "<html" not in body
    assert _ids(response) == [trail["other"].id, trail["login"].id]


def test_the_htmx_fragment_carries_the_filter_message(trail, client):
    # The form is not swapped in by htmx, so the fragment itself must say what is wrong.
    response = client.get(
        "/audit/", {"date_from": "2026-03-03", "date_to": "2026-03-01"}, headers=HTMX
    )
    body = response.content.decode()
    assert "<form" not in body
    assert "<div>截止日期不能早于起始日期。</div>" in body
    assert "共 0 条" in body


def test_fifty_rows_a_page(client):
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditAction.LOGIN, area_id=HOME_COUNTY, actor_name=f"u{i}")
        for i in range(51)
    )
    first = client.get("/audit/")
    assert len(first.context["page"]) == 50
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get("/audit/", {"page": 2, "action": "login"})
    assert len(second.context["page"]) == 1
    assert 'href="?action=login&amp;page=1"' in second.content.decode()
