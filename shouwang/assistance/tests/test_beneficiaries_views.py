"""The beneficiary pages through HTTP: the list, the worklists, apply, correct, each
step, the reveal and the scan, the import; the messages a user reads and the denied
path of every page."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from shouwang.assistance.models import AllowanceApplication
from shouwang.audit.models import AuditEvent
from shouwang.registry.tests.factories import make_place

from .beneficiaries_factories import (
    BANK_CARD,
    beneficiary,
    orphan,
    scan,
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


def _apply(place, child, **changes):
    data = {
        "guardian_name": "刘秀英",
        "guardian_relation": "外祖父母",
        "account_type": "银行卡",
        "account_number": BANK_CARD,
        "bank_name": "农商行",
        "agreement_signed_on": "2026-01-05",
        "agreement_scan": scan(),
        **changes,
    }
    return _client(place.supervisor).post(
        reverse("assistance:application-new", args=[child.pk]), data
    )


def test_apply_from_the_worklist_then_review_and_approve(place):
    child = orphan(place)
    unpaid = _client(place.supervisor).get(reverse("assistance:beneficiary-unpaid"))
    assert unpaid.status_code == 200
    assert reverse("assistance:application-new", args=[child.pk]) in _text(unpaid)
    form = _client(place.supervisor).get(
        reverse("assistance:application-new", args=[child.pk])
    )
    assert 'value="刘秀英"' in _text(form)  # the ledger's guardian, prefilled
    response = _apply(place, child)
    app = AllowanceApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "assistance:application-detail", args=[app.pk]
    )
    detail = _client(place.supervisor).get(response["Location"])
    assert "待乡镇审核" in _text(detail)
    assert BANK_CARD not in _text(detail)
    assert "***************0123" in _text(detail)
    reviewed = _client(place.supervisor).post(
        reverse("assistance:application-review", args=[app.pk]),
        {"expected_version": 1},
    )
    assert reviewed.status_code == 302
    # The township cannot approve: no approve form, and the step is refused.
    refused = _client(place.supervisor).post(
        reverse("assistance:application-approve", args=[app.pk]),
        {"expected_version": 2},
    )
    assert refused.status_code == 400
    assert "只有本县民政干部可以审批基本生活保障申请。" in _text(refused)
    approved = _client(place.civil).post(
        reverse("assistance:application-approve", args=[app.pk]),
        {"expected_version": 2},
    )
    assert approved.status_code == 302
    app.refresh_from_db()
    assert app.status == "保障中"
    listing = _client(place.civil).get(reverse("assistance:beneficiary-list"))
    assert "王小孤" in _text(listing) and "保障中" in _text(listing)


def test_a_bad_account_comes_back_with_the_field_error_and_nothing_saved(place):
    child = orphan(place)
    response = _apply(place, child, account_number="62220212", agreement_scan="")
    assert response.status_code == 400
    text = _text(response)
    assert "银行卡账号应为 12–19 位数字，当前为 8 位。" in text
    assert "请上传养育协议扫描件（JPG、PNG 或 PDF）。" in text
    assert 'value="62220212"' in text
    assert not AllowanceApplication.objects.exists()


def test_return_with_reason_and_resubmit_with_the_version(place):
    app = beneficiary(place, orphan(place), start=this_month())
    app.status = "待乡镇审核"
    app.save()
    missing = _client(place.supervisor).post(
        reverse("assistance:application-return", args=[app.pk]),
        {"expected_version": app.version, "reason": ""},
    )
    assert missing.status_code == 400
    assert "请填写退回原因。" in _text(missing)
    returned = _client(place.supervisor).post(
        reverse("assistance:application-return", args=[app.pk]),
        {"expected_version": app.version, "reason": "扫描件不清晰"},
    )
    assert returned.status_code == 302
    edit = reverse("assistance:application-edit", args=[app.pk])
    page = _client(place.supervisor).get(edit)
    assert "退回原因：扫描件不清晰" in _text(page)
    stale = _client(place.supervisor).post(
        edit,
        {
            "expected_version": app.version,  # before the return
            "guardian_name": "刘秀英",
            "account_type": "银行卡",
            "account_number": BANK_CARD,
            "bank_name": "农商行",
        },
    )
    assert stale.status_code == 400
    assert "该申请已被他人修改" in _text(stale)
    saved = _client(place.supervisor).post(
        edit,
        {
            "expected_version": app.version + 1,
            "guardian_name": "刘秀英",
            "account_type": "银行卡",
            "account_number": BANK_CARD,
            "bank_name": "农商行",
            "agreement_scan": scan("新扫描件.pdf"),
        },
    )
    assert saved.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.agreement_scan_name) == ("待乡镇审核", "新扫描件.pdf")


def test_stop_with_reason_and_month(place):
    app = beneficiary(place, orphan(place), start=this_month())
    url = reverse("assistance:application-stop", args=[app.pk])
    bad = _client(place.civil).post(
        url, {"expected_version": app.version, "reason": "", "month": "2026-99"}
    )
    assert bad.status_code == 400
    assert "停发月份（起）“2026-99”无法识别：请写成 YYYY-MM，如 2026-07。" in _text(bad)
    denied = _client(place.supervisor).post(
        url, {"expected_version": app.version, "reason": "收养", "month": "2030-01"}
    )
    assert "只有本县民政干部可以停保。" in _text(denied)
    done = _client(place.civil).post(
        url, {"expected_version": app.version, "reason": "被收养", "month": "2030-01"}
    )
    assert done.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.stop_reason) == ("已停保", "被收养")


def test_reveal_and_the_scan_are_audited(place):
    app = beneficiary(place, orphan(place), start=this_month())
    shown = _client(place.civil).post(
        reverse("assistance:application-reveal", args=[app.pk])
    )
    assert shown.status_code == 200
    assert BANK_CARD in _text(shown) and app.child.id_number in _text(shown)
    assert AuditEvent.objects.filter(action="allowance.reveal_account").count() == 1
    scan_page = _client(place.civil).get(
        reverse("assistance:application-agreement", args=[app.pk])
    )
    assert scan_page.status_code == 200
    assert b"".join(scan_page.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="attachment.download").count() == 1


def test_stop_due_lists_beneficiaries_no_longer_eligible(place):
    child = orphan(place, name="已不符合")
    beneficiary(place, child, start=this_month())
    child.father_status = "在家"
    child.save()
    page = _client(place.civil).get(reverse("assistance:beneficiary-stop-due"))
    assert page.status_code == 200
    assert "已不符合" in _text(page) and "不是孤儿或事实无人抚养儿童" in _text(page)


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["姓名", "公民身份号码", "类别", "账户类型", "账号", "开户行", "开始发放月份"]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_import_lists_problems_by_row_and_column_then_adds_all(place):
    child = orphan(place, name="甲")
    url = reverse("assistance:beneficiary-import")
    page = _client(place.civil).get(url)
    assert "姓名、公民身份号码、类别、账户类型、账号、开户行、开始发放月份" in _text(
        page
    )
    bad = _client(place.civil).post(
        url,
        {
            "file": _upload(
                "名单.csv",
                _csv(
                    [
                        [
                            "甲",
                            child.id_number,
                            "社会散居孤儿",
                            "存折",
                            "1",
                            "农商行",
                            "2025-01",
                        ]
                    ]
                ),
            )
        },
    )
    assert bad.status_code == 400
    assert "第2行" in _text(bad) and "D列 账户类型" in _text(bad)
    assert "账户类型“存折”不是可选的值，应为：银行卡或社保卡。" in _text(bad)
    assert not AllowanceApplication.objects.exists()
    good = _client(place.civil).post(
        url,
        {
            "file": _upload(
                "名单.csv",
                _csv(
                    [
                        [
                            "甲",
                            child.id_number,
                            "社会散居孤儿",
                            "银行卡",
                            BANK_CARD,
                            "农商行",
                            "2025-01",
                        ]
                    ]
                ),
            )
        },
    )
    assert good.status_code == 302
    assert AllowanceApplication.objects.get().status == "保障中"


@pytest.mark.parametrize(
    ("who", "name", "method", "expected"),
    [
        ("director", "assistance:beneficiary-list", "get", 403),
        ("leader", "assistance:beneficiary-list", "get", 403),
        ("department", "assistance:beneficiary-unpaid", "get", 403),
        ("leader", "assistance:beneficiary-stop-due", "get", 403),
        ("supervisor", "assistance:beneficiary-import", "get", 403),
        ("director", "assistance:application-new", "get", 403),
        ("foreign_civil", "assistance:application-new", "get", 404),
        ("foreign_civil", "assistance:application-detail", "get", 404),
        ("leader", "assistance:application-detail", "get", 403),
        ("foreign_civil", "assistance:application-edit", "get", 404),
        ("foreign_civil", "assistance:application-reveal", "post", 404),
        ("director", "assistance:application-reveal", "post", 403),
        ("foreign_civil", "assistance:application-agreement", "get", 404),
        ("foreign_civil", "assistance:application-review", "post", 404),
        ("foreign_civil", "assistance:application-approve", "post", 404),
        ("foreign_civil", "assistance:application-return", "post", 404),
        ("foreign_civil", "assistance:application-stop", "post", 404),
        ("leader", "assistance:application-stop", "post", 403),
    ],
)
def test_denied_paths(place, who, name, method, expected):
    child = orphan(place)
    app = beneficiary(place, child, start=this_month(), approver=second_civil(place))
    args = (
        []
        if name.endswith(("list", "unpaid", "stop-due", "import"))
        else [child.pk]
        if name.endswith("new")
        else [app.pk]
    )
    before = AllowanceApplication.objects.get().version
    response = getattr(_client(getattr(place, who)), method)(
        reverse(name, args=args),
        {"expected_version": before, "reason": "x"} if method == "post" else None,
    )
    assert response.status_code == expected
    assert AllowanceApplication.objects.get().version == before
    assert BANK_CARD not in _text(response)


def test_anonymous_is_sent_to_login(place):
    response = Client().get(reverse("assistance:beneficiary-list"))
    assert response.status_code == 302 and "login" in response["Location"]
