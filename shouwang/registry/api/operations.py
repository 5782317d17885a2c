"""The child-registry API: the ledger's list, records, history and writes.

The pages' policy holds: VIEW_CHILDREN to read, EDIT_CHILDREN to write, REVEAL_ID for
full ID numbers; a record outside the jurisdiction answers like a missing one; numbers
are masked unless revealed, and every read of a full record is audited.

Writes read their JSON body only after the permission and the record have been
checked, so that a record outside the jurisdiction answers 404 whatever is posted, and
so that every problem of the body comes back in Chinese, field by field, in the shape
of the API's 422 (detail + errors).
"""

from ninja import Query, Router, Status
from ninja.errors import HttpError

from shouwang.accounts import access
from shouwang.core.api_edge import (
    Invalid,
    Message,
    invalid,
    json_body,
    page_window,
    refused,
    require,
)
from shouwang.core.exceptions import DomainError

from .. import services
from ..selectors import (
    child_filter,
    child_get_for,
    child_history,
    child_list_for,
    searched_id_number,
)
from ..vocab import (
    ExitReason,
)
from .edge import (
    body,
    check_note,
    child_data,
    list_filters,
    not_a_choice,
    page,
    versioned_write,
)
from .schemas import (
    EDIT_DENIED,
    LABELS,
    MAX_PAGE,
    REVEAL_DENIED,
    VIEW_DENIED,
    ChangeOut,
    ChildIn,
    ChildOut,
    ChildPage,
    ChildQuery,
    ChildUpdateIn,
    Conflict,
    ExitIn,
    IdsOut,
    ReadmitIn,
    today,
)

router = Router(tags=["儿童信息库"])

# Operations --------------------------------------------------------------------------


@router.get(
    "",
    response={200: ChildPage, 403: Message, 422: Invalid},
    url_name="child-list",
    summary="管辖范围内的儿童（筛选、搜索、分页）",
)
def child_list(request, query: Query[ChildQuery]):
    require(request.user, access.Perm.VIEW_CHILDREN, VIEW_DENIED)
    filters = list_filters(query)
    children = child_filter(child_list_for(viewer=request.user), filters, as_of=today())
    if number := searched_id_number(filters.q):
        services.child_id_search_record(
            actor=request.user, id_number=number, found=children.count()
        )
    rows, cursor = page(
        children,
        sort=filters.sort,
        after=query.after,
        size=max(1, min(query.limit, MAX_PAGE)),
    )
    return {"items": rows, "next": cursor or None}


@router.get(
    "/{child_id}",
    response={200: ChildOut, 403: Message, 404: Message},
    url_name="child-detail",
    summary="一名儿童的完整记录（查看留痕）",
)
def child_detail(request, child_id: int):
    require(request.user, access.Perm.VIEW_CHILDREN, VIEW_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    services.child_record_read(actor=request.user, child=child)
    return child


@router.get(
    "/{child_id}/history",
    response={200: list[ChangeOut], 403: Message, 404: Message},
    url_name="child-history",
    summary="一名儿童的变更历史（新的在前，查看留痕）",
)
def child_history_list(request, child_id: int, limit: int = 100, offset: int = 0):
    require(request.user, access.Perm.VIEW_CHILDREN, VIEW_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    # The history holds every fact of the record (the registration's diff): a read of
    # the full record, audited as one.
    services.child_record_read(actor=request.user, child=child)
    limit, offset = page_window(limit, offset, max_limit=500)
    return list(child_history(child, viewer=request.user)[offset : offset + limit])


@router.post(
    "",
    response={201: ChildOut, 403: Message, 422: Invalid},
    url_name="child-register",
    summary="登记儿童",
    openapi_extra=json_body(ChildIn),
)
def child_register(request):
    require(request.user, access.Perm.EDIT_CHILDREN, EDIT_DENIED)
    data = child_data(request.user, body(request, ChildIn))
    try:
        child = services.child_register(actor=request.user, data=data)
    except DomainError as error:
        return refused(error)
    return Status(201, child)


@router.put(
    "/{child_id}",
    response={200: ChildOut, 403: Message, 404: Message, 409: Conflict, 422: Invalid},
    url_name="child-update",
    summary="修改儿童信息（提交完整记录和读取时的版本号）",
    openapi_extra=json_body(ChildUpdateIn),
)
def child_update(request, child_id: int):
    require(request.user, access.Perm.EDIT_CHILDREN, EDIT_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    payload = body(request, ChildUpdateIn)
    missing = [f for f in ChildIn.model_fields if f not in payload.model_fields_set]
    if missing:
        raise invalid(
            (
                f,
                f"请填写{LABELS[f]}：修改须提交完整记录，未改动的项目按读取到的值提交。",
            )
            for f in missing
        )
    data = child_data(request.user, payload, current=child)
    return versioned_write(
        request,
        services.child_update,
        child_id=child.pk,
        expected_version=payload.version,
        data=data,
    )


@router.post(
    "/{child_id}/exit",
    response={200: ChildOut, 403: Message, 404: Message, 409: Conflict, 422: Invalid},
    url_name="child-exit",
    summary="儿童退出信息库（记录保留）",
    openapi_extra=json_body(ExitIn),
)
def child_exit(request, child_id: int):
    require(request.user, access.Perm.EDIT_CHILDREN, EDIT_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    payload = body(request, ExitIn)
    if payload.reason not in ExitReason.values:
        raise invalid(
            [("reason", not_a_choice("退出原因", payload.reason, ExitReason.values))]
        )
    check_note(payload.note)
    return versioned_write(
        request,
        services.child_exit,
        child_id=child.pk,
        expected_version=payload.version,
        reason=payload.reason,
        exit_date=payload.exit_date,
        note=payload.note,
    )


@router.post(
    "/{child_id}/readmit",
    response={200: ChildOut, 403: Message, 404: Message, 409: Conflict, 422: Invalid},
    url_name="child-readmit",
    summary="已退出的儿童重新纳入信息库",
    openapi_extra=json_body(ReadmitIn),
)
def child_readmit(request, child_id: int):
    require(request.user, access.Perm.EDIT_CHILDREN, EDIT_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    payload = body(request, ReadmitIn)
    check_note(payload.note)
    return versioned_write(
        request,
        services.child_readmit,
        child_id=child.pk,
        expected_version=payload.version,
        note=payload.note,
    )


@router.post(
    "/{child_id}/reveal-ids",
    response={200: IdsOut, 403: Message, 404: Message},
    url_name="child-reveal-ids",
    summary="查看完整身份号码（留痕）",
)
def child_reveal_ids(request, child_id: int):
    require(request.user, access.Perm.VIEW_CHILDREN, VIEW_DENIED)
    require(request.user, access.Perm.REVEAL_ID, REVEAL_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    try:
        return services.child_reveal_ids(actor=request.user, child=child)
    except DomainError as error:
        raise HttpError(403, error.message) from None
