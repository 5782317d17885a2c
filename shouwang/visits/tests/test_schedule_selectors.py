"""The worklists: order, counts and overdue rates, against hand-built children."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouwang.registry.models import Child, VisitPolicy
from shouwang.registry.services import child_exit
from shouwang.registry.tests.factories import AT_HOME, make_child, make_place
from shouwang.visits.selectors.schedule import (
    county_policy_for,
    due_in_area,
    due_label,
    due_worklist_for,
    overdue_children_for,
    overdue_rates_for,
    policy_counties_for,
)
from shouwang.visits.tests.factories import make_visit
from tests.factories import make_area, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


def days(n: int):
    return TODAY + timedelta(days=n)


@pytest.fixture
def place():
    return make_place()


def _child(place, village, name, last_visit_days_ago=None, **facts):
    """A left-behind child of medium risk (every 30 days), visited that long ago."""
    child = make_child(village, name=name, guardian_capacity="一般", **facts)
    if last_visit_days_ago is not None:
        make_visit(
            child, visit_date=days(-last_visit_days_ago), recorded_by=place.admin
        )
    return Child.objects.get(pk=child.pk)


@pytest.fixture
def ledger(place):
    return build_ledger(place)


def build_ledger(place) -> dict[str, Child]:
    """In the director's village: overdue 10 and 3 days, due today (never visited),
    due in 5 and in 7 days, due in 8 days (left out), no category, exited."""
    c = {
        "逾期三": _child(place, place.village, "逾期三", 33),
        "逾期十": _child(place, place.village, "逾期十", 40),
        "今天": _child(place, place.village, "今天"),
        "五天后": _child(place, place.village, "五天后", 25),
        "七天后": _child(place, place.village, "七天后", 23),
        "八天后": _child(place, place.village, "八天后", 22),
        "无类": _child(place, place.village, "无类", **AT_HOME),
        "退出": _child(place, place.village, "退出", 40),
        # Elsewhere in the county.
        "邻村逾期": _child(place, place.other_village, "邻村逾期", 31),
        "邻村未到": _child(place, place.other_village, "邻村未到", 1),
        "青石逾期": _child(place, place.far_village, "青石逾期", 50),
        "外县逾期": _child(place, place.foreign_village, "外县逾期", 50),
    }
    child_exit(
        actor=place.civil,
        child_id=c["退出"].pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=TODAY,
    )
    return c


def test_the_directors_worklist_is_overdue_first_then_today_then_soon(place, ledger):
    worklist = due_worklist_for(viewer=place.director)
    assert [c.name for c in worklist.children] == [
        "逾期十",
        "逾期三",
        "今天",
        "五天后",
        "七天后",
    ]
    assert (worklist.counts.overdue, worklist.counts.today, worklist.counts.soon) == (
        2,
        1,
        2,
    )
    assert [due_label(c.next_visit_due, TODAY)[1] for c in worklist.children] == [
        "逾期10天",
        "逾期3天",
        "今天",
        "5天后",
        "7天后",
    ]


def test_the_worklist_follows_the_jurisdiction_and_the_as_of_date(place, ledger):
    township = due_worklist_for(viewer=place.supervisor)
    assert {c.name for c in township.children} == {
        "逾期十",
        "逾期三",
        "今天",
        "五天后",
        "七天后",
        "邻村逾期",
    }
    county = due_worklist_for(viewer=place.civil)
    assert "青石逾期" in {c.name for c in county.children}
    assert "外县逾期" not in {c.name for c in county.children}
    later = due_worklist_for(viewer=place.director, as_of=days(1))
    assert later.counts.overdue == 3  # today's child is overdue tomorrow
    assert "八天后" in {c.name for c in later.children}
    for viewer in (place.leader, place.department, place.admin):
        worklist = due_worklist_for(viewer=viewer)
        assert list(worklist.children) == [] and worklist.counts.total == 0


def test_overdue_children_of_an_area(place, ledger):
    area, children = overdue_children_for(
        viewer=place.civil, area_code=place.other_village.code
    )
    assert area == place.other_village
    assert [c.name for c in children] == ["邻村逾期"]
    _, children = overdue_children_for(viewer=place.supervisor)
    assert [c.name for c in children] == ["逾期十", "逾期三", "邻村逾期"]
    for code in (place.foreign_village.code, place.far_village.code, "12x"):
        with pytest.raises(Http404):
            overdue_children_for(viewer=place.supervisor, area_code=code)


def _rates(rates):
    return [
        (r.name, r.scheduled, r.overdue, r.rate, r.due_soon)
        for r in [*rates.rows, rates.total]
    ]


def test_a_county_sees_rates_by_township_in_one_query(place, ledger):
    with CaptureQueriesContext(connection) as queries:
        rates = overdue_rates_for(viewer=place.civil)
    child_queries = [q for q in queries if "registry_child" in q["sql"]]
    assert len(child_queries) == 1
    assert _rates(rates) == [
        # 守望镇: 守望村's six with a due date and 向阳村's two; three overdue;
        # due within 7 days: 今天, 五天后, 七天后.
        ("守望镇", 8, 3, 37.5, 3),
        ("青石镇", 1, 1, 100.0, 0),
        ("合计", 9, 4, 44.4, 3),
    ]


def test_a_supervisor_sees_villages_and_a_director_their_own(place, ledger):
    rates = overdue_rates_for(viewer=place.supervisor)
    assert rates.by_village
    assert _rates(rates) == [
        ("守望村", 6, 2, 33.3, 3),
        ("向阳村", 2, 1, 50.0, 0),
        ("合计", 8, 3, 37.5, 3),
    ]
    assert _rates(overdue_rates_for(viewer=place.director)) == [
        ("守望村", 6, 2, 33.3, 3),
        ("合计", 6, 2, 33.3, 3),
    ]


def test_a_leader_drills_down_within_the_jurisdiction_only(place, ledger):
    rates = overdue_rates_for(viewer=place.leader, area_code=place.township.code)
    assert [r.name for r in rates.rows] == ["守望村", "向阳村"]
    for code in (place.foreign_county.code, place.foreign_village.code, "430000000000"):
        with pytest.raises(Http404):
            overdue_rates_for(viewer=place.leader, area_code=code)
    assert overdue_rates_for(viewer=place.department).rows == []


def test_a_city_sees_counties_and_an_area_without_children_has_no_rate(place, ledger):
    city = make_user("civil_affairs", make_area("430500000000"), username="shi")
    rates = overdue_rates_for(viewer=city)
    by_code = {r.code: r for r in rates.rows}
    assert (
        by_code[place.county.code].scheduled,
        by_code[place.county.code].overdue,
    ) == (
        9,
        4,
    )
    assert by_code[place.foreign_county.code].overdue == 1
    empty = make_area("430524912002", "空村")
    township = overdue_rates_for(
        viewer=place.civil, area_code=place.other_township.code
    )
    assert [(r.name, r.scheduled, r.rate) for r in township.rows] == [
        ("青石村", 1, 100.0),
        (empty.name, 0, None),
    ]


def test_the_policy_in_force_defaults_until_the_county_sets_its_own(place):
    current = county_policy_for(viewer=place.director, county_code=place.county.code)
    assert (current.high_days, current.medium_days, current.low_days) == (7, 30, 90)
    assert current.is_default
    VisitPolicy.objects.create(
        county=place.county,
        high_days=5,
        medium_days=20,
        low_days=60,
        updated_by=place.civil,
    )
    current = county_policy_for(viewer=place.leader, county_code=place.county.code)
    assert (current.high_days, current.is_default, current.updated_by) == (
        5,
        False,
        "民政王",
    )
    assert policy_counties_for(viewer=place.supervisor) == [place.county]
    with pytest.raises(Http404):
        county_policy_for(viewer=place.civil, county_code=place.foreign_county.code)
    with pytest.raises(Http404):
        county_policy_for(viewer=place.department, county_code=place.county.code)


def test_the_command_line_list_is_overdue_or_due_on_the_date(place, ledger):
    names = [c.name for c in due_in_area(area_code=place.township.code, as_of=TODAY)]
    assert names == ["逾期十", "逾期三", "邻村逾期", "今天"]
