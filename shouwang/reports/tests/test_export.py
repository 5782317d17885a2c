"""The statistics table (.xlsx): its layout, the 勾稽关系 between the sub-area rows
and the 合计 row, rates per row, the audit row, and who may download it."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.registry.models import Child
from shouwang.reports import catalogue
from shouwang.reports.export import XLSX
from shouwang.visits.tests.factories import make_visit

from .test_dashboard_views import (
    AREA_MISSING,
    FORBIDDEN,
    build_world,
    client_for,
    main_of,
)

pytestmark = pytest.mark.django_db

URL = "/reports/export/"
HEADER_ROW = 5  # 1-based, as openpyxl counts
KEY_ROW = 6
FIRST_ROW = 7


@pytest.fixture
def place():
    place = build_world()
    today = timezone.localdate()
    # Visits within the period in two townships (a flow), one child visited twice.
    for name, days_ago in (("留守", 0), ("留守", 1), ("事实", 0), ("孤儿", 0)):
        make_visit(
            Child.objects.get(name=name),
            visit_date=today - timedelta(days=days_ago),
            recorded_by=place.director,
        )
    return place


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    return book["统计表"]


def table(sheet) -> tuple[list[str], dict[str, dict[str, object]]]:
    """The figure keys (columns) and the rows by area name (合计 included)."""
    keys = [cell.value for cell in sheet[KEY_ROW]][2:]
    rows = {}
    for row in sheet.iter_rows(min_row=FIRST_ROW, values_only=True):
        rows[row[1]] = dict(zip(keys, row[2:], strict=True))
    return keys, rows


def test_one_row_per_township_then_the_total(place):
    response = client_for(place.civil).get(URL)
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = sheet_of(response)
    today = timezone.localdate()
    assert sheet["A1"].value.startswith("隆回县统计表（")
    assert sheet["A2"].value.startswith("区划：隆回县（430524000000）　统计期间：")
    assert sheet["A3"].value.startswith(f"生成时间：{today:%Y-%m-%d} ")
    assert sheet.cell(HEADER_ROW, 1).value == "区划代码"
    assert sheet.cell(HEADER_ROW, 3).value == "在册儿童（人）"
    assert sheet.cell(KEY_ROW, 3).value == "children.total"
    keys, rows = table(sheet)
    assert list(rows) == ["守望镇", "青石镇", "白云镇", "合计"]
    assert [c.value for c in sheet["A"][FIRST_ROW - 1 :]] == [
        "430524911000",
        "430524912000",
        "430524913000",
        "430524000000",
    ]
    # Every held figure has a column, but those counted by county (foundlings) in
    # a table of townships; pending ones have none.
    assert keys == [f.key for f in catalogue.held() if f.counted_at != "county"]
    assert "foundlings.registered" not in keys
    assert "visits.record_books" not in keys
    assert rows["合计"]["children.total"] == 6
    assert rows["守望镇"]["children.total"] == 5
    assert rows["合计"]["visits.recorded"] == 4
    assert rows["合计"]["visits.children_visited"] == 3


def test_the_sub_area_rows_add_up_to_the_total(place):
    """勾稽关系: every additive figure's sub-area rows sum to the 合计 row, which is
    the county's own figure; rates (and quantiles) are recomputed per row, never
    summed."""
    _, rows = table(sheet_of(client_for(place.civil).get(URL)))
    total = rows.pop("合计")
    additive = [
        f for f in catalogue.held() if not f.derived and f.counted_at != "county"
    ]
    assert additive
    for figure in additive:
        assert sum(row[figure.key] for row in rows.values()) == total[figure.key], (
            figure.key
        )
    assert total["children.total"] > 0 and total["visits.recorded"] > 0
    for figure in (f for f in catalogue.held() if f.is_rate):
        num, den = figure.ratio
        for name, row in [*rows.items(), ("合计", total)]:
            expected = "—" if not row[den] else round(row[num] * 100 / row[den], 1)
            assert row[figure.key] == expected, (figure.key, name)
    assert total["staff.village_coverage"] == 66.7
    assert rows["白云镇"]["staff.village_coverage"] == "—"


def test_villages_leave_out_township_figures(place):
    _, rows = table(
        sheet_of(client_for(place.civil).get(URL, {"area": place.township.code}))
    )
    assert list(rows) == ["守望村", "向阳村", "合计"]
    assert "staff.townships" not in rows["合计"]
    assert "staff.township_coverage" not in rows["合计"]
    assert rows["合计"]["staff.villages"] == 2
    assert rows["守望村"]["children.total"] == 4
    assert rows["向阳村"]["children.total"] == 1


def test_a_past_period_reads_the_snapshots_and_still_adds_up(place):
    today = timezone.localdate()
    end = today - timedelta(days=1)
    _, rows = table(
        sheet_of(
            client_for(place.leader).get(
                URL, {"from": (end - timedelta(days=30)).isoformat(), "to": end}
            )
        )
    )
    total = rows.pop("合计")
    assert total["visits.recorded"] == 1  # the visit dated yesterday
    for figure in catalogue.held():
        if not figure.derived and figure.counted_at != "county":
            assert sum(r[figure.key] for r in rows.values()) == total[figure.key]


def test_every_export_is_audited(place):
    client_for(place.leader).get(URL, {"area": place.township.code})
    event = AuditEvent.objects.get(action=AuditAction.STATS_EXPORT)
    assert event.actor == place.leader
    assert event.area_id == place.township.code
    assert event.details["rows"] == 2
    assert event.details["to"] == timezone.localdate().isoformat()


def test_roles_without_reports_are_refused(place):
    for user in (place.department, place.director, place.admin):
        response = client_for(user).get(URL)
        assert response.status_code == 403, user.role
        assert FORBIDDEN in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()


def test_a_foreign_area_answers_like_an_unknown_one(place):
    client = client_for(place.civil)
    for code in (place.foreign_county.code, "430524999000", "x"):
        response = client.get(URL, {"area": code})
        assert response.status_code == 404
        assert AREA_MISSING in main_of(response)
    response = client_for(place.supervisor).get(URL, {"area": place.county.code})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()


def test_a_bad_date_gets_the_form_and_its_message(place):
    response = client_for(place.civil).get(URL, {"from": "2026-1-5x"})
    assert response.status_code == 400
    assert (
        "起始日期“2026-1-5x”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。"
        in main_of(response)
    )
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()
