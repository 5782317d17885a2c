"""Reads of the tree, cut to the viewer's jurisdiction, and answered from an index."""

import pytest
from django.db import connection
from django.http import Http404

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes, selectors
from shouwang.areas.models import Area
from shouwang.audit.models import AuditEvent
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db

CITY = "430500000000"  # 邵阳市: 12 counties ship with the product


@pytest.fixture
def tree():
    """A township and two villages in the home county, one village in the foreign."""
    return {
        "township": make_area("430524101000", "桃花镇"),
        "village": make_area("430524101201", "新田村"),
        "village2": make_area("430524101202", "大坪村"),
        "foreign": make_area("430525101201", "外县村"),
    }


def test_a_county_officer_sees_the_county_and_below(tree):
    viewer = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    seen = set(selectors.area_list_for(viewer=viewer).values_list("code", flat=True))
    assert seen == {HOME_COUNTY, "430524101000", "430524101201", "430524101202"}


def test_a_village_director_sees_only_the_village(tree):
    viewer = make_user(Role.DIRECTOR, tree["village"])
    assert list(selectors.area_list_for(viewer=viewer)) == [tree["village"]]


def test_the_administrator_sees_the_whole_country(tree):
    viewer = make_user(Role.ADMIN, None)
    assert selectors.area_list_for(viewer=viewer).count() == Area.objects.count()


def test_no_area_or_no_account_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    lost = make_user(Role.SUPERVISOR, None)
    gone = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    gone.is_active = False
    for viewer in (lost, gone, AnonymousUser()):
        assert not selectors.area_list_for(viewer=viewer).exists()


def test_outside_and_missing_give_the_same_not_found(tree):
    viewer = make_user(Role.SUPERVISOR, tree["township"])
    assert selectors.area_get_for(viewer=viewer, code="430524101201").name == "新田村"
    for code in ("430525101201", HOME_COUNTY, "430524199000", "garbage"):
        with pytest.raises(Http404) as caught:
            selectors.area_get_for(viewer=viewer, code=code)
        assert str(caught.value) == "区划不存在或不在您的管辖范围内。"


def test_children_come_with_how_many_areas_they_hold(tree):
    viewer = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    county = selectors.area_get_for(viewer=viewer, code=HOME_COUNTY)
    children = list(selectors.area_children_for(viewer=viewer, area=county))
    assert [(a.code, a.n_children) for a in children] == [("430524101000", 2)]


def test_the_top_is_the_provinces_with_their_cities_counted():
    viewer = make_user(Role.ADMIN, None)
    top = {a.code: a.n_children for a in selectors.area_top_for(viewer=viewer)}
    assert len(top) == 31
    assert top["430000000000"] == 14  # 湖南省's cities
    county_viewer = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    assert not selectors.area_top_for(viewer=county_viewer).exists()


def test_the_path_runs_from_the_province_down(tree):
    assert [a.name for a in selectors.area_path(tree["village"])] == [
        "湖南省",
        "邵阳市",
        "隆回县",
        "桃花镇",
        "新田村",
    ]


def test_counts_by_level_stay_inside_the_jurisdiction(tree):
    city = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=CITY))
    assert selectors.area_counts_by_level_for(viewer=city) == {
        "省": 0,
        "市": 1,
        "县": 12,
        "乡镇": 2,
        "村（社区）": 3,
    }
    county = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    assert selectors.area_counts_by_level_for(viewer=county) == {
        "省": 0,
        "市": 0,
        "县": 1,
        "乡镇": 1,
        "村（社区）": 2,
    }


def test_choices_may_be_cut_to_levels(tree):
    viewer = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    chosen = selectors.area_choices_for(viewer=viewer, levels={"village"})
    assert {a.code for a in chosen} == {"430524101201", "430524101202"}


# --- jurisdiction prefixes are answered from an index, on both databases ----------


def _plan(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Only inside the test's transaction: with few rows the planner may
            # rightly prefer a sequential scan; the question is whether it can avoid one.
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()
    return queryset.explain()


def _uses_index(plan: str) -> bool:
    if connection.vendor == "postgresql":
        return "Index" in plan and "Seq Scan" not in plan  # Index/Bitmap scans
    # SQLite: "SEARCH areas_area USING INDEX sqlite_autoindex_…" (the primary key).
    return "SEARCH" in plan and "INDEX" in plan.upper() and "SCAN" not in plan


def test_the_prefix_range_of_a_county_is_an_index_search():
    viewer = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    plan = _plan(access.scope(viewer, Area.objects.order_by(), "code"))
    assert _uses_index(plan), plan


def test_the_prefix_bounds_of_a_city_are_an_index_search():
    low, high = codes.prefix_bounds(codes.prefix_of(CITY))
    plan = _plan(Area.objects.filter(code__gte=low, code__lte=high).order_by())
    assert _uses_index(plan), plan
    assert Area.objects.filter(code__gte=low, code__lte=high).count() == 13


def test_the_audit_trail_of_a_jurisdiction_is_an_index_search():
    viewer = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=FOREIGN_COUNTY))
    plan = _plan(access.scope(viewer, AuditEvent.objects.order_by(), "area_id"))
    assert _uses_index(plan), plan
