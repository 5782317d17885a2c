"""The accounts API: /api/accounts/me, /users and /users/{id}, with the pages' policy."""

import pytest
from django.test import Client

from shouwang.accounts.models import Role, Unit
from tests.factories import make_user

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"detail": "未登录或登录已过期，请先登录。"}
FORBIDDEN = {"detail": "您没有管理账号的权限。"}
NOT_FOUND = {"detail": "账号不存在或不在您的管辖范围内。"}
NON_MANAGERS = (Role.SUPERVISOR, Role.DIRECTOR, Role.DEPARTMENT, Role.LEADER)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(world):
    return world.home.users[Role.CIVIL_AFFAIRS]


def test_me_describes_the_signed_in_user(world, manager):
    response = _client(manager).get("/api/accounts/me")
    assert response.status_code == 200
    body = response.json()
    permissions = body.pop("permissions")
    assert body == {
        "id": manager.pk,
        "username": manager.username,
        "full_name": "家园测试民政干部",
        "role": "civil_affairs",
        "role_label": "民政干部",
        "area_code": world.home.county.code,
        "unit": "",
        "is_active": True,
    }
    assert permissions == sorted(permissions)
    assert {"manage_users", "view_areas", "view_audit"} <= set(permissions)
    assert "admin_site" not in permissions


def test_me_for_department_staff_names_the_unit(world):
    staff = world.home.users[Role.DEPARTMENT]
    body = _client(staff).get("/api/accounts/me").json()
    assert (body["role"], body["role_label"], body["unit"]) == (
        "department",
        "成员单位",
        Unit.EDUCATION,
    )
    assert "view_areas" in body["permissions"]
    assert "manage_users" not in body["permissions"]
    assert "view_audit" not in body["permissions"]


def test_me_for_a_nationwide_administrator_has_no_area():
    admin = make_user(Role.ADMIN, None)
    body = _client(admin).get("/api/accounts/me").json()
    assert body["area_code"] is None
    assert {"admin_site", "manage_users", "view_areas", "view_audit"} <= set(
        body["permissions"]
    )


@pytest.mark.parametrize(
    "url", ["/api/accounts/me", "/api/accounts/users", "/api/accounts/users/1"]
)
def test_anonymous_callers_get_401(url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_deactivated_users_session_gets_401(manager):
    client = _client(manager)
    manager.is_active = False
    manager.save()
    response = client.get("/api/accounts/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_users_lists_only_the_county(world, manager):
    make_user(Role.ADMIN, None, username="root_admin")
    response = _client(manager).get("/api/accounts/users")
    assert response.status_code == 200
    names = [row["username"] for row in response.json()]
    assert names == sorted(user.username for user in world.home.users.values())


def test_users_filters_by_role_area_and_search(world, manager):
    client = _client(manager)
    director = world.home.users[Role.DIRECTOR]

    rows = client.get("/api/accounts/users", {"role": "director"}).json()
    assert [row["username"] for row in rows] == [director.username]

    rows = client.get("/api/accounts/users", {"area": world.home.village.code}).json()
    assert [row["username"] for row in rows] == [director.username]

    rows = client.get("/api/accounts/users", {"q": "家园测试领导"}).json()
    assert [row["username"] for row in rows] == [world.home.users["leader"].username]

    rows = client.get(
        "/api/accounts/users", {"area": world.foreign.village.code}
    ).json()
    assert rows == []


def test_users_pages_with_limit_and_offset(world, manager):
    client = _client(manager)
    everyone = [row["id"] for row in client.get("/api/accounts/users").json()]
    page = client.get("/api/accounts/users", {"limit": 2, "offset": 1}).json()
    assert [row["id"] for row in page] == everyone[1:3]
    page = client.get("/api/accounts/users", {"limit": 0, "offset": -5}).json()
    assert [row["id"] for row in page] == everyone[:1]


def test_a_bad_parameter_gets_a_chinese_422(manager):
    response = _client(manager).get("/api/accounts/users", {"limit": "many"})
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数有误。"


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_users_is_forbidden_to_other_roles(world, role):
    client = _client(world.home.users[role])
    response = client.get("/api/accounts/users")
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    own = world.home.users[role].pk
    response = client.get(f"/api/accounts/users/{own}")
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_user_detail_answers_for_a_user_in_the_county(world, manager):
    director = world.home.users[Role.DIRECTOR]
    response = _client(manager).get(f"/api/accounts/users/{director.pk}")
    assert response.status_code == 200
    assert response.json()["username"] == director.username
    assert response.json()["area_code"] == world.home.village.code
    assert "permissions" not in response.json()


def test_a_foreign_user_answers_like_a_missing_one(world, manager):
    client = _client(manager)
    foreign = world.foreign.users[Role.DIRECTOR]
    theirs = client.get(f"/api/accounts/users/{foreign.pk}")
    nobodys = client.get(f"/api/accounts/users/{foreign.pk + 10_000}")
    assert theirs.status_code == nobodys.status_code == 404
    assert theirs.json() == nobodys.json() == NOT_FOUND


def test_an_administrator_is_hidden_from_a_county_manager(world, manager):
    admin = make_user(Role.ADMIN, world.home.county)
    response = _client(manager).get(f"/api/accounts/users/{admin.pk}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
