"""The template download, the export of the child list's filter (through HTTP) and
manage.py roster_export: who may, what is in the file, and the audit trail."""

import io
from datetime import date
from urllib.parse import quote

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import (
    LEDGER_FILTERS,
    make_child,
    make_ledger,
    make_place,
)
from shouwang.roster.columns import SHEET_NAME
from shouwang.roster.workbook import VILLAGES_SHEET

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def place():
    place = make_place()
    make_ledger(place)
    make_child(place.foreign_village, name="外县")
    return place


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _book(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _records(book) -> list[dict]:
    rows = list(book[SHEET_NAME].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _names(book) -> list[str]:
    return [r["姓名"] for r in _records(book)]


def _exports():
    return AuditEvent.objects.filter(action="roster.export").order_by("id")


# The template.


def test_the_template_downloads_as_an_attachment_with_a_chinese_name(place):
    response = _client(place.civil).get("/roster/template/")
    book = _book(response)
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("儿童信息花名册模板.xlsx")
    )
    codes = [row[0] for row in book[VILLAGES_SHEET].iter_rows(values_only=True)]
    assert codes == ["代码", "430524911001", "430524911002", "430524912001"]


def test_the_template_lists_only_the_villages_of_the_users_jurisdiction(place):
    book = _book(_client(place.supervisor).get("/roster/template/"))
    rows = list(book[VILLAGES_SHEET].iter_rows(values_only=True))
    assert rows[1:] == [
        ("430524911001", "守望村", "守望镇"),
        ("430524911002", "向阳村", "守望镇"),
    ]
    book = _book(_client(place.director).get("/roster/template/"))
    rows = list(book[VILLAGES_SHEET].iter_rows(values_only=True))
    assert rows[1:] == [("430524911001", "守望村", "守望镇")]


@pytest.mark.parametrize("role", ["leader", "department", "admin"])
@pytest.mark.parametrize("url", ["/roster/template/", "/roster/export/"])
def test_roles_without_casework_are_refused(place, role, url):
    response = _client(getattr(place, role)).get(url)
    assert response.status_code == 403
    assert FORBIDDEN in response.content.decode()
    assert not _exports().exists()


@pytest.mark.parametrize("url", ["/roster/template/", "/roster/export/"])
def test_anonymous_visitors_are_sent_to_sign_in(place, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/roster/template/", "/roster/export/"])
def test_the_downloads_answer_only_get(place, url):
    assert _client(place.civil).post(url).status_code == 405


# The export.


def test_the_export_holds_the_active_children_the_user_sees_in_list_order(place):
    today = timezone.localdate()
    response = _client(place.civil).get("/roster/export/")
    book = _book(response)
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote(f"儿童信息花名册-{today:%Y%m%d}.xlsx")
    )
    records = _records(book)
    expected = Child.objects.filter(
        village_id__lte="430524999999", status="active"
    ).order_by("name_pinyin", "id")
    assert [r["姓名"] for r in records] == [c.name for c in expected]
    assert [r["序号"] for r in records] == list(range(1, 7))
    assert "外县" not in [r["姓名"] for r in records]


def test_the_director_exports_only_the_village(place):
    names = set(_names(_book(_client(place.director).get("/roster/export/"))))
    assert names == {"留守", "低保", "残疾", "无类"}


@pytest.mark.parametrize(("filters", "names"), LEDGER_FILTERS)
def test_the_export_follows_the_list_filter(place, filters, names):
    params = {"status": "active", **filters}
    params["status"] = params["status"] or "all"  # the page's word for every status
    response = _client(place.civil).get("/roster/export/", params)
    assert set(_names(_book(response))) == names


def test_the_export_follows_search_and_sort(place):
    book = _book(_client(place.civil).get("/roster/export/?q=liu&sort=-birth"))
    assert _names(book) == ["留守"]
    book = _book(_client(place.civil).get("/roster/export/?sort=-birth"))
    assert _names(book) == ["低保", "事实", "无类", "留守", "孤儿", "残疾"]


def test_id_numbers_are_masked_by_default_and_full_on_request(place):
    child = Child.objects.get(name="孤儿")
    [masked] = [
        r
        for r in _records(_book(_client(place.civil).get("/roster/export/")))
        if r["姓名"] == "孤儿"
    ]
    assert masked["公民身份号码"] == mask_id_number(child.id_number)
    response = _client(place.civil).get("/roster/export/?full_id=1&category=孤儿")
    [full] = _records(_book(response))
    assert full["公民身份号码"] == child.id_number


def test_every_export_is_audited_with_count_and_filters(place):
    client = _client(place.supervisor)
    _book(client.get("/roster/export/?category=困境儿童&area=430524911001"))
    [event] = _exports()
    assert event.actor == place.supervisor
    assert event.object_type == "roster"
    assert event.area_id == place.township.code
    assert event.details == {
        "count": 2,
        "full_id": False,
        "filters": {
            "area": "430524911001",
            "category": "困境儿童",
            "status": "active",
            "sort": "name",
        },
    }
    assert not AuditEvent.objects.filter(action="child.reveal_id").exists()


def test_a_search_by_id_number_is_audited_masked(place):
    number = Child.objects.get(name="孤儿").id_number
    book = _book(_client(place.civil).get("/roster/export/", {"q": number}))
    assert _names(book) == ["孤儿"]
    [event] = _exports()
    assert event.details["filters"]["q"] == mask_id_number(number)
    assert number not in str(event.details)


def test_a_full_id_export_is_also_audited_as_a_reveal(place):
    _book(_client(place.civil).get("/roster/export/?full_id=1"))
    [event] = _exports()
    assert event.details["full_id"] is True
    assert event.details["count"] == 6
    [reveal] = AuditEvent.objects.filter(action="child.reveal_id")
    assert reveal.actor == place.civil
    assert reveal.object_type == "roster"
    assert reveal.details == {
        "via": "roster.export",
        "count": 6,
        "filters": {"status": "active", "sort": "name"},
    }


@pytest.fixture
def no_reveal(monkeypatch):
    """Directors as a county might configure them: no full ID numbers."""
    monkeypatch.setitem(
        access.ROLE_PERMS,
        Role.DIRECTOR,
        access.ROLE_PERMS[Role.DIRECTOR] - {access.Perm.REVEAL_ID},
    )


def test_full_numbers_are_refused_to_a_role_without_reveal(place, no_reveal):
    client = _client(place.director)
    response = client.get("/roster/export/?full_id=1")
    assert response.status_code == 403
    assert FORBIDDEN in response.content.decode()
    assert not _exports().exists()
    # The masked export stays open to them.
    assert len(_names(_book(client.get("/roster/export/")))) == 4


def test_an_htmx_submit_of_the_filter_form_is_sent_to_the_download(place):
    response = _client(place.civil).get(
        "/roster/export/", {"category": "孤儿", "q": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/roster/export/?category=%E5%AD%A4%E5%84%BF&q="
    assert not _exports().exists()


def test_the_child_list_offers_the_template_and_the_export(place):
    page = _client(place.civil).get("/children/").content.decode()
    assert (
        'href="/roster/template/" data-testid="roster-template">下载花名册模板</a>'
        in (page)
    )
    assert (
        'formaction="/roster/export/" data-testid="roster-export">导出当前筛选' in page
    )


FULL_ID_BUTTON = (
    'formaction="/roster/export/" name="full_id" value="1" '
    'title="身份号码不遮蔽，可修改后导入；将记入审计日志" '
    'data-testid="roster-export-full-id">导出（完整身份号码）</button>'
)


def test_the_child_list_offers_the_full_number_export_to_who_may_reveal(
    place, no_reveal
):
    assert FULL_ID_BUTTON in _client(place.civil).get("/children/").content.decode()
    page = _client(place.director).get("/children/").content.decode()
    assert 'data-testid="roster-export"' in page
    assert "roster-export-full-id" not in page
    assert "完整身份号码）</button>" not in page


def test_the_full_number_button_submitted_through_htmx_keeps_full_numbers(place):
    client = _client(place.civil)
    query = {"category": "孤儿", "q": "", "full_id": "1"}
    response = client.get("/roster/export/", query, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].endswith("&full_id=1")
    [record] = _records(_book(client.get(response["HX-Redirect"])))
    assert record["公民身份号码"] == Child.objects.get(name="孤儿").id_number
    assert AuditEvent.objects.filter(
        action="child.reveal_id", actor=place.civil
    ).exists()


def test_a_forged_full_number_request_is_refused_and_not_audited(place, no_reveal):
    client = _client(place.director)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/roster/export/?full_id=1", headers=headers)
        assert response.status_code == 403
        assert FORBIDDEN in response.content.decode()
    assert not AuditEvent.objects.filter(
        action__in=["roster.export", "child.reveal_id"]
    ).exists()


def test_a_foreign_area_filter_exports_nothing(place):
    book = _book(_client(place.civil).get("/roster/export/?area=430525911001"))
    assert _names(book) == []
    assert _exports().get().details["count"] == 0


# manage.py roster_export


def test_the_command_exports_what_the_user_sees(place, tmp_path, capsys):
    out = tmp_path / "花名册.xlsx"
    call_command("roster_export", str(out), "--user", "minzheng")
    assert capsys.readouterr().out == f"已导出 6 名儿童到 {out}（身份号码已遮蔽）。\n"
    book = openpyxl.load_workbook(out)
    assert len(_names(book)) == 6
    child = Child.objects.get(name="留守")
    [row] = [r for r in _records(book) if r["姓名"] == "留守"]
    assert row["公民身份号码"] == mask_id_number(child.id_number)
    [event] = _exports()
    assert event.actor == place.civil
    assert event.details == {
        "count": 6,
        "full_id": False,
        "filters": {"status": "active", "sort": "name"},
    }
    assert [p.name for p in tmp_path.iterdir()] == ["花名册.xlsx"]


def test_the_command_cuts_to_an_area_and_gives_full_numbers(place, tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    call_command(
        "roster_export", str(out), "--user", "minzheng", "--area", "430524912000"
    )
    assert capsys.readouterr().out == f"已导出 1 名儿童到 {out}（身份号码已遮蔽）。\n"
    call_command(
        "roster_export",
        str(out),
        "--user",
        "minzheng",
        "--area",
        "430524912001",
        "--full-id",
    )
    assert capsys.readouterr().out == f"已导出 1 名儿童到 {out}（完整身份号码）。\n"
    [row] = _records(openpyxl.load_workbook(out))
    assert row["公民身份号码"] == Child.objects.get(name="孤儿").id_number
    assert AuditEvent.objects.filter(action="child.reveal_id").count() == 1
    assert [e.details["filters"]["area"] for e in _exports()] == [
        "430524912000",
        "430524912001",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--user", "nobody"], "用户“nobody”不存在。"),
        (
            ["--user", "lingdao"],
            "用户“lingdao”（领导）没有查看儿童信息的权限，不能导出花名册。",
        ),
        (
            ["--user", "guanli"],
            "用户“guanli”（系统管理员）没有查看儿童信息的权限，不能导出花名册。",
        ),
        (
            ["--user", "minzheng", "--area", "430525000000"],
            "区划“430525000000”不在用户“minzheng”的管辖范围内。",
        ),
        (
            ["--user", "zhuren", "--area", "430524911002"],
            "区划“430524911002”不在用户“zhuren”的管辖范围内。",
        ),
        (
            ["--user", "minzheng", "--area", "430524999999"],
            "区划代码“430524999999”不存在：请填写12位区划代码。",
        ),
        (
            ["--user", "minzheng", "--area", "4305"],
            "区划代码“4305”不存在：请填写12位区划代码。",
        ),
    ],
)
def test_the_command_refuses_with_exit_code_2_and_writes_nothing(
    place, tmp_path, arguments, message
):
    out = tmp_path / "out.xlsx"
    with pytest.raises(CommandError) as raised:
        call_command("roster_export", str(out), *arguments)
    assert str(raised.value) == message
    assert raised.value.returncode == 2
    assert list(tmp_path.iterdir()) == []
    assert not _exports().exists()


def test_the_command_refuses_full_numbers_to_a_role_without_reveal(
    place, tmp_path, no_reveal
):
    out = tmp_path / "out.xlsx"
    with pytest.raises(CommandError) as raised:
        call_command("roster_export", str(out), "--user", "zhuren", "--full-id")
    assert str(raised.value) == (
        "用户“zhuren”（儿童主任）没有查看完整身份号码的权限：请去掉 --full-id。"
    )
    assert raised.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_the_command_refuses_a_deactivated_user_and_a_missing_directory(
    place, tmp_path
):
    place.civil.is_active = False
    place.civil.save()
    with pytest.raises(CommandError, match=r"^用户“minzheng”已停用。$"):
        call_command("roster_export", str(tmp_path / "a.xlsx"), "--user", "minzheng")
    missing = tmp_path / "no" / "a.xlsx"
    with pytest.raises(CommandError) as raised:
        call_command("roster_export", str(missing), "--user", "dudao")
    assert str(raised.value) == f"目录“{missing.parent}”不存在。"
    assert raised.value.returncode == 2


def test_the_export_date_columns_are_real_dates(place):
    book = _book(_client(place.civil).get("/roster/export/?category=孤儿"))
    cell = book[SHEET_NAME]["E2"]
    assert book[SHEET_NAME]["E1"].value == "出生日期"
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert cell.value.date() == Child.objects.get(name="孤儿").birth_date
    assert isinstance(cell.value.date(), date)
