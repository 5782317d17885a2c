"""The figure engine: today's live counts equal the history replay, a past day counts
the ledger as it stood then (ages at that date, exits, moves, registrations), the
snapshots add up the area tree, and stale days are found and recomputed."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.demo.children import children_bulk_load, synthetic_children
from shouwang.registry import services
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.tests.factories import (
    AT_HOME,
    DE_FACTO,
    ORPHAN,
    make_child,
    make_place,
    years_ago,
)
from shouwang.reports import catalogue, compute
from shouwang.reports.models import FigureSnapshot
from shouwang.reports.periods import Period, default_period
from tests.factories import make_user

from .history import last_change_days_ago, registered_days_ago, visit_on

pytestmark = pytest.mark.django_db

LEDGER_KEYS = [f.key for f in catalogue.FIGURES.values() if f.source == "ledger"]


@pytest.fixture
def place():
    return make_place()


def today():
    return timezone.localdate()


def test_live_counts_equal_the_replay_of_history_for_today(place):
    villages = [place.village, place.other_village, place.far_village]
    children_bulk_load(synthetic_children(villages, 300, seed=7))
    live = compute.total(compute.stock_by_area("430524", today(), live=True))
    replay = compute.total(compute.stock_by_area("430524", today(), live=False))
    assert live["children.total"] > 250
    assert {k: live.get(k, 0) for k in LEDGER_KEYS} == {
        k: replay.get(k, 0) for k in LEDGER_KEYS
    }


def test_live_counts_equal_an_independent_recount(place):
    villages = [place.village, place.other_village, place.far_village]
    children_bulk_load(synthetic_children(villages, 200, seed=11))
    values = compute.figures_for(place.county, default_period())
    rows = [
        c
        for c in Child.objects.filter(status=ChildStatus.ACTIVE)
        if c.village_id.startswith("430524")
    ]
    assert values["children.total"] == len(rows)
    assert values["children.left_behind"] == sum(c.is_left_behind for c in rows)
    assert values["children.orphan_institutional"] == sum(
        c.is_orphan and c.guardian_relation == "机构" for c in rows
    )
    assert values["risk.high"] == sum(c.risk_level == "高" for c in rows)
    assert values["weakness.3CB"] == sum(c.weakness_type == "③-CB" for c in rows)
    needing = [
        c
        for c in rows
        if c.is_left_behind or c.guardian_relation not in ("父亲", "母亲", "机构", "")
    ]
    assert values["confirmations.needed"] == len(needing)
    assert values["confirmations.signed"] == sum(c.confirmation_signed for c in needing)
    assert values["confirmations.rate"] == round(
        values["confirmations.signed"] * 100 / len(needing), 1
    )
    assert values["visits.overdue"] == sum(
        c.next_visit_due is not None and c.next_visit_due < today() for c in rows
    )


def test_a_past_day_counts_the_ledger_as_it_stood(place):
    exited = make_child(place.village, name="已退")
    services.child_exit(
        actor=place.civil,
        child_id=exited.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=today(),
    )
    registered_days_ago(exited, 30)
    last_change_days_ago(exited, 5)
    late = make_child(place.village, name="新登")
    registered_days_ago(late, 3)
    # Turned 16 four days ago: left-behind ten days ago, not now.
    grown = make_child(place.village, name="满16", birth_date=years_ago(16, days=-0))
    Child.objects.filter(pk=grown.pk).update(birth_date=years_ago(16, days=4))
    registered_days_ago(grown, 60)
    services.children_reclassify(as_of=today())
    ten_days_ago = today() - timedelta(days=10)

    then = compute.total(compute.stock_by_area("430524", ten_days_ago, live=False))
    now = compute.total(compute.stock_by_area("430524", today(), live=True))

    assert then["children.total"] == 2  # 已退 and 满16; 新登 not yet registered
    assert then["children.left_behind"] == 2
    assert now["children.total"] == 2  # 新登 and 满16
    assert now.get("children.left_behind", 0) == 1  # 满16 has aged out


def test_a_child_counts_in_the_village_it_was_in_that_day(place):
    child = make_child(place.village, name="搬家")
    registered_days_ago(child, 20)
    services.child_update(
        actor=place.civil,
        child_id=child.pk,
        expected_version=1,
        data={**services.snapshot(child), "village_id": place.far_village.code},
    )
    last_change_days_ago(child, 2)
    week_ago = compute.stock_by_area("430524", today() - timedelta(days=7), live=False)
    now = compute.stock_by_area("430524", today(), live=True)
    assert week_ago[place.village.code]["children.total"] == 1
    assert "children.total" not in week_ago[place.far_village.code]
    assert now[place.far_village.code]["children.total"] == 1
    assert "children.total" not in now.get(place.village.code, {})


def test_overdue_on_a_past_day_follows_the_visits_up_to_that_day(place):
    child = make_child(
        place.village, name="走访", **DE_FACTO
    )  # high risk: every 7 days
    registered_days_ago(child, 40)
    visit_on(child, today() - timedelta(days=12), by=place.director)

    def overdue(day):
        return compute.total(compute.stock_by_area("430524", day, live=False)).get(
            "visits.overdue", 0
        )

    assert overdue(today() - timedelta(days=14)) == 1  # never visited by then
    assert overdue(today() - timedelta(days=8)) == 0  # visited 4 days before
    assert overdue(today() - timedelta(days=2)) == 1  # due 5 days ago


def test_staffing_on_a_past_day_undoes_later_account_changes(place):
    from shouwang.accounts import services as accounts

    day = today() - timedelta(days=3)
    past = compute.total(compute.stock_by_area("430524", day, live=False))
    assert past["staff.villages"] == 3
    assert past.get("staff.villages_with_director", 0) == 0  # accounts made today
    assert past["staff.townships"] == 2

    from shouwang.accounts.models import User

    User.objects.filter(role__in=[Role.DIRECTOR, Role.SUPERVISOR]).update(
        date_joined=timezone.now() - timedelta(days=30)
    )
    accounts.user_set_active(actor=place.civil, user=place.other_director, active=False)
    newcomer = make_user(Role.DIRECTOR, place.far_village)
    assert newcomer.pk
    past = compute.total(compute.stock_by_area("430524", day, live=False))
    now = compute.total(compute.stock_by_area("430524", today(), live=True))
    assert past["staff.villages_with_director"] == 2  # 守望村, 向阳村 (active then)
    assert now["staff.villages_with_director"] == 2  # 守望村, 青石村
    assert past["staff.townships_with_supervisor"] == 1


def test_snapshots_add_up_the_tree_and_are_read_for_past_days(place):
    make_child(place.village, name="甲")
    make_child(place.far_village, name="乙", **ORPHAN)
    make_child(place.other_village, name="丙", **AT_HOME)
    for child in Child.objects.all():
        registered_days_ago(child, 10)
    day = today() - timedelta(days=1)
    compute.snapshot_day(day, place.county)
    rows = dict(FigureSnapshot.objects.filter(day=day).values_list("area_id", "values"))
    county = rows[place.county.code]
    townships = [rows[place.township.code], rows[place.other_township.code]]
    for key in county:
        assert county[key] == sum(t.get(key, 0) for t in townships), key
    assert county["children.total"] == 3
    assert rows[place.village.code]["children.total"] == 1
    # The city and province rows wait for every county under them.
    assert "430500000000" not in rows
    assert compute.figures_for(place.county, Period(day, day))["children.total"] == 3
    by_township = dict(compute.figures_by_subarea(place.county, Period(day, day)))
    assert by_township[place.other_township]["children.orphan"] == 1


def test_a_missing_past_day_is_computed_when_read(place):
    make_child(place.village, name="甲")
    registered_days_ago(Child.objects.get(), 10)
    day = today() - timedelta(days=2)
    assert not FigureSnapshot.objects.filter(day=day).exists()
    assert compute.figures_for(place.township, Period(day, day))["children.total"] == 1
    assert FigureSnapshot.objects.filter(day=day, area=place.county).exists()


def test_a_visit_recorded_later_makes_the_day_stale_until_recomputed(place):
    child = make_child(place.village, name="甲", **DE_FACTO)
    registered_days_ago(child, 20)
    day = today() - timedelta(days=3)
    compute.snapshot_day(day, place.county)
    assert compute.stale_count(place.county, day) == 0
    assert compute.figures_for(place.county, Period(day, day))["visits.overdue"] == 1
    visit_on(child, day, by=place.director)
    assert compute.stale_count(place.county, day) == 1
    assert compute.stale_count(place.township, day) == 1
    compute.snapshot_day(day, place.county)
    assert compute.stale_count(place.county, day) == 0
    assert compute.figures_for(place.county, Period(day, day))["visits.overdue"] == 0


def test_flows_count_the_period_only(place):
    child = make_child(place.village, name="甲")
    for back in (1, 5, 40):
        visit_on(child, today() - timedelta(days=back), by=place.director)
    period = Period(today() - timedelta(days=10), today())
    values = compute.figures_for(place.county, period)
    assert values["visits.recorded"] == 2
    assert values["visits.children_visited"] == 1


def test_month_ends():
    assert compute.month_ends(date(2026, 3, 15), 4) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 15),
    ]


def test_every_area_level_gets_a_row(place):
    compute.snapshot_day(today() - timedelta(days=1), place.county)
    codes_with_rows = set(FigureSnapshot.objects.values_list("area_id", flat=True))
    expected = set(
        Area.objects.filter(code__startswith="430524").values_list("code", flat=True)
    )
    assert expected <= codes_with_rows


def test_todays_stocks_are_reused_while_fresh(place):
    make_child(place.village, name="甲")
    period = Period(today(), today())
    minutes = timedelta(minutes=5)
    first = compute.report(place.county, period, max_age=minutes)
    assert first.values["children.total"] == 1
    assert first.counted_at is not None
    make_child(place.village, name="乙")
    cached = compute.report(place.county, period, max_age=minutes)
    assert cached.values["children.total"] == 1  # counted at first.counted_at
    assert cached.counted_at == first.counted_at
    assert compute.report(place.county, period).values["children.total"] == 2  # live
    fresh = compute.report(place.county, period, max_age=timedelta(0))
    assert fresh.values["children.total"] == 2
    assert dict(fresh.rows)[place.township]["children.total"] == 2


def test_stored_period_counts_are_recounted_when_a_visit_of_the_period_comes_in(place):
    child = make_child(place.village, name="甲")
    past = Period(today() - timedelta(days=40), today() - timedelta(days=10))
    minutes = timedelta(minutes=5)

    visit_on(child, today() - timedelta(days=20), by=place.director)
    assert (
        compute.report(place.county, past, max_age=minutes).values["visits.recorded"]
        == 1
    )
    # Outside the period: the stored count holds.
    visit_on(child, today() - timedelta(days=5), by=place.director)
    with CaptureQueriesContext(connection) as queries:
        again = compute.report(place.county, past, max_age=minutes)
    assert again.values["visits.recorded"] == 1
    assert not any("visits_visit" in q["sql"] and "COUNT" in q["sql"] for q in queries)
    # A late entry dated in the period.
    visit_on(child, today() - timedelta(days=30), by=place.director)
    recounted = compute.report(place.county, past, max_age=minutes)
    assert recounted.values["visits.recorded"] == 2
    assert dict(recounted.rows)[place.township]["visits.recorded"] == 2
