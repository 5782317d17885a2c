"""Reads of figures for a viewer: the area must lie in the viewer's jurisdiction
(outside it answers like an unknown area), and only roles with VIEW_REPORTS read
figures at all. Numbers only: nothing here names a child."""

from collections.abc import Mapping
from datetime import date, timedelta

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.registry.models import Child, ChildStatus

from . import catalogue, compute
from .links import figure_list_url
from .periods import Period

AREA_NOT_FOUND = "区划不存在或不在您的管辖范围内。"


def report_area_for(*, viewer, code: str = "") -> Area:
    """The area a viewer asks figures for (their own by default); Http404 for an
    unknown code, one outside the jurisdiction, or a viewer who may not read figures."""
    if not access.has_perm(viewer, Perm.VIEW_REPORTS):
        raise Http404(AREA_NOT_FOUND)
    code = (code or "").strip() or (viewer.area_id or "")
    if not codes.is_code(code) or not access.in_jurisdiction(viewer, code):
        raise Http404(AREA_NOT_FOUND)
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Http404(AREA_NOT_FOUND)
    return area


HOME_FIGURES = (
    "children.total",
    "children.left_behind",
    "children.orphan",
    "children.de_facto_unsupported",
    "children.difficulty",
    "risk.high",
    "visits.overdue",
)


def home_figures_for(*, viewer, values: Mapping | None = None) -> list[dict]:
    """Today's headline figures of the viewer's jurisdiction (label, value, the list
    behind it when the viewer may open it); nothing for roles without statistics.
    values: the jurisdiction's figures already read (report_for), else counted live."""
    if not access.has_perm(viewer, Perm.VIEW_CHILD_STATS):
        return []
    if values is None:
        children = access.scope(
            viewer, Child.objects.filter(status=ChildStatus.ACTIVE), "village_id"
        )
        values = compute.count_children(
            children, HOME_FIGURES, as_of=timezone.localdate()
        )
    return [
        {
            "key": key,
            "label": catalogue.FIGURES[key].label,
            "value": values[key],
            "url": figure_list_url(catalogue.FIGURES[key], viewer=viewer),
        }
        for key in HOME_FIGURES
    ]


def report_for(
    *, viewer, area: Area, period: Period, refresh: bool = False
) -> compute.Report:
    """Every held figure of an area the viewer may read, and of each area one level
    below (see report_area_for). Today's stocks come from rows counted within
    STATS_TODAY_MAX_MINUTES (shared by every viewer and server), unless refresh."""
    report_area_for(viewer=viewer, code=area.code)
    minutes = 0 if refresh else settings.STATS_TODAY_MAX_MINUTES
    return compute.report(area, period, max_age=timedelta(minutes=minutes))


def figures_for(*, viewer, area: Area, period: Period) -> dict:
    """Every held figure of an area the viewer may read (see report_area_for)."""
    report_area_for(viewer=viewer, code=area.code)
    return compute.figures_for(area, period)


def figures_by_subarea_for(*, viewer, area: Area, period: Period) -> list:
    """The figures of each area one level below an area the viewer may read."""
    report_area_for(viewer=viewer, code=area.code)
    return compute.figures_by_subarea(area, period)


def trend_for(
    *,
    viewer,
    area: Area,
    end: date | None = None,
    months: int = 12,
    today_values: dict | None = None,
):
    """Month-end stock figures of the area for the `months` months up to end."""
    report_area_for(viewer=viewer, code=area.code)
    days = compute.month_ends(end or timezone.localdate(), months)
    return compute.trend(area, days, today_values=today_values)
