"""Department lists: the per-row checks, the matching (alerts and measures), the
refusals, and the exchange_import command."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.exchange import alerts
from shouwang.exchange.lists import ExchangeRefused, exchange_check, exchange_commit
from shouwang.exchange.models import Alert, DepartmentList, Measure
from shouwang.registry.tests.factories import id_for, make_child, make_place
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ADULT = date(1985, 4, 2)


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def justice(place):
    return make_user(
        Role.DEPARTMENT,
        place.county,
        username="sifa",
        full_name="司法周",
        unit=Unit.JUSTICE,
    )


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _send(actor, kind, data, **kwargs):
    plan = exchange_check(
        actor=actor, kind=kind, data=data, filename="名单.csv", **kwargs
    )
    assert not plan.unusable and not plan.errors, (plan.unusable, plan.errors)
    return exchange_commit(actor=actor, plan=plan)


def test_a_prison_list_proposes_the_parent_status_and_says_what_would_follow(
    place, justice
):
    father = id_for(place.village, ADULT)
    child = make_child(
        place.village,
        name="李四",
        father_name="张三",
        father_id_number=father,
        father_status="外出务工",
        mother_status="失联",
    )
    assert not child.is_de_facto_unsupported
    start = (TODAY - timedelta(days=30)).isoformat()
    data = _csv(
        "姓名,公民身份号码,开始日期,结束日期,场所",
        f"张三,{father},{start},,某监狱",
        f"王五,{id_for(place.village, ADULT)},{start},,某监狱",
    )
    sent = _send(justice, "prison", data)

    assert (sent.row_count, sent.matched, sent.alert_count) == (2, 1, 1)
    assert sent.source == "司法：司法周（上传）"
    alert = Alert.objects.get()
    assert (alert.child, alert.field, alert.current, alert.proposed) == (
        child,
        "father_status",
        "外出务工",
        "服刑在押",
    )
    assert alert.says == f"父亲 张三 在服刑在押名单中（{start} 起，某监狱）"
    assert alert.consequence.startswith("儿童 李四 可能符合事实无人抚养儿童认定条件")
    assert alert.due_on == TODAY + timedelta(days=15)
    child.refresh_from_db()
    assert child.father_status == "外出务工"  # never applied by itself
    assert AuditEvent.objects.filter(action=AuditAction.EXCHANGE_IMPORT).count() == 1

    # The same file again: recognised, no second list, no duplicate alert.
    plan = exchange_check(actor=justice, kind="prison", data=data, filename="x.csv")
    with pytest.raises(ExchangeRefused, match=f"接收过（第{sent.pk}号名单"):
        exchange_commit(actor=justice, plan=plan)
    # Another file saying the same: a list, but no second open alert.
    again = _send(
        justice, "prison", data + _csv(f"赵六,{id_for(place.village, ADULT)},{start},,")
    )
    assert (again.matched, again.alert_count) == (1, 0)
    assert Alert.objects.count() == 1


def test_poverty_and_health_lists_record_measures(place):
    head = id_for(place.village, ADULT)
    child = make_child(place.village, father_id_number=head, family_assistance=[])
    other = make_child(place.other_village, family_assistance=["低保"])
    start = date(TODAY.year, 1, 1).isoformat()
    sent = _send(
        place.civil,
        "subsistence",
        _csv(
            "户主公民身份号码,姓名,公民身份号码,开始日期,结束日期",
            f"{head},张大,{head},{start},",
            f"{head},张晓明,{child.id_number},{start},",
            f"{other.id_number},向晓,{other.id_number},{start},",
        ),
    )
    assert (sent.matched, sent.alert_count, sent.measure_count) == (3, 1, 2)
    alert = Alert.objects.get()
    assert (alert.child, alert.field, alert.proposed) == (
        child,
        "family_assistance",
        "+低保",
    )
    assert "困境儿童" in alert.consequence
    assert Measure.objects.filter(kind="subsistence").count() == 2

    _send(
        place.civil,
        "health_record",
        _csv("姓名,公民身份号码,建档日期", f"张晓明,{child.id_number},{start}"),
    )
    measure = Measure.objects.get(kind="health_record")
    assert (measure.child, measure.on, measure.village_id) == (
        child,
        date(TODAY.year, 1, 1),
        place.village.code,
    )


def test_every_bad_row_is_named_and_nothing_is_written(place, justice):
    good = id_for(place.village, ADULT)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    plan = exchange_check(
        actor=justice,
        kind="prison",
        data=_csv(
            "姓名,公民身份号码,开始日期,结束日期,场所",
            f"张三,{bad},2026-01-01,,",
            f"李四,{good},2099-01-01,,",
            f"王五,{good},2026-03-01,2026-01-01,",
        ),
        filename="名单.csv",
    )
    found = [(e.row, e.column) for e in plan.errors]
    assert found == [(2, "公民身份号码"), (3, "开始日期"), (4, "结束日期")]
    assert plan.errors[0].message.startswith("身份号码校验位不正确")
    assert plan.errors[2].message == "结束日期早于开始日期（2026-03-01）：请核对"
    with pytest.raises(ExchangeRefused, match="有 3 行未通过检查"):
        exchange_commit(actor=justice, plan=plan)
    assert not DepartmentList.objects.exists()

    wrong = exchange_check(
        actor=justice,
        kind="prison",
        data=_csv("姓名,身份证号,开始日期"),
        filename="x.csv",
    )
    assert wrong.unusable.startswith(
        "缺少列：公民身份号码、结束日期、场所。服刑在押名单的表头应为"
    )


def test_who_may_send_what_and_where(place, justice):
    data = _csv("姓名,公民身份号码,死亡日期")
    with pytest.raises(ExchangeRefused, match="名单类型“nonsense”不存在"):
        exchange_check(actor=justice, kind="nonsense", data=data, filename="x.csv")
    with pytest.raises(ExchangeRefused, match="司法部门的账号不能报送“死亡”名单"):
        exchange_check(actor=justice, kind="death", data=data, filename="x.csv")
    with pytest.raises(ExchangeRefused, match="不在您的管辖范围内"):
        exchange_check(
            actor=place.civil,
            kind="death",
            data=data,
            filename="x.csv",
            area=place.foreign_county.code,
        )
    for user in (place.director, place.supervisor, place.leader):
        with pytest.raises(ExchangeRefused, match="不能报送部门名单"):
            exchange_check(actor=user, kind="death", data=data, filename="x.csv")


def test_the_command_prints_the_contract(place, justice, tmp_path, capsys):
    father = id_for(place.village, ADULT)
    make_child(place.village, father_id_number=father, father_status="外出务工")
    path = tmp_path / "prison.csv"
    path.write_bytes(
        _csv("姓名,公民身份号码,开始日期,结束日期,场所", f"张三,{father},2026-01-01,,")
    )
    call_command(
        "exchange_import", str(path), "--kind", "prison", "--user", "sifa", "--json"
    )
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "status": "committed",
        "rows": 1,
        "matched": 1,
        "alerts": 1,
        "measures": 0,
        "errors": [],
    }
    with pytest.raises(CommandError) as refused:
        call_command(
            "exchange_import", str(path), "--kind", "prison", "--user", "sifa", "--json"
        )
    assert refused.value.returncode == 2
    assert "接收过" in json.loads(capsys.readouterr().out)["errors"][0]["message"]

    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        _csv("姓名,公民身份号码,开始日期,结束日期,场所", "张三,123,2026-01-01,,")
    )
    with pytest.raises(CommandError) as rejected:
        call_command(
            "exchange_import", str(bad), "--kind", "prison", "--user", "sifa", "--json"
        )
    assert rejected.value.returncode == 1
    error = json.loads(capsys.readouterr().out)["errors"][0]
    assert (error["row"], error["column"], error["value"]) == (2, "公民身份号码", "123")


def test_a_list_without_roster_columns_keeps_every_row(place):
    """The housing list's header names no roster column: the rows looked at while
    finding the header are still read (they were once lost)."""
    head = id_for(place.village, ADULT)
    make_child(place.village, father_id_number=head)
    others = [id_for(place.far_village, ADULT) for _ in range(11)]
    sent = _send(
        place.civil,
        "housing",
        _csv(
            "户主公民身份号码,年度",
            f"{head},{TODAY.year}",
            *(f"{o},{TODAY.year}" for o in others),
        ),
    )
    assert (sent.row_count, sent.matched, sent.measure_count) == (12, 1, 1)
    measure = Measure.objects.get(kind="housing")
    assert (measure.household, measure.on) == (head, date(TODAY.year, 1, 1))


def test_a_death_list_dates_the_exit_it_proposes(place):
    child = make_child(place.village, name="李小明")
    died = TODAY - timedelta(days=20)
    sent = _send(
        place.civil,
        "death",
        _csv("姓名,公民身份号码,死亡日期", f"李小明,{child.id_number},{died}"),
    )
    alert = Alert.objects.get(department_list=sent)
    assert (alert.field, alert.proposed, alert.event_on) == ("status", "死亡", died)
    alerts.alert_accept(
        actor=place.director, alert_id=alert.pk, expected_version=alert.version
    )
    child.refresh_from_db()
    assert (child.status, child.exit_date) == ("exited", died)
