"""Security headers: no caching of personal data, the CSP, HSTS and HTTPS from the env."""

import importlib
import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

import shouwang.settings as project_settings
from shouwang.accounts.models import Role
from tests.factories import HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db

NO_STORE = "private, no-store"


@pytest.fixture
def client_in():
    client = Client()
    client.force_login(make_user(Role.CIVIL_AFFAIRS, make_area(HOME_COUNTY)))
    return client


@pytest.mark.parametrize(
    "path", ["/", "/accounts/users/", "/api/accounts/me", "/no-such-page/"]
)
def test_every_answer_to_a_signed_in_user_is_never_stored(client_in, path):
    response = client_in.get(path)
    assert response["Cache-Control"] == NO_STORE


def test_static_files_stay_cacheable(client_in):
    response = client_in.get("/static/web/app.css")
    assert response.status_code == 200
    assert NO_STORE not in response.get("Cache-Control", "")


def test_every_page_has_a_content_security_policy_without_unsafe_inline(client_in):
    for response in (client_in.get("/"), Client().get("/accounts/login/")):
        policy = response["Content-Security-Policy"]
        directives = dict([*part.split(" ", 1), ""][:2] for part in policy.split("; "))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in directives["script-src"]
        assert "unsafe-eval" not in policy
    assert client_in.get("/")["X-Content-Type-Options"] == "nosniff"
    assert client_in.get("/")["X-Frame-Options"] == "DENY"


def test_no_template_has_an_inline_script_or_event_handler(client_in):
    body = client_in.get("/").content.decode()
    assert "<script>" not in body
    assert 'name="htmx-config"' in body
    assert "web/favicon.svg" in body


def test_hsts_and_the_https_redirect_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "31536000")
    monkeypatch.setenv("SECURE_SSL_REDIRECT", "1")
    monkeypatch.setenv("BEHIND_PROXY", "1")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.SECURE_HSTS_SECONDS == 31536000
        assert reloaded.SECURE_SSL_REDIRECT is True
        assert reloaded.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    finally:
        monkeypatch.delenv("SECURE_HSTS_SECONDS")
        monkeypatch.delenv("SECURE_SSL_REDIRECT")
        monkeypatch.delenv("BEHIND_PROXY")
        reloaded = importlib.reload(project_settings)
    assert reloaded.SECURE_HSTS_SECONDS == 0
    assert reloaded.SECURE_SSL_REDIRECT is False


def test_the_https_redirect_and_hsts_when_switched_on(settings, client_in):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    response = client_in.get("/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"
    secure = client_in.get("/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=3600"


def test_var_and_the_sqlite_file_are_private(tmp_path, monkeypatch):
    var = tmp_path / "var"
    monkeypatch.setenv("SHOUWANG_VAR_DIR", str(var))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    old = os.umask(0o022)
    try:
        importlib.reload(project_settings)
    finally:
        os.umask(old)
        monkeypatch.undo()
        importlib.reload(project_settings)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "shouwang.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "secret_key").stat().st_mode) == 0o600


def test_starts_racing_for_the_first_secret_key_all_read_one_whole_key(tmp_path):
    """The first start writes the key; a start racing it never reads it half-written."""
    for attempt in range(30):
        var = tmp_path / str(attempt)
        var.mkdir()
        gate = threading.Barrier(8)

        def start(var=var, gate=gate):
            gate.wait()
            return project_settings.secret_key_in(var)

        with ThreadPoolExecutor(8) as pool:
            keys = set(pool.map(lambda _: start(), range(8)))
        assert len(keys) == 1 and len(keys.pop()) >= 50
        assert [p.name for p in var.iterdir()] == ["secret_key"]
