"""`manage.py stats`: the CLI contract (every key, JSON shape, exit 2 in Chinese)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shouwang.registry.models import Child
from shouwang.registry.tests.factories import ORPHAN, make_child, make_place
from shouwang.reports.tests.history import registered_days_ago

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "children.total",
    "children.left_behind",
    "children.orphan",
    "children.orphan_institutional",
    "children.orphan_scattered",
    "children.de_facto_unsupported",
    "children.difficulty",
    "children.difficulty_living",
    "children.difficulty_self",
    "children.difficulty_guardianship",
    "risk.high",
    "risk.medium",
    "risk.low",
    "weakness.total",
    "weakness.1A",
    "weakness.1B",
    "weakness.1C",
    "weakness.2AB",
    "weakness.2AC",
    "weakness.3CB",
    "weakness.4EA",
    "weakness.4EB",
    "weakness.4EC",
    "confirmations.needed",
    "confirmations.signed",
    "confirmations.rate",
    "staff.townships",
    "staff.townships_with_supervisor",
    "staff.villages",
    "staff.villages_with_director",
    "visits.recorded",
    "visits.children_visited",
    "visits.overdue",
}


def run(*args) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_json_has_every_key_and_counts_the_ledger():
    place = make_place()
    make_child(place.village, name="甲")
    make_child(place.far_village, name="乙", **ORPHAN)
    result = json.loads(run("--area", place.county.code, "--json"))
    today = timezone.localdate()
    assert result["area"] == place.county.code
    assert result["to"] == today.isoformat()
    assert (
        result["from"]
        == today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1).isoformat()
    )
    assert set(result["figures"]) >= CONTRACT_KEYS
    figures = result["figures"]
    assert figures["children.total"] == 2
    assert figures["children.left_behind"] == 1
    assert figures["children.orphan_scattered"] == 1
    assert figures["confirmations.needed"] == 2  # left-behind; a grandparent guardian
    assert figures["confirmations.rate"] == 0.0
    assert figures["staff.townships"] == 2
    assert figures["staff.townships_with_supervisor"] == 1
    assert figures["staff.villages"] == 3
    assert figures["staff.villages_with_director"] == 2


def test_a_past_date_counts_history():
    place = make_place()
    for name in ("甲", "乙"):
        make_child(place.village, name=name)
    registered_days_ago(Child.objects.get(name="甲"), 20)
    registered_days_ago(Child.objects.get(name="乙"), 2)
    day = timezone.localdate() - timedelta(days=10)
    result = json.loads(
        run(
            "--area",
            "430524",
            "--from",
            day.isoformat(),
            "--to",
            day.isoformat(),
            "--json",
        )
    )
    assert result["figures"]["children.total"] == 1


def test_text_output_names_each_figure():
    place = make_place()
    make_child(place.village, name="甲")
    text = run("--area", place.county.code)
    assert "隆回县（430524000000）" in text
    assert "农村留守儿童：1 人  [children.left_behind]" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--area", "999999000000"],
            "区划代码“999999000000”不存在：请填写系统中已有的12位统计用区划代码（或其前2、4、6、9位）。",
        ),
        (
            ["--area", "abc"],
            "区划代码“abc”不存在：请填写系统中已有的12位统计用区划代码（或其前2、4、6、9位）。",
        ),
        (
            ["--area", "430524000000", "--from", "2026-12-01", "--to", "2026-11-01"],
            "起始日期 2026-12-01 晚于截止日期 2026-11-01：请调换或改正。",
        ),
        (
            ["--area", "430524000000", "--to", "2026-02-30"],
            "截止日期“2026-02-30”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。",
        ),
    ],
)
def test_bad_input_exits_2_with_a_chinese_message(args, message):
    make_place()
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
    assert str(caught.value) == message


def test_a_future_date_is_refused():
    make_place()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError) as caught:
        run("--area", "430524000000", "--to", tomorrow.isoformat())
    assert caught.value.returncode == 2
    assert "之后：统计只能截至今天或以前。" in str(caught.value)


def test_figures_snapshot_command_stores_a_day():
    from shouwang.reports.models import FigureSnapshot

    place = make_place()
    make_child(place.village, name="甲")
    registered_days_ago(Child.objects.get(), 5)
    out = StringIO()
    call_command("figures_snapshot", "--area", place.county.code, stdout=out)
    yesterday = timezone.localdate() - timedelta(days=1)
    # The county, its two townships and three villages.
    assert f"{yesterday}：已计算 6 个区划的统计快照。" in out.getvalue()
    row = FigureSnapshot.objects.get(area=place.county, day=yesterday)
    assert row.values["children.total"] == 1
    with pytest.raises(CommandError) as caught:
        call_command("figures_snapshot", "--date", "2030-01-01")
    assert caught.value.returncode == 2
