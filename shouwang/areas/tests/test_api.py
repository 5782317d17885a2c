"""The area API: /api/areas/{code} and /api/areas/{code}/children."""

import pytest
from django.test import Client

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "区划不存在或不在您的管辖范围内。"}


@pytest.fixture
def tree():
    return {
        "township": make_area("430524101000", "桃花镇"),
        "village": make_area("430524101201", "新田村"),
        "village2": make_area("430524101202", "大坪村"),
        "foreign": make_area("430525101201", "外县村"),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_callers_get_401(tree):
    client = Client()
    for url in (f"/api/areas/{HOME_COUNTY}", f"/api/areas/{HOME_COUNTY}/children"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json() == {"detail": "未登录或登录已过期，请先登录。"}


def test_an_area_in_the_jurisdiction(tree):
    client = _client(make_user(Role.LEADER, Area.objects.get(code=HOME_COUNTY)))
    response = client.get(f"/api/areas/{HOME_COUNTY}")
    assert response.status_code == 200
    assert response.json() == {
        "code": "430524000000",
        "name": "隆回县",
        "level": "county",
        "parent_code": "430500000000",
    }


def test_the_children_of_an_area_in_the_jurisdiction(tree):
    client = _client(make_user(Role.SUPERVISOR, tree["township"]))
    response = client.get("/api/areas/430524101000/children")
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "430524101201",
            "name": "新田村",
            "level": "village",
            "parent_code": "430524101000",
        },
        {
            "code": "430524101202",
            "name": "大坪村",
            "level": "village",
            "parent_code": "430524101000",
        },
    ]


def test_the_administrator_reads_any_province():
    client = _client(make_user(Role.ADMIN, None))
    response = client.get("/api/areas/110000000000")
    assert response.json() == {
        "code": "110000000000",
        "name": "北京市",
        "level": "province",
        "parent_code": None,
    }


@pytest.mark.parametrize("suffix", ["", "/children"])
@pytest.mark.parametrize(
    ("role", "own", "outside"),
    [
        (Role.CIVIL_AFFAIRS, HOME_COUNTY, FOREIGN_COUNTY),
        (Role.DEPARTMENT, HOME_COUNTY, "430525101000"),
        (Role.SUPERVISOR, "430524101000", HOME_COUNTY),  # the county above
        (Role.DIRECTOR, "430524101201", "430524101202"),  # the village next door
    ],
)
def test_outside_the_jurisdiction_answers_like_missing(
    tree, suffix, role, own, outside
):
    client = _client(make_user(role, Area.objects.get(code=own)))
    foreign = client.get(f"/api/areas/{outside}{suffix}")
    missing = client.get(f"/api/areas/439999999999{suffix}")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == NOT_FOUND
