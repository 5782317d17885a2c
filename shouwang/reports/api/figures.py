"""Figures by area and period. VIEW_REPORTS reads numbers (no personal data); an area
outside the jurisdiction answers like an unknown one (404); a bad date or period is a
422 naming the field."""

from datetime import date

from ninja import Field, Query, Router, Schema

from shouwang.accounts import access
from shouwang.core.api_edge import Invalid, Message, invalid, require

from .. import catalogue
from ..periods import BadPeriod, Period, parse_period
from ..selectors import figures_by_subarea_for, figures_for, report_area_for

router = Router(tags=["统计"])

STATS_DENIED = "您没有查看统计数字的权限。"
Number = int | float | None


class FigureOut(Schema):
    key: str = Field(description="稳定的键，如 children.left_behind")
    label: str
    unit: str
    definition: str
    kind: str = Field(description="stock：时点数（截至期末）；flow：期间数（期内累计）")
    group: str
    held: bool = Field(description="false：系统暂无此数字（见 pending）")
    pending: str = Field(description="暂无数据时，由哪项功能提供")
    placeholder: str = Field(description="Word 通报模板中的写法")


class FiguresQuery(Schema):
    area: str = Field("", description="12位区划代码，默认本人的管辖区划")
    from_: str = Field(
        "", alias="from", description="起始日期 YYYY-MM-DD，默认本季度第一天"
    )
    to: str = Field("", description="截止日期 YYYY-MM-DD，默认今天")


class FiguresOut(Schema):
    area: str
    area_name: str
    from_: date = Field(alias="from")
    to: date
    figures: dict[str, Number]


class SubAreaOut(Schema):
    area: str
    area_name: str
    figures: dict[str, Number]


class SubAreasOut(Schema):
    area: str
    area_name: str
    from_: date = Field(alias="from")
    to: date
    rows: list[SubAreaOut]
    total: dict[str, Number]


def _area_and_period(request, query: FiguresQuery):
    require(request.user, access.Perm.VIEW_REPORTS, STATS_DENIED)
    try:
        period = parse_period(query.from_, query.to)
    except BadPeriod as error:
        raise invalid([(error.field or "", error.message)]) from None
    area = report_area_for(viewer=request.user, code=query.area)
    return area, period


def _head(area, period: Period) -> dict:
    return {
        "area": area.code,
        "area_name": area.name,
        "from": period.start,
        "to": period.end,
    }


@router.get(
    "/catalogue",
    response={200: list[FigureOut], 403: Message},
    url_name="reports-catalogue",
    summary="指标目录：每个数字的键、名称、单位、定义",
)
def figure_catalogue(request):
    require(request.user, access.Perm.VIEW_REPORTS, STATS_DENIED)
    return [
        {
            "key": f.key,
            "label": f.label,
            "unit": f.unit,
            "definition": f.definition,
            "kind": f.kind.value,
            "group": f.group,
            "held": f.held,
            "pending": f.pending,
            "placeholder": "{{ " + f.placeholder + " }}",
        }
        for f in catalogue.FIGURES.values()
    ]


@router.get(
    "/figures",
    response={200: FiguresOut, 403: Message, 404: Message, 422: Invalid},
    url_name="reports-figures",
    by_alias=True,
    summary="某区划某期间的全部统计数字（时点数截至期末，期间数为期内累计）",
)
def figures(request, query: Query[FiguresQuery]):
    area, period = _area_and_period(request, query)
    return {
        **_head(area, period),
        "figures": figures_for(viewer=request.user, area=area, period=period),
    }


@router.get(
    "/figures/by-subarea",
    response={200: SubAreasOut, 403: Message, 404: Message, 422: Invalid},
    url_name="reports-figures-by-subarea",
    by_alias=True,
    summary="下一级各区划的统计数字，及本区划合计",
)
def figures_by_subarea(request, query: Query[FiguresQuery]):
    area, period = _area_and_period(request, query)
    rows = figures_by_subarea_for(viewer=request.user, area=area, period=period)
    return {
        **_head(area, period),
        "rows": [
            {"area": unit.code, "area_name": unit.name, "figures": values}
            for unit, values in rows
        ],
        "total": figures_for(viewer=request.user, area=area, period=period),
    }
