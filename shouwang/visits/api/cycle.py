"""The quarterly review cycle's API (/api/cycles): the cycles, a cycle's progress (and
its snapshot once closed), a village's checklist, and the writes — open, confirm a
child, submit, approve, return, close.

The pages' policy holds: a cycle or village review outside the jurisdiction answers
404 like a missing one; a role without the permission gets 403; a write made on an
older version of the village review gets 409 with the review as it now stands; any
other refusal is a 422 whose detail is the service's Chinese message. Bodies are read
only after the permission and the record have been checked.
"""

from datetime import datetime

import pydantic
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from shouwang.accounts import access
from shouwang.core.api_edge import (
    Invalid,
    Message,
    body,
    json_body,
    page_window,
    refused,
)
from shouwang.core.exceptions import DomainError, NotFound

from ..models import ReviewCycle, VillageReview
from ..selectors.cycle import (
    can_see_cycles,
    cycle_get_for,
    cycle_list_for,
    cycle_progress_for,
    cycle_snapshot_for,
    village_review_get_for,
    village_review_history,
    village_review_rows,
)
from ..services import cycle as services

router = Router(tags=["季度摸排"])

VIEW_DENIED = "您没有查看季度摸排的权限。"
RUN_DENIED = "您没有发起或结束季度摸排的权限。"
CONFIRM_DENIED = "您没有确认摸排结果、提交村摸排的权限。"
REVIEW_DENIED = "您没有审核村摸排的权限。"
LABELS = {
    "year": "年度",
    "quarter": "季度",
    "force": "确认结束",
    "outcome": "摸排结果",
    "child_ids": "儿童编号列表",
    "version": "版本号",
    "comment": "退回意见",
}


# Schemas ------------------------------------------------------------------------------


class CycleOut(Schema):
    id: int
    area: str
    area_name: str
    year: int
    quarter: int
    name: str
    status: str
    opened_by: str
    opened_at: datetime
    closed_by: str | None
    closed_at: datetime | None


class ProgressRowOut(Schema):
    township: str
    name: str
    villages: int
    pending: int
    submitted: int
    approved: int
    returned: int
    children: int
    confirmed: int
    to_confirm: int


class SnapshotRowOut(Schema):
    township: str
    name: str
    counts: dict[str, int]
    weakness_types: dict[str, int]


class SnapshotOut(Schema):
    townships: list[SnapshotRowOut]
    total: SnapshotRowOut


class CycleProgressOut(Schema):
    cycle: CycleOut
    townships: list[ProgressRowOut]
    total: ProgressRowOut
    snapshot: SnapshotOut | None = None


class ReviewOut(Schema):
    id: int
    cycle: int
    village: str
    village_name: str
    status: str
    version: int
    submitted_by: str | None
    submitted_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    comment: str


class Conflict(Schema):
    detail: str
    current: ReviewOut


class ChildRowOut(Schema):
    id: int
    name: str
    status: str
    changed: bool
    confirmed: bool
    outcome: str | None
    confirmed_at: datetime | None


class HistoryOut(Schema):
    action: str
    actor: str
    at: datetime
    comment: str


class ReviewDetailOut(ReviewOut):
    remaining: int
    children: list[ChildRowOut]
    history: list[HistoryOut]


class ConfirmedOut(Schema):
    confirmed: int
    remaining: int


class _In(Schema):
    model_config = pydantic.ConfigDict(extra="forbid")


class OpenIn(_In):
    year: int
    quarter: int


class CloseIn(_In):
    force: bool = False


class ConfirmIn(_In):
    outcome: str


class ConfirmUnchangedIn(_In):
    child_ids: list[int]


class VersionIn(_In):
    version: int


class ReturnIn(VersionIn):
    comment: str


# Edge ---------------------------------------------------------------------------------


def _require(user, perm: access.Perm, message: str) -> None:
    if not access.has_perm(user, perm):
        raise HttpError(403, message)


def _require_cycles(user) -> None:
    if not can_see_cycles(user):
        raise HttpError(403, VIEW_DENIED)


def _name(user) -> str | None:
    return user.display_name if user else None


def _cycle_out(cycle: ReviewCycle) -> dict:
    return {
        "id": cycle.pk,
        "area": cycle.area_id,
        "area_name": cycle.area.name,
        "year": cycle.year,
        "quarter": cycle.quarter,
        "name": cycle.name,
        "status": cycle.status,
        "opened_by": _name(cycle.opened_by),
        "opened_at": cycle.created_at,
        "closed_by": _name(cycle.closed_by),
        "closed_at": cycle.closed_at,
    }


def _review_out(review: VillageReview) -> dict:
    return {
        "id": review.pk,
        "cycle": review.cycle_id,
        "village": review.village_id,
        "village_name": review.village.name,
        "status": review.status,
        "version": review.version,
        "submitted_by": _name(review.submitted_by),
        "submitted_at": review.submitted_at,
        "reviewed_by": _name(review.reviewed_by),
        "reviewed_at": review.reviewed_at,
        "comment": review.comment,
    }


def _child_out(row) -> dict:
    confirmation = row.confirmation
    return {
        "id": row.child.pk,
        "name": row.child.name,
        "status": row.child.status,
        "changed": row.changed,
        "confirmed": row.confirmed,
        "outcome": confirmation.outcome if confirmation else None,
        "confirmed_at": confirmation.confirmed_at if confirmation else None,
    }


def _progress_row(row) -> dict:
    return {
        "township": row.code,
        "name": row.name,
        "villages": row.villages,
        "pending": row.pending,
        "submitted": row.submitted,
        "approved": row.approved,
        "returned": row.returned,
        "children": row.children,
        "confirmed": row.confirmed,
        "to_confirm": row.to_confirm,
    }


def _snapshot_row(row) -> dict:
    return {
        "township": row.code,
        "name": row.name,
        "counts": row.counts,
        "weakness_types": row.weakness_types,
    }


def _write(request, review: VillageReview, write, **kwargs):
    """A service write on a village review: the review as saved, 409 when it changed
    meanwhile, 404 / 422 for the service's refusals."""
    try:
        saved = write(actor=request.user, village_review_id=review.pk, **kwargs)
    except services.StaleReview:
        current = village_review_get_for(viewer=request.user, pk=review.pk)
        return Status(
            409,
            {
                "detail": services.StaleReview(current).message,
                "current": _review_out(current),
            },
        )
    except NotFound as error:
        raise HttpError(404, error.message) from None
    except DomainError as error:
        return refused(error)
    return _review_out(village_review_get_for(viewer=request.user, pk=saved.pk))


# Operations ---------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[CycleOut], 403: Message},
    url_name="cycle-list",
    summary="与本人管辖范围相关的季度摸排",
)
def cycle_list(request, limit: int = 100, offset: int = 0):
    _require_cycles(request.user)
    limit, offset = page_window(limit, offset, max_limit=500)
    cycles = cycle_list_for(viewer=request.user).select_related(
        "opened_by", "closed_by"
    )
    return [_cycle_out(c) for c in cycles[offset : offset + limit]]


@router.post(
    "",
    response={201: CycleOut, 403: Message, 422: Invalid},
    url_name="cycle-open",
    summary="发起本县（市）的季度摸排",
    openapi_extra=json_body(OpenIn),
)
def cycle_open(request):
    _require(request.user, access.Perm.RUN_CYCLES, RUN_DENIED)
    payload = body(request, OpenIn, LABELS)
    try:
        cycle = services.cycle_open(
            actor=request.user, year=payload.year, quarter=payload.quarter
        )
    except DomainError as error:
        return refused(error)
    return Status(201, _cycle_out(cycle_get_for(viewer=request.user, pk=cycle.pk)))


@router.get(
    "/{cycle_id}",
    response={200: CycleProgressOut, 403: Message, 404: Message},
    url_name="cycle-progress",
    summary="一次摸排的进度（按乡镇和合计；结束后含快照）",
)
def cycle_progress(request, cycle_id: int):
    _require_cycles(request.user)
    cycle = cycle_get_for(viewer=request.user, pk=cycle_id)
    progress = cycle_progress_for(viewer=request.user, cycle=cycle)
    result = {
        "cycle": _cycle_out(cycle),
        "townships": [_progress_row(r) for r in progress.rows],
        "total": _progress_row(progress.total),
        "snapshot": None,
    }
    if cycle.status == "closed":
        snapshot = cycle_snapshot_for(viewer=request.user, cycle=cycle)
        result["snapshot"] = {
            "townships": [_snapshot_row(r) for r in snapshot.rows],
            "total": _snapshot_row(snapshot.total),
        }
    return result


@router.post(
    "/{cycle_id}/close",
    response={200: CycleOut, 403: Message, 404: Message, 422: Invalid},
    url_name="cycle-close",
    summary="结束摸排并冻结快照（有未通过的村时须 force=true）",
    openapi_extra=json_body(CloseIn),
)
def cycle_close(request, cycle_id: int):
    _require(request.user, access.Perm.RUN_CYCLES, RUN_DENIED)
    cycle = cycle_get_for(viewer=request.user, pk=cycle_id)
    payload = body(request, CloseIn, LABELS)
    try:
        services.cycle_close(actor=request.user, cycle_id=cycle.pk, force=payload.force)
    except NotFound as error:
        raise HttpError(404, error.message) from None
    except DomainError as error:
        return refused(error)
    return _cycle_out(cycle_get_for(viewer=request.user, pk=cycle.pk))


@router.get(
    "/reviews/{review_id}",
    response={200: ReviewDetailOut, 403: Message, 404: Message},
    url_name="cycle-village-review",
    summary="一个村的摸排：儿童名单与确认结果、提交与审核记录",
)
def village_review(request, review_id: int):
    _require_cycles(request.user)
    review = village_review_get_for(viewer=request.user, pk=review_id)
    services.village_review_read(actor=request.user, review=review)
    rows = village_review_rows(viewer=request.user, review=review)
    return {
        **_review_out(review),
        "remaining": sum(1 for row in rows if not row.confirmed),
        "children": [_child_out(row) for row in rows],
        "history": [
            vars(entry)
            for entry in village_review_history(viewer=request.user, review=review)
        ],
    }


@router.post(
    "/reviews/{review_id}/children/{child_id}",
    response={200: ChildRowOut, 403: Message, 404: Message, 422: Invalid},
    url_name="cycle-child-confirm",
    summary="确认一名儿童（unchanged 无变化 / updated 已更新 / exited 已退出）",
    openapi_extra=json_body(ConfirmIn),
)
def child_confirm(request, review_id: int, child_id: int):
    _require(request.user, access.Perm.CONFIRM_CYCLE, CONFIRM_DENIED)
    review = village_review_get_for(viewer=request.user, pk=review_id)
    payload = body(request, ConfirmIn, LABELS)
    try:
        services.child_confirm(
            actor=request.user,
            village_review_id=review.pk,
            child_id=child_id,
            outcome=payload.outcome,
        )
    except NotFound as error:
        raise HttpError(404, error.message) from None
    except DomainError as error:
        return refused(error)
    rows = village_review_rows(viewer=request.user, review=review, child_id=child_id)
    return _child_out(rows[0])


@router.post(
    "/reviews/{review_id}/confirm-unchanged",
    response={200: ConfirmedOut, 403: Message, 404: Message, 422: Invalid},
    url_name="cycle-children-confirm-unchanged",
    summary="把所列儿童中尚未确认的在册儿童确认为无变化",
    openapi_extra=json_body(ConfirmUnchangedIn),
)
def children_confirm_unchanged(request, review_id: int):
    _require(request.user, access.Perm.CONFIRM_CYCLE, CONFIRM_DENIED)
    review = village_review_get_for(viewer=request.user, pk=review_id)
    payload = body(request, ConfirmUnchangedIn, LABELS)
    try:
        count = services.children_confirm_unchanged(
            actor=request.user, village_review_id=review.pk, child_ids=payload.child_ids
        )
    except NotFound as error:
        raise HttpError(404, error.message) from None
    except DomainError as error:
        return refused(error)
    return {"confirmed": count, "remaining": services.unconfirmed_count(review)}


@router.post(
    "/reviews/{review_id}/submit",
    response={200: ReviewOut, 403: Message, 404: Message, 409: Conflict, 422: Invalid},
    url_name="cycle-village-submit",
    summary="提交村摸排，等待乡镇审核（提交读取时的版本号）",
    openapi_extra=json_body(VersionIn),
)
def village_submit(request, review_id: int):
    _require(request.user, access.Perm.CONFIRM_CYCLE, CONFIRM_DENIED)
    review = village_review_get_for(viewer=request.user, pk=review_id)
    payload = body(request, VersionIn, LABELS)
    return _write(
        request, review, services.village_submit, expected_version=payload.version
    )


@router.post(
    "/reviews/{review_id}/approve",
    response={200: ReviewOut, 403: Message, 404: Message, 409: Conflict, 422: Invalid},
    url_name="cycle-village-approve",
    summary="审核通过村摸排",
    openapi_extra=json_body(VersionIn),
)
def village_approve(request, review_id: int):
    _require(request.user, access.Perm.REVIEW_CYCLE, REVIEW_DENIED)
    review = village_review_get_for(viewer=request.user, pk=review_id)
    payload = body(request, VersionIn, LABELS)
    return _write(
        request, review, services.village_approve, expected_version=payload.version
    )


@router.post(
    "/reviews/{review_id}/return",
    response={200: ReviewOut, 403: Message, 404: Message, 409: Conflict, 422: Invalid},
    url_name="cycle-village-return",
    summary="退回村摸排（须写明退回意见）",
    openapi_extra=json_body(ReturnIn),
)
def village_return(request, review_id: int):
    _require(request.user, access.Perm.REVIEW_CYCLE, REVIEW_DENIED)
    review = village_review_get_for(viewer=request.user, pk=review_id)
    payload = body(request, ReturnIn, LABELS)
    return _write(
        request,
        review,
        services.village_return,
        expected_version=payload.version,
        comment=payload.comment,
    )
