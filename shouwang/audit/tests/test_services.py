"""audit_record: one row saying who did what to which record, where, from which address."""

import pytest
from django.contrib.auth.models import AnonymousUser

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.audit.context import client_ip
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.audit.services import audit_record
from tests.factories import HOME_COUNTY, make_user

pytestmark = pytest.mark.django_db


def test_a_row_names_actor_action_object_area_and_address():
    county = Area.objects.get(code=HOME_COUNTY)
    actor = make_user(Role.CIVIL_AFFAIRS, county, username="zhou")
    subject = make_user(Role.LEADER, county)
    token = client_ip.set("10.1.2.3")
    try:
        audit_record(
            actor=actor,
            action=AuditAction.USER_UPDATE,
            obj=subject,
            area=county,
            details={"changes": {"phone": ["", "138"]}},
        )
    finally:
        client_ip.reset(token)

    event = AuditEvent.objects.get()
    assert event.actor == actor
    assert event.actor_name == "zhou"
    assert event.action == "user.update"
    assert event.get_action_display() == "修改账号"
    assert (event.object_type, event.object_id) == ("user", str(subject.pk))
    assert event.area_id == HOME_COUNTY
    assert event.ip == "10.1.2.3"
    assert event.details == {"changes": {"phone": ["", "138"]}}
    assert event.at is not None


def test_outside_a_request_there_is_no_address():
    audit_record(actor=None, action=AuditAction.AREAS_LOAD, object_type="area")
    event = AuditEvent.objects.get()
    assert event.ip is None
    assert event.actor is None
    assert event.actor_name == ""
    assert event.area_id is None
    assert event.details == {}


def test_someone_not_logged_in_is_named_not_linked():
    audit_record(
        actor=AnonymousUser(),
        actor_name="nobody",
        action=AuditAction.LOGIN_FAILED,
        object_type="user",
        object_id="42",
        area_code=HOME_COUNTY,
    )
    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.actor_name == "nobody"
    assert (event.object_type, event.object_id) == ("user", "42")
    assert event.area_id == HOME_COUNTY


def test_explicit_object_type_and_id_win_over_the_object():
    county = Area.objects.get(code=HOME_COUNTY)
    actor = make_user(Role.ADMIN, None)
    audit_record(
        actor=actor,
        action=AuditAction.AUDIT_EXPORT,
        obj=county,
        object_type="export",
        object_id="7",
    )
    event = AuditEvent.objects.get()
    assert (event.object_type, event.object_id) == ("export", "7")
    assert str(event).endswith(f"{actor.username} 导出审计日志")
