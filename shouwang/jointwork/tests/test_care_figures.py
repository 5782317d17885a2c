"""The care and letter figures: declared in the catalogue under the keys the
bulletin names (no longer pending), counted per area code from rows not voided,
donations exact to the fen."""

import json
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from shouwang.jointwork import figures_care
from shouwang.jointwork.models import (
    Activity,
    Donation,
    Pairing,
    PublicityItem,
    ResponsibilityLetter,
    Volunteer,
)
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.reports import catalogue
from shouwang.reports.compute import complete, total

pytestmark = pytest.mark.django_db
KEYS = [
    "care.donations",
    "care.children_funded",
    "care.volunteer_pairings",
    "care.activities",
    "publicity.activities",
    "publicity.handbooks",
    "publicity.signboards",
    "publicity.leaflets",
    "jointwork.letters_signed",
]


def test_care_figures_per_area_from_rows_not_voided():
    assert all(catalogue.FIGURES[key].held for key in KEYS)
    assert catalogue.FIGURES["care.donations"].unit == "万元"
    place = make_place()
    civil, county, township = place.civil, place.county, place.township
    child = make_child(place.village, name="李小红")
    other = make_child(place.far_village, name="王小刚")
    foreign = make_child(place.foreign_village, name="外县儿童")

    def donation(amount, on, *children, voided=False):
        row = Donation.objects.create(
            area=county,
            donor="爱心",
            amount=amount,
            donated_on=on,
            purpose="助学",
            created_by=civil,
            voided_at=timezone.now() if voided else None,
        )
        row.children.set(children)

    donation("1000.25", date(2026, 2, 1), child, other)
    donation("99.75", date(2026, 3, 1), child)
    donation("500", date(2026, 3, 2), child, voided=True)
    donation("700", date(2026, 4, 2), other)  # after the period
    volunteer = Volunteer.objects.create(area=county, name="陈", created_by=civil)
    for start, end in (
        (date(2025, 6, 1), None),  # still active
        (date(2025, 6, 1), date(2025, 12, 31)),  # ended before the period
        (date(2026, 3, 31), date(2026, 9, 1)),  # starts on the last day
    ):
        Pairing.objects.create(
            volunteer=volunteer,
            child=child,
            kind="亲情陪护",
            starts_on=start,
            ends_on=end,
            created_by=civil,
        )
    Pairing.objects.create(
        volunteer=volunteer,
        child=foreign,
        kind="亲情陪护",
        starts_on=date(2026, 1, 1),
        created_by=civil,
    )
    for kind, where in (
        ("安全教育", township),
        ("六一关爱", county),
        ("心理健康", county),
    ):
        Activity.objects.create(
            area=where,
            title="活动",
            held_on=date(2026, 1, 10),
            organiser="civil_affairs",
            kind=kind,
            created_by=civil,
        )
    for kind, quantity in (
        ("宣传手册", 300),
        ("宣传手册", 200),
        ("宣传标牌", 4),
        ("其他", 9),
    ):
        PublicityItem.objects.create(
            area=township,
            kind=kind,
            quantity=quantity,
            made_on=date(2026, 3, 15),
            created_by=civil,
        )
    ResponsibilityLetter.objects.create(
        year=2026,
        area=county,
        party_area=township,
        signed_on=date(2026, 1, 5),
        created_by=civil,
    )
    ResponsibilityLetter.objects.create(
        year=2026,
        area=township,
        party_area=place.village,
        signed_on=date(2026, 1, 6),
        created_by=civil,
    )
    ResponsibilityLetter.objects.create(
        year=2026,
        area=county,
        party_unit="education",
        signed_on=date(2026, 1, 7),
        created_by=civil,
        voided_at=timezone.now(),
    )
    by_area = figures_care.care.compute(
        [], prefix="430524", start=date(2026, 1, 1), end=date(2026, 3, 31)
    )
    assert by_area == {
        county.code: {
            "care.donations": 110000,
            "care.activities": 2,
            "publicity.activities": 1,
            "jointwork.letters_signed": 1,
        },
        place.village.code: {"care.children_funded": 1, "care.volunteer_pairings": 2},
        place.far_village.code: {"care.children_funded": 1},
        township.code: {
            "care.activities": 1,
            "publicity.activities": 1,
            "publicity.handbooks": 500,
            "publicity.signboards": 4,
            "jointwork.letters_signed": 1,
        },
    }
    shown = complete(total(by_area))
    assert shown["care.donations"] == 0.11  # 1,100 元 in 万元, from fen
    assert shown["publicity.leaflets"] == 0
    assert figures_care.care.entered_since(
        prefix="430524", period=None, since=timezone.now().replace(year=2000)
    )
    assert not figures_care.care.entered_since(
        prefix="430524", period=None, since=timezone.now()
    )


def test_donations_are_given_in_wan_yuan_with_two_decimals():
    """The bulletin's unit (R11 item 6): 12,345.67 元 is 1.23 万元."""
    place = make_place()
    Donation.objects.create(
        area=place.county,
        donor="爱心企业",
        amount="12345.67",
        donated_on=date(2026, 2, 1),
        purpose="助学",
        created_by=place.civil,
    )
    out = StringIO()
    period = ("--from", "2026-01-01", "--to", "2026-03-31")
    call_command("stats", "--area", place.county.code, *period, stdout=out)
    assert "筹集捐款：1.23 万元  [care.donations]" in out.getvalue()
    out = StringIO()
    call_command("stats", "--area", place.county.code, *period, "--json", stdout=out)
    assert json.loads(out.getvalue())["figures"]["care.donations"] == 1.234567


def test_the_dashboard_shows_donations_in_wan_yuan():
    place = make_place()
    on = timezone.localdate()
    Donation.objects.create(
        area=place.county,
        donor="爱心企业",
        amount="5000",
        donated_on=on,
        purpose="助学",
        created_by=place.civil,
    )
    client = Client()
    client.force_login(place.civil)
    response = client.get(f"/reports/?area={place.county.code}&from={on}&to={on}")
    text = response.content.decode()
    shown = re.search(
        r'data-figure="care.donations".*?data-testid="figure-value">(.*?)</span>'
        r'<span class="small text-muted fw-normal">(.*?)</span>',
        text,
        re.S,
    )
    assert shown and shown.groups() == ("0.50", "万元")
