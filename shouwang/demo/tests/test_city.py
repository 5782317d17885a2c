"""demo_city_load: made by code, deterministic, and safe to run again."""

import pytest

from shouwang.areas.models import Area
from shouwang.demo import city

pytestmark = pytest.mark.django_db


def test_the_logins_say_role_and_area_in_chinese():
    logins = {login.username: login for login in city.demo_city_load()}
    assert len(logins) == 17
    assert (logins["demo_admin"].role, logins["demo_admin"].area_name) == (
        "系统管理员",
        "全国",
    )
    assert (logins["demo_minzheng"].role, logins["demo_minzheng"].area_name) == (
        "民政干部",
        "邵阳市",
    )
    assert logins["demo_xianminzheng"].area_name == "隆回县"
    assert logins["demo_jiaoyu"].role == "成员单位（教育）"
    assert logins["demo_gongan"].role == "成员单位（公安）"
    assert logins["demo_fulian"].role == "成员单位（妇联）"
    assert logins["demo_fayuan"].role == "成员单位（法院）"
    assert logins["demo_jiancha"].role == "成员单位（检察院）"
    assert logins["demo_sifa"].role == "成员单位（司法）"
    assert logins["demo_gongan"].area_name == "隆回县"
    assert {login.password for login in logins.values()} == {city.DEMO_PASSWORD}


def test_the_same_seed_gives_the_same_names():
    city.demo_city_load(seed=7)
    names = dict(
        Area.objects.filter(code__startswith="4305241").values_list("code", "name")
    )
    Area.objects.filter(code__in=names).update(name="改过的名字")
    city.demo_city_load(seed=7)
    # Existing areas are kept as they are: a second run completes, it never renames.
    assert set(Area.objects.filter(code__in=names).values_list("name", flat=True)) == {
        "改过的名字"
    }
    assert len(names) == 6 + 6 * 8


def test_the_count_covers_the_demo_townships_and_villages():
    assert city.demo_area_count() == 0
    city.demo_city_load()
    assert city.demo_area_count() == 2 * (6 + 6 * 8)
