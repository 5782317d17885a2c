"""The 委托监护责任确认书 filled in for signing (.docx): opened with python-docx, the
child's, parents' and guardian's facts are in it, ID numbers masked unless asked for by a
role that may reveal them, blanks where the record has nothing, and every download is
audited as a read of personal data."""

import html
import io
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import (
    FATHER_ID,
    GUARDIAN_ID,
    make_child,
    make_place,
)
from shouwang.visits.services.confirmation_form import (
    BLANK,
    confirmation_form_render,
)

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def child(place):
    return make_child(
        place.village,
        birth_date=date(2017, 3, 8),
        father_id_number=FATHER_ID,
        father_phone="13800138001",
        mother_phone="13800138002",
        guardian_id_number=GUARDIAN_ID,
        guardian_phone="0739-1234567",
        address="守望村3组12号",
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _docx_text(data: bytes) -> str:
    """Every paragraph and table cell of the document, a line each."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _rows(data: bytes) -> list[list[str]]:
    document = Document(io.BytesIO(data))
    return [
        [cell.text for cell in row.cells] for t in document.tables for row in t.rows
    ]


def test_the_form_is_filled_from_the_record_with_numbers_masked(place, child):
    AuditEvent.objects.all().delete()

    response = _client(place.director).get(
        f"/visits/children/{child.pk}/confirmation/form.docx"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    assert "%E5%A7%94%E6%89%98" in response["Content-Disposition"]  # 委托…
    assert response["Cache-Control"] == "private, no-store"
    rows = _rows(response.content)
    assert ["姓名", "张晓明", "性别", "男"] in rows
    assert ["出生日期", "2017年03月08日", "民族", "汉族"] in rows
    assert ["公民身份号码", mask_id_number(child.id_number), "就学情况", "小学"] in rows
    assert [
        "户籍地",
        "湖南省邵阳市隆回县守望镇守望村",
        "现居住地址",
        "守望村3组12号",
    ] in rows
    assert ["父亲姓名", "张建国", "联系电话", "13800138001"] in rows
    assert ["公民身份号码", mask_id_number(FATHER_ID), "状况", "外出务工"] in rows
    assert ["务工地点", "广东省深圳市", "广东省深圳市", "广东省深圳市"] in rows
    assert ["母亲姓名", "李丽", "联系电话", "13800138002"] in rows
    assert ["务工地点", "浙江省杭州市", "浙江省杭州市", "浙江省杭州市"] in rows
    assert ["姓名", "王桂兰", "与儿童关系", "祖父母"] in rows
    assert [
        "公民身份号码",
        mask_id_number(GUARDIAN_ID),
        "联系电话",
        "0739-1234567",
    ] in (rows)
    assert ["住址", "守望村3组12号", "守望村3组12号", "守望村3组12号"] in rows
    text = _docx_text(response.content)
    assert child.id_number not in text and FATHER_ID not in text
    assert GUARDIAN_ID not in text
    assert "农村留守儿童委托监护责任确认书" in text
    assert f"编号：430524911001-{child.pk:06d}" in text
    assert "二、受委托监护人的责任。" in text
    assert "经守望村村（居）民委员会见证" in text
    for signer in (
        "委托方（父亲）签字：",
        "委托方（母亲）签字：",
        "受委托监护人签字：",
    ):
        assert signer in text
    assert "儿童主任（主任张）签字：" in text
    assert "守望村村（居）民委员会（盖章）" in text
    assert f"由守望平台于{timezone.localdate():%Y年%m月%d日}根据儿童信息库填写" in text
    assert "{{" not in text and "{%" not in text
    [event] = AuditEvent.objects.all()
    assert (event.action, event.object_id, event.details) == (
        "confirmation.form_download",
        str(child.pk),
        {"ids": "masked"},
    )
    assert event.area_id == place.village.code


def test_full_numbers_only_when_asked_and_audited_as_a_reveal(place, child):
    AuditEvent.objects.all().delete()

    response = _client(place.director).get(
        f"/visits/children/{child.pk}/confirmation/form.docx?ids=full"
    )

    text = _docx_text(response.content)
    for number in (child.id_number, FATHER_ID, GUARDIAN_ID):
        assert number in text
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "child.reveal_id",
        "confirmation.form_download",
    ]
    assert AuditEvent.objects.get(action="confirmation.form_download").details == {
        "ids": "full"
    }


def test_what_the_record_lacks_is_a_blank_line_and_markup_stays_text(place):
    child = make_child(
        place.other_village,
        mother_name="",
        mother_phone="",
        guardian_phone="",
        id_number=None,
    )
    # Older rows may hold characters the forms now refuse; the XML must survive them.
    Child.objects.filter(pk=child.pk).update(address='3组 <b>"旧"</b> & 12号')
    child = Child.objects.select_related("village", "responsible_director").get(
        pk=child.pk
    )
    child.responsible_director = None

    data = confirmation_form_render(actor=place.civil, child=child)

    rows = _rows(data)
    assert ["公民身份号码", BLANK, "就学情况", "小学"] in rows
    assert ["母亲姓名", BLANK, "联系电话", BLANK] in rows
    assert ["公民身份号码", BLANK, "联系电话", BLANK] in rows
    assert rows[-1][:2] == ["住址", '3组 <b>"旧"</b> & 12号']
    assert f"儿童主任（{BLANK}）签字：" in _docx_text(data)


def test_the_child_page_and_the_confirmation_page_link_to_the_form(place, child):
    client = _client(place.director)
    url = f"/visits/children/{child.pk}/confirmation/form.docx"
    for page in (
        f"/children/{child.pk}/",
        f"/visits/children/{child.pk}/confirmation/new/",
    ):
        text = _text(client.get(page))
        assert f'href="{url}"' in text, page
        assert f'href="{url}?ids=full"' in text, page


def test_roles_without_casework_are_refused(place, child):
    for user in (place.leader, place.department, place.admin):
        response = _client(user).get(
            f"/visits/children/{child.pk}/confirmation/form.docx"
        )
        assert response.status_code == 403
        assert FORBIDDEN in _text(response)
    assert not AuditEvent.objects.filter(action="confirmation.form_download")


def test_a_child_elsewhere_answers_like_a_missing_one(place, child):
    for user in (place.other_director, place.foreign_civil):
        for pk in (child.pk, 999999):
            response = _client(user).get(
                f"/visits/children/{pk}/confirmation/form.docx?ids=full"
            )
            assert response.status_code == 404
            assert NOT_FOUND in _text(response)
    assert not AuditEvent.objects.filter(
        action__in=["confirmation.form_download", "child.reveal_id"]
    )
