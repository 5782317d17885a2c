"""The access policy: permissions per role, deny by default, jurisdiction by code prefix."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.areas.models import Area
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db

HOME_TOWNSHIP = HOME_COUNTY[:6] + "101000"
HOME_VILLAGE = HOME_COUNTY[:6] + "101201"
SIBLING_VILLAGE = HOME_COUNTY[:6] + "102201"  # same county, another township
FOREIGN_VILLAGE = FOREIGN_COUNTY[:6] + "101201"


@pytest.fixture
def areas():
    return {
        "county": make_area(HOME_COUNTY),
        "township": make_area(HOME_TOWNSHIP),
        "village": make_area(HOME_VILLAGE),
        "sibling": make_area(SIBLING_VILLAGE),
        "foreign": make_area(FOREIGN_VILLAGE),
    }


# The permissions this app defines; other apps add their own to Perm and test them.
ACCOUNT_PERMS = (Perm.VIEW_AREAS, Perm.MANAGE_USERS, Perm.VIEW_AUDIT, Perm.ADMIN_SITE)
EXPECTED_PERMS = {
    Role.ADMIN: {Perm.VIEW_AREAS, Perm.MANAGE_USERS, Perm.VIEW_AUDIT, Perm.ADMIN_SITE},
    Role.CIVIL_AFFAIRS: {Perm.VIEW_AREAS, Perm.MANAGE_USERS, Perm.VIEW_AUDIT},
    Role.SUPERVISOR: {Perm.VIEW_AREAS},
    Role.DIRECTOR: {Perm.VIEW_AREAS},
    Role.DEPARTMENT: {Perm.VIEW_AREAS},
    Role.LEADER: {Perm.VIEW_AREAS},
}


@pytest.mark.parametrize("role", list(Role))
def test_has_perm_grants_exactly_the_roles_account_permissions(role):
    user = User(username="u", role=role, is_active=True)
    granted = {perm for perm in ACCOUNT_PERMS if access.has_perm(user, perm)}
    assert granted == EXPECTED_PERMS[role]


def test_every_role_is_in_the_policy_tables():
    assert set(access.ROLE_PERMS) == set(Role.values)
    assert set(access.ROLE_LEVELS) == set(Role.values)


def test_an_inactive_user_holds_no_permission():
    user = User(username="u", role=Role.ADMIN, is_active=False)
    assert not any(access.has_perm(user, perm) for perm in Perm)


def test_the_anonymous_user_holds_no_permission():
    assert not any(access.has_perm(AnonymousUser(), perm) for perm in Perm)
    assert not access.has_perm(None, Perm.VIEW_AREAS)


def test_an_unknown_role_holds_no_permission():
    user = User(username="u", role="superhero", is_active=True)
    assert not any(access.has_perm(user, perm) for perm in Perm)


def test_require_raises_a_chinese_permission_denied():
    director = User(username="u", role=Role.DIRECTOR, is_active=True)
    access.require(director, Perm.VIEW_AREAS)  # granted: no exception
    with pytest.raises(PermissionDenied, match=r"^您没有此项操作的权限。$"):
        access.require(director, Perm.MANAGE_USERS)


def test_role_levels_match_the_domain():
    assert access.ROLE_LEVELS[Role.ADMIN] == set()  # nationwide, never an area
    assert access.ROLE_LEVELS[Role.CIVIL_AFFAIRS] == {
        codes.Level.PROVINCE,
        codes.Level.CITY,
        codes.Level.COUNTY,
    }
    assert access.ROLE_LEVELS[Role.SUPERVISOR] == {codes.Level.TOWNSHIP}
    assert access.ROLE_LEVELS[Role.DIRECTOR] == {codes.Level.VILLAGE}
    for role in (Role.DEPARTMENT, Role.LEADER):
        assert access.ROLE_LEVELS[role] == set(codes.Level) - {codes.Level.VILLAGE}


def test_a_manager_never_hands_out_more_than_their_own_role():
    assert set(access.ASSIGNABLE_ROLES[Role.ADMIN]) == set(Role.values)
    assert Role.ADMIN not in access.ASSIGNABLE_ROLES[Role.CIVIL_AFFAIRS]
    for role in (Role.SUPERVISOR, Role.DIRECTOR, Role.DEPARTMENT, Role.LEADER):
        assert role not in access.ASSIGNABLE_ROLES


def test_jurisdiction_prefix_is_the_significant_prefix_of_the_area(areas):
    cases = {
        Role.CIVIL_AFFAIRS: (areas["county"], HOME_COUNTY[:6]),
        Role.SUPERVISOR: (areas["township"], HOME_TOWNSHIP[:9]),
        Role.DIRECTOR: (areas["village"], HOME_VILLAGE),
    }
    for role, (area, prefix) in cases.items():
        assert access.jurisdiction_prefix(make_user(role, area)) == prefix


def test_an_administrator_without_area_sees_everything(areas):
    admin = make_user(Role.ADMIN, None)
    assert access.jurisdiction_prefix(admin) == ""
    assert access.in_jurisdiction(admin, FOREIGN_VILLAGE)
    assert access.jurisdiction_area(admin) is None
    assert access.scope(admin, Area.objects.all(), "code").count() == (
        Area.objects.count()
    )


def test_an_administrator_with_an_area_is_held_to_it(areas):
    admin = make_user(Role.ADMIN, areas["county"])
    assert access.jurisdiction_prefix(admin) == HOME_COUNTY[:6]
    assert not access.in_jurisdiction(admin, FOREIGN_VILLAGE)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_a_user_without_area_sees_nothing(areas, role):
    user = User(username="u", role=role, is_active=True, area=None)
    assert access.jurisdiction_prefix(user) not in ("", HOME_COUNTY[:6])
    assert not access.in_jurisdiction(user, HOME_VILLAGE)
    assert not access.scope(user, Area.objects.all(), "code").exists()
    assert access.jurisdiction_area(user) is None


def test_anonymous_and_inactive_users_see_nothing(areas):
    inactive = make_user(Role.CIVIL_AFFAIRS, areas["county"], is_active=False)
    for user in (AnonymousUser(), inactive):
        assert not access.in_jurisdiction(user, HOME_VILLAGE)
        assert not access.scope(user, Area.objects.all(), "code").exists()


def test_in_jurisdiction_follows_nested_codes(areas):
    county = make_user(Role.CIVIL_AFFAIRS, areas["county"])
    township = make_user(Role.SUPERVISOR, areas["township"])
    village = make_user(Role.DIRECTOR, areas["village"])

    assert access.in_jurisdiction(county, HOME_COUNTY)
    assert access.in_jurisdiction(county, HOME_TOWNSHIP)
    assert access.in_jurisdiction(county, SIBLING_VILLAGE)
    assert not access.in_jurisdiction(county, FOREIGN_VILLAGE)
    assert not access.in_jurisdiction(county, codes.expected_parent(HOME_COUNTY))

    assert access.in_jurisdiction(township, HOME_VILLAGE)
    assert not access.in_jurisdiction(township, SIBLING_VILLAGE)
    assert not access.in_jurisdiction(township, HOME_COUNTY)

    assert access.in_jurisdiction(village, HOME_VILLAGE)
    assert not access.in_jurisdiction(village, SIBLING_VILLAGE)
    assert not access.in_jurisdiction(village, HOME_TOWNSHIP)

    for user in (county, township, village):
        assert not access.in_jurisdiction(user, None)
        assert not access.in_jurisdiction(user, "")


def test_scope_cuts_a_queryset_to_the_code_range(areas):
    all_areas = Area.objects.filter(code__in=[a.code for a in areas.values()])
    county = make_user(Role.CIVIL_AFFAIRS, areas["county"])
    township = make_user(Role.SUPERVISOR, areas["township"])
    village = make_user(Role.DIRECTOR, areas["village"])

    def seen(user):
        return set(access.scope(user, all_areas, "code").values_list("code", flat=True))

    assert seen(county) == {HOME_COUNTY, HOME_TOWNSHIP, HOME_VILLAGE, SIBLING_VILLAGE}
    assert seen(township) == {HOME_TOWNSHIP, HOME_VILLAGE}
    assert seen(village) == {HOME_VILLAGE}


def test_scope_on_a_foreign_key_field(areas):
    inside = make_user(Role.DIRECTOR, areas["village"])
    outside = make_user(Role.DIRECTOR, areas["foreign"])
    county = make_user(Role.CIVIL_AFFAIRS, areas["county"])
    scoped = access.scope(county, User.objects.all(), "area_id")
    assert inside in scoped
    assert county in scoped
    assert outside not in scoped


def test_a_city_prefix_covers_its_counties(areas):
    city = make_area(codes.expected_parent(HOME_COUNTY))
    user = make_user(Role.CIVIL_AFFAIRS, city)
    assert access.jurisdiction_prefix(user) == HOME_COUNTY[:4]
    assert access.in_jurisdiction(user, HOME_VILLAGE)
    assert access.in_jurisdiction(user, FOREIGN_VILLAGE)  # a sibling county, same city
    assert not access.in_jurisdiction(user, "440100000000")
