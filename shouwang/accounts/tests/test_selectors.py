"""Account reads: always cut to the viewer's jurisdiction, 404 for missing and not-yours."""

import pytest
from django.http import Http404

from shouwang.accounts.models import Role
from shouwang.accounts.selectors import (
    user_counts_by_role_for,
    user_get_for,
    user_list_for,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_non_managers_list_nobody(world):
    for role in (Role.SUPERVISOR, Role.DIRECTOR, Role.DEPARTMENT, Role.LEADER):
        assert not user_list_for(viewer=world.home.users[role]).exists()


def test_a_malformed_area_filter_is_ignored(world):
    manager = world.home.users[Role.CIVIL_AFFAIRS]
    everyone = set(user_list_for(viewer=manager))
    assert set(user_list_for(viewer=manager, area_code="4305")) == everyone
    assert set(user_list_for(viewer=manager, area_code="not-a-code")) == everyone


def test_an_area_filter_covers_the_areas_below_it(world):
    manager = world.home.users[Role.CIVIL_AFFAIRS]
    found = user_list_for(viewer=manager, area_code=world.home.township.code)
    assert set(found) == {
        world.home.users[Role.SUPERVISOR],
        world.home.users[Role.DIRECTOR],
    }


@pytest.mark.parametrize("pk", [None, "abc", 10**9])
def test_user_get_for_answers_404_for_anything_not_found(world, pk):
    manager = world.home.users[Role.CIVIL_AFFAIRS]
    with pytest.raises(Http404, match=r"^账号不存在或不在您的管辖范围内。$"):
        user_get_for(viewer=manager, pk=pk)


def test_user_get_for_hides_foreign_users(world):
    manager = world.home.users[Role.CIVIL_AFFAIRS]
    with pytest.raises(Http404):
        user_get_for(viewer=manager, pk=world.foreign.users[Role.DIRECTOR].pk)
    director = world.home.users[Role.DIRECTOR]
    assert user_get_for(viewer=manager, pk=director.pk) == director


def test_counts_by_role_are_active_users_in_the_jurisdiction(world):
    manager = world.home.users[Role.CIVIL_AFFAIRS]
    make_user(Role.DIRECTOR, world.home.village, is_active=False)
    make_user(Role.ADMIN, None)
    assert user_counts_by_role_for(viewer=manager) == {
        "民政干部": 1,
        "儿童督导员": 1,
        "儿童主任": 1,
        "成员单位": 3,  # education (the walker's), police and court (protection's)
        "领导": 1,
    }
    supervisor = world.home.users[Role.SUPERVISOR]
    assert user_counts_by_role_for(viewer=supervisor) == {
        "民政干部": 0,
        "儿童督导员": 1,
        "儿童主任": 1,
        "成员单位": 0,
        "领导": 0,
    }
