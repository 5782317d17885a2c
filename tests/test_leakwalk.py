"""Walk every URL pattern and API operation as anonymous and as every role."""

import pytest
from django.test import Client

from shouwang.accounts.models import Role

from .factories import make_user
from .leakwalk import CASE_ROLES, foreign_kwargs, reverse_route, routes

pytestmark = pytest.mark.django_db

DENIED = {403, 404, 405}


def _url(route, samples, world):
    if not route.params:
        return reverse_route(route, {})
    if route.name not in samples:
        pytest.fail(
            f"URL {route.name}（{route.prefix}{route.pattern.pattern}）有参数 "
            f"{', '.join(route.params)}，但没有外辖区样例：请在该应用的 "
            "tests/leak_samples.py 的 FOREIGN_KWARGS 中加入它。"
        )
    return reverse_route(route, samples[route.name](world))


def test_the_walk_finds_the_pages_and_the_api():
    names = {route.name for route in routes()}
    assert {"web:home", "accounts:user-list", "audit:list", "api:me"} <= names


def test_every_page_needs_login(world):
    samples, client = foreign_kwargs(), Client()
    for route in routes():
        url = _url(route, samples, world)
        response = client.get(url)
        assert response.status_code < 500, url
        if not route.login_required:
            continue
        if route.is_api and response.status_code == 405:
            # A write-only operation: ask with the method it allows.
            method = response["Allow"].split(",")[0].strip().lower()
            response = getattr(client, method)(url, content_type="application/json")
        if route.is_api and response.status_code in (401, 404):
            continue  # the API answers for itself; its bare root has nothing to show
        assert response.status_code == 302, (
            f"{url} 未登录时应跳转到登录页，实际 {response.status_code}"
        )
        assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("role", CASE_ROLES)
def test_nothing_from_another_jurisdiction_leaks(world, role):
    samples = foreign_kwargs()
    client = Client()
    client.force_login(world.home.users[role])
    for route in routes():
        if not route.login_required:
            continue
        url = _url(route, samples, world)
        response = client.get(url)
        assert response.status_code < 500, url
        if route.params:
            assert response.status_code in DENIED, (
                f"{role} 访问外辖区记录 {url} 应得到 404/403，实际 {response.status_code}"
            )
            posted = client.post(url, {})
            assert posted.status_code in DENIED, (
                f"{role} 向外辖区记录 {url} 提交应得到 404/403，实际 {posted.status_code}"
            )
            continue
        body = response.content.decode("utf-8", errors="replace")
        leaked = sorted(marker for marker in world.markers if marker in body)
        assert not leaked, f"{role} 在 {url} 看到了外辖区的内容：{leaked}"


def test_the_administrator_never_meets_a_server_error(world):
    samples = foreign_kwargs()
    client = Client()
    client.force_login(make_user(Role.ADMIN, None, username="leak_admin"))
    for route in routes():
        url = _url(route, samples, world)
        assert client.get(url).status_code < 500, url


@pytest.mark.parametrize("role", CASE_ROLES)
def test_the_admin_site_is_for_system_administrators_only(world, role):
    client = Client()
    client.force_login(world.home.users[role])
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
