"""The alert services: accepting changes the fact through the registry (history citing
the list, the classification follows), rejecting needs a reason, a stale or handled
alert writes nothing, and only those who edit the child's village may decide."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.exchange import alerts
from shouwang.exchange.models import Alert, AlertPolicy, DepartmentList
from shouwang.exchange.vocab import AlertState, ListKind, Person
from shouwang.registry import services as registry
from shouwang.registry.models import ChildChange, ChildStatus
from shouwang.registry.tests.factories import make_child, make_place
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


@pytest.fixture
def place():
    return make_place()


def make_list(county, uploader, kind=ListKind.PRISON, unit=Unit.JUSTICE):
    """A received list (as exchange_commit leaves it), without a file."""
    return DepartmentList.objects.create(
        kind=kind,
        area=county,
        unit=unit,
        source="司法：张警官（上传）",
        listed_on=TODAY,
        uploaded_by=uploader,
        original_name="服刑在押名单.xlsx",
        sha256=f"{DepartmentList.objects.count():064d}",
        row_count=1,
    )


def make_alert(child, sent, *, field="father_status", proposed="服刑在押", **more):
    """An open alert on the child (as the matching writes it)."""
    values = {
        "department_list": sent,
        "row_number": 12,
        "child": child,
        "village_id": child.village_id,
        "person": Person.FATHER,
        "person_name": child.father_name,
        "field": field,
        "current": getattr(child, field, ""),
        "proposed": proposed,
        "says": f"父亲 {child.father_name} 在服刑在押名单中（2026-03-01 起）",
        "consequence": f"儿童 {child.name} 可能符合事实无人抚养儿童认定条件",
        "due_on": TODAY + timedelta(days=15),
        **more,
    }
    return Alert.objects.create(**values)


def unsupported_soon(place):
    """A child whose mother is out of contact: a father in prison makes the child de
    facto unsupported."""
    return make_child(place.village, mother_status="失联", mother_work_place="")


def test_accepting_changes_the_fact_with_history_citing_the_list(place):
    child = unsupported_soon(place)
    assert not child.is_de_facto_unsupported
    sent = make_list(place.county, place.civil)
    alert = make_alert(child, sent)

    done = alerts.alert_accept(
        actor=place.director, alert_id=alert.pk, expected_version=alert.version
    )

    child.refresh_from_db()
    assert child.father_status == "服刑在押"
    assert child.is_de_facto_unsupported
    assert child.version == 2
    change = ChildChange.objects.filter(child=child).first()
    received = timezone.localtime(sent.created_at).date()
    assert change.note == (
        f"据司法（服刑在押名单，{received:%Y-%m-%d} 接收，第{sent.pk}号）核实采纳"
    )
    assert change.changes["father_status"] == ["外出务工", "服刑在押"]
    assert change.changes["is_de_facto_unsupported"] == [False, True]
    assert (done.state, done.handled_by, done.version) == (
        AlertState.ACCEPTED,
        place.director,
        2,
    )
    assert done.handled_at is not None
    event = AuditEvent.objects.get(action=AuditAction.EXCHANGE_ALERT)
    assert event.object_id == str(alert.pk)
    assert event.details["decision"] == "accepted"
    assert event.details["written"] == ["father_status"]
    # A handled alert cannot be handled again.
    with pytest.raises(DomainError) as refused:
        alerts.alert_reject(
            actor=place.director, alert_id=alert.pk, expected_version=2, reason="误报"
        )
    assert refused.value.message.startswith("该比对提示已于")
    assert refused.value.message.endswith("由主任张处理（已采纳），不能再次处理。")


def test_a_death_exits_the_child_and_a_newborn_prompt_changes_nothing(place):
    sent = make_list(place.county, place.civil, kind=ListKind.DEATH, unit=Unit.POLICE)
    child = make_child(place.village)
    died = TODAY - timedelta(days=40)
    death = make_alert(child, sent, field="status", proposed="死亡", event_on=died)
    alerts.alert_accept(actor=place.director, alert_id=death.pk, expected_version=1)
    child.refresh_from_db()
    assert (child.status, child.exit_reason, child.exit_date) == (
        ChildStatus.EXITED,
        "死亡",
        died,  # the day the list gives, not the day it was verified
    )
    assert (
        ChildChange.objects.filter(child=child)
        .first()
        .note.startswith("据公安（死亡名单")
    )

    other = make_child(place.village, name="李小红")
    prompt = make_alert(other, sent, field="newborn", proposed="430524202601010012")
    alerts.alert_accept(actor=place.director, alert_id=prompt.pk, expected_version=1)
    other.refresh_from_db()
    assert other.version == 1
    assert Alert.objects.get(pk=prompt.pk).state == AlertState.ACCEPTED


def test_rejecting_needs_a_reason_and_keeps_the_record(place):
    child = make_child(place.village)
    alert = make_alert(child, make_list(place.county, place.civil))
    with pytest.raises(DomainError) as refused:
        alerts.alert_reject(
            actor=place.director, alert_id=alert.pk, expected_version=1, reason="  "
        )
    assert (refused.value.field, refused.value.message) == (
        "reason",
        "请填写不采纳的原因（例如：经入户核实，名单所列人员并非该儿童的父亲）。",
    )
    done = alerts.alert_reject(
        actor=place.director,
        alert_id=alert.pk,
        expected_version=1,
        reason="经入户核实，同名同号码有误",
    )
    assert (done.state, done.reason) == (
        AlertState.REJECTED,
        "经入户核实，同名同号码有误",
    )
    child.refresh_from_db()
    assert (child.father_status, child.version) == ("外出务工", 1)


def test_a_stale_version_writes_nothing(place):
    child = unsupported_soon(place)
    alert = make_alert(child, make_list(place.county, place.civil))
    Alert.objects.filter(pk=alert.pk).update(version=2)  # changed meanwhile
    with pytest.raises(DomainError) as refused:
        alerts.alert_accept(actor=place.director, alert_id=alert.pk, expected_version=1)
    assert refused.value.message == (
        "在您查看期间，该比对提示已有变化（当前为第2版）：请刷新页面，核对后再处理。"
    )
    child.refresh_from_db()
    assert (child.father_status, child.version) == ("外出务工", 1)
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN
    assert not AuditEvent.objects.filter(action=AuditAction.EXCHANGE_ALERT).exists()


def test_only_those_who_edit_the_village_decide(place):
    child = make_child(place.village)
    alert = make_alert(child, make_list(place.county, place.civil))
    # Another village's director: as if it did not exist.
    with pytest.raises(NotFound):
        alerts.alert_accept(
            actor=place.other_director, alert_id=alert.pk, expected_version=1
        )
    with pytest.raises(Http404):
        alerts.alert_get_for(viewer=place.other_director, pk=alert.pk)
    with pytest.raises(Http404):
        alerts.alert_get_for(viewer=place.foreign_civil, pk=alert.pk)
    # A member unit (even the one that sent the list) neither sees nor decides.
    justice = make_user(Role.DEPARTMENT, place.county, unit=Unit.JUSTICE)
    assert not alerts.alert_list_for(viewer=justice).exists()
    for user in (justice, place.leader):
        with pytest.raises(DomainError) as refused:
            alerts.alert_accept(actor=user, alert_id=alert.pk, expected_version=1)
        assert refused.value.message == alerts.HANDLE_DENIED
    # The supervisor of the township may (an overdue alert escalates to them).
    alerts.alert_reject(
        actor=place.supervisor, alert_id=alert.pk, expected_version=1, reason="重复"
    )


def test_facts_set_refuses_a_move_outside_the_jurisdiction(place):
    child = make_child(place.village)
    with pytest.raises(DomainError) as refused:
        registry.child_facts_set(
            actor=place.director,
            child_id=child.pk,
            values={"village_id": place.foreign_village.code},
            note="迁移",
        )
    assert refused.value.message == "户籍地须为您管辖范围内的村（社区）。"
    assert not registry.child_facts_set(
        actor=place.director,
        child_id=child.pk,
        values={"father_status": "外出务工"},
        note="无变化",
    )
    child.refresh_from_db()
    assert child.version == 1


def test_overdue_alerts_come_first_for_the_supervisor_and_the_county(place):
    sent = make_list(place.county, place.civil)
    late = make_alert(
        make_child(place.other_village), sent, due_on=TODAY - timedelta(days=1)
    )
    fresh = make_alert(make_child(place.village), sent)
    for viewer in (place.supervisor, place.civil):
        listed = list(alerts.alert_list_for(viewer=viewer, state=AlertState.OPEN))
        assert [(a.pk, a.is_overdue) for a in listed] == [
            (late.pk, True),
            (fresh.pk, False),
        ]
        assert alerts.alert_counts_for(viewer=viewer) == alerts.AlertCounts(2, 1)
    assert [a.pk for a in alerts.alert_list_for(viewer=place.director)] == [fresh.pk]
    assert [a.pk for a in alerts.alert_list_for(viewer=place.civil, overdue=True)] == [
        late.pk
    ]
    assert not alerts.alert_list_for(viewer=place.foreign_civil).exists()


def test_a_county_sets_its_deadline(place, settings):
    settings.EXCHANGE_ALERT_DAYS = 15
    assert alerts.alert_days(place.village.code) == 15
    alerts.alert_policy_set(actor=place.civil, county=place.county, days=7)
    assert alerts.alert_days(place.village.code) == 7
    assert alerts.alert_days(place.foreign_village.code) == 15
    event = AuditEvent.objects.get(action=AuditAction.EXCHANGE_SETTINGS)
    assert event.details == {"before": None, "after": 7}
    with pytest.raises(DomainError) as refused:
        alerts.alert_policy_set(actor=place.civil, county=place.county, days=0)
    assert refused.value.message == "核实时限应为1至180天的整数，当前为0天。"
    with pytest.raises(DomainError) as refused:
        alerts.alert_policy_set(actor=place.director, county=place.county, days=5)
    assert refused.value.message == "只有民政干部可以设置比对提示的核实时限。"
    with pytest.raises(NotFound):
        alerts.alert_policy_set(actor=place.civil, county=place.foreign_county, days=5)
    assert AlertPolicy.objects.get().days == 7
