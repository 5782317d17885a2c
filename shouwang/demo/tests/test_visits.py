"""The demo's year of visits, confirmations and 包片 leaders: consistent schedules,
most children on time and some overdue, loaded once."""

from datetime import timedelta

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from shouwang.areas import codes
from shouwang.demo import children as demo_children
from shouwang.demo import city
from shouwang.demo import visits as demo
from shouwang.demo.cycles import closed_quarters, demo_cycles_load
from shouwang.registry import policy
from shouwang.registry.models import Child, ChildStatus
from shouwang.visits.models import (
    CycleSnapshot,
    GuardianshipConfirmation,
    PatchLeader,
    ReviewCycle,
    Visit,
)
from shouwang.visits.services.cycle import current_quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    city.demo_city_load()
    demo_children.demo_children_load(count=400)
    return demo.demo_visits_load()


def _a_year_of_visits_with_schedules_that_follow_the_latest_visit(loaded):
    today = timezone.localdate()
    assert loaded == Visit.objects.count() > 400
    assert not Visit.objects.filter(visit_date__gt=today).exists()
    since = today - timedelta(days=demo.VISIT_HISTORY_DAYS)
    assert not Visit.objects.filter(visit_date__lt=since).exists()
    scheduled = Child.objects.filter(status=ChildStatus.ACTIVE).exclude(
        visit_interval_days=None
    )
    for child in scheduled:
        latest = child.visits.order_by("-visit_date", "-id").first()
        registered = timezone.localtime(child.created_at).date()
        if latest is None:  # registered in the last days, not visited yet: due
            assert registered >= today - timedelta(days=5), child
            assert child.next_visit_due == registered
            continue
        assert child.last_visit_date == latest.visit_date
        assert child.next_visit_due == policy.next_visit_due(
            interval_days=child.visit_interval_days,
            last_visit=latest.visit_date,
            follow_up=latest.followup_due,
            registered_on=registered,
        )
        assert latest.recorded_by.area_id in (
            child.village_id,
            child.village_id[:9] + "000",
        )
    overdue = scheduled.filter(next_visit_due__lt=today).count()
    assert 0.03 * scheduled.count() < overdue < 0.35 * scheduled.count()
    # High-risk children are visited about weekly, low-risk ones about quarterly.
    high = scheduled.filter(risk_level="高").first()
    low = scheduled.filter(risk_level="低").first()
    assert high.visits.count() > 3 * low.visits.count()


def _children_are_visited_only_while_on_the_ledger(loaded):
    exited = Child.objects.filter(status=ChildStatus.EXITED)
    assert Visit.objects.filter(child__in=exited).exists()
    for child in Child.objects.all():
        days = list(child.visits.values_list("visit_date", flat=True))
        if not days:
            continue
        assert min(days) >= timezone.localtime(child.created_at).date()
        if child.status == ChildStatus.EXITED:
            assert max(days) < child.exit_date
    # A visit is recorded in the village the child then lived in.
    assert not Visit.objects.exclude(village_id=F("child__village_id")).exists()


def _findings_vary_and_problems_come_with_measures(loaded):
    assert Visit.objects.exclude(guardianship="正常").exists()
    problems = Visit.objects.exclude(problems="")
    assert problems.exists()
    assert not problems.filter(measures="").exists()
    assert not problems.filter(followup_due=None).exists()
    assert set(Visit.objects.values_list("mode", flat=True)) == {
        "入户",
        "电话",
        "视频",
        "在校",
    }


def test_the_two_quarters_before_this_one():
    assert closed_quarters(2026, 4) == [(2026, 2), (2026, 3)]
    assert closed_quarters(2027, 1) == [(2026, 3), (2026, 4)]
    assert closed_quarters(2027, 2) == [(2026, 4), (2027, 1)]


def _confirmations_and_leaders_load_once(loaded):
    assert (
        demo.demo_confirmations_load()
        == Child.objects.filter(confirmation_signed=True).count()
    )
    assert demo.demo_confirmations_load() == 0
    assert demo.demo_patch_leaders_load() == 12
    assert demo.demo_patch_leaders_load() == 0
    assert PatchLeader.objects.filter(ended_on=None).count() == 12
    assert demo.demo_visits_load() == 0
    assert GuardianshipConfirmation.objects.filter(status="current").count() == (
        Child.objects.filter(confirmation_signed=True).count()
    )


def _two_closed_cycles_with_snapshots_and_this_quarters_open(loaded):

    from shouwang.demo.cycles import closed_quarters

    assert demo_cycles_load() == 2
    assert demo_cycles_load() == 0
    county = city.COUNTY_CODES[0]
    closed = ReviewCycle.objects.filter(area_id=county, status="closed")
    year, quarter = current_quarter(timezone.localdate())
    assert sorted((c.year, c.quarter) for c in closed) == closed_quarters(year, quarter)
    low, high = codes.prefix_bounds(county[:6])
    active = Child.objects.filter(
        status=ChildStatus.ACTIVE, village_id__gte=low, village_id__lte=high
    ).count()
    for cycle in closed:
        assert cycle.villages.exclude(status="approved").count() == 0
        assert CycleSnapshot.objects.filter(cycle=cycle).count() == 48
        assert cycle.snapshot.aggregate(n=Sum("children"))["n"] == active
    assert ReviewCycle.objects.filter(area_id=county, status="open").count() == 1


def test_the_loaded_demo(loaded):
    """Every check of the demo visits on one load (loading is the slow part)."""
    _a_year_of_visits_with_schedules_that_follow_the_latest_visit(loaded)
    _children_are_visited_only_while_on_the_ledger(loaded)
    _findings_vary_and_problems_come_with_measures(loaded)
    _confirmations_and_leaders_load_once(loaded)
    _two_closed_cycles_with_snapshots_and_this_quarters_open(loaded)
