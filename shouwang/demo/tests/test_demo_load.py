"""`python manage.py demo_load`: the demo city, its seventeen accounts, and a second run
(one test loads it, twice: the load is the slow part)."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from shouwang.accounts.models import Role, Unit, User
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.demo import city
from shouwang.reports.models import FigureSnapshot

pytestmark = pytest.mark.django_db

USERNAMES = {
    "demo_admin",
    "demo_minzheng",
    "demo_xianminzheng",
    "demo_xianshenpi",
    "demo_dudao",
    "demo_zhuren",
    "demo_jiaoyu",
    "demo_gongan",
    "demo_fulian",
    "demo_fayuan",
    "demo_jiancha",
    "demo_sifa",
    "demo_weijian",
    "demo_zhujian",
    "demo_xiangcun",
    "demo_canlian",
    "demo_lingdao",
}


def _load() -> str:
    out = io.StringIO()
    # A small city keeps the test quick; the full 5,000 are tested in test_children.
    call_command("demo_load", "--children", "300", stdout=out)
    return out.getvalue()


def _census() -> dict[str, object]:
    under = {}
    for county in city.COUNTY_CODES:
        low, high = codes.prefix_bounds(codes.prefix_of(county))
        inside = Area.objects.filter(code__gte=low, code__lte=high)
        under[county] = (
            inside.filter(level="township").count(),
            inside.filter(level="village").count(),
        )
    return {
        "under": under,
        "areas": Area.objects.count(),
        "users": sorted(
            User.objects.values_list("username", "role", "area_id", "unit")
        ),
    }


def _printed_logins(out: str) -> dict[str, str]:
    return dict(re.findall(r"^  (demo_\w+)\s+(\S+)  ", out, flags=re.MULTILINE))


def _the_demo_city_has_townships_and_villages_under_both_counties(out: str) -> None:
    assert "演示城市已就绪：108 个乡镇和村。" in out
    census = _census()
    assert census["under"] == {"430524000000": (6, 48), "430525000000": (6, 48)}
    villages = Area.objects.filter(level="village", code__startswith="430524")
    for village in villages.select_related("parent"):
        assert village.parent.level == "township"
        assert village.parent_id == codes.expected_parent(village.code)
        assert village.name.endswith("村")


def _the_accounts_have_their_roles_and_areas() -> None:
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    assert set(users) == USERNAMES
    assert users["demo_admin"].role == Role.ADMIN
    assert users["demo_admin"].area_id is None
    assert users["demo_admin"].is_superuser
    assert (users["demo_minzheng"].role, users["demo_minzheng"].area_id) == (
        Role.CIVIL_AFFAIRS,
        city.CITY_CODE,
    )
    assert users["demo_xianminzheng"].area_id == "430524000000"
    assert (users["demo_xianshenpi"].role, users["demo_xianshenpi"].area_id) == (
        Role.CIVIL_AFFAIRS,
        "430524000000",
    )
    assert users["demo_dudao"].area.level == "township"
    assert users["demo_zhuren"].area.level == "village"
    assert users["demo_zhuren"].area.parent == users["demo_dudao"].area
    assert users["demo_jiaoyu"].unit == Unit.EDUCATION
    units = {
        "demo_gongan": Unit.POLICE,
        "demo_fulian": Unit.WOMENS_FEDERATION,
        "demo_fayuan": Unit.COURT,
        "demo_jiancha": Unit.PROCURATORATE,
        "demo_sifa": Unit.JUSTICE,
        "demo_weijian": Unit.HEALTH,
        "demo_zhujian": Unit.HOUSING,
        "demo_xiangcun": Unit.RURAL_REVITALIZATION,
        "demo_canlian": Unit.DISABLED_FEDERATION,
    }
    for username, unit in units.items():
        user = users[username]
        assert (user.role, user.area_id, user.unit) == (
            Role.DEPARTMENT,
            "430524000000",
            unit,
        )
    assert users["demo_lingdao"].role == Role.LEADER
    assert not any(u.is_superuser for n, u in users.items() if n != "demo_admin")


def _the_printed_password_logs_every_account_in(out: str) -> None:
    printed = _printed_logins(out)
    assert set(printed) == USERNAMES
    for username, password in printed.items():
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": username, "password": password}
        )
        assert response.status_code == 302, username
        assert response["Location"] == "/"
        assert client.get("/api/accounts/me").json()["username"] == username


def test_the_demo_city_its_accounts_and_a_second_run_that_changes_nothing():
    # One load for all the checks: loading the demo is the slow part (a small city).
    first_out = _load()
    _the_demo_city_has_townships_and_villages_under_both_counties(first_out)
    _the_accounts_have_their_roles_and_areas()
    _the_printed_password_logs_every_account_in(first_out)
    first = _census()
    snapshots = FigureSnapshot.objects.count()
    assert "演示统计快照已就绪" in first_out
    assert "演示部门名单已就绪：隆回县 14 份" in first_out
    assert snapshots > 0
    second_out = _load()
    assert _census() == first
    assert second_out == first_out
    assert FigureSnapshot.objects.count() == snapshots


def test_a_city_size_that_is_not_a_positive_number_is_refused():
    with pytest.raises(CommandError, match="--children 应为正整数。"):
        call_command("demo_load", "--children", "0", stdout=io.StringIO())
    assert not User.objects.exists()
