"""The statistics dashboard (/reports/) and the statistics table export: the figures
of an area for a period by heading, the areas one level below (drill-down), their
rates (sortable), month-end trends, and the button that recomputes a day's stored
figures after records were entered later.

Leaders see numbers only; caseworkers (VIEW_CHILDREN) may follow a number to the
list of children behind it."""

import io
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from shouwang.accounts.access import Perm, has_perm, in_jurisdiction, require
from shouwang.areas.models import Area
from shouwang.areas.selectors import area_path
from shouwang.core.exceptions import DomainError

from .. import catalogue, compute, export, selectors
from ..catalogue import Figure
from ..periods import BadPeriod, Period, parse_date, parse_period
from ..services.snapshots_request import snapshot_recompute

# The counts the drill-down table shows for each sub-area (the rest are in the
# export); the rates have their own, sortable table.
SUBAREA_KEYS = (
    "children.total",
    "children.left_behind",
    "children.difficulty",
    "children.orphan",
    "children.de_facto_unsupported",
    "visits.recorded",
    "visits.overdue",
)
TREND_MONTHS = 12
TREND_COUNTS = ("children.total", "children.left_behind", "children.difficulty")
TREND_RATES = ("confirmations.rate", "visits.overdue_rate")
SORT_DIRS = ("asc", "desc")
DAY_MISSING = "请求缺少要重新计算的日期，请回到统计页面重试。"


@dataclass
class Cell:
    figure: Figure
    value: int | float | None
    url: str = ""

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, float) and self.figure.is_money:
            return f"{self.value:.2f}"
        return f"{self.value}"


@dataclass
class SubRow:
    area: Area
    url: str
    cells: list[Cell] = field(default_factory=list)
    rates: list[Cell] = field(default_factory=list)


def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    """The area is unknown or outside the jurisdiction: one answer for both."""
    return render(
        request,
        "reports/dashboard_missing.html",
        {"message": str(error) or selectors.AREA_NOT_FOUND},
        status=404,
    )


def _period_query(request: HttpRequest) -> dict[str, str]:
    """The period as the user gave it (empty dates stay defaults in links)."""
    return {
        name: request.GET[name].strip()
        for name in ("from", "to")
        if request.GET.get(name, "").strip()
    }


def _dashboard_url(code: str, query: dict[str, str], **extra: str) -> str:
    return (
        f"{reverse('reports:dashboard')}?{urlencode({'area': code, **query, **extra})}"
    )


def _list_url(figure: Figure, code: str, can_list: bool) -> str:
    """The list of children behind a figure of an area, for users who may read it."""
    if not can_list or figure.child_filter is None:
        return ""
    return f"{reverse(figure.list_view)}?{urlencode({**figure.child_filter, 'area': code})}"


def _cells(
    figures: list[Figure], values: dict, code: str, can_list: bool
) -> list[Cell]:
    return [
        Cell(figure, values.get(figure.key), _list_url(figure, code, can_list))
        for figure in figures
    ]


def _sorted_rows(rows: list[SubRow], sort: str, direction: str) -> list[SubRow]:
    """Rows by a rate (areas without one last, whichever the direction), else by code."""
    if sort == "name":
        return sorted(rows, key=lambda r: r.area.code, reverse=direction == "desc")
    keys = [cell.figure.key for cell in rows[0].rates] if rows else []
    position = keys.index(sort) if sort in keys else None
    if position is None:
        return rows
    known = [r for r in rows if r.rates[position].value is not None]
    unknown = [r for r in rows if r.rates[position].value is None]
    known.sort(
        key=lambda r: (r.rates[position].value, r.area.code),
        reverse=direction == "desc",
    )
    return known + unknown


def _sort_headers(
    rate_figures: list[Figure], code: str, query: dict, sort: str, direction: str
) -> list[dict]:
    """The rate table's headers, each a link sorting by it (again: the other way)."""
    headers = []
    for key, label in [("name", "区划"), *((f.key, f.label) for f in rate_figures)]:
        current = key == sort
        next_dir = "desc" if current and direction == "asc" else "asc"
        headers.append(
            {
                "key": key,
                "label": label,
                "url": _dashboard_url(code, query, sort=key, dir=next_dir) + "#rates",
                "aria_sort": (
                    ("ascending" if direction == "asc" else "descending")
                    if current
                    else ""
                ),
                "arrow": ("↑" if direction == "asc" else "↓") if current else "",
            }
        )
    return headers


def _breadcrumb(user, area: Area, query: dict) -> list[dict]:
    """From the top of the user's jurisdiction down to the area (never above it)."""
    return [
        {"area": a, "url": _dashboard_url(a.code, query)}
        for a in area_path(area)
        if in_jurisdiction(user, a.code)
    ]


def _trend_chart(user, area: Area, period: Period, values: dict) -> dict:
    trend = selectors.trend_for(
        viewer=user,
        area=area,
        end=period.end,
        months=TREND_MONTHS,
        today_values=values,  # the period's end values, computed already
    )
    days = sorted(trend)

    def series(keys):
        return [
            {
                "name": catalogue.FIGURES[key].label,
                "data": [trend[day].get(key) for day in days],
            }
            for key in keys
        ]

    return {
        "labels": [f"{day:%Y-%m}" for day in days],
        "counts": series(TREND_COUNTS),
        "rates": series(TREND_RATES),
    }


def _render_bad_period(
    request: HttpRequest, area: Area, error: BadPeriod
) -> HttpResponse:
    return render(
        request,
        "reports/dashboard.html",
        {
            "area": area,
            "error": error,
            "form_from": request.GET.get("from", ""),
            "form_to": request.GET.get("to", ""),
            "breadcrumb": _breadcrumb(request.user, area, {}),
        },
        status=400,
    )


def _area_and_period(request: HttpRequest):
    """The area and period a statistics page asks for, or the page answering a bad
    one (404 for an area the user may not read, the form for a bad date)."""
    require(request.user, Perm.VIEW_REPORTS)
    try:
        area = selectors.report_area_for(
            viewer=request.user, code=request.GET.get("area", "")
        )
    except Http404 as error:
        return None, None, _not_found(request, error)
    try:
        period = parse_period(request.GET.get("from"), request.GET.get("to"))
    except BadPeriod as error:
        return None, None, _render_bad_period(request, area, error)
    return area, period, None


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures of an area for a period (default: the user's own area, the
    current quarter up to today), with its sub-areas, rates and trends."""
    area, period, refusal = _area_and_period(request)
    if refusal is not None:
        return refusal

    user = request.user
    can_list = has_perm(user, Perm.VIEW_CHILDREN)
    query = _period_query(request)
    report = selectors.report_for(
        viewer=user, area=area, period=period, refresh=request.GET.get("refresh") == "1"
    )
    values = report.values
    shown = [f for f in catalogue.held() if export.counted_in(f, area.level)]
    groups: dict[str, list[Cell]] = {}
    for cell in _cells(shown, values, area.code, can_list):
        groups.setdefault(cell.figure.group, []).append(cell)
    pending = [f for f in catalogue.FIGURES.values() if not f.held]

    sub_rows = report.rows
    sub_level = sub_rows[0][0].level if sub_rows else area.level
    sub_figures = [
        catalogue.FIGURES[key]
        for key in SUBAREA_KEYS
        if key in catalogue.FIGURES
        and catalogue.FIGURES[key].held
        and export.counted_in(catalogue.FIGURES[key], sub_level)
    ]
    rate_figures = [
        f for f in catalogue.held() if f.is_rate and export.counted_in(f, sub_level)
    ]
    rows = [
        SubRow(
            area=sub_area,
            url=_dashboard_url(sub_area.code, query),
            cells=_cells(sub_figures, sub_values, sub_area.code, can_list),
            rates=_cells(rate_figures, sub_values, sub_area.code, False),
        )
        for sub_area, sub_values in sub_rows
    ]
    sort = request.GET.get("sort", "")
    if sort not in {"name", *(f.key for f in rate_figures)}:
        sort = "name"
    direction = request.GET.get("dir", "asc")
    if direction not in SORT_DIRS:
        direction = "asc"

    today = timezone.localdate()
    stale = compute.stale_count(area, period.end) if period.end < today else 0
    return render(
        request,
        "reports/dashboard.html",
        {
            "area": area,
            "period": period,
            "form_from": request.GET.get("from", ""),
            "form_to": request.GET.get("to", ""),
            "groups": groups,
            "pending": pending,
            "breadcrumb": _breadcrumb(user, area, query),
            "sub_figures": sub_figures,
            "rows": rows,
            "rate_rows": _sorted_rows(list(rows), sort, direction),
            "rate_headers": _sort_headers(
                rate_figures, area.code, query, sort, direction
            ),
            "trend": _trend_chart(user, area, period, values),
            "stale": stale,
            "can_recompute": has_perm(user, Perm.GENERATE_BULLETINS),
            "counted_at": report.counted_at,
            "max_minutes": settings.STATS_TODAY_MAX_MINUTES,
            "refresh_url": _dashboard_url(area.code, {**query, "refresh": "1"}),
            "export_url": f"{reverse('reports:export')}?"
            + urlencode({"area": area.code, **query}),
            "today": today,
        },
    )


@require_GET
def stats_export(request: HttpRequest) -> HttpResponse:
    """The statistics table of an area and period as .xlsx (audited)."""
    area, period, refusal = _area_and_period(request)
    if refusal is not None:
        return refusal
    out = io.BytesIO()
    export.stats_export_write(actor=request.user, out=out, area=area, period=period)
    return HttpResponse(
        out.getvalue(),
        content_type=export.XLSX,
        headers={
            "Content-Disposition": content_disposition_header(
                True, export.export_filename(area, period)
            )
        },
    )


def _day_from(text: str) -> date:
    day = parse_date(text, field="day", label="日期")
    if day is None:
        raise BadPeriod(DAY_MISSING, field="day")
    return day


@require_POST
def snapshot_recompute_view(request: HttpRequest) -> HttpResponse:
    """Recompute the stored figures of a day for an area (civil affairs), then back
    to the dashboard it was asked from."""
    require(request.user, Perm.GENERATE_BULLETINS)
    try:
        area = selectors.report_area_for(
            viewer=request.user, code=request.POST.get("area", "")
        )
    except Http404 as error:
        return _not_found(request, error)
    query = {
        name: request.POST[name].strip()
        for name in ("from", "to")
        if request.POST.get(name, "").strip()
    }
    back = _dashboard_url(area.code, query)
    try:
        day = _day_from(request.POST.get("day", ""))
        rows = snapshot_recompute(actor=request.user, area=area, day=day)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        f"已重新计算{area.name} {day:%Y-%m-%d} 的统计快照（{rows}个区划）。",
    )
    return redirect(back)


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("export/", stats_export, name="export"),
    path("recompute/", snapshot_recompute_view, name="recompute"),
]
