"""The responsibility and confirmation API (/api/care…), with the pages' policy:
VIEW_CHILDREN to read, RECORD_VISITS to record a confirmation (JSON, no file: scans go
through the page), ASSIGN_RESPONSIBILITY to set directors, 包联干部 and 包片 leaders.

As in the registry API, the permission (403) and the record (404, out of jurisdiction
alike) are checked before the body is read; every problem of the body is a 422 in
Chinese, field by field, and a service's refusal is a 422 with its own message.
"""

from datetime import date

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from shouwang.accounts.access import Perm
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
from shouwang.core.exceptions import DomainError
from shouwang.registry.policy import needs_confirmation
from shouwang.registry.selectors import child_get_for
from shouwang.registry.services import children_responsibility_set

from ..selectors import care as selectors
from ..services import care as services

router = Router(tags=["责任与确认书"])

VIEW_DENIED = "您没有查看儿童信息的权限。"
RECORD_DENIED = "您没有记录委托监护责任确认书的权限。"
ASSIGN_DENIED = "您没有调整责任人的权限。"
PATCH_DENIED = "您没有指定包片领导的权限。"
MAX_PAGE = 500

LABELS = {
    "signed_on": "签订日期",
    "valid_until": "有效期至",
    "entrusting_parties": "委托方（父母）",
    "entrusted_guardian": "受委托监护人",
    "committee_signatory": "村（居）委会经办人",
    "note": "说明",
    "children": "儿童",
    "director": "责任儿童主任",
    "cadre_name": "包联干部姓名",
    "cadre_phone": "包联干部电话",
    "area": "包片区域",
    "name": "包片领导姓名",
    "title": "职务",
    "phone": "联系电话",
    "started_on": "起始日期",
    "ended_on": "结束日期",
}


# Schemas -------------------------------------------------------------------------------


class MyChildOut(Schema):
    id: int
    name: str
    village: str = Field(description="户籍地村（社区）区划代码")
    village_name: str
    categories: list[str]
    risk_level: str
    next_visit_due: date | None
    confirmation_signed: bool
    confirmation_date: date | None
    needs_confirmation: bool = Field(description="是否需签订委托监护责任确认书")


class MyChildren(Schema):
    counts: dict[str, int]
    items: list[MyChildOut]


class CoverageRowOut(Schema):
    area: str
    name: str
    needing: int = Field(description="需签订确认书的在册儿童")
    signed: int = Field(description="其中已签订")
    rate: float | None = Field(description="签订率（0–1）；无人需签时为 null")


class CoverageOut(Schema):
    area: str
    name: str
    level: str
    rows: list[CoverageRowOut] = Field(description="下一级区划（村为其自身）")
    total: CoverageRowOut


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class ConfirmationOut(Schema):
    id: int
    child_id: int
    signed_on: date
    valid_until: date | None
    entrusting_parties: str
    entrusted_guardian: str
    committee_signatory: str
    status: str = Field(description="current 有效 / renewed 已续签")
    renewed_by: int | None
    note: str
    attachments: list[AttachmentOut]


class ConfirmationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    signed_on: date
    valid_until: date | None = None
    entrusting_parties: str
    entrusted_guardian: str
    committee_signatory: str
    note: str = ""


class ResponsibilityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    children: list[int] = Field(description="儿童记录编号")
    director: int | None = Field(None, description="责任儿童主任账号编号；不填不调整")
    cadre_name: str | None = Field(
        None, description="包联干部姓名；不填（null）不调整，空字符串清除"
    )
    cadre_phone: str | None = None
    note: str = ""


class ResponsibilityOut(Schema):
    changed: list[int] = Field(description="责任人有变化的儿童记录编号")


class PatchLeaderOut(Schema):
    id: int
    area: str
    area_name: str
    name: str
    title: str
    phone: str
    started_on: date
    ended_on: date | None


class PatchAreaOut(Schema):
    area: str
    name: str
    level: str
    current: PatchLeaderOut | None


class PatchLeadersOut(Schema):
    township: str
    name: str
    areas: list[PatchAreaOut]
    history: list[PatchLeaderOut]


class PatchLeaderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    area: str = Field(description="乡镇或村的12位区划代码")
    name: str
    title: str = ""
    phone: str = ""
    started_on: date | None = Field(None, description="起始日期，默认今天")


class PatchLeaderEndIn(Schema):
    model_config = ConfigDict(extra="forbid")

    area: str
    ended_on: date | None = Field(None, description="结束日期，默认今天")


# Edge ----------------------------------------------------------------------------------


def _confirmation(confirmation) -> dict:
    return {
        "id": confirmation.pk,
        "child_id": confirmation.child_id,
        "signed_on": confirmation.signed_on,
        "valid_until": confirmation.valid_until,
        "entrusting_parties": confirmation.entrusting_parties,
        "entrusted_guardian": confirmation.entrusted_guardian,
        "committee_signatory": confirmation.committee_signatory,
        "status": confirmation.status,
        "renewed_by": confirmation.renewed_by_id,
        "note": confirmation.note,
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/visits/attachments/{a.pk}/",
            }
            for a in confirmation.attachments.all()
        ],
    }


def _leader(leader) -> dict:
    return {
        "id": leader.pk,
        "area": leader.area_id,
        "area_name": leader.area.name,
        "name": leader.name,
        "title": leader.title,
        "phone": leader.phone,
        "started_on": leader.started_on,
        "ended_on": leader.ended_on,
    }


def _coverage_row(row) -> dict:
    return {
        "area": row.area.code,
        "name": row.area.name,
        "needing": row.needing,
        "signed": row.signed,
        "rate": round(row.rate, 4) if row.rate is not None else None,
    }


# Operations ----------------------------------------------------------------------------


@router.get(
    "/my-children",
    response={200: MyChildren, 403: Message},
    url_name="care-my-children",
    summary="我负责的儿童（责任儿童主任为本人）及分类计数",
)
def my_children(request, limit: int = 200, offset: int = 0):
    require(request.user, Perm.VIEW_CHILDREN, VIEW_DENIED)
    children = selectors.my_children_for(viewer=request.user)
    limit, offset = page_window(limit, offset, max_limit=MAX_PAGE)
    items = [
        {
            "id": c.pk,
            "name": c.name,
            "village": c.village_id,
            "village_name": c.village.name,
            "categories": c.categories,
            "risk_level": c.risk_level,
            "next_visit_due": c.next_visit_due,
            "confirmation_signed": c.confirmation_signed,
            "confirmation_date": c.confirmation_date,
            "needs_confirmation": needs_confirmation(
                left_behind=c.is_left_behind, guardian_relation=c.guardian_relation
            ),
        }
        for c in children[offset : offset + limit]
    ]
    return {"counts": selectors.category_counts(children), "items": items}


@router.get(
    "/coverage",
    response={200: CoverageOut, 403: Message, 404: Message},
    url_name="care-coverage",
    summary="委托监护责任确认书签订率（下一级区划；area 不填为本人管辖区划）",
)
def coverage(request, area: str = ""):
    require(request.user, Perm.VIEW_CHILDREN, VIEW_DENIED)
    place = selectors.coverage_area_for(viewer=request.user, code=area)
    result = selectors.coverage_for(viewer=request.user, area=place)
    return {
        "area": place.code,
        "name": place.name,
        "level": place.level,
        "rows": [_coverage_row(r) for r in result.rows],
        "total": _coverage_row(result.total),
    }


@router.get(
    "/children/{child_id}/confirmations",
    response={200: list[ConfirmationOut], 403: Message, 404: Message},
    url_name="care-confirmations",
    summary="一名儿童的委托监护责任确认书（新的在前，含续签记录）",
)
def confirmation_list(request, child_id: int):
    require(request.user, Perm.VIEW_CHILDREN, VIEW_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    return [_confirmation(c) for c in selectors.confirmations_of(child)]


@router.post(
    "/children/{child_id}/confirmations",
    response={201: ConfirmationOut, 403: Message, 404: Message, 422: Invalid},
    url_name="care-confirmation-record",
    summary="记录（或续签）委托监护责任确认书；扫描件请在页面上传",
    openapi_extra=json_body(ConfirmationIn),
)
def confirmation_record(request, child_id: int):
    require(request.user, Perm.RECORD_VISITS, RECORD_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    payload = body(request, ConfirmationIn, LABELS)
    try:
        confirmation = services.confirmation_record(
            actor=request.user, child_id=child.pk, **payload.model_dump()
        )
    except DomainError as error:
        return refused(error)
    return Status(201, _confirmation(confirmation))


@router.post(
    "/responsibility",
    response={200: ResponsibilityOut, 403: Message, 422: Invalid},
    url_name="care-responsibility",
    summary="批量调整儿童的责任儿童主任和（或）包联干部",
    openapi_extra=json_body(ResponsibilityIn),
)
def responsibility_set(request):
    require(request.user, Perm.ASSIGN_RESPONSIBILITY, ASSIGN_DENIED)
    payload = body(request, ResponsibilityIn, LABELS)
    try:
        changed = children_responsibility_set(
            actor=request.user,
            child_ids=payload.children,
            director_id=payload.director,
            cadre_name=payload.cadre_name,
            cadre_phone=payload.cadre_phone,
            note=payload.note,
        )
    except DomainError as error:
        return refused(error)
    return {"changed": [c.pk for c in changed]}


@router.get(
    "/patch-leaders",
    response={200: PatchLeadersOut, 403: Message, 404: Message, 422: Invalid},
    url_name="care-patch-leaders",
    summary="一个乡镇及其各村的现任包片领导和历史（督导员可不填 township）",
)
def patch_leader_list(request, township: str = ""):
    require(request.user, Perm.ASSIGN_RESPONSIBILITY, PATCH_DENIED)
    if not township:
        townships = selectors.patch_townships_for(viewer=request.user)
        if townships.count() != 1:
            raise invalid(
                [("township", "请用 township 参数指定乡镇（街道）的12位区划代码。")]
            )
        township = townships.first().code
    if not codes.is_code(township):
        raise invalid(
            [("township", "乡镇（街道）应为12位统计用区划代码，如 430524101000。")]
        )
    place = selectors.patch_township_get_for(viewer=request.user, code=township)
    rows, history = selectors.patch_leaders_for(viewer=request.user, township=place)
    return {
        "township": place.code,
        "name": place.name,
        "areas": [
            {
                "area": row.area.code,
                "name": row.area.name,
                "level": row.area.level,
                "current": _leader(row.current) if row.current else None,
            }
            for row in rows
        ],
        "history": [_leader(p) for p in history],
    }


@router.post(
    "/patch-leaders",
    response={201: PatchLeaderOut, 403: Message, 404: Message, 422: Invalid},
    url_name="care-patch-leader-set",
    summary="指定或更换乡镇、村的包片领导（原领导在起始日期卸任，记录保留）",
    openapi_extra=json_body(PatchLeaderIn),
)
def patch_leader_set(request):
    require(request.user, Perm.ASSIGN_RESPONSIBILITY, PATCH_DENIED)
    payload = body(request, PatchLeaderIn, LABELS)
    area = selectors.patch_area_get_for(viewer=request.user, code=payload.area)
    try:
        leader = services.patch_leader_set(
            actor=request.user,
            area_code=area.code,
            name=payload.name,
            title=payload.title,
            phone=payload.phone,
            started_on=payload.started_on or timezone.localdate(),
        )
    except DomainError as error:
        return refused(error)
    return Status(201, _leader(leader))


@router.post(
    "/patch-leaders/end",
    response={200: PatchLeaderOut, 403: Message, 404: Message, 422: Invalid},
    url_name="care-patch-leader-end",
    summary="包片领导卸任（记录保留）",
    openapi_extra=json_body(PatchLeaderEndIn),
)
def patch_leader_end(request):
    require(request.user, Perm.ASSIGN_RESPONSIBILITY, PATCH_DENIED)
    payload = body(request, PatchLeaderEndIn, LABELS)
    area = selectors.patch_area_get_for(viewer=request.user, code=payload.area)
    try:
        leader = services.patch_leader_end(
            actor=request.user,
            area_code=area.code,
            ended_on=payload.ended_on or timezone.localdate(),
        )
    except DomainError as error:
        return refused(error)
    return _leader(leader)
