"""Monthly batches through the services: generated from approved, still eligible
beneficiaries × the standard in force on the 1st, the changes and their reasons, the
second person's approval and the frozen snapshot, a month twice, a standard inside an
approved month, the bank file and the bank's result file, failed payments carried."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest

from shouwang.assistance import services_beneficiaries as beneficiaries
from shouwang.assistance import services_payments as services
from shouwang.assistance.models import AllowanceStandard, PaymentBatch, PaymentLine
from shouwang.audit.models import AuditEvent
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.tests.factories import make_place

from .beneficiaries_factories import (
    BANK_CARD,
    INSTITUTIONAL,
    SCATTERED,
    beneficiary,
    next_month,
    orphan,
    second_civil,
    standards,
    this_month,
)
from .factories import set_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    p = make_place()
    standards()
    return p


def _generate(place, month, actor=None):
    return services.payment_batch_generate(
        actor=actor or place.civil, county_code=place.county.code, month=month
    )


def _approve(place, batch):
    return services.payment_batch_approve(
        actor=second_civil(place), pk=batch.pk, expected_version=batch.version
    )


def _changes(batch):
    return [
        (c.kind, c.name, c.amount_before, c.amount_after, c.reason)
        for c in batch.changes.order_by("kind", "name")
    ]


def test_the_done_when_story(place):
    """A raise next month shows every orphan's new amount and the change; a child who
    turns 18 out of school drops out the month after, with the reason."""
    m0 = this_month()
    m1, m2 = next_month(m0), next_month(next_month(m0))
    birthday = m1.replace(day=15)
    turning = orphan(
        place,
        name="满十八",
        birth_date=birthday.replace(year=birthday.year - 18),
        schooling="不在学",
    )
    young = orphan(place, name="小孤", village=place.other_village)
    beneficiary(place, turning, start=m0)
    beneficiary(place, young, start=m0)

    first = _generate(place, m0)
    assert (first.count, first.total, first.status) == (2, Decimal("2400.00"), "待审批")
    assert _changes(first) == []  # no month before
    _approve(place, first)

    set_standard(place.county, SCATTERED, "1500", m1)
    second = _generate(place, m1)
    assert second.total == Decimal("3000.00")
    reason = f"标准由 1200.00 元调整为 1500.00 元（隆回县社会散居孤儿标准自 {m1:%Y-%m-%d} 起执行）"
    assert _changes(second) == [
        ("标准调整", "小孤", Decimal("1200.00"), Decimal("1500.00"), reason),
        ("标准调整", "满十八", Decimal("1200.00"), Decimal("1500.00"), reason),
    ]
    _approve(place, second)

    third = _generate(place, m2)
    assert [line.name for line in third.lines.all()] == ["小孤"]
    assert _changes(third) == [
        (
            "减员",
            "满十八",
            Decimal("1500.00"),
            None,
            f"{m2:%Y-%m-%d}已年满18周岁，未在全日制学校（高中、中职、高职及以上）就读",
        )
    ]


def test_a_new_beneficiary_is_added_with_the_approval_as_reason(place):
    m0 = this_month()
    beneficiary(place, orphan(place, name="老"), start=m0)
    _approve(place, _generate(place, m0))
    m1 = next_month(m0)
    beneficiary(place, orphan(place, name="新"), start=m1)
    batch = _generate(place, m1)
    [(kind, name, before, after, reason)] = _changes(batch)
    assert (kind, name, before, after) == ("增员", "新", None, Decimal("1200.00"))
    assert f"审批通过，自{m1.year}年{m1.month}月起发放（" in reason


def test_generating_twice_out_of_order_or_before_approval_is_refused(place):
    m0 = this_month()
    beneficiary(place, orphan(place), start=m0)
    batch = _generate(place, m0)
    with pytest.raises(DomainError) as twice:
        _generate(place, m0)
    assert twice.value.message == (
        f"隆回县{m0.year}年{m0.month}月的发放批次已生成（待审批）：同一月份不能生成两次。"
    )
    with pytest.raises(DomainError) as early:
        _generate(place, next_month(m0))
    assert early.value.message.endswith("的发放批次尚未审批：请先审批上月批次。")
    with pytest.raises(DomainError) as gap:
        _approve(place, batch)
        _generate(place, next_month(next_month(m0)))
    assert "请按月依次生成" in gap.value.message
    assert PaymentBatch.objects.count() == 1


def test_approving_ones_own_batch_is_refused_and_approval_freezes(place):
    m0 = this_month()
    app = beneficiary(place, orphan(place), start=m0)
    batch = _generate(place, m0)
    with pytest.raises(DomainError) as own:
        services.payment_batch_approve(
            actor=place.civil, pk=batch.pk, expected_version=batch.version
        )
    assert (
        own.value.message == "不能审批自己生成的发放批次：请由本县另一名民政干部审批。"
    )
    batch = _approve(place, batch)
    assert batch.status == "已审批"
    # A later edit of the beneficiary's account leaves the frozen line alone.
    beneficiaries.application_update(
        actor=place.supervisor,
        pk=app.pk,
        expected_version=app.version,
        values={
            "guardian_name": "刘秀英",
            "account_type": "银行卡",
            "account_number": "6217009999999999",
            "bank_name": "邮储银行",
        },
    )
    line = PaymentLine.objects.get(batch=batch)
    assert (line.account_number, line.bank_name, line.amount) == (
        BANK_CARD,
        "隆回县农村商业银行",
        Decimal("1200.00"),
    )


def test_a_standard_inside_an_approved_month_is_refused(place):
    m0 = this_month()
    beneficiary(place, orphan(place), start=m0)
    _approve(place, _generate(place, m0))
    with pytest.raises(DomainError) as refused:
        set_standard(place.county, SCATTERED, "1500", m0 + timedelta(days=9))
    following = next_month(m0)
    assert refused.value.message == (
        f"执行日期 {m0 + timedelta(days=9):%Y-%m-%d} 落在隆回县{m0.year}年{m0.month}月"
        f"已审批的发放批次的月份内：已审批的批次不再改变，请把执行日期定在 "
        f"{following:%Y-%m-%d} 或之后没有已审批批次的月份。"
    )
    assert set_standard(place.county, SCATTERED, "1500", following).amount == 1500


def test_no_standard_refuses_the_batch_naming_the_kind(place):
    m0 = this_month()
    child = orphan(place, guardian_relation="机构", guardian_name="隆回县儿童福利院")
    beneficiary(place, child, start=m0)
    AllowanceStandard.objects.filter(kind=INSTITUTIONAL).delete()
    with pytest.raises(DomainError) as refused:
        _generate(place, m0)
    assert refused.value.message == (
        f"隆回县{m0.year}年{m0.month}月1日没有适用的基本生活保障标准（集中养育孤儿 1 名）："
        "请先设置标准。"
    )


def _bank_file(place, batch, user):
    book = openpyxl.load_workbook(
        io.BytesIO(services.bank_file_bytes(actor=user, batch=batch, full=True))
    )
    return [list(row) for row in book["代发明细"].iter_rows(values_only=True)], book


def test_the_bank_file_full_for_revealers_masked_otherwise(place):
    m0 = this_month()
    child = orphan(place)
    beneficiary(place, child, start=m0)
    batch = _generate(place, m0)
    with pytest.raises(DomainError):
        services.bank_file_bytes(actor=place.civil, batch=batch, full=True)
    batch = _approve(place, batch)
    rows, _ = _bank_file(place, batch, place.civil)
    assert rows == [
        ["姓名", "公民身份号码", "账号", "金额"],
        ["王小孤", child.id_number, BANK_CARD, 1200],
    ]
    # Leaders see totals only; the foreign county does not see the batch at all.
    for outsider in (place.leader, place.foreign_civil):
        with pytest.raises(NotFound):
            services.bank_file_bytes(actor=outsider, batch=batch, full=False)
    masked = openpyxl.load_workbook(
        io.BytesIO(services.bank_file_bytes(actor=place.civil, batch=batch, full=False))
    )
    row = list(next(masked["代发明细"].iter_rows(min_row=2, values_only=True)))
    assert row[1] == child.id_number[:6] + "********" + child.id_number[-4:]
    assert row[2] == "***************0123"
    assert masked["说明"]["A4"].value == services.MASKED_NOTE
    files = AuditEvent.objects.filter(action="payment_batch.bank_file")
    assert [e.details["full"] for e in files.order_by("id")] == [True, False]
    assert AuditEvent.objects.filter(action="allowance.reveal_account").count() == 1


def _result(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "公民身份号码", "金额", "发放结果", "说明"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_bank_results_refuse_unknown_rows_and_other_amounts_then_carry_failures(place):
    m0 = this_month()
    ok_child = orphan(place, name="成功")
    failed_child = orphan(place, name="失败")
    beneficiary(place, ok_child, start=m0)
    beneficiary(place, failed_child, start=m0)
    stranger = orphan(place, name="外人")
    batch = _approve(place, _generate(place, m0))
    bad = _result(
        [
            ["成功", ok_child.id_number, "1200.00", "成功", ""],
            ["失败", failed_child.id_number, "1100", "失败", "账户已销户"],
            ["外人", stranger.id_number, "1200", "成功", ""],
        ]
    )
    plan = services.bank_result_import(
        actor=place.civil, pk=batch.pk, data=bad, filename="回盘.csv"
    )
    assert plan.problems == [
        (3, "C列 金额", "金额 1100 元与本批次中失败的 1200.00 元不一致。"),
        (4, "B列 公民身份号码", f"公民身份号码“{stranger.id_number}”不在本批次中。"),
    ]
    assert not batch.lines.exclude(result="").exists()
    good = _result(
        [
            ["成功", ok_child.id_number, "1200.00", "成功", ""],
            ["失败", failed_child.id_number, "1200", "失败", "账户已销户"],
        ]
    )
    plan = services.bank_result_import(
        actor=place.civil, pk=batch.pk, data=good, filename="回盘.csv"
    )
    assert (plan.ok, plan.paid, plan.failed) == (True, 1, 1)
    m1 = next_month(m0)
    following = _generate(place, m1)
    amounts = dict(following.lines.values_list("name", "amount"))
    assert amounts == {"成功": Decimal("1200.00"), "失败": Decimal("2400.00")}
    assert _changes(following) == [
        (
            "补发",
            "失败",
            Decimal("1200.00"),
            Decimal("1200.00"),
            f"{m0.year}年{m0.month}月发放失败（账户已销户），随本月补发 1200.00 元",
        )
    ]
    assert following.total == Decimal("3600.00")
    with pytest.raises(DomainError) as late:
        services.bank_result_import(
            actor=place.civil, pk=batch.pk, data=good, filename="回盘.csv"
        )
    assert "不能再导入本批次的回盘文件" in late.value.message


def test_a_stopped_beneficiary_is_removed_with_the_stop_reason(place):
    m0 = this_month()
    app = beneficiary(place, orphan(place, name="停"), start=m0)
    _approve(place, _generate(place, m0))
    m1 = next_month(m0)
    beneficiaries.application_stop(
        actor=place.civil,
        pk=app.pk,
        expected_version=app.version,
        reason="已被依法收养",
        month=m1,
    )
    batch = _generate(place, m1)
    assert batch.count == 0
    assert _changes(batch) == [
        (
            "减员",
            "停",
            Decimal("1200.00"),
            None,
            f"已停保：已被依法收养（自{m1.year}年{m1.month}月停发）",
        )
    ]
