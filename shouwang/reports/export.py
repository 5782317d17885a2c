"""The statistics table (统计表) as a spreadsheet: one row per area one level below
the chosen area, one column per held figure, then a 合计 row holding the area's own
figures. Additive figures of the rows add up to the 合计 row (勾稽关系); rates are
computed per row from their two inputs, never summed. Every export is audited."""

from collections.abc import Sequence
from datetime import datetime
from typing import IO

import xlsxwriter
from django.db import transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record

from . import catalogue, selectors
from .catalogue import Figure
from .compute import LEVEL_ORDER
from .periods import Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME = "统计表"
TOTAL_LABEL = "合计"
FIXED_COLUMNS = ("区划代码", "区划名称")

Row = tuple[Area, dict[str, int | float | None]]


def export_filename(area: Area, period: Period) -> str:
    """统计表-<区划>-<起>-<止>.xlsx"""
    return f"统计表-{area.name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"


def counted_in(figure: Figure, level: str) -> bool:
    """True when the figure means something for an area of this level: a figure
    counted at township level says nothing about one village."""
    return LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(figure.counted_at)


def table_figures(area: Area, rows: Sequence[Row]) -> list[Figure]:
    """The held figures the table has columns for (catalogue order), given the level
    of its rows (the area's own level when it has no sub-areas)."""
    level = rows[0][0].level if rows else area.level
    return [f for f in catalogue.held() if counted_in(f, level)]


def write_table(
    out: IO[bytes] | str,
    *,
    area: Area,
    period: Period,
    rows: Sequence[Row],
    total: dict[str, int | float | None],
    generated_at: datetime,
) -> int:
    """Write the statistics table to out; returns the number of sub-area rows."""
    figures = table_figures(area, rows)
    book = xlsxwriter.Workbook(
        out,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    add = book.add_format
    title = add({"bold": True, "font_size": 14})
    head = add(
        {
            "bold": True,
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
            "bg_color": "#DDEBF7",
        }
    )
    key = add({"border": 1, "font_color": "#666666", "font_size": 9})
    text = add({"border": 1, "num_format": "@"})
    number = add({"border": 1, "num_format": "0"})
    percent = add({"border": 1, "num_format": "0.0"})
    bold_text = add({"border": 1, "bold": True, "num_format": "@"})
    bold_number = add({"border": 1, "bold": True, "num_format": "0"})
    bold_percent = add({"border": 1, "bold": True, "num_format": "0.0"})

    sheet = book.add_worksheet(SHEET_NAME)
    sheet.write_string(0, 0, f"{area.name}统计表（{period.label}）", title)
    sheet.write_string(
        1, 0, f"区划：{area.name}（{area.code}）　统计期间：{period.label}"
    )
    sheet.write_string(
        2, 0, f"生成时间：{timezone.localtime(generated_at):%Y-%m-%d %H:%M}"
    )
    header_row = 4
    for column, label in enumerate(FIXED_COLUMNS):
        sheet.write_string(header_row, column, label, head)
        sheet.write_string(header_row + 1, column, "", key)
    for index, figure in enumerate(figures, start=len(FIXED_COLUMNS)):
        sheet.write_string(header_row, index, f"{figure.label}（{figure.unit}）", head)
        sheet.write_string(header_row + 1, index, figure.key, key)

    def write_row(
        row: int, code: str, name: str, values: dict, bold: bool = False
    ) -> None:
        sheet.write_string(row, 0, code, bold_text if bold else text)
        sheet.write_string(row, 1, name, bold_text if bold else text)
        for index, figure in enumerate(figures, start=len(FIXED_COLUMNS)):
            value = values.get(figure.key)
            if value is None:
                sheet.write_string(row, index, "—", bold_text if bold else text)
            elif figure.is_rate:
                sheet.write_number(row, index, value, bold_percent if bold else percent)
            else:
                sheet.write_number(row, index, value, bold_number if bold else number)

    first = header_row + 2
    for offset, (sub_area, values) in enumerate(rows):
        write_row(first + offset, sub_area.code, sub_area.name, values)
    write_row(first + len(rows), area.code, TOTAL_LABEL, total, bold=True)

    sheet.freeze_panes(first, len(FIXED_COLUMNS))
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 16)
    sheet.set_column(len(FIXED_COLUMNS), len(FIXED_COLUMNS) + len(figures), 12)
    sheet.set_row(header_row, 48)
    book.close()
    return len(rows)


def stats_export_write(
    *, actor, out: IO[bytes] | str, area: Area, period: Period
) -> int:
    """Write the statistics table of an area the actor may read (one row per
    sub-area, then 合计) to out and audit it (stats.export); returns the rows."""
    access.require(actor, Perm.VIEW_REPORTS)
    with transaction.atomic():
        report = selectors.report_for(viewer=actor, area=area, period=period)
        rows, total = report.rows, report.values
        count = write_table(
            out,
            area=area,
            period=period,
            rows=rows,
            total=total,
            generated_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.STATS_EXPORT,
            obj=area,
            area=area,
            details={
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "rows": count,
            },
        )
    return count
