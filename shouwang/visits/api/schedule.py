"""The worklists API: the viewer's visits due, overdue rates by area, and a county's
visit policy.

The pages' policy holds: VIEW_CHILDREN for the worklist, VIEW_CHILD_STATS for rates and
the policy (aggregates, no personal data), SET_VISIT_POLICY to change a policy; an area
or county outside the jurisdiction answers like a missing one (404).
"""

from datetime import date, datetime

import pydantic
from django.http import Http404
from ninja import Field, Query, Router, Schema

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.core.api_edge import (
    Invalid,
    Message,
    body,
    invalid,
    json_body,
    page_window,
    refused,
    require,
)
from shouwang.core.exceptions import DomainError, NotFound

from ..selectors.schedule import (
    county_policy_for,
    due_label,
    due_worklist_for,
    overdue_rates_for,
)
from ..services.schedule import (
    INTERVAL_FIELDS,
    POLICY_DENIED,
    policy_county_for,
    visit_policy_set,
)

router = Router(tags=["走访计划"])

VIEW_DENIED = "您没有查看儿童信息的权限。"
STATS_DENIED = "您没有查看统计数字的权限。"
MAX_PAGE = 200


class DueCountsOut(Schema):
    overdue: int = Field(description="已逾期")
    today: int = Field(description="今天到期")
    soon: int = Field(description="7天内到期（不含今天）")


class DueItemOut(Schema):
    id: int
    name: str
    village_code: str
    village_name: str
    risk_level: str
    last_visit_date: date | None
    due_date: date
    status: str = Field(description="overdue / today / soon")
    status_text: str = Field(description="逾期N天 / 今天 / N天后")


class DueOut(Schema):
    as_of: date
    counts: DueCountsOut
    total: int
    items: list[DueItemOut]


class DueQuery(Schema):
    limit: int = 50
    offset: int = 0


class RateOut(Schema):
    code: str
    name: str
    scheduled: int = Field(description="有走访计划的在册儿童")
    overdue: int
    rate: float | None = Field(description="逾期率（%），无走访计划时为 null")
    due_soon: int = Field(description="今天起7天内到期")


class RatesOut(Schema):
    as_of: date
    area_code: str
    area_name: str
    rows: list[RateOut]
    total: RateOut


class RatesQuery(Schema):
    area: str = ""


class PolicyOut(Schema):
    county_code: str
    county_name: str
    high_days: int
    medium_days: int
    low_days: int
    is_default: bool = Field(description="该县未单独设置，使用默认间隔")
    updated_at: datetime | None
    updated_by: str


class PolicyIn(Schema):
    model_config = pydantic.ConfigDict(extra="forbid")

    high_days: pydantic.StrictInt
    medium_days: pydantic.StrictInt
    low_days: pydantic.StrictInt


LABELS = {name: f"风险{risk}儿童的走访间隔" for name, risk in INTERVAL_FIELDS}


def _policy_out(current) -> dict:
    return {
        "county_code": current.county.code,
        "county_name": current.county.name,
        "high_days": current.high_days,
        "medium_days": current.medium_days,
        "low_days": current.low_days,
        "is_default": current.is_default,
        "updated_at": current.updated_at,
        "updated_by": current.updated_by,
    }


@router.get(
    "/due",
    response={200: DueOut, 403: Message},
    url_name="worklist-due",
    summary="我的待走访：逾期的在前，然后今天到期、7天内到期",
)
def due(request, query: Query[DueQuery]):
    require(request.user, access.Perm.VIEW_CHILDREN, VIEW_DENIED)
    worklist = due_worklist_for(viewer=request.user)
    limit, offset = page_window(query.limit, query.offset, max_limit=MAX_PAGE)
    items = []
    for child in worklist.children[offset : offset + limit]:
        kind, text = due_label(child.next_visit_due, worklist.as_of)
        items.append(
            {
                "id": child.pk,
                "name": child.name,
                "village_code": child.village_id,
                "village_name": child.village.name,
                "risk_level": child.risk_level,
                "last_visit_date": child.last_visit_date,
                "due_date": child.next_visit_due,
                "status": kind,
                "status_text": text,
            }
        )
    counts = worklist.counts
    return {
        "as_of": worklist.as_of,
        "counts": counts,
        "total": counts.total,
        "items": items,
    }


@router.get(
    "/overdue",
    response={200: RatesOut, 403: Message, 404: Message, 422: Invalid},
    url_name="worklist-overdue",
    summary="走访逾期率：下一级各区划的逾期人数、逾期率和7天内到期人数",
)
def overdue(request, query: Query[RatesQuery]):
    require(request.user, access.Perm.VIEW_CHILD_STATS, STATS_DENIED)
    if query.area and not codes.is_code(query.area):
        raise invalid([("area", "区划代码应为12位数字，如 430524101000。")])
    rates = overdue_rates_for(viewer=request.user, area_code=query.area)
    if rates.area is None:  # no area of one's own: nothing to count
        raise Http404("区划不存在或不在您的管辖范围内。")
    return {
        "as_of": rates.as_of,
        "area_code": rates.area.code,
        "area_name": rates.area.name,
        "rows": [_rate(row) for row in rates.rows],
        "total": _rate(rates.total),
    }


def _rate(row) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "scheduled": row.scheduled,
        "overdue": row.overdue,
        "rate": row.rate,
        "due_soon": row.due_soon,
    }


@router.get(
    "/policy/{county_code}",
    response={200: PolicyOut, 403: Message, 404: Message},
    url_name="worklist-policy",
    summary="一个县（市、区）现行的走访间隔（未设置时为默认）",
)
def policy_get(request, county_code: str):
    require(request.user, access.Perm.VIEW_CHILD_STATS, STATS_DENIED)
    return _policy_out(county_policy_for(viewer=request.user, county_code=county_code))


@router.put(
    "/policy/{county_code}",
    response={200: PolicyOut, 403: Message, 404: Message, 422: Invalid},
    url_name="worklist-policy-set",
    openapi_extra=json_body(PolicyIn),
    summary="设置一个县（市、区）的走访间隔（整数天数，不超过默认的高7、中30、低90天；保存后后台重新计算该县儿童的下次走访日期）",
)
def policy_set(request, county_code: str):
    require(request.user, access.Perm.SET_VISIT_POLICY, POLICY_DENIED)
    try:
        policy_county_for(request.user, county_code)
    except NotFound as error:
        raise Http404(error.message) from None
    payload = body(
        request,
        PolicyIn,
        LABELS,
        type_messages=(("", "应为整数天数"),),
        missing_hint="（整数天数）",
    )
    try:
        visit_policy_set(
            actor=request.user,
            county_code=county_code,
            high_days=payload.high_days,
            medium_days=payload.medium_days,
            low_days=payload.low_days,
        )
    except DomainError as error:
        return refused(error)
    return _policy_out(county_policy_for(viewer=request.user, county_code=county_code))
