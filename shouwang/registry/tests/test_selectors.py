"""Reads of the child ledger: jurisdiction, search, filters, keyset pages, history,
the record as of a past date, duplicate candidates and aggregate counts."""

import base64
import json
from datetime import date, datetime

import pytest
from django.http import Http404
from django.utils import timezone

from shouwang.core.idnumber import check_character
from shouwang.registry import services
from shouwang.registry.models import Child
from shouwang.registry.selectors import (
    ChildFilters,
    InvalidCursor,
    birth_range_for_age,
    child_as_of,
    child_filter,
    child_get_for,
    child_history,
    child_list_for,
    child_search,
    child_snapshot_of_version,
    decode_cursor,
    duplicate_candidates,
    encode_cursor,
    keyset_page,
    value_names,
)

from .factories import LEDGER_FILTERS, make_child, make_ledger, make_place, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


def _names(children) -> set[str]:
    return {c.name for c in children}


# --- jurisdiction -----------------------------------------------------------------------


def test_each_role_reads_the_children_of_its_jurisdiction_only(place):
    make_child(place.village, name="本村")
    make_child(place.other_village, name="邻村")
    make_child(place.far_village, name="外镇")
    make_child(place.foreign_village, name="外县")

    assert _names(child_list_for(viewer=place.director)) == {"本村"}
    assert _names(child_list_for(viewer=place.supervisor)) == {"本村", "邻村"}
    assert _names(child_list_for(viewer=place.civil)) == {"本村", "邻村", "外镇"}
    assert _names(child_list_for(viewer=place.foreign_civil)) == {"外县"}
    for viewer in (place.leader, place.department, place.admin):
        assert not child_list_for(viewer=viewer).exists()


def test_child_get_for_answers_404_for_missing_and_not_yours_alike(place):
    mine = make_child(place.village)
    theirs = make_child(place.other_village)
    assert child_get_for(viewer=place.director, pk=mine.pk) == mine
    assert child_get_for(viewer=place.director, pk=str(mine.pk)) == mine
    for pk in (theirs.pk, theirs.pk + 1000, "abc", None):
        with pytest.raises(Http404):
            child_get_for(viewer=place.director, pk=pk)
    with pytest.raises(Http404):
        child_get_for(viewer=place.leader, pk=mine.pk)


# --- search -----------------------------------------------------------------------------


def test_search_by_name_pinyin_initials_and_full_id_number(place):
    zhang = make_child(place.village, name="张晓明")
    make_child(place.village, name="李小红")
    zeng = make_child(place.village, name="曾小明")
    everyone = Child.objects.all()

    assert _names(child_search(everyone, "晓明")) == {"张晓明"}
    assert _names(child_search(everyone, "张小明")) == {"张晓明"}  # same sound
    assert _names(child_search(everyone, "zxm")) == {"张晓明", "曾小明"}
    assert _names(child_search(everyone, "ZXM")) == {"张晓明", "曾小明"}
    assert _names(child_search(everyone, "zhangx")) == {"张晓明"}
    assert _names(child_search(everyone, "lxh")) == {"李小红"}
    assert _names(child_search(everyone, zhang.id_number)) == {"张晓明"}
    assert _names(child_search(everyone, f"  {zeng.id_number}  ")) == {"曾小明"}
    assert _names(child_search(everyone, "  ")) == {"张晓明", "李小红", "曾小明"}
    # A part of a number, or a number with a wrong check digit, finds nobody.
    assert not child_search(everyone, zhang.id_number[:14]).exists()
    wrong = zhang.id_number[:17] + ("0" if zhang.id_number[17] != "0" else "1")
    assert not child_search(everyone, wrong).exists()


def test_search_by_an_id_number_ending_in_x_ignores_its_case(place):
    born = date(2016, 1, 1)
    number = next(
        first17 + "X"
        for first17 in (f"430524{born:%Y%m%d}{order:03d}" for order in range(1, 999, 2))
        if check_character(first17) == "X"
    )
    make_child(place.village, name="末位叉", birth_date=born, id_number=number)
    assert _names(child_search(Child.objects.all(), number.lower())) == {"末位叉"}


# --- filters ----------------------------------------------------------------------------


@pytest.fixture
def ledger(place):
    make_ledger(place)
    return place


@pytest.mark.parametrize(("filters", "expected"), LEDGER_FILTERS)
def test_each_filter_narrows_the_list(ledger, filters, expected):
    children = child_filter(
        child_list_for(viewer=ledger.civil),
        ChildFilters(**filters),
        as_of=timezone.localdate(),
    )
    assert _names(children) == expected


def test_age_bands_turn_on_the_birthday():
    on = date(2026, 11, 30)
    assert birth_range_for_age(6, 11, on) == (date(2014, 12, 1), date(2020, 11, 30))
    assert birth_range_for_age(0, 2, on) == (date(2023, 12, 1), on)
    leap = date(2028, 2, 29)
    low, high = birth_range_for_age(3, 5, leap)
    assert (low, high) == (date(2022, 3, 1), date(2025, 2, 28))


# --- keyset pages -----------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["name", "birth", "-birth", "village", "-updated"])
def test_walking_the_pages_finds_every_child_once_in_order(place, sort):
    names = ["张晓明", "张小明", "李娜", "王芳", "赵磊", "曾静", "孙杰"]
    for i, name in enumerate(names):
        village = (place.village, place.other_village)[i % 2]
        # Pairs share a birth date, so the id breaks ties inside a page and across.
        make_child(village, name=name, birth_date=years_ago(5 + i // 2))
    everyone = child_list_for(viewer=place.civil)
    expected = list(everyone.order_by(*_order(sort)).values_list("pk", flat=True))

    seen, cursor, pages = [], "", 0
    while True:
        rows, cursor = keyset_page(everyone, sort=sort, after=cursor, size=3)
        seen.extend(c.pk for c in rows)
        pages += 1
        if not cursor:
            break
    assert seen == expected
    assert pages == 3


def _order(sort):
    return {
        "name": ("name_pinyin", "id"),
        "birth": ("birth_date", "id"),
        "-birth": ("-birth_date", "id"),
        "village": ("village_id", "name_pinyin", "id"),
        "-updated": ("-updated_at", "id"),
    }[sort]


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("name", "!!!not base64!!!"),
        ("name", "abc"),
        ("name", _b64({"a": 1})),
        ("name", _b64(["zhang"])),  # another sort's length
        ("village", _b64(["zhang", 1])),
        ("name", _b64(["zhang", "not-an-id"])),
        ("name", _b64(["zhang", 10**23])),  # beyond any id
        ("name", _b64(["zhang", 0])),
        ("name", _b64(["zhang", True])),
        ("name", _b64([None, None])),
        ("name", _b64([["x"], {"y": 1}])),
        ("birth", _b64(["2016-02-31", 1])),
        ("-updated", _b64(["yesterday", 1])),
        ("name", base64.urlsafe_b64encode(b"\xff\xfe").decode()),
    ],
)
def test_a_cursor_keyset_page_did_not_make_is_refused(place, sort, cursor):
    make_child(place.village, name="张晓明")
    with pytest.raises(InvalidCursor):
        keyset_page(child_list_for(viewer=place.director), sort=sort, after=cursor)


@pytest.mark.parametrize("sort", ["name", "birth", "-birth", "village", "-updated"])
def test_a_cursor_of_each_sort_is_accepted_back(place, sort):
    for name in ("张晓明", "李娜", "王芳"):
        make_child(place.village, name=name)
    everyone = child_list_for(viewer=place.director)
    first, cursor = keyset_page(everyone, sort=sort, size=2)
    rest, end = keyset_page(everyone, sort=sort, after=cursor, size=2)
    assert len(first) == 2
    assert len(rest) == 1
    assert end == ""
    assert {c.pk for c in first} | {c.pk for c in rest} == {c.pk for c in everyone}


def test_cursors_round_trip():
    assert decode_cursor(encode_cursor(["a", 1, date(2020, 1, 2)])) == [
        "a",
        1,
        "2020-01-02",
    ]
    assert decode_cursor("%%%") is None


# --- history and the past ---------------------------------------------------------------


def test_history_includes_the_records_merged_into_a_child(place):
    born = years_ago(7)
    keep = make_child(place.village, id_number=None, name="张晓明", birth_date=born)
    merged = make_child(place.village, id_number=None, name="张小明", birth_date=born)
    other = make_child(place.village, name="李娜")
    services.child_merge(
        actor=place.director,
        keep_id=keep.pk,
        merge_id=merged.pk,
        keep_version=1,
        merge_version=1,
    )
    history = list(child_history(keep, viewer=place.director))
    assert {c.child_id for c in history} == {keep.pk, merged.pk}
    assert [c.action for c in history if c.child_id == merged.pk] == [
        "merge",
        "create",
    ]
    assert len(history) == 4
    assert all(c.child_id != other.pk for c in history)
    assert {c.child_id for c in child_history(merged, viewer=place.director)} == {
        merged.pk
    }


def test_history_leaves_out_merged_records_the_viewer_may_not_see(place):
    born = years_ago(7)
    keep = make_child(place.village, id_number=None, name="张晓明", birth_date=born)
    merged = make_child(
        place.other_village, id_number=None, name="张小明", birth_date=born
    )
    services.child_merge(
        actor=place.supervisor,
        keep_id=keep.pk,
        merge_id=merged.pk,
        keep_version=1,
        merge_version=1,
    )
    assert {c.child_id for c in child_history(keep, viewer=place.supervisor)} == {
        keep.pk,
        merged.pk,
    }
    # The village director of the kept record does not see the other village's record.
    assert {c.child_id for c in child_history(keep, viewer=place.director)} == {keep.pk}


def test_the_record_as_of_a_past_date_is_the_last_snapshot_on_or_before_it(place):
    child = make_child(place.village, school="一小")
    tz = timezone.get_current_timezone()
    child.changes.update(at=datetime(2026, 1, 10, 9, 0, tzinfo=tz))
    data = {
        **{
            k: v
            for k, v in services.snapshot(child).items()
            if k in services.FACT_FIELDS
        },
        "birth_date": child.birth_date,
        "confirmation_date": None,
        "school": "二小",
    }
    services.child_update(
        actor=place.director, child_id=child.pk, expected_version=1, data=data
    )
    child.changes.filter(version=2).update(at=datetime(2026, 3, 5, 23, 59, tzinfo=tz))

    assert child_as_of(child, date(2026, 1, 9)) is None
    assert child_as_of(child, date(2026, 1, 10))["school"] == "一小"
    assert child_as_of(child, date(2026, 3, 4))["school"] == "一小"
    assert child_as_of(child, date(2026, 3, 5))["school"] == "二小"
    assert child_as_of(child, date(2026, 6, 1))["school"] == "二小"


def test_a_version_snapshot_and_the_names_of_stored_codes(place):
    child = make_child(place.village, school="一小", responsible_director_id=None)
    services.child_update(
        actor=place.director,
        child_id=child.pk,
        expected_version=1,
        data={"school": "二小", "responsible_director_id": place.director.pk},
    )
    assert child_snapshot_of_version(child, 1)["school"] == "一小"
    assert child_snapshot_of_version(child, 2)["school"] == "二小"
    assert child_snapshot_of_version(child, 3) == {}
    villages, directors = value_names(
        village_codes=["430524911001", "430524911001"],
        director_ids=[place.director.pk],
    )
    assert villages == {"430524911001": "守望村"}
    assert directors == {place.director.pk: "主任张"}


# --- duplicates -------------------------------------------------------------------------


def test_duplicate_candidates_share_county_birth_date_and_sound(place):
    born = years_ago(8)
    child = make_child(place.village, id_number=None, name="张晓明", birth_date=born)
    same_sound = make_child(
        place.other_village, id_number=None, name="张小明", birth_date=born
    )
    close = make_child(place.far_village, name="张晓鸣", birth_date=born)
    make_child(place.village, id_number=None, name="张小明", birth_date=years_ago(9))
    make_child(place.village, id_number=None, name="李娜", birth_date=born)
    make_child(place.foreign_village, id_number=None, name="张小明", birth_date=born)

    found = duplicate_candidates(viewer=place.civil, child=child)
    assert {c.pk for c in found} == {same_sound.pk, close.pk}
    # A director only meets the candidates of their own village.
    assert duplicate_candidates(viewer=place.director, child=child) == []


def test_two_numbered_records_are_never_candidates(place):
    born = years_ago(8)
    child = make_child(place.village, name="张晓明", birth_date=born)
    make_child(place.village, name="张小明", birth_date=born)
    assert duplicate_candidates(viewer=place.director, child=child) == []


def test_dismissed_and_merged_records_are_no_longer_candidates(place):
    born = years_ago(8)
    child = make_child(place.village, id_number=None, name="张晓明", birth_date=born)
    twin = make_child(place.village, id_number=None, name="张小明", birth_date=born)
    other = make_child(place.village, id_number=None, name="章小明", birth_date=born)
    assert _names(duplicate_candidates(viewer=place.director, child=child)) == {
        "张小明",
        "章小明",
    }

    services.duplicate_dismiss(actor=place.director, first=child, second=twin)
    assert _names(duplicate_candidates(viewer=place.director, child=child)) == {
        "章小明"
    }
    assert _names(duplicate_candidates(viewer=place.director, child=twin)) == {"章小明"}

    services.child_merge(
        actor=place.director,
        keep_id=child.pk,
        merge_id=other.pk,
        keep_version=1,
        merge_version=1,
    )
    assert duplicate_candidates(viewer=place.director, child=child) == []
