"""Reads for responsibility and confirmations: coverage numbers per area against
children of every kind, the missing list, my children, and 包片 leaders."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from shouwang.registry import services as registry
from shouwang.registry.models import Child
from shouwang.registry.policy import needs_confirmation
from shouwang.registry.tests.factories import (
    AT_HOME,
    DE_FACTO,
    LEFT_BEHIND,
    ORPHAN,
    make_child,
    make_place,
)
from shouwang.visits.selectors import care as selectors
from shouwang.visits.services import care

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _sign(place, child):
    care.confirmation_record(
        actor=place.civil,
        child_id=child.pk,
        signed_on=_today(),
        entrusting_parties="父母",
        entrusted_guardian="王桂兰",
        committee_signatory="村委",
    )


@pytest.fixture
def place():
    """Children of every kind: who needs a confirmation, and who has signed one.

    守望村: 2 left-behind (1 signed), a de facto child (grandparents, signed), a child
    at home (no need), a child at home cared for by an aunt (needs, unsigned), an
    exited left-behind child (not counted).
    向阳村: an orphan in an institution (no need), an orphan with grandparents (needs).
    青石村 (the other township): 1 left-behind, unsigned.
    外县村: a left-behind child, signed (never counted here).
    """
    place = make_place()
    v, ov, far = place.village, place.other_village, place.far_village
    make_child(v, name="留守一", **LEFT_BEHIND)
    _sign(place, make_child(v, name="留守二", **LEFT_BEHIND))
    _sign(place, make_child(v, name="事实", **DE_FACTO))
    make_child(v, name="在家", **AT_HOME)
    make_child(
        v,
        name="亲戚",
        **(AT_HOME | {"guardian_name": "张姑姑", "guardian_relation": "其他亲属"}),
    )
    gone = make_child(v, name="退出", **LEFT_BEHIND)
    registry.child_exit(
        actor=place.civil,
        child_id=gone.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=_today(),
    )
    make_child(
        ov,
        name="机构孤儿",
        **(ORPHAN | {"guardian_name": "福利院", "guardian_relation": "机构"}),
    )
    make_child(ov, name="散居孤儿", **ORPHAN)
    make_child(far, name="青石留守", **LEFT_BEHIND)
    foreign = make_child(place.foreign_village, name="外县留守")
    care.confirmation_record(
        actor=place.foreign_civil,
        child_id=foreign.pk,
        signed_on=_today(),
        entrusting_parties="父母",
        entrusted_guardian="王桂兰",
        committee_signatory="村委",
    )
    return place


def _rows(coverage):
    return [(r.area.name, r.needing, r.signed, r.rate) for r in coverage.rows]


def test_the_database_filter_is_the_policy_function(place):
    for child in Child.objects.filter(status="active"):
        wanted = needs_confirmation(
            left_behind=child.is_left_behind, guardian_relation=child.guardian_relation
        )
        found = (
            Child.objects.filter(pk=child.pk)
            .filter(selectors.needs_confirmation_q())
            .exists()
        )
        assert found == wanted, child.name


def test_a_county_sees_its_townships(place):
    coverage = selectors.coverage_for(viewer=place.civil, area=place.county)

    assert _rows(coverage) == [
        ("守望镇", 5, 2, 2 / 5),
        ("青石镇", 1, 0, 0.0),
    ]
    total = coverage.total
    assert (total.needing, total.signed, total.missing) == (6, 2, 4)
    assert total.rate == pytest.approx(1 / 3)
    assert coverage.drill is True


def test_a_township_sees_its_villages_and_a_village_itself(place):
    township = selectors.coverage_for(viewer=place.supervisor, area=place.township)
    assert _rows(township) == [("守望村", 4, 2, 0.5), ("向阳村", 1, 0, 0.0)]

    village = selectors.coverage_for(viewer=place.director, area=place.village)
    assert _rows(village) == [("守望村", 4, 2, 0.5)]
    assert village.drill is False


def test_an_area_where_nobody_needs_one_has_no_rate(place):
    far = selectors.coverage_for(viewer=place.civil, area=place.other_township)
    assert _rows(far) == [("青石村", 1, 0, 0.0)]
    Child.objects.filter(village_id=place.far_village.code).update(
        is_left_behind=False, guardian_relation="父亲"
    )
    far = selectors.coverage_for(viewer=place.civil, area=place.other_township)
    assert _rows(far) == [("青石村", 0, 0, None)]
    assert far.total.rate is None


def test_the_area_is_the_viewers_own_unless_given_and_never_outside(place):
    assert selectors.coverage_area_for(viewer=place.civil) == place.county
    assert selectors.coverage_area_for(viewer=place.supervisor) == place.township
    assert (
        selectors.coverage_area_for(viewer=place.civil, code=place.village.code)
        == place.village
    )
    for viewer, code in (
        (place.supervisor, place.other_township.code),
        (place.supervisor, place.far_village.code),
        (place.director, place.other_village.code),
        (place.civil, place.foreign_county.code),
        (place.civil, "43052491100"),
        (place.civil, "999999999999"),
        (place.leader, ""),
        (place.admin, ""),
    ):
        with pytest.raises(Http404):
            selectors.coverage_area_for(viewer=viewer, code=code)


def test_the_missing_list_is_who_needs_one_and_has_none(place):
    names = [
        c.name
        for c in selectors.missing_confirmations_for(
            viewer=place.civil, area=place.county
        )
    ]
    assert sorted(names) == sorted(["留守一", "亲戚", "散居孤儿", "青石留守"])
    names = [
        c.name
        for c in selectors.missing_confirmations_for(
            viewer=place.director, area=place.village
        )
    ]
    assert sorted(names) == ["亲戚", "留守一"]


def test_my_children_are_those_i_am_responsible_for(place):
    mine = Child.objects.filter(village_id=place.village.code, status="active")
    registry.children_responsibility_set(
        actor=place.supervisor,
        child_ids=list(mine.values_list("pk", flat=True)),
        director_id=place.director.pk,
    )

    names = sorted(c.name for c in selectors.my_children_for(viewer=place.director))
    assert names == sorted(["留守一", "留守二", "事实", "在家", "亲戚"])
    # The other village's children got its only director when they were registered.
    assert {
        c.village_id for c in selectors.my_children_for(viewer=place.other_director)
    } == {place.other_village.code}
    counts = selectors.category_counts(selectors.my_children_for(viewer=place.director))
    assert counts == {
        "儿童": 5,
        "孤儿": 0,
        "事实无人抚养儿童": 1,
        "农村留守儿童": 2,
        "困境儿童": 1,
        "高风险": 0,
        "需签确认书": 4,
        "未签确认书": 2,
    }


def test_patch_leaders_of_a_township(place):
    old = care.patch_leader_set(
        actor=place.supervisor,
        area_code=place.village.code,
        name="李镇长",
        started_on=_today() - timedelta(days=9),
    )
    new = care.patch_leader_set(
        actor=place.supervisor,
        area_code=place.village.code,
        name="赵委员",
        started_on=_today(),
    )
    whole = care.patch_leader_set(
        actor=place.supervisor,
        area_code=place.township.code,
        name="钱书记",
        started_on=_today(),
    )
    care.patch_leader_set(
        actor=place.civil,
        area_code=place.far_village.code,
        name="孙镇长",
        started_on=_today(),
    )

    rows, history = selectors.patch_leaders_for(
        viewer=place.supervisor, township=place.township
    )

    assert [(r.area.name, r.current) for r in rows] == [
        ("守望镇", whole),
        ("守望村", new),
        ("向阳村", None),
    ]
    assert set(history) == {old, new, whole}
    assert selectors.area_patch_leaders(place.village.code) == [new, whole]
    with pytest.raises(Http404):
        selectors.patch_township_get_for(
            viewer=place.supervisor, code=place.other_township.code
        )
    with pytest.raises(Http404):
        selectors.patch_area_get_for(viewer=place.director, code=place.village.code)
