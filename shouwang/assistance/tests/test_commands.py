"""manage.py allowance_standard_set and allowance_eligible: what they print, and exit
status 2 with a Chinese message on bad input."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shouwang.assistance.models import AllowanceStandard
from shouwang.audit.models import AuditEvent
from shouwang.registry.tests.factories import (
    DE_FACTO,
    LEFT_BEHIND,
    ORPHAN,
    make_child,
    make_place,
)

from .factories import CITY

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue().strip()


def refused(name: str, *args: str) -> str:
    before = AllowanceStandard.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError) as error:
        call_command(name, *args, stdout=StringIO())
    assert error.value.returncode == 2
    assert (AllowanceStandard.objects.count(), AuditEvent.objects.count()) == before
    return str(error.value)


def standard_args(place, **changes) -> list[str]:
    values = {
        "--area": place.county.code,
        "--kind": "社会散居孤儿",
        "--amount": "1500",
        "--from": "2026-01-01",
        "--user": "minzheng",
    } | changes
    return [item for pair in values.items() for item in pair if pair[1] is not None]


# allowance_standard_set ------------------------------------------------------------


def test_setting_and_raising_a_standard(place):
    assert run("allowance_standard_set", *standard_args(place)) == (
        "已设置 隆回县 社会散居孤儿基本生活保障标准：每人每月 1500.00 元，"
        "自 2026-01-01 起执行（此前未设置）。"
    )
    assert run(
        "allowance_standard_set",
        *standard_args(place, **{"--amount": "1620.5", "--from": "2027-01-01"}),
    ) == (
        "已设置 隆回县 社会散居孤儿基本生活保障标准：每人每月 1620.50 元，"
        "自 2027-01-01 起执行（此前为 1500.00 元）。"
    )
    assert list(
        AllowanceStandard.objects.values_list("amount", "effective_from", "created_by")
    ) == [
        (Decimal("1500.00"), date(2026, 1, 1), place.civil.pk),
        (Decimal("1620.50"), date(2027, 1, 1), place.civil.pk),
    ]
    assert AuditEvent.objects.filter(action="allowance_standard.set").count() == 2


KINDS = "集中养育孤儿、社会散居孤儿、事实无人抚养儿童"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"--amount": "0"}, "金额应大于0，当前为 0。"),
        ({"--amount": "-1500"}, "金额应大于0，当前为 -1500。"),
        ({"--amount": "1500.123"}, "金额最多两位小数（元、角、分），当前为 1500.123。"),
        (
            {"--amount": "1,500"},
            "金额“1,500”不是数字：请写成 1500 或 1500.50 这样的元数。",
        ),
        ({"--amount": "abc"}, "金额“abc”不是数字：请写成 1500 或 1500.50 这样的元数。"),
        (
            {"--amount": None},
            "请用 --amount 指定每人每月金额（元），如 1500 或 1500.50。",
        ),
        ({"--kind": "孤儿"}, f"类别“孤儿”不是可选的类别，应为：{KINDS}。"),
        ({"--kind": None}, f"请用 --kind 指定类别：{KINDS}。"),
        (
            {"--area": "430524999000"},
            "区划代码“430524999000”不存在：请填写 12 位统计用区划代码。",
        ),
        ({"--area": None}, "请用 --area 指定区划代码（12 位，省、市或县）。"),
        ({"--user": "nobody"}, "用户“nobody”不存在。"),
        ({"--user": None}, "请用 --user 指定设置人的用户名（省、市、县级民政干部）。"),
        ({"--user": "zhuren"}, "只有省、市、县级民政干部可以设置基本生活保障标准。"),
        (
            {"--area": "430525000000"},
            "洞口县（430525000000）不在您的管辖范围内：只能设置本级及下级区划的标准。",
        ),
        (
            {"--area": CITY},
            "邵阳市（430500000000）不在您的管辖范围内：只能设置本级及下级区划的标准。",
        ),
        (
            {"--from": "2026-13-01"},
            "执行日期“2026-13-01”无法识别：请写成 YYYY-MM-DD，如 2026-01-01。",
        ),
        (
            {"--from": "2026/01/01"},
            "执行日期“2026/01/01”无法识别：请写成 YYYY-MM-DD，如 2026-01-01。",
        ),
        ({"--from": None}, "请用 --from 指定执行日期 YYYY-MM-DD。"),
    ],
)
def test_bad_input_exits_2_with_a_chinese_message(place, changes, message):
    assert (
        refused("allowance_standard_set", *standard_args(place, **changes)) == message
    )


def test_an_inactive_user_and_a_second_standard_on_one_day_are_refused(place):
    run("allowance_standard_set", *standard_args(place))
    assert refused(
        "allowance_standard_set", *standard_args(place, **{"--amount": "1600"})
    ) == (
        "隆回县的社会散居孤儿标准在 2026-01-01 已有一条（1500.00 元/人·月）："
        "标准只增不改，请另选执行日期。"
    )
    place.civil.is_active = False
    place.civil.save()
    assert (
        refused(
            "allowance_standard_set", *standard_args(place, **{"--from": "2027-01-01"})
        )
        == "用户“minzheng”已停用。"
    )


# allowance_eligible ----------------------------------------------------------------


def test_the_eligible_children_as_json_and_as_text(place):
    month = (timezone.localdate().replace(day=1) + timedelta(days=31)).replace(day=1)
    run("allowance_standard_set", *standard_args(place, **{"--from": "2020-01-01"}))
    orphan = make_child(place.village, name="李散居", **ORPHAN)
    de_facto = make_child(place.far_village, name="王事实", **DE_FACTO)
    institutional = make_child(
        place.village,
        name="赵机构",
        **{**ORPHAN, "guardian_relation": "机构", "guardian_name": "县儿童福利院"},
    )
    make_child(place.village, name="留守", **LEFT_BEHIND)
    args = ("--area", place.county.code, "--month", f"{month:%Y-%m}")

    listed = json.loads(run("allowance_eligible", *args, "--json"))
    assert listed == [
        {
            "child_id": orphan.pk,
            "name": "李散居",
            "village": "守望村",
            "kind": "社会散居孤儿",
            "amount": 1500,
        },
        {
            "child_id": institutional.pk,
            "name": "赵机构",
            "village": "守望村",
            "kind": "集中养育孤儿",
            "amount": None,  # no institutional standard set
        },
        {
            "child_id": de_facto.pk,
            "name": "王事实",
            "village": "青石村",
            "kind": "事实无人抚养儿童",
            "amount": 1500,  # the scattered-orphan standard
        },
    ]
    assert run("allowance_eligible", *args).splitlines() == [
        f"隆回县 {month.year}年{month.month}月：符合条件 3 名（集中养育孤儿 1 名，"
        "社会散居孤儿 1 名，事实无人抚养儿童 1 名），按标准合计 3000.00 元。",
        "另有 1 名没有适用的标准（集中养育孤儿）：请先用 allowance_standard_set 设置。",
        "  守望村 李散居（社会散居孤儿）1500.00 元",
        "  守望村 赵机构（集中养育孤儿）未设置标准",
        "  青石村 王事实（事实无人抚养儿童）1500.00 元",
    ]
    village = ("--area", place.far_village.code, "--month", f"{month:%Y-%m}")
    assert [
        c["name"] for c in json.loads(run("allowance_eligible", *village, "--json"))
    ] == ["王事实"]


def test_an_area_with_no_eligible_child_prints_an_empty_list(place):
    assert (
        run(
            "allowance_eligible",
            "--area",
            place.county.code,
            "--month",
            "2026-07",
            "--json",
        )
        == "[]"
    )
    assert run(
        "allowance_eligible", "--area", place.county.code, "--month", "2026-07"
    ) == ("隆回县 2026年7月：符合条件 0 名，按标准合计 0 元。")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--area", "430524999000", "--month", "2026-07"),
            "区划代码“430524999000”不存在：请填写 12 位统计用区划代码。",
        ),
        (("--month", "2026-07"), "请用 --area 指定区划代码（12 位）。"),
        (
            ("--area", "430524000000", "--month", "2026-13"),
            "月份“2026-13”无法识别：请写成 YYYY-MM，如 2026-07。",
        ),
        (
            ("--area", "430524000000", "--month", "2026-07-01"),
            "月份“2026-07-01”无法识别：请写成 YYYY-MM，如 2026-07。",
        ),
        (
            ("--area", "430524000000", "--month", "七月"),
            "月份“七月”无法识别：请写成 YYYY-MM，如 2026-07。",
        ),
        (("--area", "430524000000"), "请用 --month 指定月份 YYYY-MM，如 2026-07。"),
    ],
)
def test_eligible_bad_input_exits_2(place, args, message):
    assert refused("allowance_eligible", *args) == message
