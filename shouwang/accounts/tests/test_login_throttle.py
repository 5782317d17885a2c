"""Login spraying, lockout by name, the absolute session lifetime, and the lockout list."""

import math
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.accounts.sessions import LOGIN_AT
from shouwang.accounts.throttle import address_state
from shouwang.audit.models import AuditAction, AuditEvent
from tests.factories import (
    FOREIGN_COUNTY,
    HOME_COUNTY,
    PASSWORD,
    make_area,
    make_user,
)

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
WRONG_LOGIN = "用户名或密码不正确。注意：连续多次输错，账号将被暂时锁定。"
SPRAYER = "198.51.100.7"
OFFICE = "192.0.2.10"
SESSION_ENDED = "您的登录已超过规定时长，为保护儿童信息安全，请重新登录。"


def _client(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def directors():
    village = make_area(HOME_COUNTY[:6] + "101001", "白马村")
    return [
        make_user(Role.DIRECTOR, village, username=f"4305241010{i:02d}")
        for i in range(30)
    ]


# --- spraying: many accounts from one address ----------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch):
    """Every attempt happens at one instant: the growing delay is a matter of
    seconds, and on a busy machine a request can take longer than the first wait."""
    instant = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: instant)
    # The audit row's time comes from the field's default, which Django keeps in
    # Field._get_default (not read from `default` again).
    monkeypatch.setattr(
        AuditEvent._meta.get_field("at"), "_get_default", lambda: instant
    )
    return instant


def test_spraying_many_accounts_from_one_address_is_throttled(directors, frozen_clock):
    client = _client(SPRAYER)
    statuses = []
    for attempt in range(120):
        user = directors[attempt % len(directors)]
        statuses.append(_login(client, user.username, "guess-123456").status_code)
    # The first failures are answered; then the address waits, longer each time.
    answered = settings.LOGIN_ADDRESS_DELAY_AFTER
    assert statuses[:answered] == [200] * answered
    assert statuses[answered:] == [429] * (120 - answered)
    refused = _login(client, directors[0].username, PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert "从您所在的网络地址连续登录失败，请 1 秒后再试。" in _text(refused)
    assert SESSION_KEY not in client.session
    # Refused attempts were not evaluated, so they neither count nor reach axes.
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == answered
    assert set(failed.values_list("ip", flat=True)) == {SPRAYER}


def test_an_address_is_refused_after_the_failure_limit(directors, settings):
    settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS = 0  # no waits, only the hard limit
    client = _client(SPRAYER)
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit == 30
    for user in directors:
        assert _login(client, user.username, "guess-123456").status_code == 200
    response = _login(client, directors[0].username, PASSWORD)
    assert response.status_code == 429
    assert (
        "从您所在的网络地址登录失败的次数过多，为保护儿童信息安全，"
        "该地址暂停登录，请 15 分钟后再试。"
    ) in _text(response)
    # A colleague at another address is not affected.
    other = _client(OFFICE)
    assert _login(other, directors[1].username, PASSWORD).status_code == 302


def test_the_delay_grows_and_the_block_ends_when_the_window_slides(directors):
    def fail_at(moment):
        AuditEvent.objects.create(
            action=AuditAction.LOGIN_FAILED, actor_name="x", ip=SPRAYER, at=moment
        )

    start = timezone.now() - timedelta(hours=1)
    after = settings.LOGIN_ADDRESS_DELAY_AFTER
    for i in range(after - 1):
        fail_at(start + timedelta(seconds=i))
    last = start + timedelta(seconds=after - 2)
    assert address_state(ip=SPRAYER, now=last).retry_after == 0
    waits = []
    moment = last
    for _ in range(6):
        moment += timedelta(milliseconds=1)
        fail_at(moment)
        waits.append(address_state(ip=SPRAYER, now=moment).retry_after)
    assert waits == [1, 2, 4, 8, 16, 32]
    # Once the delay has passed, the address may try again.
    assert (
        address_state(ip=SPRAYER, now=moment + timedelta(seconds=32)).retry_after == 0
    )
    # At the limit, the address waits until the oldest failure leaves the window.
    while AuditEvent.objects.count() < settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        moment += timedelta(seconds=1)
        fail_at(moment)
    state = address_state(ip=SPRAYER, now=moment)
    assert state.blocked
    assert state.retry_after == math.ceil(
        (start + settings.LOGIN_ADDRESS_WINDOW - moment).total_seconds()
    )
    later = start + settings.LOGIN_ADDRESS_WINDOW + timedelta(seconds=1)
    assert not address_state(ip=SPRAYER, now=later).blocked
    # The limits are the documented defaults.
    assert (after, settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS) == (10, 60)
    assert timedelta(minutes=15) == settings.LOGIN_ADDRESS_WINDOW


# --- lockout by name no longer locks the real user out ---------------------------------


def test_locking_a_name_from_one_address_leaves_other_addresses_open(directors):
    target = directors[0]
    attacker = _client(SPRAYER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, target.username, "guess-123456")
    locked = _login(attacker, target.username, PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多，账号已被暂时锁定" in _text(locked)
    assert SESSION_KEY not in attacker.session
    # The director, at the township office, signs in as usual.
    office = _client(OFFICE)
    response = _login(office, target.username, PASSWORD)
    assert response.status_code == 302
    assert office.session[SESSION_KEY] == str(target.pk)
    # and the attacker's address stays locked for that name.
    assert _login(attacker, target.username, PASSWORD).status_code == 429


def test_the_admin_login_goes_through_the_one_login_page():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_a_signed_in_non_staff_user_on_the_admin_login_is_refused(directors):
    client = Client()
    client.force_login(directors[0])
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403


# --- absolute session lifetime ---------------------------------------------------------


def _age_session(client: Client, hours: float) -> None:
    session = client.session
    session[LOGIN_AT] = (timezone.now() - timedelta(hours=hours)).isoformat()
    session.save()


def test_a_session_ends_after_its_absolute_lifetime_however_active(directors):
    assert timedelta(hours=12) == settings.SESSION_MAX_AGE
    client = Client()
    assert _login(client, directors[0].username, PASSWORD).status_code == 302
    assert LOGIN_AT in client.session
    _age_session(client, 11.9)
    assert client.get("/").status_code == 200
    _age_session(client, 12)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert SESSION_ENDED in _text(page)


def test_the_lifetime_comes_from_the_setting_and_covers_the_api(directors, settings):
    settings.SESSION_MAX_AGE = timedelta(hours=1)
    client = Client()
    client.force_login(directors[0])
    assert client.get("/api/accounts/me").status_code == 200
    _age_session(client, 1.5)
    response = client.get("/api/accounts/me")
    assert response.status_code == 401
    assert response.json() == {"detail": SESSION_ENDED}


def test_a_session_without_a_login_time_is_ended(directors):
    client = Client()
    client.force_login(directors[0])
    session = client.session
    del session[LOGIN_AT]
    session.save()
    assert client.get("/").status_code == 302


# --- the lockout list and lifting a lockout --------------------------------------------


def _lock(username: str, ip: str) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address=ip,
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info=LOGIN_URL,
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )


@pytest.fixture
def manager():
    return make_user(Role.CIVIL_AFFAIRS, make_area(HOME_COUNTY), username="minzheng")


def test_managers_see_the_lockouts_of_their_own_users(directors, manager):
    foreign = make_user(
        Role.DIRECTOR,
        make_area(FOREIGN_COUNTY[:6] + "101001", "外县村"),
        username="430525101001",
    )
    _lock(directors[0].username, SPRAYER)
    _lock(foreign.username, SPRAYER)
    AccessAttempt.objects.create(  # below the limit: not a lockout
        username=directors[1].username,
        ip_address=SPRAYER,
        user_agent="",
        failures_since_start=1,
    )
    client = Client()
    client.force_login(manager)
    page = client.get("/accounts/lockouts/")
    assert page.status_code == 200
    text = _text(page)
    assert directors[0].username in text
    assert SPRAYER in text
    assert foreign.username not in text
    assert directors[1].username not in text
    assert "/accounts/lockouts/" in _text(client.get("/accounts/users/"))


def test_lifting_a_lockout_lets_the_user_in_again_and_is_audited(directors, manager):
    target = directors[0]
    attacker = _client(SPRAYER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, target.username, "guess-123456")
    assert _login(attacker, target.username, PASSWORD).status_code == 429
    client = Client()
    client.force_login(manager)
    pk = AccessAttempt.objects.get(username=target.username).pk
    response = client.post(f"/accounts/lockouts/{pk}/lift/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/lockouts/"
    page = client.get("/accounts/lockouts/")
    assert f"已解除 {target.username} 在地址 {SPRAYER} 的登录锁定。" in _text(page)
    assert "您管辖范围内目前没有被锁定的账号。" in _text(page)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_UNLOCK)
    assert (event.actor, event.object_id, event.area_id) == (
        manager,
        str(target.pk),
        target.area_id,
    )
    # Five wrong passwords and the right one tried while locked.
    assert event.details == {
        "username": target.username,
        "ip": SPRAYER,
        "failures": settings.AXES_FAILURE_LIMIT + 1,
    }
    assert _login(_client(SPRAYER), target.username, PASSWORD).status_code == 302


def test_lifting_is_refused_outside_the_jurisdiction_and_to_other_roles(
    directors, manager
):
    foreign = make_user(
        Role.DIRECTOR,
        make_area(FOREIGN_COUNTY[:6] + "101001", "外县村"),
        username="430525101001",
    )
    foreign_lock = _lock(foreign.username, SPRAYER)
    home_lock = _lock(directors[0].username, SPRAYER)
    client = Client()
    client.force_login(manager)
    response = client.post(f"/accounts/lockouts/{foreign_lock.pk}/lift/")
    assert response.status_code == 404
    assert client.get(f"/accounts/lockouts/{home_lock.pk}/lift/").status_code == 405
    director = Client()
    director.force_login(directors[5])
    assert director.get("/accounts/lockouts/").status_code == 403
    assert director.post(f"/accounts/lockouts/{home_lock.pk}/lift/").status_code == 403
    assert AccessAttempt.objects.count() == 2
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_UNLOCK).exists()
    assert Client().get("/accounts/lockouts/").status_code == 302
