"""manage.py payments_generate: what it prints (text and --json), and exit status 2
with a Chinese message on bad input, nothing generated."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shouwang.assistance.models import PaymentBatch
from shouwang.registry.tests.factories import make_place

from .beneficiaries_factories import (
    beneficiary,
    next_month,
    orphan,
    standards,
    this_month,
)
from .test_payments_services import _approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    p = make_place()
    standards()
    return p


def run(*args: str) -> str:
    out = StringIO()
    call_command("payments_generate", *args, stdout=out)
    return out.getvalue().strip()


def refused(*args: str) -> str:
    before = PaymentBatch.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("payments_generate", *args, stdout=StringIO())
    assert error.value.returncode == 2
    assert PaymentBatch.objects.count() == before
    return str(error.value)


def test_generates_and_prints_count_total_by_kind_and_changes(place):
    m0 = this_month()
    beneficiary(place, orphan(place, name="甲"), start=m0)
    month = f"{m0:%Y-%m}"
    text = run("--area", place.county.code, "--month", month, "--user", "minzheng")
    assert text == (
        f"已生成隆回县{m0.year}年{m0.month}月发放批次（待审批）：1 名，合计 1200.00 元"
        "（社会散居孤儿 1 名 1200.00 元）。\n与上月相比没有变化。"
    )
    _approve(place, PaymentBatch.objects.get())
    child = orphan(place, name="乙")
    m1 = next_month(m0)
    beneficiary(place, child, start=m1)
    data = json.loads(
        run(
            "--area",
            place.county.code,
            "--month",
            f"{m1:%Y-%m}",
            "--user",
            "minzheng",
            "--json",
        )
    )
    assert (data["count"], data["total"], data["month"]) == (
        2,
        "2400.00",
        f"{m1:%Y-%m}",
    )
    assert data["by_kind"] == {"社会散居孤儿": {"count": 2, "total": "2400.00"}}
    [change] = data["changes"]
    assert (change["kind"], change["child_id"], change["name"]) == (
        "增员",
        child.pk,
        "乙",
    )
    assert (change["amount_before"], change["amount_after"]) == (None, "1200.00")
    assert Decimal(data["total"]) == sum(
        PaymentBatch.objects.get(month=m1).lines.values_list("amount", flat=True)
    )


def test_bad_input_exits_2_with_a_chinese_message(place):
    county = place.county.code
    assert refused("--month", "2026-07", "--user", "minzheng") == (
        "请用 --area 指定县级区划代码（12 位）。"
    )
    assert refused("--area", county, "--month", "2026-13", "--user", "minzheng") == (
        "月份“2026-13”无法识别：请写成 YYYY-MM，如 2026-07。"
    )
    assert refused("--area", county, "--month", "2026-07", "--user", "nobody") == (
        "用户“nobody”不存在。"
    )
    assert refused(
        "--area", "430524999999", "--month", "2026-07", "--user", "minzheng"
    ) == ("区划代码“430524999999”不存在：请填写 12 位统计用区划代码。")
    assert (
        refused(
            "--area", place.township.code, "--month", "2026-07", "--user", "minzheng"
        )
        == "守望镇不是县级区划：发放批次按县（市、区）生成。"
    )
    assert refused("--area", county, "--month", "2026-07", "--user", "dudao") == (
        "只有本县民政干部可以生成和审批发放批次。"
    )
    assert (
        refused(
            "--area",
            place.foreign_county.code,
            "--month",
            "2026-07",
            "--user",
            "minzheng",
        )
        == "只有本县民政干部可以生成和审批发放批次。"
    )
    run("--area", county, "--month", "2026-07", "--user", "minzheng")
    assert refused("--area", county, "--month", "2026-07", "--user", "minzheng") == (
        "隆回县2026年7月的发放批次已生成（待审批）：同一月份不能生成两次。"
    )
