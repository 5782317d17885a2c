"""Responsibility letters through HTTP: recording (a party outside the jurisdiction,
two parties, a duplicate, a unit that is not a member → the exact message), the
scan (audited), voiding, coverage per level with the December reminder, and every
denied path."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.jointwork import selectors_letters as sel
from shouwang.jointwork import services_letters as services
from shouwang.jointwork.models import MemberUnit, ResponsibilityLetter
from shouwang.registry.tests.factories import make_place
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%scan\n"


@pytest.fixture
def place():
    place = make_place()
    for unit, office in (
        ("civil_affairs", True),
        ("education", False),
        ("police", False),
    ):
        MemberUnit.objects.create(area=place.county, unit=unit, is_office=office)
    return place


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _errors(response) -> list[str]:
    form = response.context["form"]
    return [e for errors in form.errors.values() for e in errors]


def _post(client, **data):
    values = {
        "year": 2026,
        "area": "430524000000",
        "party_area": "",
        "party_unit": "",
        "signed_on": "2026-02-10",
    } | data
    return client.post(reverse("jointwork:letter-create"), values)


def test_a_county_records_letters_and_refusals_say_why(place):
    civil = _client(place.civil)
    assert civil.get(reverse("jointwork:letter-create")).status_code == 200
    outside = _post(civil, party_area="430525911000")
    assert outside.status_code == 400
    assert _errors(outside) == [
        "责任方“430525911000”不在您的管辖范围内：请选择隆回县所辖的乡镇或村（社区）。"
    ]
    both = _post(civil, party_area=place.township.code, party_unit="education")
    assert _errors(both) == ["请选择一个责任方：乡镇（村）或成员单位，二者选其一。"]
    skipped = _post(civil, party_area=place.village.code)
    assert _errors(skipped) == [
        "责任方“守望村”不是隆回县的下一级区划：乡镇与县（市、区）签订，村（社区）与"
        "乡镇签订。"
    ]
    not_member = _post(civil, party_unit="health")
    assert _errors(not_member) == [
        "“卫健”不是隆回县联席会议的成员单位：请先在成员单位中添加，或选择其他责任方。"
    ]
    scan = SimpleUploadedFile("责任书.pdf", PDF, content_type="application/pdf")
    saved = civil.post(
        reverse("jointwork:letter-create"),
        {
            "year": 2026,
            "area": place.county.code,
            "party_area": place.township.code,
            "party_unit": "",
            "signed_on": "2026-02-10",
            "scan": scan,
        },
    )
    letter = ResponsibilityLetter.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("jointwork:letter", args=[letter.pk])
    assert (letter.area_id, letter.party_area_id, letter.scan_original) == (
        place.county.code,
        place.township.code,
        "责任书.pdf",
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.LETTER_SAVE, object_id=str(letter.pk)
    ).exists()
    again = _post(civil, party_area=place.township.code, signed_on="2026-03-01")
    assert _errors(again) == [
        "2026年度隆回县与守望镇的责任书已经登记：请勿重复登记；如原登记有误，请先作废"
        "原责任书再重新登记。"
    ]
    # The township's letter with its village is recorded by the county too.
    village = _post(civil, area=place.township.code, party_area=place.village.code)
    assert village.status_code == 302
    # The scan: shown to the recorder, audited.
    shown = civil.get(reverse("jointwork:letter-scan", args=[letter.pk]))
    assert shown.status_code == 200
    assert shown["Content-Type"] == "application/pdf"
    assert b"".join(shown.streaming_content) == PDF
    assert AuditEvent.objects.filter(
        action=AuditAction.ATTACHMENT_DOWNLOAD, object_id=str(letter.pk)
    ).exists()
    # Void with a reason; then the same parties may sign again.
    void_url = reverse("jointwork:letter-void", args=[letter.pk])
    empty = civil.post(void_url, {"reason": ""})
    assert empty.status_code == 400
    assert "请填写作废原因。" in empty.content.decode()
    assert civil.post(void_url, {"reason": "日期登记错误"}).status_code == 302
    letter.refresh_from_db()
    assert letter.voided_at is not None and letter.void_reason == "日期登记错误"
    assert _post(civil, party_area=place.township.code).status_code == 302
    twice = civil.post(void_url, {"reason": "再次"})
    assert "该责任书已经作废。" in twice.content.decode()


def test_coverage_per_level_and_the_december_reminder(place, monkeypatch):
    for area, party, unit in (
        (place.county, place.township, ""),
        (place.county, None, "education"),
        (place.township, place.village, ""),
    ):
        services.letter_record(
            actor=place.civil,
            values={
                "year": 2026,
                "area": area.code,
                "party_area": party.code if party else "",
                "party_unit": unit,
                "signed_on": date(2026, 1, 5),
            },
        )
    page = _client(place.leader).get(
        reverse("jointwork:letters"), {"year": 2026, "area": place.county.code}
    )
    assert page.status_code == 200
    coverage = page.context["coverage"]
    assert "守望镇" in coverage.areas.signed and "青石镇" in coverage.areas.missing
    assert (coverage.units.signed, coverage.units.missing) == (["教育"], ["公安"])
    by_township = {line.government.code: line for line in coverage.villages}
    shouwang = by_township[place.township.code]
    assert (shouwang.signed, shouwang.missing) == (["守望村"], ["向阳村"])
    assert by_township[place.other_township.code].missing == ["青石村"]
    assert shouwang.rate == 50.0
    # Leaders read coverage but no scan link and no form.
    assert 'data-testid="create"' not in page.content.decode()
    # From 1 December the page opens at next year and lists who has no letter.
    assert sel.coverage_year(date(2026, 11, 30)) == 2026
    assert sel.coverage_year(date(2026, 12, 1)) == 2027
    assert sel.reminder_for(viewer=place.civil, today=date(2026, 11, 30)) is None
    year, missing = sel.reminder_for(viewer=place.civil, today=date(2026, 12, 1))
    assert year == 2027 and missing == coverage.missing_count + 3
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 12, 5))
    reminded = _client(place.civil).get(reverse("jointwork:letters"))
    assert reminded.context["year"] == 2027
    text = reminded.content.decode()
    assert 'data-testid="reminder"' in text and "2027年度即将开始" in text
    assert "守望镇" in reminded.context["coverage"].areas.missing


def test_denied_paths_of_the_letter_pages(place):
    letter = services.letter_record(
        actor=place.civil,
        values={
            "year": 2026,
            "area": place.county.code,
            "party_area": place.township.code,
            "party_unit": "",
            "signed_on": date(2026, 1, 5),
        },
        scan=SimpleUploadedFile("s.pdf", PDF),
    )
    detail = reverse("jointwork:letter", args=[letter.pk])
    scan = reverse("jointwork:letter-scan", args=[letter.pk])
    void = reverse("jointwork:letter-void", args=[letter.pk])
    anonymous = Client()
    assert anonymous.get(reverse("jointwork:letters")).status_code == 302
    for user in (place.director, place.supervisor, place.department):
        client = _client(user)
        assert client.get(reverse("jointwork:letters")).status_code == 403
        assert client.get(detail).status_code == 403
        assert client.get(reverse("jointwork:letter-create")).status_code == 403
    leader = _client(place.leader)
    assert leader.get(detail).status_code == 200
    assert leader.get(scan).status_code == 403
    assert leader.post(void, {"reason": "x"}).status_code == 403
    assert leader.get(reverse("jointwork:letter-create")).status_code == 403
    foreign = _client(place.foreign_civil)
    assert foreign.get(detail).status_code == 404
    assert foreign.get(scan).status_code == 404
    assert foreign.post(void, {"reason": "x"}).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_REFUSED, object_id=str(letter.pk)
    ).exists()
    # A township civil-affairs user does not exist; a city one records its own only.
    city = make_user(Role.CIVIL_AFFAIRS, place.county.parent)
    assert [a.code for a in sel.government_areas_for(city)] == ["430500000000"]
    letter.refresh_from_db()
    assert letter.voided_at is None
