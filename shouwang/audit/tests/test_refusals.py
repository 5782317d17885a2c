"""Refused reads: a record that exists outside the viewer's jurisdiction leaves an
ACCESS_REFUSED row (even when the view's transaction rolls back), a missing one does
not; civil-affairs staff see the users refused many times in a day."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.audit.middleware import AuditContextMiddleware
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.audit.refusals import not_found
from shouwang.registry.models import Child
from shouwang.registry.selectors import child_get_for
from shouwang.registry.tests.factories import make_child, make_place
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _refusals():
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).order_by("id")


def test_asking_for_a_record_outside_the_jurisdiction_is_recorded(place):
    theirs = make_child(place.foreign_village, name="外县儿童")
    client = _client(place.director)
    response = client.get(f"/children/{theirs.pk}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()
    [row] = _refusals()
    assert (row.actor, row.actor_name) == (place.director, "zhuren")
    assert (row.object_type, row.object_id) == ("child", str(theirs.pk))
    # Filed under the viewer's area, so that their own managers see it.
    assert row.area_id == place.village.code
    assert row.ip == "10.1.2.3"
    assert row.details == {"path": f"GET /children/{theirs.pk}/"}
    assert row.get_action_display() == "访问管辖范围外的记录被拒绝"


def test_a_missing_record_is_not_a_refusal(place):
    missing = (
        Child.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    client = _client(place.director)
    assert client.get(f"/children/{missing}/").status_code == 404
    assert client.get(f"/api/children/{missing}").status_code == 404
    assert client.get("/children/99999999999999999999999/").status_code == 404
    assert not _refusals().exists()


def test_the_api_and_other_records_are_recorded_too(place):
    theirs = make_child(place.foreign_village, name="外县儿童")
    client = _client(place.director)
    assert client.get(f"/api/children/{theirs.pk}").status_code == 404
    assert client.get(f"/accounts/users/{place.foreign_civil.pk}/").status_code in (
        403,
        404,
    )
    civil = _client(place.civil)
    assert civil.get(f"/accounts/users/{place.foreign_civil.pk}/").status_code == 404
    assert civil.get(f"/areas/{place.foreign_village.code}/").status_code == 404
    assert list(_refusals().values_list("actor_name", "object_type", "object_id")) == [
        ("zhuren", "child", str(theirs.pk)),
        ("minzheng", "user", str(place.foreign_civil.pk)),
        ("minzheng", "area", place.foreign_village.code),
    ]


def test_the_row_survives_the_view_s_transaction_rolling_back(place):
    theirs = make_child(place.foreign_village, name="外县儿童")

    def view(request):
        with transaction.atomic():
            AuditEvent.objects.create(action=AuditAction.LOGIN, actor_name="回滚")
            child_get_for(viewer=request.user, pk=theirs.pk)  # raises Http404
        return HttpResponse("不会到这里")

    request = RequestFactory().get(f"/anything/{theirs.pk}/")
    request.user = place.director
    with pytest.raises(Http404):
        AuditContextMiddleware(view)(request)
    assert not AuditEvent.objects.filter(actor_name="回滚").exists()
    [row] = _refusals()
    assert (row.actor, row.object_id) == (place.director, str(theirs.pk))


def test_outside_a_request_the_row_is_written_at_once(place):
    theirs = make_child(place.foreign_village, name="外县儿童")
    error = not_found(
        viewer=place.director, model=Child, pk=theirs.pk, message="不在范围内。"
    )
    assert isinstance(error, Http404) and str(error) == "不在范围内。"
    [row] = _refusals()
    assert row.details == {}
    # Nobody signed in: nothing to record.
    not_found(viewer=AnonymousUser(), model=Child, pk=theirs.pk, message="x")
    assert _refusals().count() == 1


# The page of users refused many times ---------------------------------------------


def _refuse(user, times: int, *, on: datetime) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            actor_name=user.username,
            action=AuditAction.ACCESS_REFUSED,
            object_type="child",
            object_id=str(n),
            area_id=user.area_id,
            at=on,
        )
        for n in range(times)
    )


def test_civil_affairs_see_users_of_their_jurisdiction_refused_many_times(
    place, settings
):
    settings.AUDIT_REFUSAL_ALERT_THRESHOLD = 20
    day = datetime(2026, 3, 2, 3, tzinfo=UTC)  # 11:00 in Beijing
    _refuse(place.director, 25, on=day)
    _refuse(place.supervisor, 19, on=day)  # below the threshold
    _refuse(place.other_director, 30, on=datetime(2026, 3, 1, 3, tzinfo=UTC))
    _refuse(place.foreign_director, 40, on=day)  # another county
    response = _client(place.civil).get("/audit/refused/", {"date": "2026-03-02"})
    assert response.status_code == 200
    users = response.context["users"]
    assert [(u.username, u.full_name, u.area_name, u.count) for u in users] == [
        ("zhuren", "主任张", "守望村", 25)
    ]
    body = response.content.decode()
    assert "一天之内访问管辖范围外的记录被拒绝 20 次以上的账号" in body
    assert "外县" not in body
    assert (
        "/audit/?action=access.refused&amp;actor=zhuren"
        "&amp;date_from=2026-03-02&amp;date_to=2026-03-02"
    ) in body
    other_day = _client(place.civil).get("/audit/refused/", {"date": "2026-03-01"})
    assert [u.username for u in other_day.context["users"]] == ["zhuren2"]
    settings.AUDIT_REFUSAL_ALERT_THRESHOLD = 10
    lower = _client(place.civil).get("/audit/refused/", {"date": "2026-03-02"})
    assert [u.username for u in lower.context["users"]] == ["zhuren", "dudao"]


def test_the_audit_page_points_to_today_s_refused_users(place, settings):
    settings.AUDIT_REFUSAL_ALERT_THRESHOLD = 3
    client = _client(place.civil)
    assert "refused-today" not in client.get("/audit/").content.decode()
    _refuse(place.director, 3, on=datetime.now(UTC))
    body = client.get("/audit/").content.decode()
    assert "今天有 1 个账号多次访问管辖范围外的记录被拒绝。" in body
    assert 'href="/audit/refused/"' in body


def test_no_refused_users_and_a_bad_date_are_said_in_chinese(place):
    client = _client(place.civil)
    response = client.get("/audit/refused/", {"date": "2026-02-30"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "日期格式应为 2026-01-31。" in body
    assert "这一天没有账号被拒绝 20 次以上。" in body
    for extreme in ("9999-12-31", "0001-01-01"):
        assert client.get("/audit/refused/", {"date": extreme}).status_code == 200
    assert response.context["day"] == timezone.localdate()  # the bad date: today


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.SUPERVISOR, Role.LEADER])
def test_only_those_who_read_the_audit_trail_may_open_the_page(place, role):
    user = {
        Role.DIRECTOR: place.director,
        Role.SUPERVISOR: place.supervisor,
        Role.LEADER: place.leader,
    }[role]
    response = _client(user).get("/audit/refused/")
    assert response.status_code == 403
    assert Client().get("/audit/refused/").status_code == 302


def test_a_national_administrator_sees_everyone(place, settings):
    settings.AUDIT_REFUSAL_ALERT_THRESHOLD = 2
    admin = make_user(Role.ADMIN, None, username="quanguo")
    _refuse(place.foreign_director, 2, on=datetime.now(UTC))
    response = _client(admin).get("/audit/refused/")
    assert [u.username for u in response.context["users"]] == [
        place.foreign_director.username
    ]
