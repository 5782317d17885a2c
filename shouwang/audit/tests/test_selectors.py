"""Reads of the audit trail: the viewer's jurisdiction, filters, the local calendar day."""

from datetime import UTC, date, datetime

import pytest

from shouwang.accounts.models import Role
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.audit.selectors import audit_event_list_for
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db


def _event(at: datetime, area_code: str | None = HOME_COUNTY, **fields) -> AuditEvent:
    fields.setdefault("action", AuditAction.LOGIN)
    return AuditEvent.objects.create(at=at, area_id=area_code, **fields)


def test_days_are_days_in_china_not_in_utc():
    viewer = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    # 2026-03-01 00:30 in Beijing is still 28 February in UTC.
    early = _event(datetime(2026, 2, 28, 16, 30, tzinfo=UTC))
    # 2026-03-01 23:30 in Beijing is 15:30 UTC, the same day.
    late = _event(datetime(2026, 3, 1, 15, 30, tzinfo=UTC))
    before = _event(datetime(2026, 2, 28, 15, 59, tzinfo=UTC))  # 23:59 on 28 Feb
    after = _event(datetime(2026, 3, 1, 16, 0, tzinfo=UTC))  # 00:00 on 2 March

    day = date(2026, 3, 1)
    found = set(audit_event_list_for(viewer=viewer, date_from=day, date_to=day))
    assert found == {early, late}
    assert before in audit_event_list_for(viewer=viewer, date_to=date(2026, 2, 28))
    assert after in audit_event_list_for(viewer=viewer, date_from=date(2026, 3, 2))


def test_filters_by_action_actor_and_object_type():
    viewer = make_user(Role.ADMIN, None)
    now = datetime(2026, 3, 1, 8, tzinfo=UTC)
    wanted = _event(now, actor_name="Zhou", object_type="user")
    _event(now, actor_name="zhou", action=AuditAction.LOGOUT, object_type="user")
    _event(now, actor_name="wu", object_type="user")
    _event(now, actor_name="zhou", object_type="area")

    found = audit_event_list_for(
        viewer=viewer, action="login", actor="ZHOU", object_type="user"
    )
    assert list(found) == [wanted]


def test_the_jurisdiction_cuts_the_trail_and_roles_without_it_see_none():
    township = make_area("430524101000")
    now = datetime(2026, 3, 1, 8, tzinfo=UTC)
    home = _event(now, HOME_COUNTY)
    below = _event(now, township.code)
    _event(now, FOREIGN_COUNTY)
    nowhere = _event(now, None)

    county = make_user(Role.CIVIL_AFFAIRS, Area.objects.get(code=HOME_COUNTY))
    assert set(audit_event_list_for(viewer=county)) == {home, below}
    admin = make_user(Role.ADMIN, None)
    assert nowhere in audit_event_list_for(viewer=admin)
    assert audit_event_list_for(viewer=admin).count() == 4
    supervisor = make_user(Role.SUPERVISOR, township)
    assert not audit_event_list_for(viewer=supervisor).exists()


def test_newest_first():
    viewer = make_user(Role.ADMIN, None)
    old = _event(datetime(2026, 1, 1, tzinfo=UTC))
    new = _event(datetime(2026, 2, 1, tzinfo=UTC))
    assert list(audit_event_list_for(viewer=viewer)) == [new, old]
