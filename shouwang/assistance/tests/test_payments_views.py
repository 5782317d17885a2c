"""The payment batch pages through HTTP: generate, the batch with its changes and
lines (masked), approval by a second person, the bank file (full for revealers,
audited; masked otherwise), the bank's result file; leaders see totals only; the
denied path of every page."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shouwang.assistance.models import PaymentBatch
from shouwang.audit.models import AuditEvent
from shouwang.registry.tests.factories import make_place

from .beneficiaries_factories import (
    BANK_CARD,
    beneficiary,
    next_month,
    orphan,
    second_civil,
    standards,
    this_month,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    p = make_place()
    standards()
    return p


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _generate(place, month, user=None):
    return _client(user or place.civil).post(
        reverse("assistance:batch-generate"), {"month": f"{month:%Y-%m}"}
    )


def test_generate_approve_and_export_the_bank_file(place):
    m0 = this_month()
    child = orphan(place)
    beneficiary(place, child, start=m0)
    response = _generate(place, m0)
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assistance:batch-detail", args=[batch.pk])
    page = _text(_client(place.civil).get(response["Location"]))
    assert "待审批" in page and "1200.00" in page
    assert BANK_CARD not in page and "***************0123" in page
    own = _client(place.civil).post(
        reverse("assistance:batch-approve", args=[batch.pk]), {"expected_version": 1}
    )
    assert own.status_code == 400
    assert "不能审批自己生成的发放批次：请由本县另一名民政干部审批。" in _text(own)
    approved = _client(second_civil(place)).post(
        reverse("assistance:batch-approve", args=[batch.pk]), {"expected_version": 1}
    )
    assert approved.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "已审批"
    full = _client(place.civil).get(
        reverse("assistance:batch-bank-file", args=[batch.pk]) + "?full=1"
    )
    assert full.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(full.content))
    rows = list(book["代发明细"].iter_rows(values_only=True))
    assert rows == [
        ("姓名", "公民身份号码", "账号", "金额"),
        ("王小孤", child.id_number, BANK_CARD, 1200),
    ]
    assert AuditEvent.objects.filter(action="allowance.reveal_account").count() == 1
    masked = _client(place.civil).get(
        reverse("assistance:batch-bank-file", args=[batch.pk])
    )
    row = list(
        openpyxl.load_workbook(io.BytesIO(masked.content))["代发明细"].iter_rows(
            values_only=True
        )
    )[1]
    assert row[2] == "***************0123"


def test_generating_twice_shows_the_message(place):
    m0 = this_month()
    _generate(place, m0)
    again = _generate(place, m0)
    assert again.status_code == 400
    assert (
        f"隆回县{m0.year}年{m0.month}月的发放批次已生成（待审批）：同一月份不能生成两次。"
        in _text(again)
    )
    bad = _client(place.civil).post(
        reverse("assistance:batch-generate"), {"month": "七月"}
    )
    assert bad.status_code == 400
    assert "发放月份“七月”无法识别：请写成 YYYY-MM，如 2026-07。" in _text(bad)


def test_the_leader_sees_totals_only(place):
    m0 = this_month()
    beneficiary(place, orphan(place, name="隐名"), start=m0)
    _generate(place, m0)
    batch = PaymentBatch.objects.get()
    listing = _client(place.leader).get(reverse("assistance:batch-list"))
    assert listing.status_code == 200 and "1200.00" in _text(listing)
    assert "generate-form" not in _text(listing)
    detail = _client(place.leader).get(
        reverse("assistance:batch-detail", args=[batch.pk])
    )
    assert detail.status_code == 200
    assert "社会散居孤儿" in _text(detail) and "隐名" not in _text(detail)
    bank = _client(place.leader).get(
        reverse("assistance:batch-bank-file", args=[batch.pk])
    )
    assert bank.status_code == 403


def _result_file(rows) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "公民身份号码", "金额", "发放结果", "说明"])
    writer.writerows(rows)
    return SimpleUploadedFile(
        "回盘.csv", out.getvalue().encode("utf-8-sig"), "text/csv"
    )


def test_bank_results_refused_by_row_then_recorded_and_carried(place):
    m0 = this_month()
    child = orphan(place)
    beneficiary(place, child, start=m0)
    _generate(place, m0)
    batch = PaymentBatch.objects.get()
    _client(second_civil(place)).post(
        reverse("assistance:batch-approve", args=[batch.pk]), {"expected_version": 1}
    )
    url = reverse("assistance:batch-results", args=[batch.pk])
    bad = _client(place.civil).post(
        url,
        {"file": _result_file([["王小孤", child.id_number, "1000", "失败", "销户"]])},
    )
    assert bad.status_code == 400
    assert "第2行" in _text(bad)
    assert "金额 1000 元与本批次中王小孤的 1200.00 元不一致。" in _text(bad)
    good = _client(place.civil).post(
        url,
        {"file": _result_file([["王小孤", child.id_number, "1200", "失败", "销户"]])},
    )
    assert good.status_code == 302
    _generate(place, next_month(m0))
    following = PaymentBatch.objects.get(month=next_month(m0))
    page = _text(
        _client(place.civil).get(
            reverse("assistance:batch-detail", args=[following.pk])
        )
    )
    assert "补发" in page and "2400.00" in page
    assert f"{m0.year}年{m0.month}月发放失败（销户），随本月补发 1200.00 元" in page


@pytest.mark.parametrize(
    ("who", "name", "method", "expected"),
    [
        ("director", "assistance:batch-list", "get", 403),
        ("department", "assistance:batch-list", "get", 403),
        ("supervisor", "assistance:batch-generate", "post", 403),
        ("leader", "assistance:batch-generate", "post", 403),
        ("director", "assistance:batch-detail", "get", 403),
        ("foreign_civil", "assistance:batch-detail", "get", 404),
        ("supervisor", "assistance:batch-detail", "get", 404),
        ("foreign_civil", "assistance:batch-approve", "post", 404),
        ("leader", "assistance:batch-approve", "post", 403),
        ("foreign_civil", "assistance:batch-bank-file", "get", 404),
        ("foreign_civil", "assistance:batch-results", "post", 404),
        ("leader", "assistance:batch-results", "post", 403),
    ],
)
def test_denied_paths(place, who, name, method, expected):
    m0 = this_month()
    beneficiary(place, orphan(place), start=m0)
    _generate(place, m0)
    batch = PaymentBatch.objects.get()
    args = [] if name.endswith(("list", "generate")) else [batch.pk]
    data = {"expected_version": 1, "month": f"{next_month(m0):%Y-%m}"}
    response = getattr(_client(getattr(place, who)), method)(
        reverse(name, args=args), data if method == "post" else None
    )
    assert response.status_code == expected
    batch.refresh_from_db()
    assert (batch.status, PaymentBatch.objects.count()) == ("待审批", 1)
    assert BANK_CARD not in _text(response)
