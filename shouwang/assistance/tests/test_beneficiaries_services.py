"""Applications and the beneficiary list through the services: apply, review, approve
(not by the preparer), return, stop, the account's format, the worklists (应保未保,
应停未停) and the import of a county's current list (every row or none)."""

import csv
import io
from datetime import date

import pytest

from shouwang.assistance import services_beneficiaries as services
from shouwang.assistance.models import AllowanceApplication, ApplicationStatus
from shouwang.assistance.selectors_beneficiaries import (
    mask_account,
    stop_due,
    unpaid_eligible,
)
from shouwang.audit.models import AuditEvent
from shouwang.core.exceptions import DomainError, InvalidValues
from shouwang.registry.tests.factories import LEFT_BEHIND, make_child, make_place

from .beneficiaries_factories import (
    BANK_CARD,
    SCATTERED,
    application_values,
    beneficiary,
    next_month,
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


def _submit(place, child, **values):
    return services.application_submit(
        actor=place.supervisor,
        child_id=child.pk,
        values=application_values(**values),
        scan=scan(),
    )


@pytest.mark.parametrize(
    ("account_type", "number", "message"),
    [
        ("银行卡", "6222 0212 34", "银行卡账号应为 12–19 位数字，当前为 10 位。"),
        (
            "银行卡",
            "62220212345678901234",
            "银行卡账号应为 12–19 位数字，当前为 20 位。",
        ),
        (
            "银行卡",
            "62220212345678A",
            "银行卡账号只能是数字，当前“62220212345678A”含有其他字符。",
        ),
        ("社保卡", "", "请填写社保卡账号。"),
    ],
)
def test_a_bad_account_number_is_refused_naming_what_is_wrong(
    place, account_type, number, message
):
    child = orphan(place)
    with pytest.raises(InvalidValues) as refused:
        _submit(place, child, account_type=account_type, account_number=number)
    assert refused.value.problems == {"account_number": [message]}
    assert not AllowanceApplication.objects.exists()


def test_spaces_between_digit_groups_are_dropped():
    assert services.account_problem("银行卡", "622202123456") is None
    assert services.normalize_account("6222 0212-3456 7890") == "6222021234567890"


def test_apply_review_approve_starts_payment_the_month_after(place):
    child = orphan(place)
    app = _submit(place, child)
    assert (app.status, app.kind, app.version) == ("待乡镇审核", SCATTERED, 1)
    assert app.agreement_scan.read().startswith(b"%PDF")
    app = services.application_review(
        actor=place.supervisor, pk=app.pk, expected_version=1
    )
    assert app.status == "待县级审批"
    app = services.application_approve(
        actor=place.civil, pk=app.pk, expected_version=2, today=date(2026, 12, 31)
    )
    assert (app.status, app.start_month) == ("保障中", date(2027, 1, 1))
    steps = list(
        AuditEvent.objects.filter(action="allowance_application.update")
        .order_by("id")
        .values_list("details__step", flat=True)
    )
    assert steps == ["submit", "review", "approve"]


def test_the_preparer_cannot_approve_their_own(place):
    child = orphan(place)
    app = services.application_submit(
        actor=place.civil, child_id=child.pk, values=application_values(), scan=scan()
    )
    app = services.application_review(actor=place.civil, pk=app.pk, expected_version=1)
    with pytest.raises(DomainError) as refused:
        services.application_approve(actor=place.civil, pk=app.pk, expected_version=2)
    assert (
        refused.value.message == "不能审批自己经办的申请：请由本县另一名民政干部审批。"
    )
    app = services.application_approve(
        actor=second_civil(place), pk=app.pk, expected_version=2
    )
    assert app.status == ApplicationStatus.APPROVED


def test_the_township_cannot_approve_and_a_stale_version_is_refused(place):
    app = _submit(place, orphan(place))
    app = services.application_review(
        actor=place.supervisor, pk=app.pk, expected_version=1
    )
    with pytest.raises(DomainError) as refused:
        services.application_approve(
            actor=place.supervisor, pk=app.pk, expected_version=2
        )
    assert refused.value.message == "只有本县民政干部可以审批基本生活保障申请。"
    with pytest.raises(DomainError) as stale:
        services.application_approve(actor=place.civil, pk=app.pk, expected_version=1)
    assert "该申请已被他人修改（当前为第2版）" in stale.value.message


def test_a_child_not_eligible_cannot_apply_and_nobody_applies_twice(place):
    left_behind = make_child(place.village, name="留守", **LEFT_BEHIND)
    with pytest.raises(DomainError) as refused:
        _submit(place, left_behind)
    assert refused.value.message.startswith("留守本月不符合基本生活保障条件：")
    assert "不是孤儿或事实无人抚养儿童" in refused.value.message
    child = orphan(place)
    _submit(place, child)
    with pytest.raises(DomainError) as twice:
        _submit(place, child)
    assert (
        twice.value.message
        == "王小孤已有一份待乡镇审核的基本生活保障申请：不能重复申请。"
    )


def test_return_with_a_reason_then_correct_and_resubmit(place):
    app = _submit(place, orphan(place))
    app = services.application_review(
        actor=place.supervisor, pk=app.pk, expected_version=1
    )
    with pytest.raises(InvalidValues) as no_reason:
        services.application_return(
            actor=place.civil, pk=app.pk, expected_version=2, reason=" "
        )
    assert no_reason.value.problems == {"reason": ["请填写退回原因。"]}
    app = services.application_return(
        actor=place.civil, pk=app.pk, expected_version=2, reason="账号与户名不符"
    )
    assert (app.status, app.return_reason) == ("已退回", "账号与户名不符")
    app = services.application_update(
        actor=place.supervisor,
        pk=app.pk,
        expected_version=3,
        values=application_values(account_number="6217001234567890"),
    )
    assert (app.status, app.account_number) == ("待乡镇审核", "6217001234567890")


def test_stop_names_a_reason_and_a_month_not_before_the_start(place):
    child = orphan(place)
    app = beneficiary(place, child, start=date(2026, 3, 1))
    with pytest.raises(InvalidValues) as refused:
        services.application_stop(
            actor=place.civil,
            pk=app.pk,
            expected_version=app.version,
            reason="",
            month=date(2026, 2, 1),
        )
    assert refused.value.problems == {
        "reason": ["请填写停保原因。"],
        "month": ["停发月份不能早于开始发放月份（2026-03）。"],
    }
    app = services.application_stop(
        actor=place.civil,
        pk=app.pk,
        expected_version=app.version,
        reason="被收养",
        month=date(2026, 5, 1),
    )
    assert (app.status, app.stop_month, app.stop_reason) == (
        "已停保",
        date(2026, 5, 1),
        "被收养",
    )


def test_worklists_unpaid_eligible_and_stop_due(place):
    paid = orphan(place, name="已保")
    waiting = orphan(place, name="待批")
    missing = orphan(place, name="未保")
    beneficiary(place, paid, start=this_month())
    _submit(place, waiting)
    month = next_month(this_month())
    unpaid = {u.child.name: u for u in unpaid_eligible(viewer=place.civil, month=month)}
    assert set(unpaid) == {"待批", "未保"}
    assert unpaid["待批"].pending.status == "待乡镇审核"
    assert unpaid["未保"].pending is None
    assert stop_due(viewer=place.civil, month=month) == []
    # The paid orphan's parents turn out to be at home: no longer eligible.
    paid.father_status = paid.mother_status = "在家"
    paid.save()
    due = stop_due(viewer=place.civil, month=month)
    assert [(d.application.child.name, d.reason) for d in due] == [
        ("已保", f"{month:%Y-%m-%d}不是孤儿或事实无人抚养儿童")
    ]
    assert unpaid_eligible(viewer=place.leader, month=month) == []
    assert stop_due(viewer=place.foreign_civil, month=month) == []
    assert missing.pk in {u.child.child_id for u in unpaid.values()}


def test_account_reveal_is_audited_and_masked_by_default(place):
    app = beneficiary(place, orphan(place), start=this_month())
    assert mask_account(BANK_CARD) == "***************0123"
    shown = services.account_reveal(actor=place.civil, app=app)
    assert shown["account_number"] == BANK_CARD
    assert AuditEvent.objects.filter(action="allowance.reveal_account").count() == 1
    with pytest.raises(DomainError):
        services.account_reveal(actor=place.leader, app=app)


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["姓名", "公民身份号码", "类别", "账户类型", "账号", "开户行", "开始发放月份"]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_import_adds_every_row_or_none_naming_row_and_column(place):
    first = orphan(place, name="甲")
    second = orphan(place, name="乙")
    foreign = orphan(place, name="外", village=place.foreign_village)
    bad = _csv(
        [
            [
                "甲",
                first.id_number,
                "社会散居孤儿",
                "银行卡",
                BANK_CARD,
                "农商行",
                "2025-01",
            ],
            ["丙", second.id_number, "孤儿", "银行卡", "123", "农商行", "2025-13"],
            [
                "外",
                foreign.id_number,
                "社会散居孤儿",
                "社保卡",
                BANK_CARD,
                "农商行",
                "2025-01",
            ],
        ]
    )
    plan = services.applications_import(
        actor=place.civil, data=bad, filename="名单.csv"
    )
    assert plan.problems == [
        (3, "A列 姓名", "姓名“丙”与儿童信息库中的“乙”不一致。"),
        (
            3,
            "C列 类别",
            "类别“孤儿”不是可选的值，应为：集中养育孤儿、社会散居孤儿、事实无人抚养儿童。",
        ),
        (3, "E列 账号", "银行卡账号应为 12–19 位数字，当前为 3 位。"),
        (
            3,
            "G列 开始发放月份",
            "开始发放月份“2025-13”无法识别：请写成 YYYY-MM，如 2026-01。",
        ),
        (
            4,
            "B列 公民身份号码",
            "儿童信息库中本县没有这个公民身份号码的儿童：请先登记该儿童。",
        ),
    ]
    assert not AllowanceApplication.objects.exists()
    good = _csv(
        [
            [
                "甲",
                first.id_number,
                "社会散居孤儿",
                "银行卡",
                BANK_CARD,
                "农商行",
                "2025-01",
            ],
            [
                "乙",
                second.id_number,
                "社会散居孤儿",
                "社保卡",
                "6217 0012 3456",
                "农商行",
                "2025年3月",
            ],
        ]
    )
    plan = services.applications_import(
        actor=place.civil, data=good, filename="名单.csv"
    )
    assert plan.ok
    imported = AllowanceApplication.objects.order_by("child__name")
    assert [
        (a.child.name, a.status, a.source, a.start_month, a.account_number)
        for a in imported
    ] == [
        ("乙", "保障中", "导入", date(2025, 3, 1), "621700123456"),
        ("甲", "保障中", "导入", date(2025, 1, 1), BANK_CARD),
    ]
    again = services.applications_import(
        actor=place.civil, data=good, filename="名单.csv"
    )
    assert again.problems[0][2] == "甲已有一份保障中的基本生活保障申请：不能重复申请。"


def test_only_county_civil_affairs_import(place):
    with pytest.raises(DomainError):
        services.applications_import(
            actor=place.supervisor, data=b"x", filename="a.csv"
        )


def test_import_reads_an_xlsx_with_numbers_typed_as_numbers(place):
    import openpyxl

    child = orphan(place, name="甲")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["姓名", "公民身份号码", "类别", "账户类型", "账号", "开户行", "开始发放月份"]
    )
    sheet.append(
        [
            "甲",
            child.id_number,
            "社会散居孤儿",
            "银行卡",
            622202123456789,
            "农商行",
            date(2025, 1, 1),
        ]
    )
    out = io.BytesIO()
    book.save(out)
    plan = services.applications_import(
        actor=place.civil, data=out.getvalue(), filename="名单.xlsx"
    )
    assert plan.ok, plan.problems or plan.unusable
    app = AllowanceApplication.objects.get()
    assert (app.account_number, app.start_month) == (
        "622202123456789",
        date(2025, 1, 1),
    )
