"""Beneficiaries and batches for the beneficiaries and payments tests, on the registry's
place (湖南省 › 邵阳市 › 隆回县 › 守望镇, and 洞口县 beside it), made through the
services."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shouwang.accounts.models import Role, User
from shouwang.assistance import services_beneficiaries as services
from shouwang.assistance.models import AllowanceApplication
from shouwang.assistance.selectors_beneficiaries import next_month, previous_month
from shouwang.registry.tests.factories import ORPHAN, make_child, years_ago
from tests.factories import make_user

from .factories import PROVINCE, set_standard

SCATTERED, INSTITUTIONAL, DE_FACTO_KIND = (
    "社会散居孤儿",
    "集中养育孤儿",
    "事实无人抚养儿童",
)
BANK_CARD = "6222021234567890123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scan(name: str = "养育协议.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def second_civil(place) -> User:
    """Another civil-affairs worker of the home county (approves what `civil` did)."""
    return User.objects.filter(username="minzheng2").first() or make_user(
        Role.CIVIL_AFFAIRS, place.county, username="minzheng2", full_name="民政刘"
    )


def application_values(**overrides) -> dict:
    return {
        "guardian_name": "刘秀英",
        "guardian_relation": "外祖父母",
        "account_type": "银行卡",
        "account_number": BANK_CARD,
        "bank_name": "隆回县农村商业银行",
        "agreement_signed_on": date(2026, 1, 5),
        **overrides,
    }


def standards(amount: str = "1200", *, on: date = date(2020, 1, 1)) -> None:
    """The province's standards for every kind, in force long before the tests."""
    set_standard(PROVINCE, SCATTERED, amount, on)
    set_standard(PROVINCE, INSTITUTIONAL, "1600", on)


def orphan(place, name: str = "王小孤", village=None, **facts):
    return make_child(
        village or place.village,
        name=name,
        birth_date=facts.pop("birth_date", years_ago(9, days=30)),
        **{**ORPHAN, **facts},
    )


def beneficiary(
    place, child, *, start: date, preparer=None, approver=None
) -> AllowanceApplication:
    """A child applied for by the supervisor, reviewed, and approved by the county
    the month before `start`, so that payment starts in `start`."""
    app = services.application_submit(
        actor=preparer or place.supervisor,
        child_id=child.pk,
        values=application_values(),
        scan=scan(),
    )
    app = services.application_review(
        actor=place.supervisor, pk=app.pk, expected_version=app.version
    )
    return services.application_approve(
        actor=approver or place.civil,
        pk=app.pk,
        expected_version=app.version,
        today=previous_month(start).replace(day=20),
    )


def this_month() -> date:
    return timezone.localdate().replace(day=1)


__all__ = ["next_month", "previous_month"]
