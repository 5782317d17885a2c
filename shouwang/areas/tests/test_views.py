"""The area pages /areas/ and /areas/<code>/, through HTTP."""

import re

import pytest
from django.test import Client

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return {
        "township": make_area("430524101000", "桃花镇"),
        "village": make_area("430524101201", "新田村"),
        "foreign": make_area("430525101201", "外县村"),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(response) -> str:
    """The page without the per-render CSRF token, so two renders can be compared."""
    body = response.content.decode()
    return re.sub(r'(X-CSRFToken": "|value=")[A-Za-z0-9]{32,}', r"\1…", body)


def test_anonymous_visitors_are_sent_to_log_in(tree):
    client = Client()
    for url in ("/areas/", f"/areas/{HOME_COUNTY}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_the_top_redirects_to_the_own_area(tree):
    client = _client(make_user(Role.SUPERVISOR, tree["township"]))
    response = client.get("/areas/")
    assert response.status_code == 302
    assert response["Location"] == "/areas/430524101000/"


def test_the_administrator_starts_from_the_provinces():
    response = _client(make_user(Role.ADMIN, None)).get("/areas/")
    assert response.status_code == 200
    assert '<h1 class="h4">全国</h1>' in response.content.decode()
    rows = {a.code: a for a in response.context["children"]}
    assert len(rows) == 31
    assert rows["430000000000"].name == "湖南省"
    assert rows["430000000000"].n_children == 14
    assert '<a href="/areas/430000000000/">湖南省</a>' in response.content.decode()


@pytest.mark.parametrize("role", [Role.CIVIL_AFFAIRS, Role.DEPARTMENT, Role.LEADER])
def test_a_county_user_sees_the_county_and_what_it_holds(tree, role):
    user = make_user(role, Area.objects.get(code=HOME_COUNTY))
    response = _client(user).get(f"/areas/{HOME_COUNTY}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '隆回县 <small class="text-muted">430524000000 · 县</small>' in body
    assert '<a href="/areas/430524101000/">桃花镇</a>' in body
    assert [a.name for a in response.context["path"]] == ["湖南省", "邵阳市", "隆回县"]
    assert [(a.code, a.n_children) for a in response.context["children"]] == [
        ("430524101000", 1)
    ]
    assert "外县村" not in body


def test_a_village_has_nothing_below(tree):
    response = _client(make_user(Role.DIRECTOR, tree["village"])).get(
        "/areas/430524101201/"
    )
    assert response.status_code == 200
    assert "没有下级区划。" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "own", "outside"),
    [
        (Role.CIVIL_AFFAIRS, HOME_COUNTY, FOREIGN_COUNTY),
        (Role.CIVIL_AFFAIRS, HOME_COUNTY, "430500000000"),  # the city above
        (Role.SUPERVISOR, "430524101000", "430525101201"),
        (Role.DIRECTOR, "430524101201", "430524101000"),  # the own township
    ],
)
def test_outside_the_jurisdiction_looks_exactly_like_missing(tree, role, own, outside):
    client = _client(make_user(role, Area.objects.get(code=own)))
    foreign = client.get(f"/areas/{outside}/")
    missing = client.get("/areas/439999999999/")
    assert foreign.status_code == missing.status_code == 404
    assert "您要找的页面或记录不存在，或不在您的管辖范围内。" in _page(foreign)
    assert _page(foreign) == _page(missing)
