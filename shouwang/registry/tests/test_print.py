"""The printable child record (/children/<pk>/print/): the detail page's facts on a page
without navigation, read and audited as the detail page is; full ID numbers only when
asked for by a role that may reveal them (audited as a reveal)."""

import html

import pytest
from django.test import Client

from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import mask_id_number

from .factories import FATHER_ID, make_child, make_place

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _actions() -> list[str]:
    return sorted(AuditEvent.objects.values_list("action", flat=True))


def test_the_print_page_shows_the_record_masked_and_is_audited_as_a_read(place):
    child = make_child(
        place.village, father_id_number=FATHER_ID, address="守望村3组12号"
    )
    AuditEvent.objects.all().delete()

    response = _client(place.director).get(f"/children/{child.pk}/print/")

    assert response.status_code == 200
    text = _text(response)
    assert "儿童信息表：张晓明" in text
    assert "隆回县守望镇守望村（430524911001）" in text
    assert mask_id_number(child.id_number) in text
    assert mask_id_number(FATHER_ID) in text
    assert child.id_number not in text and FATHER_ID not in text
    assert "张建国 · 外出务工（广东省深圳市）" in text
    assert "王桂兰（祖父母）" in text
    assert "守望村3组12号" in text
    assert "农村留守儿童" in text
    assert '责任儿童主任</dt><dd class="col-8 col-sm-9">主任张' in text
    # A print page: the button (print.js, no inline handler) and no navigation.
    assert '<button type="button" class="btn btn-primary" data-print>打印</button>' in (
        text
    )
    assert "/static/web/print.js" in text
    assert "onclick" not in text
    assert 'data-testid="nav"' not in text
    assert "主任张（儿童主任）打印于" in text
    assert _actions() == ["child.view"]
    assert response["Cache-Control"] == "private, no-store"


def test_full_numbers_are_printed_only_when_asked_and_audited_as_a_reveal(place):
    child = make_child(place.village, father_id_number=FATHER_ID)
    AuditEvent.objects.all().delete()
    client = _client(place.director)

    masked = _text(client.get(f"/children/{child.pk}/print/"))
    assert '<a class="btn btn-outline-secondary" href="?ids=full">' in masked
    response = client.get(f"/children/{child.pk}/print/?ids=full")

    text = _text(response)
    assert child.id_number in text and FATHER_ID in text
    assert "已显示完整身份号码（本次查看已记入审计日志）" in text
    assert _actions() == ["child.reveal_id", "child.view", "child.view"]


def test_the_detail_page_links_to_the_print_page(place):
    child = make_child(place.village)
    text = _text(_client(place.director).get(f"/children/{child.pk}/"))
    assert f'href="/children/{child.pk}/print/" data-testid="print-link">打印</a>' in (
        text
    )


def test_roles_without_casework_are_refused_and_nothing_is_audited(place):
    child = make_child(place.village)
    AuditEvent.objects.all().delete()
    for user in (place.leader, place.department, place.admin):
        for url in (
            f"/children/{child.pk}/print/",
            f"/children/{child.pk}/print/?ids=full",
        ):
            response = _client(user).get(url)
            assert response.status_code == 403
            assert FORBIDDEN in _text(response)
    assert AuditEvent.objects.filter(action__startswith="child.").count() == 0


def test_a_child_elsewhere_answers_like_a_missing_one(place):
    child = make_child(place.village)
    for user in (place.other_director, place.foreign_civil):
        for pk in (child.pk, 999999):
            response = _client(user).get(f"/children/{pk}/print/?ids=full")
            assert response.status_code == 404
            assert NOT_FOUND in _text(response)
            assert child.id_number not in _text(response)
    assert not AuditEvent.objects.filter(action__in=["child.view", "child.reveal_id"])
