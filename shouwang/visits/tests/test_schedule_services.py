"""The schedule end to end, and a county's visit policy: validation, audit, and the
background recomputation of the county's due dates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.audit.models import AuditEvent
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.models import Child, VisitPolicy
from shouwang.registry.tests.factories import AT_HOME, ORPHAN, make_child, make_place
from shouwang.visits.services.schedule import visit_policy_set
from shouwang.visits.tests.factories import make_visit
from tests.factories import make_area, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


def _fresh(child: Child) -> Child:
    return Child.objects.get(pk=child.pk)


def _set(actor, county_code, high=7, medium=30, low=90):
    return visit_policy_set(
        actor=actor,
        county_code=county_code,
        high_days=high,
        medium_days=medium,
        low_days=low,
    )


def test_a_child_never_visited_is_due_the_day_it_was_registered(place):
    child = make_child(place.village, guardian_capacity="一般")
    assert (child.risk_level, child.visit_interval_days) == ("中", 30)
    assert child.next_visit_due == timezone.localdate()


def test_a_visit_moves_the_due_date_by_the_interval_and_an_earlier_follow_up_wins(
    place,
):
    today = timezone.localdate()
    child = make_child(place.village, guardian_capacity="一般")
    make_visit(child, visit_date=today - timedelta(days=10), recorded_by=place.director)
    child = _fresh(child)
    assert child.last_visit_date == today - timedelta(days=10)
    assert child.next_visit_due == today + timedelta(days=20)
    make_visit(
        child,
        visit_date=today - timedelta(days=2),
        recorded_by=place.director,
        followup_needed=True,
        followup_due=today + timedelta(days=5),
    )
    child = _fresh(child)
    assert child.next_visit_due == today + timedelta(days=5)
    assert child.visit_followup_due == today + timedelta(days=5)


def test_a_child_in_no_category_has_no_due_date(place):
    child = make_child(place.village, **AT_HOME)
    make_visit(child, visit_date=timezone.localdate(), recorded_by=place.director)
    assert _fresh(child).next_visit_due is None


def test_the_county_policy_sets_the_interval_and_the_due_date(
    place, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    medium = make_child(place.village, guardian_capacity="一般")
    high = make_child(place.far_village, name="孤儿", **ORPHAN)
    foreign = make_child(place.foreign_village, guardian_capacity="一般")
    for child in (medium, high, foreign):
        make_visit(child, visit_date=today - timedelta(days=3), recorded_by=place.admin)
    assert _fresh(high).next_visit_due == today + timedelta(days=4)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        policy = _set(place.civil, place.county.code, high=3, medium=14, low=60)
    assert len(callbacks) == 1
    assert VisitPolicy.objects.get(county=place.county) == policy

    medium, high, foreign = _fresh(medium), _fresh(high), _fresh(foreign)
    assert (medium.visit_interval_days, medium.next_visit_due) == (
        14,
        today + timedelta(days=11),
    )
    assert (high.visit_interval_days, high.next_visit_due) == (3, today)
    # Another county keeps the defaults.
    assert (foreign.visit_interval_days, foreign.next_visit_due) == (
        30,
        today + timedelta(days=27),
    )
    # Children registered later take the county's intervals too.
    later = make_child(place.other_village, guardian_capacity="一般")
    assert later.visit_interval_days == 14


def test_setting_a_policy_is_audited_with_before_and_after(place):
    _set(place.civil, place.county.code, high=5, medium=20, low=60)
    _set(place.civil, place.county.code, high=5, medium=21, low=60)
    events = list(AuditEvent.objects.filter(action="visit_policy.set").order_by("id"))
    assert [e.details for e in events] == [
        {"before": None, "after": {"high_days": 5, "medium_days": 20, "low_days": 60}},
        {
            "before": {"high_days": 5, "medium_days": 20, "low_days": 60},
            "after": {"high_days": 5, "medium_days": 21, "low_days": 60},
        },
    ]
    assert events[0].area_id == place.county.code
    assert events[0].actor == place.civil


def test_setting_the_same_values_again_writes_nothing(
    place, django_capture_on_commit_callbacks
):
    _set(place.civil, place.county.code, high=5)
    with django_capture_on_commit_callbacks() as callbacks:
        _set(place.civil, place.county.code, high=5)
    assert callbacks == []
    assert AuditEvent.objects.filter(action="visit_policy.set").count() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"high": 0},
            "high_days",
            "风险高儿童的走访间隔应为1至7天的整数，当前为0天。",
        ),
        (
            {"medium": 31},
            "medium_days",
            "风险中儿童的走访间隔最长30天（各县只能比默认的30天更严），当前为31天。",
        ),
        (
            {"high": 8},
            "high_days",
            "风险高儿童的走访间隔最长7天（各县只能比默认的7天更严），当前为8天。",
        ),
        (
            {"low": 7.5},
            "low_days",
            "风险低儿童的走访间隔应为1至90天的整数，“7.5”不是整数。",
        ),
        (
            {"low": None},
            "low_days",
            "请填写风险低儿童的走访间隔（1至90天的整数）。",
        ),
        (
            {"high": True},
            "high_days",
            "风险高儿童的走访间隔应为1至7天的整数，“True”不是整数。",
        ),
    ],
)
def test_an_interval_not_a_whole_number_of_days_up_to_the_default_is_refused(
    place, values, field, message
):
    with pytest.raises(DomainError) as error:
        _set(place.civil, place.county.code, **values)
    assert (error.value.field, error.value.message) == (field, message)
    assert not VisitPolicy.objects.exists()
    assert not AuditEvent.objects.filter(action="visit_policy.set").exists()


def test_only_civil_affairs_staff_set_policies_of_their_own_counties(place):
    for actor in (place.supervisor, place.director, place.leader, place.admin):
        with pytest.raises(DomainError) as error:
            _set(actor, place.county.code)
        assert error.value.message == "您没有设置走访间隔的权限。"
    for code in (
        place.foreign_county.code,  # another county
        place.township.code,  # not a county
        "430599000000",  # no such county
    ):
        with pytest.raises(NotFound) as error:
            _set(place.civil, code)
        assert error.value.message == "县（市、区）不存在或不在您的管辖范围内。"
    assert not VisitPolicy.objects.exists()


def test_a_city_civil_affairs_user_picks_one_of_their_counties(place):
    city = make_user("civil_affairs", make_area("430500000000"), username="shi")
    _set(city, place.foreign_county.code, high=6)
    assert VisitPolicy.objects.get().county == place.foreign_county
    outside = make_user("civil_affairs", make_area("430100000000"), username="cs")
    with pytest.raises(NotFound):
        _set(outside, place.county.code)
