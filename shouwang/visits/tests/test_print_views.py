"""The printable visit record (/visits/<pk>/print/): the visit's page without
navigation, read and audited as that page is, refused as it is."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.audit.models import AuditEvent
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def visit(place):
    child = make_child(place.village, name="张晓明")
    return make_visit(
        child,
        visit_date=timezone.localdate() - timedelta(days=2),
        recorded_by=place.director,
        safety="有问题",
        safety_note="门前河沟无护栏",
        problems="河沟无护栏\n夜间无人看护",
        measures="已报村委",
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_print_page_shows_the_visit_and_is_audited_as_a_read(place, visit):
    AuditEvent.objects.all().delete()

    response = _client(place.supervisor).get(f"/visits/{visit.pk}/print/")

    assert response.status_code == 200
    text = _text(response)
    assert "走访记录：张晓明" in text
    assert "隆回县守望镇守望村" in text
    assert f"{visit.visit_date:%Y-%m-%d}" in text
    assert "<td>安全</td><td>有问题</td><td>门前河沟无护栏</td>" in text
    assert "河沟无护栏<br>夜间无人看护" in text
    assert "已报村委" in text
    assert "走访人员签字" in text
    assert "data-print>打印</button>" in text
    assert 'data-testid="nav"' not in text
    assert "督导李（儿童督导员）打印于" in text
    [event] = AuditEvent.objects.all()
    assert (event.action, event.object_id) == ("visit.view", str(visit.pk))
    assert response["Cache-Control"] == "private, no-store"


def test_the_visit_page_links_to_the_print_page(place, visit):
    text = _text(_client(place.director).get(f"/visits/{visit.pk}/"))
    assert f'href="/visits/{visit.pk}/print/" data-testid="print-link">打印</a>' in text


def test_roles_without_casework_are_refused(place, visit):
    for user in (place.leader, place.department, place.admin):
        response = _client(user).get(f"/visits/{visit.pk}/print/")
        assert response.status_code == 403
        assert FORBIDDEN in _text(response)
    assert not AuditEvent.objects.filter(action="visit.view")


def test_a_visit_elsewhere_answers_like_a_missing_one(place, visit):
    for user in (place.other_director, place.foreign_civil):
        for pk in (visit.pk, 999999):
            response = _client(user).get(f"/visits/{pk}/print/")
            assert response.status_code == 404
            assert NOT_FOUND in _text(response)
            assert "门前河沟无护栏" not in _text(response)
    assert not AuditEvent.objects.filter(action="visit.view")
