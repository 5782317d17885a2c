"""The standards page through HTTP: what is in force for each kind and since when,
the counties' standards for a city, raising one (with every refusal on its field and
nothing saved), and who may read or set."""

import html
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from shouwang.areas.models import Area
from shouwang.assistance.models import AllowanceStandard
from shouwang.assistance.tests.factories import CITY, PROVINCE, civil_at, set_standard
from shouwang.registry.tests.factories import make_place

pytestmark = pytest.mark.django_db
PAGE, SET = "/assistance/standards/", "/assistance/standards/set/"


@pytest.fixture
def place():
    place = make_place()
    set_standard(PROVINCE, "社会散居孤儿", "1000", date(2024, 1, 1))
    set_standard(place.county, "社会散居孤儿", "1100", date(2025, 1, 1))
    set_standard(place.county, "社会散居孤儿", "1200", date(2026, 1, 1))
    set_standard(place.foreign_county, "集中养育孤儿", "1777.77", date(2026, 1, 1))
    return place


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_county_reads_what_is_in_force_and_its_history(place):
    response = _client(place.civil).get(PAGE)
    assert response.status_code == 200
    scattered = response.context["kinds"][1]
    assert (scattered["kind"], scattered["current"]["amount"]) == ("社会散居孤儿", 1200)
    assert [s["amount"] for s in scattered["steps"]] == [1200, 1100, 1000]
    assert scattered["years"] == 2
    text = _text(response)
    assert "2026-01-01 起执行，隆回县标准；已连续 2 年提高" in text
    # 事实无人抚养儿童 has no standard of its own: the scattered-orphan one applies.
    assert "隆回县的社会散居孤儿标准" in text
    assert "尚未设置" in text  # 集中养育孤儿: nobody set one for 隆回县
    assert "1777.77" not in text  # the neighbouring county's
    assert response.context["form"] is not None


def test_a_city_sees_each_county_s_standards(place):
    city = civil_at(CITY, "shi_minzheng")
    response = _client(city).get(PAGE)
    units = {unit.name: found for unit, found in response.context["units"]}
    assert units["隆回县"][1]["amount"] == 1200
    assert units["洞口县"][0]["amount"] == Decimal("1777.77")
    assert units["洞口县"][1]["area"] == Area.objects.get(code=PROVINCE).name


def test_raising_a_standard_adds_a_row(place):
    client = _client(place.civil)
    response = client.post(
        SET,
        {"kind": "社会散居孤儿", "amount": "1,350", "effective_from": "2027-01-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert "已设置隆回县社会散居孤儿标准：每人每月 1350.00 元，2027-01-01 起执行。" in (
        _text(response)
    )
    assert AllowanceStandard.objects.filter(area=place.county).count() == 3
    assert "2027-01-01 起将执行 1350.00 元" in _text(response)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0"}, "amount", "金额应大于0"),
        ({"amount": "12.345"}, "amount", "金额最多两位小数"),
        ({"amount": "一千"}, "amount", "金额应为数字"),
        ({"effective_from": "2027-13-01"}, "effective_from", "请填写日期"),
        ({"area": "430525000000"}, "area", "不在您的管辖范围内"),
        ({"area": "430524911000"}, "area", "只能由省、市、县（市、区）设置"),
        ({"area": "430599000000"}, "area", "不存在"),
        ({"effective_from": "2026-01-01"}, "effective_from", "标准只增不改"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_saves_nothing(
    place, data, field, message
):
    before = AllowanceStandard.objects.count()
    values = {"kind": "社会散居孤儿", "amount": "1300", "effective_from": "2027-01-01"}
    response = _client(place.civil).post(SET, {**values, **data})
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert AllowanceStandard.objects.count() == before


def test_who_may_read_and_set(place):
    for user in (place.director, place.supervisor, place.department, place.admin):
        assert _client(user).get(PAGE).status_code == 403, user.role
        assert _client(user).post(SET, {}).status_code == 403, user.role
    leader = _client(place.leader)
    response = leader.get(PAGE)
    assert response.status_code == 200 and response.context["form"] is None
    assert leader.post(SET, {"kind": "社会散居孤儿"}).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to the login page
