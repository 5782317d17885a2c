"""manage.py alerts --area CODE [--json]: the open alerts inside an area, and the
usage errors (exit status 2, a Chinese message)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shouwang.exchange.vocab import AlertState
from shouwang.registry.tests.factories import make_child, make_place

from .test_alerts import make_alert, make_list

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("alerts", *args, stdout=out)
    return out.getvalue()


def test_lists_the_open_alerts_inside_the_area():
    place = make_place()
    sent = make_list(place.county, place.civil)
    child = make_child(place.village)
    alert = make_alert(child, sent)
    make_alert(make_child(place.far_village, name="李四"), sent)
    make_alert(make_child(place.other_village), sent, state=AlertState.REJECTED)

    listed = json.loads(_run("--area", place.township.code, "--json"))
    assert listed == [
        {
            "alert_id": alert.pk,
            "child_id": child.pk,
            "kind": "prison",
            "field": "father_status",
            "current": "外出务工",
            "proposed": "服刑在押",
            "consequence": "儿童 张晓明 可能符合事实无人抚养儿童认定条件",
        }
    ]
    assert len(json.loads(_run("--area", place.county.code, "--json"))) == 2
    assert json.loads(_run("--area", place.foreign_county.code, "--json")) == []
    text = _run("--area", place.village.code)
    assert text.splitlines()[-1] == "守望村（430524911001）待核实的比对提示共 1 条。"
    assert "父亲状况 外出务工 → 服刑在押" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--area", "999999999999"),
            "区划代码“999999999999”不存在：请填写12位行政区划代码，"
            "例如 430524000000（县）或 430524100001（村）。",
        ),
        ((), "请用 --area 指定区划（12位行政区划代码，例如 430524000000）。"),
    ],
)
def test_a_wrong_area_is_a_usage_error(args, message):
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("alerts", *args, "--json", stdout=out)
    assert (refused.value.returncode, str(refused.value)) == (2, message)
    assert json.loads(out.getvalue())["errors"][0]["message"] == message
