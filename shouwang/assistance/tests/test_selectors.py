"""The standard in force (most local area wins, 事实无人抚养儿童 falling back to the
scattered-orphan standard), a standard's history, and the children eligible in a
month with their amounts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shouwang.assistance.selectors import (
    Raise,
    allowance_eligible_list,
    standard_history,
    standard_in_force,
)
from shouwang.registry import services as registry
from shouwang.registry.tests.factories import (
    DE_FACTO,
    LEFT_BEHIND,
    ORPHAN,
    make_child,
    make_place,
    years_ago,
)

from .factories import CITY, PROVINCE, set_standard

pytestmark = pytest.mark.django_db

SCATTERED, INSTITUTIONAL, DE_FACTO_KIND = (
    "社会散居孤儿",
    "集中养育孤儿",
    "事实无人抚养儿童",
)


@pytest.fixture
def place():
    return make_place()


def amount_on(village, kind: str, day: date) -> Decimal | None:
    found = standard_in_force(village_id=village.code, kind=kind, on=day)
    return found.amount if found else None


def test_the_most_local_standard_in_force_wins(place):
    set_standard(PROVINCE, SCATTERED, "1200", date(2025, 1, 1))
    set_standard(CITY, SCATTERED, "1300", date(2025, 7, 1))
    set_standard(place.county, SCATTERED, "1450", date(2026, 1, 1))

    assert amount_on(place.village, SCATTERED, date(2024, 12, 31)) is None
    assert amount_on(place.village, SCATTERED, date(2025, 1, 1)) == Decimal("1200")
    assert amount_on(place.village, SCATTERED, date(2025, 7, 1)) == Decimal("1300")
    assert amount_on(place.village, SCATTERED, date(2026, 1, 1)) == Decimal("1450")
    # The neighbouring county has no standard of its own: the city's.
    assert amount_on(place.foreign_village, SCATTERED, date(2026, 1, 1)) == Decimal(
        "1300"
    )
    found = standard_in_force(
        village_id=place.village.code, kind=SCATTERED, on=date(2026, 3, 1)
    )
    assert (found.area_id, found.kind, found.effective_from) == (
        place.county.code,
        SCATTERED,
        date(2026, 1, 1),
    )


def test_de_facto_falls_back_to_the_scattered_standard_of_the_same_area(place):
    set_standard(PROVINCE, DE_FACTO_KIND, "1100", date(2025, 1, 1))
    set_standard(place.county, SCATTERED, "1450", date(2025, 1, 1))
    day = date(2025, 6, 1)
    # The county set no de facto standard: its scattered-orphan one, before the
    # province's de facto one (INTERPRET_STANDARD_ORDER).
    found = standard_in_force(village_id=place.village.code, kind=DE_FACTO_KIND, on=day)
    assert (found.amount, found.kind) == (Decimal("1450"), SCATTERED)
    # Where the county sets one, it is its own.
    set_standard(place.county, DE_FACTO_KIND, "1400", date(2025, 3, 1))
    assert amount_on(place.village, DE_FACTO_KIND, day) == Decimal("1400")
    # A county with neither: the province's de facto standard.
    assert amount_on(place.foreign_village, DE_FACTO_KIND, day) == Decimal("1100")
    # Kinds never borrow other than from the fallback table.
    assert amount_on(place.village, INSTITUTIONAL, day) is None


def test_the_history_answers_the_latest_raise_and_consecutive_years(place):
    set_standard(PROVINCE, SCATTERED, "1100", date(2022, 1, 1))
    set_standard(PROVINCE, SCATTERED, "1200", date(2023, 1, 1))
    set_standard(PROVINCE, SCATTERED, "1200", date(2023, 7, 1))  # no change
    set_standard(place.county, SCATTERED, "1350", date(2024, 7, 1))
    set_standard(PROVINCE, SCATTERED, "1300", date(2025, 1, 1))  # below the county
    set_standard(place.county, SCATTERED, "1500", date(2025, 10, 1))

    history = standard_history(area_code=place.county.code, kind=SCATTERED)
    assert [(e.effective_from, e.amount, e.area_id) for e in history.entries] == [
        (date(2022, 1, 1), Decimal("1100"), PROVINCE),
        (date(2023, 1, 1), Decimal("1200"), PROVINCE),
        (date(2024, 7, 1), Decimal("1350"), place.county.code),
        (date(2025, 10, 1), Decimal("1500"), place.county.code),
    ]
    assert history.latest_raise == Raise(
        date(2025, 10, 1), Decimal("1350"), Decimal("1500")
    )
    # Raised in 2023, 2024 and 2025 (the first standard of 2022 is no raise).
    assert history.consecutive_years_raised() == 3
    assert history.consecutive_years_raised(2025) == 3
    assert history.consecutive_years_raised(2024) == 2
    assert history.consecutive_years_raised(2026) == 0

    # The province's own history: 1100 → 1200 → 1300.
    province = standard_history(area_code=PROVINCE, kind=SCATTERED)
    assert province.latest_raise == Raise(
        date(2025, 1, 1), Decimal("1200"), Decimal("1300")
    )
    assert province.consecutive_years_raised() == 1  # 2023, none in 2024, 2025
    # Up to a day: the raise of October 2025 is not yet in it.
    before = standard_history(
        area_code=place.village.code, kind=SCATTERED, through=date(2025, 9, 30)
    )
    assert before.latest_raise == Raise(
        date(2024, 7, 1), Decimal("1200"), Decimal("1350")
    )
    assert standard_history(area_code=PROVINCE, kind=INSTITUTIONAL).entries == ()
    assert standard_history(area_code=PROVINCE, kind=INSTITUTIONAL).latest_raise is None


def test_the_eligible_children_of_a_month_with_their_amounts(place):
    today = timezone.localdate()
    month = (today.replace(day=1) + timedelta(days=31)).replace(day=1)  # next month
    set_standard(place.county, SCATTERED, "1500", date(2020, 1, 1))
    set_standard(place.county, INSTITUTIONAL, "2100", date(2020, 1, 1))
    scattered = make_child(place.village, name="散居", **ORPHAN)
    institutional = make_child(
        place.village,
        name="机构",
        **{**ORPHAN, "guardian_relation": "机构", "guardian_name": "县儿童福利院"},
    )
    de_facto = make_child(place.far_village, name="事实", **DE_FACTO)
    student = make_child(
        place.village,
        name="高职",
        birth_date=years_ago(19, today=month),
        schooling="高职及以上",
        **ORPHAN,
    )
    make_child(place.village, name="留守", **LEFT_BEHIND)
    make_child(place.foreign_village, name="外县孤儿", **ORPHAN)
    # Left this month: paid for this month, not for the next.
    gone = make_child(place.village, name="已退出", **ORPHAN)
    registry.child_exit(
        actor=place.director,
        child_id=gone.pk,
        expected_version=1,
        reason="被收养",
        exit_date=today,
        note="",
    )

    listed = allowance_eligible_list(area_code=place.county.code, month=month)
    assert [(c.child_id, c.name, c.village, c.kind, c.amount) for c in listed] == [
        (scattered.pk, "散居", "守望村", SCATTERED, Decimal("1500")),
        (institutional.pk, "机构", "守望村", INSTITUTIONAL, Decimal("2100")),
        (student.pk, "高职", "守望村", SCATTERED, Decimal("1500")),
        (de_facto.pk, "事实", "青石村", DE_FACTO_KIND, Decimal("1500")),
    ]
    # A village's list: its children only.
    assert [
        c.name
        for c in allowance_eligible_list(area_code=place.far_village.code, month=month)
    ] == ["事实"]
