"""Foundling (弃婴) pages through HTTP: registering one, the 60-day notice, admission
and outcome at the version read, the yearly counts, and who may see what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.assistance.models import Foundling
from shouwang.assistance.selectors_foundlings import foundling_trend, foundlings_by_year
from shouwang.assistance.services_foundlings import foundling_register
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.registry.tests.factories import make_place
from tests.factories import make_area, make_user

from .factories import CITY

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**values) -> dict:
    return {
        "found_on": (TODAY - timedelta(days=100)).isoformat(),
        "found_place": "守望镇卫生院门口",
        "certificate_number": "隆公捡字〔2026〕第008号",
        "name": "党守望",
        "sex": "女",
        "estimated_birth_date": (TODAY - timedelta(days=110)).isoformat(),
        "health": "早产，体重偏轻",
        **values,
    }


def _values(**values) -> dict:
    form = _form(**values)
    return {
        key: date.fromisoformat(value) if key.endswith(("_on", "_date")) else value
        for key, value in form.items()
    }


def test_a_foundling_is_registered_with_its_facts_checked(place):
    client = _client(place.civil)
    url = reverse("assistance:foundling-register")
    assert "登记弃婴" in client.get(url).content.decode()
    response = client.post(
        url,
        _form(
            found_place="",
            sex="",
            found_on=(TODAY + timedelta(days=1)).isoformat(),
            estimated_birth_date="2026-02-30",
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "estimated_birth_date": [
            "估计出生日期格式不对：请按“年-月-日”填写，如 2026-09-01。"
        ]
    }
    response = client.post(
        url,
        _form(
            found_place="",
            sex="",
            found_on=(TODAY + timedelta(days=1)).isoformat(),
            estimated_birth_date=(TODAY + timedelta(days=2)).isoformat(),
        ),
    )
    assert response.context["form"].errors == {
        "found_place": ["请填写捡拾地点。"],
        "sex": ["请选择性别（男或女）。"],
        "found_on": [f"捡拾日期不能晚于今天（{TODAY:%Y-%m-%d}）。"],
        "estimated_birth_date": [
            f"估计出生日期不能晚于今天（{TODAY:%Y-%m-%d}）。",
            "估计出生日期不能晚于捡拾日期。",
        ],
    }
    assert not Foundling.objects.exists()
    notice = TODAY - timedelta(days=95)
    response = client.post(url, _form(notice_starts_on=notice.isoformat()), follow=True)
    foundling = Foundling.objects.get()
    assert response.redirect_chain == [
        (reverse("assistance:foundling-detail", args=[foundling.pk]), 302)
    ]
    assert "已登记弃婴，请按时发布寻亲公告。" in response.content.decode()
    # The notice ends 60 days after it starts unless told.
    assert (foundling.county, foundling.notice_ends_on) == (
        place.county,
        notice + timedelta(days=60),
    )
    response = client.post(url, _form(found_place="另一处"))
    assert response.context["form"].errors == {
        "certificate_number": [
            "公安捡拾证明编号“隆公捡字〔2026〕第008号”已登记（"
            f"{TODAY - timedelta(days=100):%Y-%m-%d} 捡拾于守望镇卫生院门口）：请核对编号。"
        ]
    }
    body = client.get(reverse("assistance:foundling-list")).content.decode()
    assert "党守望" in body and "隆公捡字〔2026〕第008号" in body
    assert f"{notice:%Y-%m-%d} 至 {notice + timedelta(days=60):%Y-%m-%d}" in body
    event = AuditEvent.objects.get(action=AuditAction.FOUNDLING_SAVE)
    assert (event.actor, event.area_id, event.details["step"]) == (
        place.civil,
        place.county.code,
        "register",
    )


def test_notice_admission_and_outcome_are_recorded_at_the_version_read(place):
    foundling = foundling_register(actor=place.civil, values=_values())
    client = _client(place.civil)
    url = reverse("assistance:foundling-detail", args=[foundling.pk])
    assert "办理（寻亲公告、入院、结果）" in client.get(url).content.decode()
    start = TODAY - timedelta(days=90)
    ends = TODAY - timedelta(days=20)
    common = _form(
        notice_starts_on=start.isoformat(),
        notice_ends_on=ends.isoformat(),
        notice_medium="邵阳日报",
        expected_version=1,
    )
    response = client.post(
        url,
        common
        | {
            "admitted_on": (TODAY - timedelta(days=99)).isoformat(),
            "outcome": "被收养",
            "outcome_on": (TODAY - timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "institution": ["填写了入院日期，请同时填写收留福利机构。"],
        "outcome": [f"被收养须在寻亲公告期满之后：公告截止日期为 {ends:%Y-%m-%d}。"],
    }
    response = client.post(
        url,
        common
        | {
            "institution": "隆回县儿童福利院",
            "admitted_on": (TODAY - timedelta(days=99)).isoformat(),
            "outcome": "被收养",
            "outcome_on": (TODAY - timedelta(days=5)).isoformat(),
        },
        follow=True,
    )
    assert "已保存弃婴登记。" in response.content.decode()
    foundling.refresh_from_db()
    assert (foundling.outcome, foundling.notice_ends_on, foundling.version) == (
        "被收养",
        ends,
        2,
    )
    event = AuditEvent.objects.filter(action=AuditAction.FOUNDLING_SAVE).first()
    assert event.details["step"] == "edit"
    assert set(event.details["fields"]) == {
        "notice_starts_on",
        "notice_ends_on",
        "notice_medium",
        "institution",
        "admitted_on",
        "outcome",
        "outcome_on",
    }
    # A page read before that save is refused, not merged.
    response = client.post(url, common | {"outcome_note": "晚到"})
    assert response.context["form"].non_field_errors() == [
        "保存失败：在您编辑期间，该登记已被他人修改（当前为第2版）。请刷新后重新填写。"
    ]
    foundling.refresh_from_db()
    assert foundling.outcome_note == ""


def test_yearly_counts_by_the_date_found(place):
    this_year = TODAY.year
    days = (
        date(this_year, 1, 1),
        date(this_year - 1, 3, 1),
        date(this_year - 1, 12, 31),
    )
    for i, found_on in enumerate(days):
        foundling_register(
            actor=place.civil,
            values=_values(
                found_on=found_on.isoformat(),
                estimated_birth_date=found_on.isoformat(),
                certificate_number=f"第{i}号",
            ),
        )
    foundling_register(
        actor=place.foreign_civil,
        values=_values(
            certificate_number="外县1号",
            found_place="外县",
            found_on=days[0].isoformat(),
            estimated_birth_date=days[0].isoformat(),
        ),
    )
    assert foundlings_by_year("430524", this_year) == 1
    assert foundlings_by_year("430524", this_year - 1) == 2
    assert foundlings_by_year("4305", this_year) == 2
    assert foundlings_by_year("", this_year - 2) == 0
    trend = foundling_trend("430524", this_year)
    assert (trend.count, trend.last_year, trend.change, trend.rate) == (
        1,
        2,
        -1,
        Decimal("-50.0"),
    )
    assert foundling_trend("430524", this_year - 1).rate is None
    response = _client(place.leader).get(reverse("assistance:foundling-counts"))
    body = response.content.decode()
    assert (
        f"{this_year} 年登记弃婴 1 名，{this_year - 1} 年 2 名，减少 1 名（-50.0%）。"
    ) in body
    assert "守望镇卫生院门口" not in body  # counts only
    city = make_user(Role.CIVIL_AFFAIRS, make_area(CITY), username="shi_minzheng")
    response = _client(city).get(reverse("assistance:foundling-counts"))
    assert [(c.name, t.count) for c, t in response.context["rows"]] == [
        ("隆回县", 1),
        ("洞口县", 1),
    ]


def test_who_may_see_and_edit_foundlings(place):
    foundling = foundling_register(actor=place.civil, values=_values())
    detail = reverse("assistance:foundling-detail", args=[foundling.pk])
    listing = reverse("assistance:foundling-list")
    register = reverse("assistance:foundling-register")
    counts = reverse("assistance:foundling-counts")
    # City civil affairs read the records, never edit them.
    city = _client(
        make_user(Role.CIVIL_AFFAIRS, make_area(CITY), username="shi_minzheng")
    )
    assert "党守望" in city.get(listing).content.decode()
    response = city.get(detail)
    assert response.status_code == 200 and response.context["form"] is None
    assert city.post(detail, _form(expected_version=1)).status_code == 403
    assert city.get(register).status_code == 403
    # Leaders read the counts only.
    leader = _client(place.leader)
    assert leader.get(counts).status_code == 200
    for url in (listing, detail, register):
        assert leader.get(url).status_code == 403
    # Township and village staff, member units, the administrator: nothing.
    for user in (place.supervisor, place.director, place.department, place.admin):
        client = _client(user)
        for url in (listing, detail, register, counts):
            assert client.get(url).status_code == 403
        assert client.post(detail, _form(expected_version=1)).status_code == 403
    # Another county's civil affairs: not found, and not listed.
    foreign = _client(place.foreign_civil)
    assert foreign.get(detail).status_code == 404
    assert foreign.post(detail, _form(expected_version=1)).status_code == 404
    assert "党守望" not in foreign.get(listing).content.decode()
    response = Client().get(listing)
    assert response.status_code == 302 and "/login" in response.url
    foundling.refresh_from_db()
    assert foundling.version == 1
