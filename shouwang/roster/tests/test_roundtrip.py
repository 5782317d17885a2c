"""An export imports again unchanged: export what a user sees, check the file with the
importer, and nothing is new or changed (with full ID numbers, and with masked ones)."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.registry.models import Child
from shouwang.registry.selectors import ChildFilters
from shouwang.registry.tests.factories import (
    AT_HOME,
    FATHER_ID,
    GUARDIAN_ID,
    make_child,
    make_ledger,
    make_place,
    years_ago,
)
from shouwang.roster.export import roster_export_write
from shouwang.roster.importer import roster_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    place = make_place()
    make_ledger(place)
    return place


def _export(user, *, full_id: bool = True, **filters) -> bytes:
    out = io.BytesIO()
    roster_export_write(
        actor=user, out=out, filters=ChildFilters(**filters), full_id=full_id
    )
    return out.getvalue()


def _assert_unchanged(plan, count: int) -> None:
    assert plan.unusable == ""
    assert plan.errors == []
    assert plan.counts == {
        "new": 0,
        "changed": 0,
        "unchanged": count,
        "rejected": 0,
        "duplicates": 0,
    }, [(r.row, r.action, r.changes) for r in plan.rows if r.action != "unchanged"]
    assert plan.notes == []  # the computed columns are known, not reported


def test_the_ledger_exported_imports_unchanged(place):
    plan = roster_check(_export(place.civil), "花名册.xlsx", actor=place.civil)
    _assert_unchanged(plan, 6)
    assert {r.child_id for r in plan.rows} == set(
        Child.objects.filter(
            status="active", village_id__lte="430524999999"
        ).values_list("pk", flat=True)
    )


def test_every_kind_of_fact_survives_the_round_trip(place):
    village = place.village
    make_child(
        village,
        name="无号",
        id_number=None,
        birth_date=years_ago(5, days=3),
        boarding=None,
    )
    make_child(
        village,
        name="无号",
        id_number=None,
        birth_date=years_ago(7, days=9),
        sex="女",
        boarding=False,
        schooling="幼儿园",
        **AT_HOME,
    )
    make_child(
        village,
        name="齐全",
        sex="女",
        ethnicity="土家族",
        hukou_nature="城镇",
        address="守望村3组12号",
        health="残疾",
        disability_category="多重",
        disability_grade="一级",
        serious_illness=True,
        schooling="初中",
        school="守望中学",
        boarding=True,
        birth_date=years_ago(13, days=100),
        father_id_number=FATHER_ID,
        father_phone="13800138000",
        mother_phone="0739-1234567",
        guardian_id_number=GUARDIAN_ID,
        guardian_phone="13912345678",
        guardian_capacity="差",
        confirmation_signed=True,
        confirmation_date=timezone.localdate() - timedelta(days=30),
        family_assistance=["临时救助", "低保", "医疗救助"],
        notes="每月走访；家中有老人需照顾",
    )
    make_child(
        place.far_village,
        name="患病",
        health="患病",
        mother_status="重病",
        mother_work_place="",
        family_assistance=["特困供养"],
    )
    plan = roster_check(_export(place.civil), "花名册.xlsx", actor=place.civil)
    _assert_unchanged(plan, 10)
    unnumbered = [r for r in plan.rows if not r.data["id_number"]]
    assert {r.child_id for r in unnumbered} == set(
        Child.objects.filter(name="无号").values_list("pk", flat=True)
    )


def test_text_neutralised_on_export_comes_back_as_it_was(place):
    make_child(
        place.village,
        father_work_place='=HYPERLINK("http://x.cn","点")',
        address="-3组",
        school="+守望小学",
        notes='@SUM(1+1) =HYPERLINK("http://evil.example/","领取")',
    )
    plan = roster_check(_export(place.civil), "花名册.xlsx", actor=place.civil)
    _assert_unchanged(plan, 7)


def test_a_filtered_export_by_the_village_director_imports_unchanged(place):
    data = _export(place.director, category="困境儿童")
    plan = roster_check(data, "花名册.xlsx", actor=place.director)
    _assert_unchanged(plan, 2)


def test_a_masked_export_imports_unchanged(place):
    # The masked numbers are read as the numbers on file (see test_masked).
    plan = roster_check(
        _export(place.civil, full_id=False), "花名册.xlsx", actor=place.civil
    )
    _assert_unchanged(plan, 6)
