"""Login, logout, password change and login security, through the real pages."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

import shouwang.settings as project_settings
from shouwang.accounts.models import Role
from shouwang.audit.models import AuditAction, AuditEvent
from tests.factories import HOME_COUNTY, PASSWORD, make_area, make_user

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
WRONG_LOGIN = "用户名或密码不正确。注意：连续多次输错，账号将被暂时锁定。"
LOCKED_OUT = "登录失败次数过多，账号已被暂时锁定"
NEW_PASSWORD = "Another-Secret-2027"


@pytest.fixture
def worker():
    return make_user(
        Role.CIVIL_AFFAIRS, make_area(HOME_COUNTY), username="wang_minzheng"
    )


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def _text(response) -> str:
    return response.content.decode()


def _logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


# --- the login page ---------------------------------------------------------------


def test_the_login_page_speaks_chinese():
    response = Client().get(LOGIN_URL)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in _text(response)
    assert "用户名" in _text(response)
    assert "密码" in _text(response)
    assert "忘记密码请联系本级民政部门的账号管理员重置。" in _text(response)


def test_anonymous_pages_redirect_to_login():
    response = Client().get("/accounts/users/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/users/"


def test_login_with_the_right_password_signs_in_and_is_audited(worker):
    client = Client()
    response = _login(client, "wang_minzheng", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(worker.pk)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == worker
    assert event.object_id == str(worker.pk)
    assert event.area_id == HOME_COUNTY
    assert event.ip == "127.0.0.1"


def test_login_follows_next_inside_the_site(worker):
    client = Client()
    response = client.post(
        LOGIN_URL,
        {"username": "wang_minzheng", "password": PASSWORD, "next": "/accounts/users/"},
    )
    assert response["Location"] == "/accounts/users/"


def test_login_never_redirects_to_another_site(worker):
    client = Client()
    response = client.post(
        LOGIN_URL,
        {
            "username": "wang_minzheng",
            "password": PASSWORD,
            "next": "https://evil.test/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_shows_the_chinese_message_and_is_audited(worker):
    client = Client()
    response = _login(client, "wang_minzheng", "not-the-password")
    assert response.status_code == 200
    assert WRONG_LOGIN in _text(response)
    assert not _logged_in(client)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_name == "wang_minzheng"
    assert event.object_id == str(worker.pk)
    assert event.area_id == HOME_COUNTY
    assert "not-the-password" not in str(event.details)


def test_an_unknown_username_gets_the_same_message():
    client = Client()
    response = _login(client, "nobody", "whatever-password")
    assert response.status_code == 200
    assert WRONG_LOGIN in _text(response)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (event.actor_name, event.object_id, event.area_id) == ("nobody", "", None)


def test_a_deactivated_account_cannot_log_in(worker):
    worker.is_active = False
    worker.save()
    client = Client()
    response = _login(client, "wang_minzheng", PASSWORD)
    assert response.status_code == 200
    assert "该账号已停用，请联系本级民政部门的管理员。" in _text(response)
    assert not _logged_in(client)
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    # A wrong password on a deactivated account says nothing about the account.
    response = _login(Client(), "wang_minzheng", "not-the-password")
    assert WRONG_LOGIN in _text(response)
    assert "停用" not in _text(response)


def test_a_deactivated_account_loses_its_open_session(worker):
    client = Client()
    client.force_login(worker)
    assert client.get("/accounts/users/").status_code == 200
    worker.is_active = False
    worker.save()
    response = client.get("/accounts/users/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_a_signed_in_user_visiting_login_goes_home(worker):
    client = Client()
    client.force_login(worker)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302
    assert response["Location"] == "/"


# --- brute force ------------------------------------------------------------------


def test_repeated_failures_lock_the_account_with_429(worker):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    client = Client()
    for _ in range(limit - 1):
        response = _login(client, "wang_minzheng", "wrong-guess")
        assert response.status_code == 200
        assert WRONG_LOGIN in _text(response)
    response = _login(client, "wang_minzheng", "wrong-guess")  # the limit-th failure
    assert response.status_code == 429
    # Now even the right password is refused, with a page rather than a server error.
    response = _login(client, "wang_minzheng", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in _text(response)
    assert (
        f"该账号从您所在的网络地址连续 {limit} 次登录失败后，在此地址被暂时锁定，"
        "请 15 分钟后再试。"
    ) in _text(response)
    assert not _logged_in(client)
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_a_lockout_applies_to_the_username_not_to_the_office(worker):
    colleague = make_user(Role.DIRECTOR, None, username="li_zhuren")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wang_minzheng", "wrong-guess")
    assert _login(client, "wang_minzheng", PASSWORD).status_code == 429
    # A colleague behind the same address still logs in.
    response = _login(Client(), "li_zhuren", PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).actor == colleague


def test_a_successful_login_resets_the_failure_count(worker):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "wang_minzheng", "wrong-guess")
    assert _login(client, "wang_minzheng", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "wang_minzheng", "wrong-guess")
        assert response.status_code == 200
    assert _login(client, "wang_minzheng", PASSWORD).status_code == 302


# --- logout -----------------------------------------------------------------------


def test_logout_is_a_post_and_is_audited(worker):
    client = Client()
    client.force_login(worker)
    assert client.get("/accounts/logout/").status_code == 405
    assert _logged_in(client)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert not _logged_in(client)
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.actor == worker
    assert event.object_id == str(worker.pk)
    assert client.get("/").status_code == 302


def test_logout_when_not_signed_in_writes_nothing():
    response = Client().post("/accounts/logout/")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.LOGOUT).exists()


# --- password change --------------------------------------------------------------


def _change(client: Client, old: str, new1: str, new2: str | None = None):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_the_password_change_page_needs_login():
    response = Client().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_password_change_keeps_the_session_and_is_audited(worker):
    client = Client()
    client.force_login(worker)
    page = client.get("/accounts/password/")
    assert "旧密码" in _text(page)
    assert "新密码确认" in _text(page)

    response = _change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "密码已修改。" in _text(home)

    worker.refresh_from_db()
    assert worker.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert event.actor == worker
    assert event.object_id == str(worker.pk)

    client.post("/accounts/logout/")
    assert _login(Client(), "wang_minzheng", PASSWORD).status_code == 200
    assert _login(Client(), "wang_minzheng", NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_old_password(worker):
    client = Client()
    client.force_login(worker)
    response = _change(client, "not-the-old-one", NEW_PASSWORD)
    assert response.status_code == 200
    assert "您的旧密码不正确。请重新输入。" in _text(response)
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


def test_password_change_needs_matching_passwords(worker):
    client = Client()
    client.force_login(worker)
    response = _change(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "输入的两个密码不一致。" in _text(response)
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-xyz", "密码长度太短。密码必须包含至少 8 个字符。"),
        ("password123", "这个密码太常见了。"),
        ("5810374962", "密码只包含数字。"),
        ("wang_minzheng1", "密码跟 用户名 太相似了。"),
    ],
)
def test_password_change_rejects_weak_passwords(worker, password, message):
    client = Client()
    client.force_login(worker)
    response = _change(client, PASSWORD, password)
    assert response.status_code == 200
    assert message in _text(response)
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


# --- settings that protect the login ----------------------------------------------


def test_production_hashes_passwords_with_argon2():
    # The autouse fixture swaps in MD5 for speed; the settings module itself must not.
    assert project_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_argon2_is_installed_and_hashes():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("secret-value", hasher.salt())
    assert encoded.startswith("argon2$")
    assert hasher.verify("secret-value", encoded)


def test_sessions_expire_with_the_browser_and_after_idling():
    assert project_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is True
    assert project_settings.SESSION_COOKIE_AGE == 120 * 60
    assert project_settings.SESSION_COOKIE_HTTPONLY is True


def test_the_session_cookie_is_a_browser_session_cookie(worker):
    client = Client()
    _login(client, "wang_minzheng", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert client.session.get_expire_at_browser_close()
    # On the server the session still ends after the idle time.
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_pages_that_change_things_need_the_csrf_token(worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    assert client.post("/accounts/logout/").status_code == 403
    assert _logged_in(client)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 403
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


def test_accounts_lock_by_username_and_address_for_the_configured_time():
    assert project_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert project_settings.AXES_FAILURE_LIMIT == 5
    assert project_settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert project_settings.AUTHENTICATION_BACKENDS[0] == (
        "axes.backends.AxesStandaloneBackend"
    )


def test_a_manager_resetting_the_password_lifts_the_lockout(worker):
    from shouwang.accounts.services import user_password_reset

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "wang_minzheng", "wrong-password")
    assert _login(Client(), "wang_minzheng", PASSWORD).status_code == 429
    manager = make_user(Role.CIVIL_AFFAIRS, make_area(HOME_COUNTY), username="boss")
    user_password_reset(actor=manager, user=worker, password=NEW_PASSWORD)
    client = Client()
    _login(client, "wang_minzheng", NEW_PASSWORD)
    assert _logged_in(client)


def test_a_manager_cannot_reset_their_own_password_on_the_management_page(worker):
    from shouwang.accounts.services import user_password_reset
    from shouwang.core.exceptions import DomainError

    with pytest.raises(DomainError, match="请通过右上角的“修改密码”修改自己的密码。"):
        user_password_reset(actor=worker, user=worker, password=NEW_PASSWORD)
