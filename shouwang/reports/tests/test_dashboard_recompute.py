"""A past day's stored figures that later records changed: the dashboard says so, and
civil-affairs staff recompute the day (audited)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.registry.models import Child
from shouwang.reports.models import FigureSnapshot
from shouwang.visits.tests.factories import make_visit

from .test_dashboard_views import (
    AREA_MISSING,
    FORBIDDEN,
    URL,
    build_world,
    client_for,
    main_of,
)

pytestmark = pytest.mark.django_db

RECOMPUTE = "/reports/recompute/"


@pytest.fixture
def place():
    return build_world()


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def stale_day(place, yesterday):
    """Yesterday's snapshot of the county, then a visit dated yesterday entered."""
    response = client_for(place.civil).get(URL, {"to": yesterday.isoformat()})
    assert response.status_code == 200
    assert FigureSnapshot.objects.filter(area=place.county, day=yesterday).exists()
    assert 'data-testid="stale"' not in main_of(response)
    child = Child.objects.get(name="留守")
    make_visit(child, visit_date=yesterday, recorded_by=place.director)
    return yesterday


def test_the_dashboard_says_how_many_records_came_later(place, stale_day):
    text = main_of(client_for(place.civil).get(URL, {"to": stale_day.isoformat()}))
    assert "该日的统计快照之后补录了1条记录" in text
    assert f'<input type="hidden" name="day" value="{stale_day:%Y-%m-%d}">' in text
    assert "重新计算该日数字" in text
    # A leader is told, but has no button.
    text = main_of(client_for(place.leader).get(URL, {"to": stale_day.isoformat()}))
    assert "该日的统计快照之后补录了1条记录" in text
    assert "重新计算该日数字" not in text
    assert "请联系民政部门重新计算。" in text
    # Today's figures are live: nothing to recompute.
    text = main_of(client_for(place.civil).get(URL))
    assert 'data-testid="stale"' not in text


def test_civil_affairs_recompute_the_day(place, stale_day):
    client = client_for(place.civil)
    response = client.post(
        RECOMPUTE,
        {
            "area": place.county.code,
            "day": stale_day.isoformat(),
            "to": stale_day.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/reports/?area=430524000000&to={stale_day.isoformat()}"
    )
    page = client.get(response["Location"])
    text = main_of(page)
    assert (
        f"已重新计算隆回县 {stale_day:%Y-%m-%d} 的统计快照（" in text
        and "个区划）。" in text
    )
    assert 'data-testid="stale"' not in text
    event = AuditEvent.objects.get(action=AuditAction.STATS_RECOMPUTE)
    assert event.actor == place.civil
    assert event.area_id == place.county.code
    assert event.details["day"] == stale_day.isoformat()
    assert event.details["rows"] > 0


def test_only_civil_affairs_may_recompute(place, stale_day):
    for user in (place.leader, place.supervisor, place.director, place.department):
        response = client_for(user).post(
            RECOMPUTE, {"area": user.area_id, "day": stale_day.isoformat()}
        )
        assert response.status_code == 403, user.role
        assert FORBIDDEN in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_RECOMPUTE).exists()


def test_recompute_answers_404_for_a_foreign_or_unknown_area(place, stale_day):
    client = client_for(place.civil)
    for code in (place.foreign_county.code, "430524999000", "abc"):
        response = client.post(RECOMPUTE, {"area": code, "day": stale_day.isoformat()})
        assert response.status_code == 404, code
        assert AREA_MISSING in main_of(response)
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_RECOMPUTE).exists()


def test_recompute_is_a_post(place):
    response = client_for(place.civil).get(RECOMPUTE)
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("", "请求缺少要重新计算的日期，请回到统计页面重试。"),
        (
            "2026-02-30",
            "日期“2026-02-30”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。",
        ),
        ("future", None),
    ],
)
def test_a_bad_day_is_refused_with_a_message(place, day, message):
    today = timezone.localdate()
    if day == "future":
        day = (today + timedelta(days=1)).isoformat()
        message = (
            f"日期 {day} 在今天（{today:%Y-%m-%d}）之后："
            "只能重新计算今天或以前的统计快照。"
        )
    client = client_for(place.civil)
    response = client.post(
        RECOMPUTE, {"area": place.county.code, "day": day}, follow=True
    )
    assert response.status_code == 200
    assert message in main_of(response)
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_RECOMPUTE).exists()
