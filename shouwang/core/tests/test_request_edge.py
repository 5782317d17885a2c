"""An address holding a NUL character is refused at the edge with a Chinese message,
before any view reads it (PostgreSQL text cannot hold NUL)."""

import json

import pytest
from django.test import Client

from shouwang.accounts.models import Role
from shouwang.core.request_edge import NUL_REFUSED
from tests.factories import HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    client = Client()
    client.force_login(make_user(Role.CIVIL_AFFAIRS, make_area(HOME_COUNTY)))
    return client


@pytest.mark.parametrize(
    "url",
    ["/accounts/users/?q=%00", "/accounts/users/?role=a%00b", "/areas/%00/", "/?%00=1"],
)
def test_a_page_address_with_a_nul_is_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.content.decode() == NUL_REFUSED


@pytest.mark.parametrize(
    "url", ["/api/children?q=%00", "/api/areas/%00", "/api/audit/events?actor=%00"]
)
def test_an_api_address_with_a_nul_is_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "detail": "请求地址中含有不允许的空字符（NUL）：请检查地址后重试。"
    }


def test_other_addresses_pass(client):
    assert client.get("/accounts/users/?q=%E5%BC%A0").status_code == 200
