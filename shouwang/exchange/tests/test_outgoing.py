"""Outgoing lists: the page (who may, which purposes), the file (exactly the declared
columns, the purpose's children of the user's area, ID numbers masked unless
declared and revealed), the audit rows, and manage.py exchange_export."""

import io
from urllib.parse import quote

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import mask_id_number
from shouwang.exchange import outgoing
from shouwang.registry.tests.factories import (
    AT_HOME,
    make_child,
    make_place,
    years_ago,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/exchange/outgoing/"
FORBIDDEN = "您的角色没有此项操作的权限。"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def place():
    place = make_place()
    # Left behind (make_child's default), in the home county's two townships.
    place.kid = make_child(
        place.village,
        name="王小花",
        guardian_name="王奶奶",
        guardian_phone="13800000001",
    )
    place.far = make_child(place.far_village, name="赵小明")
    # Disabled, not left behind (both parents at home), a toddler: not school-age.
    place.disabled = make_child(
        place.village,
        name="孙小雨",
        birth_date=years_ago(4),
        health="残疾",
        disability_category="肢体",
        disability_grade="二级",
        schooling="幼儿园",
        **AT_HOME,
    )
    place.gone = make_child(place.village, name="钱退出")
    place.gone.__class__.objects.filter(pk=place.gone.pk).update(status="exited")
    place.foreign = make_child(place.foreign_village, name="外县娃")
    place.health = make_user(
        Role.DEPARTMENT, place.county, unit=Unit.HEALTH, username="weijian"
    )
    place.disabled_fed = make_user(
        Role.DEPARTMENT,
        place.township,
        unit=Unit.DISABLED_FEDERATION,
        username="canlian",
    )
    return place


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book[outgoing.SHEET].iter_rows(values_only=True))


def _exports():
    return AuditEvent.objects.filter(action="exchange.export").order_by("id")


def test_health_gets_only_its_declared_fields_of_its_areas_left_behind_children(
    place,
):
    client = _client(place.health)
    page = client.get(URL).content.decode()
    # Only the health purpose is offered to health, with how many children it holds.
    assert "留守儿童和困境儿童建档" in page
    assert "残疾儿童康复救助" not in page
    assert 'data-testid="count-health">3<' in page
    response = client.post(URL, {"purpose": "health"})
    rows = _rows(response)
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''"
        + quote(f"留守儿童和困境儿童建档名单-{today:%Y%m%d}.xlsx")
    )
    assert rows[0] == (
        "姓名",
        "性别",
        "出生日期",
        "户籍地村（社区）",
        "监护人姓名",
        "监护人联系电话",
    )
    # The disabled child is in difficulty too; the exited and foreign ones are not
    # listed; no ID number anywhere.
    assert sorted(r[0] for r in rows[1:]) == sorted(["王小花", "赵小明", "孙小雨"])
    kid = next(r for r in rows if r[0] == "王小花")
    assert kid == (
        "王小花",
        "男",
        place.kid.birth_date.isoformat(),
        "守望镇守望村",
        "王奶奶",
        "13800000001",
    )
    assert place.kid.id_number not in response.content.decode("latin-1")
    event = _exports().get()
    assert event.actor == place.health
    assert event.area_id == place.county.code
    assert event.details == {"purpose": "health", "count": 3, "full_id": False}


def test_ids_are_masked_for_a_unit_and_full_only_for_civil_affairs_who_asks(place):
    # The township's disabled persons' federation: its township only, masked IDs.
    rows = _rows(_client(place.disabled_fed).post(URL, {"purpose": "disability"}))
    assert rows[0] == (
        "姓名",
        "性别",
        "出生日期",
        "公民身份号码",
        "户籍地村（社区）",
        "残疾类别",
        "残疾等级",
        "监护人姓名",
        "监护人联系电话",
    )
    assert [r[:5] for r in rows[1:]] == [
        (
            "孙小雨",
            "男",
            place.disabled.birth_date.isoformat(),
            mask_id_number(place.disabled.id_number),
            "守望镇守望村",
        )
    ]
    assert rows[1][5:7] == ("肢体", "二级")
    # A unit's user asking for full numbers still gets them masked (no REVEAL_ID).
    ignored = _client(place.disabled_fed).post(
        URL, {"purpose": "disability", "full_id": "on"}
    )
    assert ignored.status_code == 200  # the box is not offered: masked anyway
    assert _exports().count() == 2 and not _exports().last().details["full_id"]
    # Civil affairs may download any purpose, with full numbers when asked: audited
    # twice (the export and the reveal).
    civil = _client(place.civil)
    page = civil.get(URL).content.decode()
    for purpose in outgoing.PURPOSES.values():
        assert purpose.label in page
    rows = _rows(civil.post(URL, {"purpose": "education", "full_id": "on"}))
    ids = {r[0]: r[3] for r in rows[1:]}
    assert ids == {"王小花": place.kid.id_number, "赵小明": place.far.id_number}
    assert rows[0][5] == "就学状况" and rows[1][5] == "小学"
    assert _exports().last().details == {
        "purpose": "education",
        "count": 2,
        "full_id": True,
    }
    reveal = AuditEvent.objects.get(action="child.reveal_id")
    assert reveal.details["via"] == "exchange.export"


def test_the_denied_paths(place):
    # Roles without a purpose, and a unit without one, get 403 on GET and POST.
    police = make_user(Role.DEPARTMENT, place.county, unit=Unit.COURT, username="fy")
    for user in (place.director, place.supervisor, place.leader, place.admin, police):
        client = _client(user)
        for response in (client.get(URL), client.post(URL, {"purpose": "health"})):
            assert response.status_code == 403
            assert FORBIDDEN in response.content.decode()
    assert Client().get(URL).status_code == 302  # anonymous: to the login page
    # A unit asking for another unit's purpose, or an unknown one: refused on the
    # form, nothing audited.
    response = _client(place.health).post(URL, {"purpose": "disability"})
    assert response.status_code == 400
    assert (
        "请从列出的用途中选择（您所在单位可下载的名单）。" in response.content.decode()
    )
    response = _client(place.health).post(URL, {})
    assert "请选择名单用途。" in response.content.decode()
    assert not _exports().exists()
    # The service refuses the same way behind the page.
    with pytest.raises(PermissionDenied, match="您没有下载成员单位名单的权限。"):
        outgoing.outgoing_write(
            actor=place.health, purpose="education", out=io.BytesIO()
        )
    with pytest.raises(outgoing.UnknownPurpose) as error:
        outgoing.outgoing_write(actor=place.civil, purpose="nope", out=io.BytesIO())
    assert error.value.message == (
        "没有用途“nope”的名单，可选：health、education、disability、hukou。"
    )


def test_the_command_exports_as_the_page_does_and_refuses_clearly(place, tmp_path):
    out = tmp_path / "名单.xlsx"
    stdout = io.StringIO()
    call_command(
        "exchange_export",
        "--purpose",
        "health",
        "--user",
        "weijian",
        "--out",
        str(out),
        stdout=stdout,
    )
    assert "已导出“留守儿童和困境儿童建档”名单 3 名儿童" in stdout.getvalue()
    assert "不含身份号码" in stdout.getvalue()
    book = openpyxl.load_workbook(out)
    assert len(list(book[outgoing.SHEET].iter_rows())) == 4
    assert _exports().get().details["purpose"] == "health"
    with pytest.raises(CommandError) as error:
        call_command(
            "exchange_export",
            "--purpose",
            "disability",
            "--user",
            "weijian",
            "--out",
            str(tmp_path / "x.xlsx"),
        )
    assert str(error.value) == (
        "用户“weijian”（成员单位）：您没有下载成员单位名单的权限。"
    )
    assert error.value.returncode == 2
    assert not (tmp_path / "x.xlsx").exists()
    with pytest.raises(CommandError, match="用户“nobody”不存在。"):
        call_command(
            "exchange_export",
            "--purpose",
            "health",
            "--user",
            "nobody",
            "--out",
            str(out),
        )
