"""The demo ledger's past: children registered over two years, dated changes that
replay to today's records, staff appointed first, and figures of past days that
count the ledger as it then stood."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.accounts.models import Role, User
from shouwang.areas.models import Area
from shouwang.demo import children as demo
from shouwang.demo import city, figures, history
from shouwang.registry.models import ChangeAction, Child, ChildChange, ChildStatus
from shouwang.reports import compute
from shouwang.reports.models import FigureSnapshot
from shouwang.reports.periods import Period, last_quarter
from shouwang.reports.sources.ledger import end_of

pytestmark = pytest.mark.django_db

COUNT = 400


@pytest.fixture
def loaded():
    city.demo_city_load()
    return demo.demo_children_load(count=COUNT)


def today():
    return timezone.localdate()


def _versions() -> dict[int, list[ChildChange]]:
    versions: dict[int, list[ChildChange]] = {}
    for row in ChildChange.objects.order_by("child_id", "version"):
        versions.setdefault(row.child_id, []).append(row)
    return versions


def test_children_were_registered_over_two_years_mostly_in_the_first(loaded):
    now = timezone.now()
    versions = _versions()
    registered = []
    for child in Child.objects.all():
        created = versions[child.pk][0]
        assert created.action == ChangeAction.CREATE
        assert created.at == child.created_at <= now
        day = timezone.localtime(child.created_at).date()
        assert child.birth_date <= day
        registered.append(day)
    # An exit at a 16th birthday up to two years back was registered a little earlier.
    assert min(registered) >= today() - timedelta(days=history.HISTORY_DAYS + 120)
    year_ago = today() - timedelta(days=365)
    early = sum(day <= year_ago for day in registered) / len(registered)
    assert 0.65 < early < 0.9
    # A steady trickle: children registered in each quarter of the last year.
    for quarter in range(4):
        start = today() - timedelta(days=91 * (quarter + 1))
        end = today() - timedelta(days=91 * quarter)
        assert any(start < day <= end for day in registered), quarter


def test_every_history_replays_to_the_record_and_is_in_order(loaded):
    for child_id, rows in _versions().items():
        assert [row.version for row in rows] == list(range(1, len(rows) + 1))
        # A registration's changes leave out the fields that start empty (None).
        state: dict = dict.fromkeys(rows[0].snapshot)
        for before, row in zip([None, *rows], rows, strict=False):
            if before is not None:
                assert before.at < row.at
            state = {**state, **{k: new for k, (_, new) in row.changes.items()}}
            assert state == row.snapshot, (child_id, row.version)


def test_the_last_year_holds_returns_signings_and_exits_on_their_dates(loaded):
    year_ago = timezone.now() - timedelta(days=365)
    updates = ChildChange.objects.filter(action=ChangeAction.UPDATE, at__gte=year_ago)
    came_home = [
        row
        for row in updates
        if ["外出务工", "在家"]
        in (row.changes.get("father_status"), row.changes.get("mother_status"))
    ]
    assert came_home
    # The child was left-behind (or needed a confirmation) before, not after.
    assert any(row.changes.get("is_left_behind") == [True, False] for row in came_home)
    signed = [
        row
        for row in updates
        if row.changes.get("confirmation_signed") == [False, True]
    ]
    assert signed
    for row in signed:
        day = timezone.localtime(row.at).date()
        assert row.snapshot["confirmation_date"] == day.isoformat()
    exits = ChildChange.objects.filter(action=ChangeAction.EXIT).select_related("child")
    assert exits.count() == Child.objects.filter(status=ChildStatus.EXITED).count() > 0
    for row in exits:
        assert timezone.localtime(row.at).date() == row.child.exit_date


def test_staff_were_appointed_before_the_first_child(loaded):
    first = Child.objects.order_by("created_at").first().created_at
    staff = User.objects.filter(role__in=[Role.DIRECTOR, Role.SUPERVISOR])
    assert staff.count() == 2 * (6 + 6 * 8)
    assert not staff.filter(date_joined__gte=first).exists()
    county = Area.objects.get(code=city.COUNTY_CODES[0])
    a_year_ago = today() - timedelta(days=365)
    values = compute.figures_for(county, Period(a_year_ago, a_year_ago))
    assert values["staff.villages_with_director"] == 48
    assert values["staff.townships_with_supervisor"] == 6


def test_a_past_month_end_counts_fewer_children_than_today(loaded):
    county = Area.objects.get(code=city.COUNTY_CODES[0])
    month_end = compute.month_ends(today(), 12)[0]
    then = compute.figures_for(county, Period(month_end, month_end))
    now = compute.figures_for(county, Period(today(), today()))
    assert 0 < then["children.total"] < now["children.total"]
    assert then["children.left_behind"] > 0
    assert then["confirmations.rate"] < now["confirmations.rate"]


def _independent_total(village_id: str, day) -> set[int]:
    """The children of a village on the ledger at the end of day, by the rows:
    registered by then and not exited by then."""
    end = end_of(day)
    exited = set(
        ChildChange.objects.filter(action=ChangeAction.EXIT, at__lt=end).values_list(
            "child_id", flat=True
        )
    )
    return {
        pk
        for pk in Child.objects.filter(
            village_id=village_id, created_at__lt=end
        ).values_list("pk", flat=True)
        if pk not in exited
    }


def test_an_exited_child_counts_before_its_exit_date_and_not_after(loaded):
    child = (
        Child.objects.filter(
            status=ChildStatus.EXITED, exit_date__lt=today() - timedelta(days=1)
        )
        .exclude(exit_reason="年满16周岁")
        .order_by("pk")
        .first()
    )
    village = Area.objects.get(code=child.village_id)
    for day, counted in (
        (child.exit_date - timedelta(days=1), True),
        (child.exit_date, False),
    ):
        expected = _independent_total(village.code, day)
        assert (child.pk in expected) is counted
        values = compute.figures_for(village, Period(day, day))
        assert values["children.total"] == len(expected), day


def test_the_snapshots_of_the_trend_and_last_quarter_are_computed_once(loaded):
    days = figures.demo_snapshot_days(today())
    assert len(days) >= 12
    assert last_quarter(today()).end in days
    assert today() - timedelta(days=1) in days
    assert figures.demo_snapshots_load() == len(days)
    rows = FigureSnapshot.objects.count()
    assert figures.demo_snapshots_load() == 0
    assert FigureSnapshot.objects.count() == rows
    demo_city = Area.objects.get(code=city.CITY_CODE)
    stored = set(
        FigureSnapshot.objects.filter(area=demo_city).values_list("day", flat=True)
    )
    assert stored == set(days)
    trend = compute.trend(demo_city, compute.month_ends(today(), 12))
    totals = [values["children.total"] for values in trend.values()]
    assert totals[0] < totals[-1]
    assert len(set(totals)) > 6  # moves month to month
