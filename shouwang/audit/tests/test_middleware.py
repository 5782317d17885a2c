"""The client's address reaches the audit row through a real request."""

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.audit.context import client_ip
from shouwang.audit.middleware import AuditContextMiddleware
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.audit.services import audit_record
from tests.factories import HOME_COUNTY, PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def user():
    return make_user(
        Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY), username="zhou"
    )


def test_a_login_is_recorded_with_the_client_address(user):
    response = Client().post(LOGIN, {"username": "zhou", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    event = AuditEvent.objects.get(action="login")
    assert event.actor == user
    assert event.actor_name == "zhou"
    assert (event.object_type, event.object_id) == ("user", str(user.pk))
    assert event.area_id == HOME_COUNTY
    assert event.ip == "127.0.0.1"
    assert client_ip.get() is None  # the address does not outlive the request


def test_a_failed_login_is_recorded_with_the_address_tried_from(user):
    response = Client(REMOTE_ADDR="192.0.2.7").post(
        LOGIN, {"username": "zhou", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "用户名或密码不正确。" in response.content.decode()
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor is None
    assert event.actor_name == "zhou"
    assert event.ip == "192.0.2.7"


def test_an_ipv6_client_is_recorded(user):
    response = Client(REMOTE_ADDR="2001:db8::1").post(
        LOGIN, {"username": "zhou", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="login").ip == "2001:db8::1"


@pytest.mark.parametrize(
    ("remote", "recorded"),
    [
        ("10.1.2.3", "10.1.2.3"),
        ("fe80::1%eth0", "fe80::1"),  # the zone is the server's interface
        ("unknown", None),  # what some proxies send; not an address
        ("", None),  # a unix socket
    ],
)
def test_what_the_server_gives_as_address(remote, recorded):
    # Straight through the middleware: django-axes, on the login path, stores
    # REMOTE_ADDR as it comes and would fail first on PostgreSQL.
    def view(request):
        audit_record(actor=None, action=AuditAction.LOGOUT, object_type="user")
        return HttpResponse("ok")

    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    assert AuditContextMiddleware(view)(request).status_code == 200
    assert AuditEvent.objects.get().ip == recorded
    assert client_ip.get() is None


def test_behind_a_trusted_proxy_the_forwarded_address_is_used(settings):
    from django.test import RequestFactory

    from shouwang.audit.middleware import request_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.168.1.20"
    )
    settings.BEHIND_PROXY = False
    assert request_ip(request) == "10.0.0.1"
    settings.BEHIND_PROXY = True
    assert request_ip(request) == "192.168.1.20"
