"""The user-management pages, through HTTP, as a county civil-affairs manager and others."""

import re

import pytest
from django.test import Client

from shouwang.accounts.models import Role, Unit, User
from shouwang.audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD, make_area, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-Passw0rd-2027"
FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
NON_MANAGERS = (Role.SUPERVISOR, Role.DIRECTOR, Role.DEPARTMENT, Role.LEADER)


@pytest.fixture
def manager(world):
    return world.home.users[Role.CIVIL_AFFAIRS]


@pytest.fixture
def client(manager):
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def director(world):
    return world.home.users[Role.DIRECTOR]


def _text(response) -> str:
    return response.content.decode()


def _without_tokens(response) -> str:
    """The page with its per-response CSRF tokens blanked, for comparing two pages."""
    return re.sub(r"[A-Za-z0-9]{64}", "", _text(response))


def _create(client: Client, **fields):
    data = {
        "username": "zhao_zhuren",
        "full_name": "赵主任",
        "phone": "13800000000",
        "role": Role.DIRECTOR,
        "area": "",
        "unit": "",
        "password": NEW_PASSWORD,
        **fields,
    }
    return client.post("/accounts/users/new/", data)


def _edit(client: Client, user: User, **fields):
    data = {
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "area": user.area_id or "",
        "unit": user.unit,
        **fields,
    }
    return client.post(f"/accounts/users/{user.pk}/", data)


# --- the list ---------------------------------------------------------------------


def test_the_list_shows_only_users_inside_the_county(world, client):
    make_user(Role.ADMIN, None, username="root_admin")
    make_user(Role.CIVIL_AFFAIRS, world.home.county.parent, username="city_minzheng")
    response = client.get("/accounts/users/")
    assert response.status_code == 200
    text = _text(response)
    for user in world.home.users.values():
        assert f">{user.username}</a>" in text
    for user in world.foreign.users.values():
        assert user.username not in text
        assert user.full_name not in text
    assert "root_admin" not in text
    assert "city_minzheng" not in text
    assert f"共 {len(world.home.users)} 个账号" in text
    assert '<option value="admin"' not in text


def test_the_list_filters_by_role_search_and_state(world, client, director):
    response = client.get("/accounts/users/", {"role": Role.DIRECTOR})
    assert "共 1 个账号" in _text(response)
    assert director.username in _text(response)

    response = client.get("/accounts/users/", {"q": "家园测试儿童督导员"})
    assert "共 1 个账号" in _text(response)
    assert world.home.users[Role.SUPERVISOR].username in _text(response)

    response = client.get(
        "/accounts/users/", {"q": world.foreign.users["director"].username}
    )
    assert "共 0 个账号" in _text(response)
    assert "没有符合条件的账号。" in _text(response)

    director.is_active = False
    director.save()
    response = client.get("/accounts/users/", {"active": "0"})
    assert "共 1 个账号" in _text(response)
    assert "已停用" in _text(response)


def test_the_list_filters_by_area_within_the_county(world, client, director):
    response = client.get("/accounts/users/", {"area": world.home.village.code})
    assert "共 1 个账号" in _text(response)
    assert director.username in _text(response)
    # Asking for a foreign area narrows further, never widens.
    response = client.get("/accounts/users/", {"area": world.foreign.village.code})
    assert "共 0 个账号" in _text(response)


def test_a_city_manager_sees_both_counties(world):
    city_manager = make_user(Role.CIVIL_AFFAIRS, world.home.county.parent)
    client = Client()
    client.force_login(city_manager)
    text = _text(client.get("/accounts/users/"))
    assert world.home.users[Role.DIRECTOR].username in text
    assert world.foreign.users[Role.DIRECTOR].username in text


# --- creating ---------------------------------------------------------------------


def test_the_create_form_offers_the_county_and_no_administrator_role(world, client):
    response = client.get("/accounts/users/new/")
    assert response.status_code == 200
    text = _text(response)
    assert "新建账号" in text
    assert f'<option value="{world.home.village.code}">' in text
    assert world.foreign.village.code not in text
    assert world.foreign.village.name not in text
    assert '<option value="admin"' not in text
    assert "您的密码必须包含至少 8 个字符。" in text


def test_a_manager_creates_a_director_for_a_village(world, client, manager):
    response = _create(client, area=world.home.village.code)
    user = User.objects.get(username="zhao_zhuren")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/users/{user.pk}/"
    assert (user.role, user.area, user.unit) == (Role.DIRECTOR, world.home.village, "")
    assert (user.full_name, user.phone) == ("赵主任", "13800000000")
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert user.check_password(NEW_PASSWORD)

    event = AuditEvent.objects.get(action=AuditAction.USER_CREATE)
    assert event.actor == manager
    assert event.object_id == str(user.pk)
    assert event.area_id == world.home.village.code
    assert event.details == {
        "username": "zhao_zhuren",
        "role": Role.DIRECTOR,
        "unit": "",
    }
    assert "账号 zhao_zhuren 已创建。" in _text(client.get(response["Location"]))
    assert (
        Client()
        .post("/accounts/login/", {"username": "zhao_zhuren", "password": NEW_PASSWORD})
        .status_code
        == 302
    )


def test_a_manager_creates_department_staff_with_a_unit(world, client):
    response = _create(
        client,
        username="police_liu",
        role=Role.DEPARTMENT,
        area=world.home.county.code,
        unit=Unit.POLICE,
    )
    assert response.status_code == 302
    user = User.objects.get(username="police_liu")
    assert (user.role, user.unit) == (Role.DEPARTMENT, Unit.POLICE)


def _assert_refused(response, message: str) -> None:
    assert response.status_code == 200
    assert message in _text(response)
    assert not User.objects.filter(username="zhao_zhuren").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.USER_CREATE).exists()


def test_an_area_outside_the_county_is_refused(world, client):
    response = _create(client, area=world.foreign.village.code)
    _assert_refused(response, "所选区划不存在或不在您的管辖范围内。")


def test_an_area_above_the_county_is_refused(world, client):
    response = _create(
        client, role=Role.CIVIL_AFFAIRS, area=world.home.county.parent.code
    )
    _assert_refused(response, "所选区划不存在或不在您的管辖范围内。")


def test_a_role_at_the_wrong_level_is_refused(world, client):
    response = _create(client, area=world.home.township.code)
    _assert_refused(
        response,
        "儿童主任的管辖区划应为村级区划，而 家园测试镇（430524901000）是乡级区划。",
    )


def test_a_supervisor_on_a_village_is_refused(world, client):
    response = _create(client, role=Role.SUPERVISOR, area=world.home.village.code)
    _assert_refused(
        response,
        "儿童督导员的管辖区划应为乡级区划，而 家园测试村（430524901001）是村级区划。",
    )


def test_an_account_without_area_is_refused(client):
    response = _create(client, area="")
    _assert_refused(
        response, "请选择管辖区划：除系统管理员外，每个账号都要有管辖区划。"
    )


def test_department_staff_need_a_unit(world, client):
    response = _create(client, role=Role.DEPARTMENT, area=world.home.county.code)
    _assert_refused(response, "成员单位账号必须指定所属单位。")


def test_only_department_staff_have_a_unit(world, client):
    response = _create(client, area=world.home.village.code, unit=Unit.EDUCATION)
    _assert_refused(response, "只有成员单位账号才能指定所属单位。")


def test_a_manager_cannot_create_an_administrator(client):
    response = _create(client, role=Role.ADMIN)
    _assert_refused(response, "选择一个有效的选项。 admin 不在可用的选项中。")


def test_a_duplicate_username_is_refused_whatever_its_case(world, client, director):
    response = _create(
        client, username=director.username.upper(), area=world.home.village.code
    )
    assert response.status_code == 200
    assert f"账号“{director.username.upper()}”已存在：请换一个用户名。" in _text(
        response
    )
    assert User.objects.filter(username__iexact=director.username).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.USER_CREATE).exists()


def test_a_username_with_spaces_is_refused(world, client):
    response = _create(client, username="zhao zhuren", area=world.home.village.code)
    assert "用户名只能包含字母、数字和 @ . + - _ 字符。" in _text(response)
    assert not User.objects.filter(full_name="赵主任").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "这个密码太常见了。"),
        ("Ab1-xyz", "密码长度太短。密码必须包含至少 8 个字符。"),
        ("52013149876", "密码只包含数字。"),
        ("zhao_zhuren", "密码跟 用户名 太相似了。"),
    ],
)
def test_a_weak_password_is_refused(world, client, password, message):
    response = _create(client, area=world.home.village.code, password=password)
    _assert_refused(response, message)


def test_an_administrator_creates_a_nationwide_administrator(world):
    admin = make_user(Role.ADMIN, None)
    client = Client()
    client.force_login(admin)
    response = _create(client, username="root2", role=Role.ADMIN, full_name="")
    assert response.status_code == 302
    user = User.objects.get(username="root2")
    assert user.area is None
    assert user.is_staff and user.is_superuser


# --- editing ----------------------------------------------------------------------


def test_the_detail_page_shows_the_account(client, director):
    response = client.get(f"/accounts/users/{director.pk}/")
    assert response.status_code == 200
    text = _text(response)
    assert f'<h1 class="h4">{director.username} ' in text
    assert 'value="家园测试儿童主任"' in text
    assert "从未登录" in text
    assert "停用账号" in text


def test_a_manager_edits_an_account(world, client, manager):
    user = make_user(Role.DIRECTOR, world.home.village, full_name="钱主任")
    response = _edit(
        client,
        user,
        full_name="钱督导",
        phone="13900000000",
        role=Role.SUPERVISOR,
        area=world.home.township.code,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/users/{user.pk}/"
    user.refresh_from_db()
    assert (user.role, user.area, user.full_name, user.phone) == (
        Role.SUPERVISOR,
        world.home.township,
        "钱督导",
        "13900000000",
    )
    event = AuditEvent.objects.get(action=AuditAction.USER_UPDATE)
    assert event.actor == manager
    assert event.object_id == str(user.pk)
    assert event.area_id == world.home.township.code
    assert event.details == {
        "changes": {
            "role": [Role.DIRECTOR, Role.SUPERVISOR],
            "area": [world.home.village.code, world.home.township.code],
            "full_name": ["钱主任", "钱督导"],
            "phone": ["", "13900000000"],
        }
    }
    assert f"账号 {user.username} 已保存。" in _text(client.get(response["Location"]))


def test_saving_without_changes_writes_no_audit(client, director):
    response = _edit(client, director)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.USER_UPDATE).exists()


def test_an_edit_to_a_wrong_level_is_refused(world, client, director):
    response = _edit(client, director, area=world.home.county.code)
    assert response.status_code == 200
    county = world.home.county
    assert (
        f"儿童主任的管辖区划应为村级区划，而 {county.name}（{county.code}）是县级区划。"
        in _text(response)
    )
    director.refresh_from_db()
    assert director.area == world.home.village
    assert not AuditEvent.objects.filter(action=AuditAction.USER_UPDATE).exists()


def test_an_edit_cannot_move_an_account_out_of_the_county(world, client, director):
    response = _edit(client, director, area=world.foreign.village.code)
    assert "所选区划不存在或不在您的管辖范围内。" in _text(response)
    director.refresh_from_db()
    assert director.area == world.home.village


def test_a_manager_cannot_change_their_own_role(world, client, manager):
    response = _edit(client, manager, role=Role.LEADER)
    assert "不能修改自己的角色或管辖区划：请联系上级管理员。" in _text(response)
    manager.refresh_from_db()
    assert manager.role == Role.CIVIL_AFFAIRS


def test_a_manager_may_change_their_own_phone(client, manager):
    response = _edit(client, manager, phone="0739-1234567")
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.phone == "0739-1234567"


# --- password reset ---------------------------------------------------------------


def test_a_manager_resets_a_password(client, manager, director):
    url = f"/accounts/users/{director.pk}/password/"
    assert client.get(url).status_code == 405
    response = client.post(url, {"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/users/{director.pk}/"
    director.refresh_from_db()
    assert director.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.USER_PASSWORD_RESET)
    assert (event.actor, event.object_id) == (manager, str(director.pk))
    assert f"已为 {director.username} 设置新密码，请通知本人登录后修改。" in _text(
        client.get(response["Location"])
    )


def test_a_reset_ends_the_accounts_open_sessions(client, director):
    theirs = Client()
    theirs.force_login(director)
    assert theirs.get("/").status_code == 200
    client.post(f"/accounts/users/{director.pk}/password/", {"password": NEW_PASSWORD})
    assert theirs.get("/").status_code == 302


def test_a_weak_reset_password_is_refused(client, director):
    url = f"/accounts/users/{director.pk}/password/"
    response = client.post(url, {"password": "12345678"})
    assert response.status_code == 400
    assert "这个密码太常见了。；密码只包含数字。" in _text(response)
    response = client.post(url, {"password": ""})
    assert response.status_code == 400
    assert "这个字段是必填项。" in _text(response)
    director.refresh_from_db()
    assert director.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(
        action=AuditAction.USER_PASSWORD_RESET
    ).exists()


# --- deactivating -----------------------------------------------------------------


def test_a_manager_deactivates_and_reactivates_an_account(client, manager, director):
    url = f"/accounts/users/{director.pk}/active/"
    assert client.get(url).status_code == 405

    response = client.post(url, {"active": "0"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/users/{director.pk}/"
    director.refresh_from_db()
    assert not director.is_active
    page = _text(client.get(response["Location"]))
    assert f"账号 {director.username} 已停用。" in page
    assert "重新启用" in page
    event = AuditEvent.objects.get(action=AuditAction.USER_DEACTIVATE)
    assert (event.actor, event.object_id) == (manager, str(director.pk))
    login = Client().post(
        "/accounts/login/", {"username": director.username, "password": PASSWORD}
    )
    assert login.status_code == 200

    response = client.post(url, {"active": "1"})
    director.refresh_from_db()
    assert director.is_active
    assert f"账号 {director.username} 已启用。" in _text(
        client.get(response["Location"])
    )
    event = AuditEvent.objects.get(action=AuditAction.USER_ACTIVATE)
    assert (event.actor, event.object_id) == (manager, str(director.pk))


def test_a_deactivated_account_is_kept(client, director):
    client.post(f"/accounts/users/{director.pk}/active/", {"active": "0"})
    assert User.objects.filter(pk=director.pk, is_active=False).exists()
    assert director.username in _text(client.get("/accounts/users/", {"active": "0"}))


def test_deactivating_twice_writes_one_audit_row(client, director):
    url = f"/accounts/users/{director.pk}/active/"
    client.post(url, {"active": "0"})
    client.post(url, {"active": "0"})
    assert AuditEvent.objects.filter(action=AuditAction.USER_DEACTIVATE).count() == 1


@pytest.mark.parametrize("data", [{}, {"active": "yes"}])
def test_a_request_that_does_not_say_which_way_changes_nothing(client, director, data):
    response = client.post(f"/accounts/users/{director.pk}/active/", data)
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert "请在账号页面点击“停用账号”或“重新启用”按钮。" in page
    director.refresh_from_db()
    assert director.is_active
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_a_manager_cannot_deactivate_themselves(client, manager):
    response = client.post(f"/accounts/users/{manager.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    assert "不能停用自己的账号。" in _text(client.get(response["Location"]))
    manager.refresh_from_db()
    assert manager.is_active
    assert not AuditEvent.objects.filter(action=AuditAction.USER_DEACTIVATE).exists()


# --- denied paths -----------------------------------------------------------------


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_other_roles_are_forbidden_every_page(world, role):
    target = world.home.users[Role.DIRECTOR]
    if role == Role.DIRECTOR:
        target = world.home.users[Role.SUPERVISOR]
    client = Client()
    client.force_login(world.home.users[role])
    gets = ["/accounts/users/", "/accounts/users/new/", f"/accounts/users/{target.pk}/"]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 403, url
        assert FORBIDDEN in _text(response)
    posts = {
        "/accounts/users/new/": {
            "username": "sneaky",
            "role": Role.DIRECTOR,
            "area": world.home.village.code,
            "password": NEW_PASSWORD,
        },
        f"/accounts/users/{target.pk}/": {
            "role": Role.LEADER,
            "area": world.home.county.code,
        },
        f"/accounts/users/{target.pk}/password/": {"password": NEW_PASSWORD},
        f"/accounts/users/{target.pk}/active/": {"active": "0"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    target.refresh_from_db()
    assert target.is_active
    assert target.check_password(PASSWORD)
    assert target.role != Role.LEADER
    assert not User.objects.filter(username="sneaky").exists()
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_a_deactivated_manager_is_turned_away(world, manager):
    client = Client()
    client.force_login(manager)
    manager.is_active = False
    manager.save()
    response = client.get("/accounts/users/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_foreign_account_answers_like_a_missing_one(world, client):
    foreign = world.foreign.users[Role.DIRECTOR]
    missing = User.objects.order_by("-pk").first().pk + 1000
    for suffix, method, data in [
        ("", "get", {}),
        ("", "post", {"role": Role.LEADER, "area": world.home.county.code}),
        ("password/", "post", {"password": NEW_PASSWORD}),
        ("active/", "post", {"active": "0"}),
    ]:
        theirs = getattr(client, method)(f"/accounts/users/{foreign.pk}/{suffix}", data)
        nobodys = getattr(client, method)(f"/accounts/users/{missing}/{suffix}", data)
        assert theirs.status_code == nobodys.status_code == 404, suffix
        assert NOT_FOUND in _text(theirs)
        assert _without_tokens(theirs) == _without_tokens(nobodys)
        assert foreign.username not in _text(theirs)
    foreign.refresh_from_db()
    assert foreign.is_active
    assert foreign.role == Role.DIRECTOR
    assert foreign.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_an_administrator_account_is_not_a_county_managers_to_see(world, client):
    admin = make_user(Role.ADMIN, world.home.county, username="county_admin")
    assert client.get(f"/accounts/users/{admin.pk}/").status_code == 404
    response = client.post(f"/accounts/users/{admin.pk}/active/", {"active": "0"})
    assert response.status_code == 404
    admin.refresh_from_db()
    assert admin.is_active


def test_a_township_user_under_the_county_is_manageable(world, client):
    township = make_area(world.home.county.code[:6] + "902000", "另一镇")
    supervisor = make_user(Role.SUPERVISOR, township)
    assert client.get(f"/accounts/users/{supervisor.pk}/").status_code == 200


def test_changes_made_in_django_admin_are_audited():
    from shouwang.audit.models import AuditEvent

    admin = make_user(Role.ADMIN, None, username="root")
    target = make_user(Role.DIRECTOR, make_area("430524101201"), username="target")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{target.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "groups", "user_permissions"}
    }
    data.update(
        {
            "username": "target",
            "full_name": "改过的名字",
            "role": "director",
            "area": "430524101201",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "is_active": "on",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.update", object_id=str(target.pk))
    assert event.actor == admin
    assert event.details["via"] == "admin"
    assert "full_name" in event.details["fields"]
