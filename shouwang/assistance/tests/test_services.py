"""Setting a standard: a new row each time (nothing overwritten), only civil-affairs
staff of a province, city or county in their jurisdiction, audited."""

from datetime import date
from decimal import Decimal

import pytest

from shouwang.accounts.models import Role
from shouwang.assistance.models import AllowanceStandard
from shouwang.assistance.services import allowance_standard_set
from shouwang.audit.models import AuditEvent
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.tests.factories import make_place
from tests.factories import make_user

from .factories import CITY, PROVINCE, civil_at

pytestmark = pytest.mark.django_db

SCATTERED = "社会散居孤儿"


@pytest.fixture
def place():
    return make_place()


def set_(actor, area_code, amount="1500", on=date(2026, 1, 1), kind=SCATTERED):
    return allowance_standard_set(
        actor=actor,
        area_code=area_code,
        kind=kind,
        amount=Decimal(amount),
        effective_from=on,
    )


def refusal(actor, area_code, **kwargs) -> str:
    before = AllowanceStandard.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        set_(actor, area_code, **kwargs)
    assert (AllowanceStandard.objects.count(), AuditEvent.objects.count()) == before
    return error.value.message


def test_raising_a_standard_adds_a_row_and_audits_it(place):
    first = set_(place.civil, place.county.code, "1400", date(2025, 1, 1))
    raised = set_(place.civil, place.county.code, "1500.5", date(2026, 1, 1))

    assert list(
        AllowanceStandard.objects.values_list(
            "area_id", "kind", "amount", "effective_from"
        )
    ) == [
        (place.county.code, SCATTERED, Decimal("1400.00"), date(2025, 1, 1)),
        (place.county.code, SCATTERED, Decimal("1500.50"), date(2026, 1, 1)),
    ]
    first.refresh_from_db()
    assert (first.amount, first.created_by) == (Decimal("1400.00"), place.civil)
    audit = AuditEvent.objects.get(object_id=str(raised.pk))
    assert (audit.action, audit.actor, audit.area_id, audit.object_type) == (
        "allowance_standard.set",
        place.civil,
        place.county.code,
        "allowancestandard",
    )
    assert audit.details == {
        "kind": SCATTERED,
        "amount": "1500.50",
        "effective_from": "2026-01-01",
        "previous": "1400.00",
        "previous_area": place.county.code,
    }


def test_a_city_or_province_sets_standards_for_itself_and_below(place):
    city = civil_at(CITY, "shi_minzheng")
    province = civil_at(PROVINCE, "sheng_minzheng")
    set_(city, CITY)
    set_(city, place.county.code)
    set_(province, PROVINCE)
    set_(province, place.foreign_county.code)
    assert AllowanceStandard.objects.count() == 4


def test_the_same_area_kind_and_day_is_set_once(place):
    set_(place.civil, place.county.code, "1400")
    assert refusal(place.civil, place.county.code, amount="1600") == (
        "隆回县的社会散居孤儿标准在 2026-01-01 已有一条（1400.00 元/人·月）：标准只增不改，"
        "请另选执行日期。"
    )
    # Another kind, or another day, is a new standard.
    set_(place.civil, place.county.code, "1400", kind="事实无人抚养儿童")
    set_(place.civil, place.county.code, "1600", on=date(2026, 7, 1))


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "金额应大于0，当前为 0。"),
        ("-100", "金额应大于0，当前为 -100。"),
        ("1500.555", "金额最多两位小数（元、角、分），当前为 1500.555。"),
        ("1000000", "金额过大：每人每月最多 999999.99 元。"),
        ("NaN", "金额应为数字，如 1500 或 1500.50。"),
    ],
)
def test_an_amount_must_be_above_0_with_2_decimals_at_most(place, amount, message):
    assert refusal(place.civil, place.county.code, amount=amount) == message


def test_only_civil_affairs_of_a_province_city_or_county_may_set(place):
    for user in (place.director, place.supervisor, place.leader, place.admin):
        assert (
            refusal(user, place.county.code)
            == "只有省、市、县级民政干部可以设置基本生活保障标准。"
        )
    township_civil = make_user(Role.CIVIL_AFFAIRS, place.township, username="xz")
    assert (
        refusal(township_civil, place.county.code)
        == "只有省、市、县级民政干部可以设置基本生活保障标准。"
    )
    place.civil.is_active = False
    place.civil.save()
    assert (
        refusal(place.civil, place.county.code)
        == "只有省、市、县级民政干部可以设置基本生活保障标准。"
    )


def test_an_area_outside_the_jurisdiction_is_refused(place):
    assert refusal(place.civil, place.foreign_county.code) == (
        "洞口县（430525000000）不在您的管辖范围内：只能设置本级及下级区划的标准。"
    )
    assert refusal(place.civil, CITY) == (
        "邵阳市（430500000000）不在您的管辖范围内：只能设置本级及下级区划的标准。"
    )


def test_standards_are_set_for_a_province_city_or_county_only(place):
    assert refusal(place.civil, place.township.code) == (
        "守望镇是乡镇级区划：基本生活保障标准只能由省、市、县（市、区）设置。"
    )
    with pytest.raises(NotFound) as error:
        set_(place.civil, "430524999000")
    assert error.value.message == (
        "区划代码“430524999000”不存在：请填写 12 位统计用区划代码。"
    )
    assert refusal(place.civil, place.county.code, kind="孤儿") == (
        "类别“孤儿”不是可选的类别，应为：集中养育孤儿、社会散居孤儿、事实无人抚养儿童。"
    )
