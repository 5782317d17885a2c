"""A roster exported with masked ID numbers, edited and imported again: each masked
number is read as the number on file of the one child it can mean (roster.masked),
or the row says why not; the numbers on file never change."""

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shouwang.core.idnumber import check_character, mask_id_number
from shouwang.registry.models import Child
from shouwang.registry.selectors import ChildFilters
from shouwang.registry.tests.factories import (
    FATHER_ID,
    GUARDIAN_ID,
    make_child,
    make_ledger,
    years_ago,
)
from shouwang.roster import masked
from shouwang.roster.columns import SHEET_NAME
from shouwang.roster.export import roster_export_write
from shouwang.roster.importer import roster_check
from shouwang.roster.models import ImportJob

from .test_services import place, run_on_commit, upload_dir

pytestmark = pytest.mark.django_db
__all__ = ["place", "run_on_commit", "upload_dir"]  # fixtures shared with services

NOTHING_TO_IMPORT = "文件中没有需要新增或更新的儿童，无需导入。"


@pytest.fixture
def ledger(place):
    make_ledger(place)
    make_child(
        place.village,
        name="有父",
        birth_date=years_ago(10, days=7),
        father_id_number=FATHER_ID,
        guardian_id_number=GUARDIAN_ID,
    )
    return place


def _export(user, **filters) -> bytes:
    out = io.BytesIO()
    roster_export_write(
        actor=user, out=out, filters=ChildFilters(**filters), full_id=False
    )
    return out.getvalue()


def _edit(data: bytes, name: str, **cells) -> bytes:
    """The workbook with the cells (header → value) of the child's row changed."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[SHEET_NAME]
    headers = [cell.value for cell in sheet[1]]
    found = False
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("姓名")].value == name:
            for header, value in cells.items():
                row[headers.index(header)].value = value
            found = True
    assert found, name
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row_of(data: bytes, name: str) -> int:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET_NAME]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if row[1] == name:
            return number
    raise AssertionError(name)


def _numbers() -> dict[int, tuple]:
    return {
        c.pk: (c.id_number, c.father_id_number, c.guardian_id_number)
        for c in Child.objects.all()
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_masked_export_edited_comes_back_to_the_same_child(ledger, run_on_commit):
    client = _client(ledger.civil)
    exported = client.get("/roster/export/")
    assert exported.status_code == 200
    child = Child.objects.get(name="有父")
    data = _edit(exported.content, "有父", 学校名称="守望小学", 备注="已复核")
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET_NAME]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "有父")
    assert mask_id_number(child.id_number) in row  # the file holds masked numbers
    assert mask_id_number(FATHER_ID) in row
    before = _numbers()

    with run_on_commit():
        response = client.post(
            "/roster/imports/upload/",
            {"file": SimpleUploadedFile("花名册.xlsx", data)},
        )
    job = ImportJob.objects.get()
    body = client.get(response["Location"]).content.decode()
    assert NOTHING_TO_IMPORT not in body
    assert "身份号码前17位应为数字" not in body
    assert (
        "检查通过：将新增 <strong>0</strong> 名、更新 <strong>1</strong> 名儿童。"
        in body
    )
    with run_on_commit():
        client.post(f"/roster/imports/{job.pk}/commit/")
    body = client.get(f"/roster/imports/{job.pk}/").content.decode()
    assert "已导入：新增 0 名，更新 1 名。" in body
    child.refresh_from_db()
    assert (child.school, child.notes, child.version) == ("守望小学", "已复核", 2)
    assert _numbers() == before  # every number on file as it was
    assert Child.objects.count() == 8


def test_a_masked_number_whose_name_was_changed_matches_no_child(ledger):
    data = _edit(_export(ledger.civil), "留守", 姓名="留守儿")
    number = _row_of(data, "留守儿")
    plan = roster_check(data, "花名册.xlsx", actor=ledger.civil)
    [error] = plan.errors
    assert (error.row, error.column) == (number, "公民身份号码")
    assert error.value == mask_id_number(Child.objects.get(name="留守").id_number)
    assert error.message == masked.NO_CHILD
    assert error.message == (
        "这是导出时遮蔽了中间8位的号码，在您管辖范围内找不到姓名、出生日期与本行相同且号码相符的儿童"
        "（姓名或出生日期改过时就会这样）：请填写完整的18位身份号码，"
        "或在儿童信息库用“导出（完整身份号码）”导出花名册，修改后再导入"
    )
    assert plan.counts["unchanged"] == 6
    assert plan.counts["rejected"] == 1


def test_a_masked_number_with_an_unreadable_birth_date_says_so(ledger):
    data = _edit(_export(ledger.civil), "留守", 出生日期="不详")
    plan = roster_check(data, "花名册.xlsx", actor=ledger.civil)
    by_column = {e.column: e.message for e in plan.errors}
    assert by_column["公民身份号码"] == masked.UNREADABLE_ROW
    assert by_column["出生日期"].startswith("“不详”不是有效的日期")


def test_a_child_outside_the_jurisdiction_is_never_matched(ledger):
    make_child(ledger.foreign_village, name="外县")
    data = _export(ledger.foreign_civil)
    plan = roster_check(data, "花名册.xlsx", actor=ledger.civil)
    by_column = {e.column: e.message for e in plan.errors}
    assert by_column["公民身份号码"] == masked.NO_CHILD  # as if it did not exist
    assert plan.counts["rejected"] == 1


def _same_mask_other_birth(number: str) -> str:
    """A valid number masked like `number` (same first 6 and last 4) whose birth
    date differs: what a record kept with a number not matching its birth date has."""
    day = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    for offset in range(1, 4000):
        first17 = f"{number[:6]}{day - timedelta(days=offset):%Y%m%d}{number[14:17]}"
        if check_character(first17) == number[17]:
            return first17 + number[17]
    raise AssertionError(number)


def test_a_masked_number_that_fits_several_children_is_refused(ledger):
    first = Child.objects.get(name="留守")
    second = make_child(ledger.other_village, name="留守", birth_date=first.birth_date)
    # A record from before the birth-date check, whose number masks like the first.
    Child.objects.filter(pk=second.pk).update(
        id_number=_same_mask_other_birth(first.id_number)
    )
    data = _export(ledger.civil, area="430524911001")
    plan = roster_check(data, "花名册.xlsx", actor=ledger.civil)
    [error] = plan.errors
    assert (error.row, error.column) == (_row_of(data, "留守"), "公民身份号码")
    assert error.message == masked.SEVERAL_CHILDREN.format(count=2)
    assert "有2名姓名、出生日期相同且号码相符的儿童" in error.message
    assert first.id_number not in str(plan.errors)


def test_a_masked_parent_number_must_mask_the_number_on_file(ledger):
    data = _export(ledger.civil)
    data = _edit(data, "有父", 母亲公民身份号码=mask_id_number(GUARDIAN_ID))
    plan = roster_check(data, "花名册.xlsx", actor=ledger.civil)
    [error] = plan.errors
    assert (error.column, error.message) == ("母亲公民身份号码", masked.NO_PERSON)
    assert error.value == mask_id_number(GUARDIAN_ID)


def test_a_masked_parent_number_beside_a_full_child_number(ledger):
    child = Child.objects.get(name="有父")
    data = _edit(_export(ledger.civil), "有父", 公民身份号码=child.id_number, 备注="改")
    plan = roster_check(data, "花名册.xlsx", actor=ledger.civil)
    assert plan.errors == []
    [changed] = [r for r in plan.rows if r.action == "changed"]
    assert changed.child_id == child.pk
    assert changed.changes == {"notes": ["", "改"]}
    assert changed.data["father_id_number"] == FATHER_ID


def test_errors_of_a_resolved_row_quote_the_number_masked(ledger):
    data = _export(ledger.civil)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[SHEET_NAME]
    sheet.append([c.value for c in sheet[2]])  # the same child twice
    out = io.BytesIO()
    book.save(out)
    plan = roster_check(out.getvalue(), "花名册.xlsx", actor=ledger.civil)
    [error] = plan.errors
    assert error.message == "与第2行的身份号码相同：同一名儿童只能填一行"
    assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", error.value)


def test_masked_rows_are_looked_up_once_not_row_by_row(ledger):
    few = _export(ledger.civil, area="430524911002")  # one child
    many = _export(ledger.civil)  # seven
    with CaptureQueriesContext(connection) as one:
        roster_check(few, "花名册.xlsx", actor=ledger.civil)
    with CaptureQueriesContext(connection) as seven:
        plan = roster_check(many, "花名册.xlsx", actor=ledger.civil)
    assert plan.counts["unchanged"] == 7
    assert len(seven) == len(one)


def test_an_exited_child_comes_back_unchanged_but_is_not_changed(ledger):
    data = _export(ledger.civil, status="exited")
    plan = roster_check(data, "花名册.xlsx", actor=ledger.civil)
    assert plan.counts["unchanged"] == 1
    plan = roster_check(
        _edit(data, "退出", 备注="回来了"), "x.xlsx", actor=ledger.civil
    )
    [error] = plan.errors
    assert error.message.startswith("该儿童已退出儿童信息库")
    assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", error.value)
