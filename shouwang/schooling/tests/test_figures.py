"""The dropout-control figures: school-age children today and on a past day (ages
then, birth dates corrected since), dropout cases open on a day (closed and reopened
since), dropouts by reason, returns (and of poor families) and clearances in a period,
and their catalogue entries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.registry import services as registry
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child, make_place, years_ago
from shouwang.reports import catalogue, compute
from shouwang.reports.periods import Period
from shouwang.reports.tests.history import (
    days_ago,
    last_change_days_ago,
    registered_days_ago,
)
from shouwang.schooling import services
from shouwang.schooling.models import (
    DropoutCase,
    DropoutEvent,
    EnrolmentList,
    EnrolmentRow,
    SuspectClearance,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def education(place):
    return make_user(Role.DEPARTMENT, place.county, unit=Unit.EDUCATION, username="edu")


def _stock(day, *, live=False):
    return compute.total(compute.stock_by_area("430524", day, live=live))


def _flow(start, end):
    return compute.total(compute.flow_by_area("430524", Period(start, end)))


def _register(actor, child, reason="学习困难或厌学", days=0):
    case = services.dropout_register(
        actor=actor,
        child_id=child.pk,
        values={
            "school": "第二中学",
            "grade": "初二",
            "left_on": TODAY - timedelta(days=days + 1),
            "reason": reason,
        },
    )
    if days:
        DropoutCase.objects.filter(pk=case.pk).update(created_at=days_ago(days))
        DropoutEvent.objects.filter(case=case).update(at=days_ago(days))
    return case


def _close(actor, case, *, outcome="返校复学", on=None, days=0):
    services.dropout_close(
        actor=actor,
        case_id=case.pk,
        values={"outcome": outcome, "outcome_on": on or TODAY, "evidence": "复学证明"},
    )
    if days:
        DropoutCase.objects.filter(pk=case.pk).update(closed_at=days_ago(days))
        DropoutEvent.objects.filter(case=case, kind="closed").update(at=days_ago(days))


def test_the_figures_are_in_the_catalogue_and_no_longer_pending():
    figures = catalogue.FIGURES
    for key in (
        "schooling.school_age",
        "schooling.dropouts_open",
        "schooling.returned",
        "schooling.returned_poor",
        "schooling.dropouts_registered_poverty",
        "schooling.suspects_cleared_elsewhere",
    ):
        assert figures[key].held and figures[key].group == "控辍保学", key
    assert figures["schooling.returned"].label == "劝返复学的辍学儿童"
    assert figures["schooling.school_age"].kind == catalogue.Kind.STOCK
    assert figures["schooling.returned"].kind == catalogue.Kind.FLOW
    assert figures["schooling.suspected"].kind == catalogue.Kind.STOCK
    assert figures["schooling.returned_total"].kind == catalogue.Kind.STOCK


def test_school_age_today_and_on_a_past_day_counts_ages_then(place):
    make_child(place.village, name="九岁", birth_date=years_ago(9))
    make_child(place.village, name="四岁", birth_date=years_ago(4))
    # Turned 6 ten days ago: school-age now, not twenty days ago.
    six = make_child(place.village, name="刚六岁", birth_date=years_ago(6, days=10))
    # Turned 16 ten days ago: school-age twenty days ago, not now.
    sixteen = make_child(
        place.other_village, name="刚十六", birth_date=years_ago(16, days=10)
    )
    exited = make_child(place.far_village, name="已退", birth_date=years_ago(8))
    for child in Child.objects.all():
        registered_days_ago(child, 60)
    registry.child_exit(
        actor=place.civil,
        child_id=exited.pk,
        expected_version=1,
        reason="死亡",
        exit_date=TODAY,
    )
    last_change_days_ago(exited, 5)
    live = compute.stock_by_area("430524", TODAY, live=True)
    assert live[place.village.code]["schooling.school_age"] == 2  # 九岁, 刚六岁
    assert "schooling.school_age" not in live.get(place.other_village.code, {})
    assert _stock(TODAY)["schooling.school_age"] == 2  # the replay agrees
    then = _stock(TODAY - timedelta(days=20))
    assert then["schooling.school_age"] == 3  # 九岁, 刚十六, 已退 (exited later)
    _ = six, sixteen


def test_a_past_day_reads_the_birth_date_the_record_had_then(place):
    child = make_child(place.village, name="改生日", birth_date=years_ago(4))
    registered_days_ago(child, 30)
    registry.child_update(
        actor=place.civil,
        child_id=child.pk,
        expected_version=1,
        data={**registry.snapshot(child), "birth_date": years_ago(10)},
    )
    last_change_days_ago(child, 3)
    assert _stock(TODAY, live=True)["schooling.school_age"] == 1
    assert _stock(TODAY - timedelta(days=10)).get("schooling.school_age", 0) == 0


def test_open_dropouts_on_a_day_follow_registration_close_and_reopen(place, education):
    first = make_child(place.village, name="甲", birth_date=years_ago(13))
    second = make_child(place.far_village, name="乙", birth_date=years_ago(12))
    case = _register(education, first, days=30)
    _close(education, case, on=TODAY - timedelta(days=20), days=20)
    services.dropout_reopen(actor=education, case_id=case.pk, reason="又不去上学了")
    DropoutEvent.objects.filter(case=case, kind="reopened").update(at=days_ago(10))
    _register(education, second, days=5)

    def open_on(days):
        return _stock(TODAY - timedelta(days=days)).get("schooling.dropouts_open", 0)

    assert open_on(40) == 0  # nothing registered yet
    assert open_on(25) == 1  # 甲 registered
    assert open_on(15) == 0  # 甲 returned
    assert open_on(7) == 1  # 甲 reopened
    live = compute.stock_by_area("430524", TODAY, live=True)
    assert live[place.village.code]["schooling.dropouts_open"] == 1
    assert live[place.far_village.code]["schooling.dropouts_open"] == 1


def _list_on(area, rows, days):
    """A school list dated and uploaded `days` ago."""
    enrolment_list = EnrolmentList.objects.create(
        area=area, listed_on=TODAY - timedelta(days=days), row_count=len(rows)
    )
    EnrolmentList.objects.filter(pk=enrolment_list.pk).update(created_at=days_ago(days))
    EnrolmentRow.objects.bulk_create(
        EnrolmentRow(
            enrolment_list=enrolment_list,
            row_number=i,
            name=child.name,
            id_number=child.id_number,
            school="育才小学",
            status=status,
        )
        for i, (child, status) in enumerate(rows, start=2)
    )
    return enrolment_list


def test_suspected_on_a_day_is_compared_as_things_stood_then(place, education):
    listed = make_child(place.village, name="在读", birth_date=years_ago(9))
    dropped = make_child(place.village, name="辍学", birth_date=years_ago(13))
    missing = make_child(place.other_village, name="缺失", birth_date=years_ago(10))
    late = make_child(place.village, name="后登记", birth_date=years_ago(11))
    for child in (listed, dropped, missing):
        registered_days_ago(child, 60)
    registered_days_ago(late, 5)  # not in the ledger before
    first = _list_on(place.county, [(listed, "在读"), (dropped, "辍学")], 30)

    def suspected(days):
        return _stock(TODAY - timedelta(days=days)).get("schooling.suspected", 0)

    assert suspected(40) == 0  # no list yet: nothing compared
    assert suspected(20) == 2  # 辍学 (listed so), 缺失 (not listed)
    clearance = services.suspect_clear(
        actor=education, child_id=missing.pk, list_id=first.pk, reason="在外地就读"
    )
    SuspectClearance.objects.filter(pk=clearance.pk).update(created_at=days_ago(10))
    _register(education, dropped, days=8)
    # A list uploaded today, though dated before: not known then.
    _list_on(place.county, [], 0)
    EnrolmentList.objects.filter(listed_on=TODAY).update(
        listed_on=TODAY - timedelta(days=25)
    )
    assert suspected(20) == 2  # the clearance, the case and the new list came later
    assert suspected(9) == 1  # 缺失 cleared; 辍学 still suspected
    assert suspected(3) == 1  # 辍学 registered; 后登记 is new and not on the list
    by_village = compute.stock_by_area("430524", TODAY - timedelta(days=20), live=False)
    assert by_village[place.other_village.code]["schooling.suspected"] == 1
    # Today: the newer list (listed on nobody) judges everyone afresh, the case stands.
    live = _stock(TODAY, live=True)
    assert live["schooling.suspected"] == 3  # 在读, 缺失, 后登记; not 辍学 (case open)
    assert _stock(TODAY)["schooling.suspected"] == 3


def test_returns_so_far_are_counted_at_the_end_of_a_day(place, education):
    back = make_child(place.village, name="复学", birth_date=years_ago(13))
    home = make_child(place.village, name="送教", birth_date=years_ago(12))
    case = _register(education, back, days=30)
    _close(education, case, on=TODAY - timedelta(days=20), days=20)
    _close(education, _register(education, home, days=30), outcome="送教上门")

    def so_far(days, **kwargs):
        values = _stock(TODAY - timedelta(days=days), **kwargs)
        return values.get("schooling.returned_total", 0)

    assert so_far(25) == 0
    assert so_far(15) == 1
    assert so_far(0, live=True) == 1
    services.dropout_reopen(actor=education, case_id=case.pk, reason="又不去上学了")
    assert so_far(0, live=True) == 0


def test_flows_count_registrations_returns_and_clearances_in_the_period(
    place, education
):
    poor = make_child(
        place.village,
        name="低保户",
        birth_date=years_ago(13),
        family_assistance=["低保"],
    )
    plain = make_child(place.village, name="普通", birth_date=years_ago(12))
    earlier = make_child(place.far_village, name="早先", birth_date=years_ago(14))
    other = make_child(place.far_village, name="送教", birth_date=years_ago(11))
    _close(education, _register(education, poor, "家庭经济困难", days=10))
    _close(education, _register(education, plain, days=8))
    _register(education, earlier, "外出务工", days=100)
    _close(education, _register(education, other, days=6), outcome="送教上门")
    services.suspect_clear(
        actor=education, child_id=plain.pk, list_id=None, reason="在外地就读"
    )
    cleared = services.suspect_clear(
        actor=education, child_id=other.pk, list_id=None, reason="在外地就读"
    )
    SuspectClearance.objects.filter(pk=cleared.pk).update(created_at=days_ago(100))

    month = _flow(TODAY - timedelta(days=30), TODAY)
    assert month["schooling.dropouts_registered"] == 3
    assert month["schooling.dropouts_registered_poverty"] == 1
    assert month["schooling.dropouts_registered_learning"] == 2
    assert "schooling.dropouts_registered_work" not in month
    assert month["schooling.returned"] == 2  # 送教上门 is not a return
    assert month["schooling.returned_poor"] == 1
    assert month["schooling.suspects_cleared"] == 1
    assert month["schooling.suspects_cleared_elsewhere"] == 1
    assert _flow(TODAY - timedelta(days=60), TODAY - timedelta(days=31)) == {}
    by_area = compute.flow_by_area("430524", Period(TODAY - timedelta(days=30), TODAY))
    assert by_area[place.far_village.code]["schooling.dropouts_registered"] == 1


def test_a_reopened_return_no_longer_counts_and_stored_counts_are_redone(
    place, education
):
    child = make_child(place.village, name="反复", birth_date=years_ago(13))
    case = _register(education, child, days=10)
    _close(education, case)
    period = Period(TODAY - timedelta(days=30), TODAY)
    assert _flow(period.start, period.end)["schooling.returned"] == 1
    source = catalogue.SOURCES["schooling"]
    before = timezone.now()
    assert not source.entered_since(prefix="430524", period=period, since=before)
    services.dropout_reopen(actor=education, case_id=case.pk, reason="又不去上学了")
    assert source.entered_since(prefix="430524", period=period, since=before)
    assert "schooling.returned" not in _flow(period.start, period.end)


def test_the_default_bulletin_has_a_dropout_paragraph_that_passes_the_check():
    from shouwang.reports.bulletin import validate
    from shouwang.reports.bulletin.generate import default_template_bytes

    data = default_template_bytes()
    validate.check_template(data, name="默认")
    text = "".join(validate.plain(p.source) for p in validate.template_parts(data))
    named = [
        f.key
        for f in catalogue.FIGURES.values()
        if f.group == "控辍保学" and "{{ " + f.placeholder + " }}" in text
    ]
    assert named == [
        "schooling.school_age",
        "schooling.dropouts_open",
        "schooling.suspected",
        "schooling.returned_total",
        "schooling.dropouts_registered",
        *(f"schooling.dropouts_registered_{r}" for r in REASONS),
        "schooling.returned",
        "schooling.returned_poor",
        "schooling.suspects_cleared",
    ]


REASONS = (
    "learning",
    "poverty",
    "work",
    "early_marriage",
    "illness",
    "migration",
    "other",
)
