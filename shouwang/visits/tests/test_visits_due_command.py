"""manage.py visits_due: the area's children overdue or due on the date."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shouwang.registry.tests.factories import make_place

from .test_schedule_selectors import TODAY, build_ledger, days

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def ledger(place):
    return build_ledger(place)


def _run(*args) -> str:
    out = StringIO()
    call_command("visits_due", *args, stdout=out)
    return out.getvalue()


def test_json_lists_the_area_by_due_date(place, ledger):
    rows = json.loads(_run("--area", place.township.code, "--json"))
    assert rows == [
        {
            "id": ledger[name].pk,
            "name": name,
            "village_code": village.code,
            "risk_level": "中",
            "last_visit_date": last,
            "due_date": due,
        }
        for name, village, last, due in [
            ("逾期十", place.village, days(-40).isoformat(), days(-10).isoformat()),
            ("逾期三", place.village, days(-33).isoformat(), days(-3).isoformat()),
            (
                "邻村逾期",
                place.other_village,
                days(-31).isoformat(),
                days(-1).isoformat(),
            ),
            ("今天", place.village, None, TODAY.isoformat()),
        ]
    ]


COUNTY = ["青石逾期", "逾期十", "逾期三", "邻村逾期", "今天"]


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("430524", COUNTY),
        ("430524000000", COUNTY),
        ("4305", ["青石逾期", "外县逾期", "逾期十", "逾期三", "邻村逾期", "今天"]),
        ("43", ["青石逾期", "外县逾期", "逾期十", "逾期三", "邻村逾期", "今天"]),
    ],
)
def test_any_level_and_a_short_code(place, ledger, code, names):
    assert [r["name"] for r in json.loads(_run("--area", code, "--json"))] == names


def test_a_village_and_another_date(place, ledger):
    rows = json.loads(
        _run("--area", place.village.code, "--json", "--date", days(5).isoformat())
    )
    assert [r["name"] for r in rows] == ["逾期十", "逾期三", "今天", "五天后"]


def test_the_table_for_people(place, ledger):
    out = _run("--area", place.village.code)
    lines = out.splitlines()
    assert lines[0] == (
        f"守望村（{place.village.code}）截至 {TODAY:%Y-%m-%d} 逾期或当天应走访的在册儿童：3 名"
    )
    assert lines[1].split() == [
        "应走访日期",
        "逾期天数",
        "姓名",
        "村（社区）",
        "风险",
        "最近走访",
    ]
    assert lines[2].split() == [
        days(-10).isoformat(),
        "10",
        "逾期十",
        "守望村",
        "中",
        days(-40).isoformat(),
    ]
    assert lines[4].split() == [
        TODAY.isoformat(),
        "今天",
        "今天",
        "守望村",
        "中",
        "从未走访",
    ]


def test_nothing_due(place):
    assert _run("--area", place.village.code, "--json").strip() == "[]"
    assert "：0 名" in _run("--area", place.village.code)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--area", "abc"],
            "区划代码“abc”格式不对：应为2至12位数字，如 430524 或 430524000000。",
        ),
        (
            ["--area", "4305249110011"],
            "区划代码“4305249110011”格式不对：应为2至12位数字，如 430524 或 430524000000。",
        ),
        (["--area", "430599"], "区划“430599”不存在：请核对区划代码。"),
        (
            ["--area", "430524", "--date", "2026-13-01"],
            "日期“2026-13-01”格式不对，应为 YYYY-MM-DD。",
        ),
    ],
)
def test_a_bad_area_or_date_exits_with_2_and_a_chinese_message(place, args, message):
    with pytest.raises(CommandError) as error:
        call_command("visits_due", *args, stdout=StringIO())
    assert error.value.returncode == 2
    assert str(error.value) == message
