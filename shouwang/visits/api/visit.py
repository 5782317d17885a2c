"""The visits API: a child's visits, one visit, recording a visit (JSON, no files).

The pages' policy holds: VIEW_CHILDREN to read, RECORD_VISITS to record; a child or a
visit outside the jurisdiction answers like a missing one. A record's body is read
only after the permission and the child have been checked, and every problem comes
back in Chinese by field, in the API's 422 shape (detail + errors), with the same words
as the page (services.visit.check_visit).
"""

from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from shouwang.accounts import access
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
from shouwang.registry.api.schemas import VIEW_DENIED
from shouwang.registry.selectors import child_get_for

from ..models import Finding, VisitMode
from ..selectors.visit import visit_get_for, visit_list_for
from ..services.visit import (
    LABELS,
    RECORD_DENIED,
    VISIT_FIELDS,
    InvalidVisit,
    check_visit,
    closed_to_visits,
    visit_list_read,
    visit_record,
    visit_record_read,
)

router = Router(tags=["走访"])
MAX_PAGE = 200


# Schemas ----------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str = Field(alias="original_name")
    content_type: str = Field(description="image/jpeg、image/png 或 application/pdf")
    size: int = Field(description="字节数")
    url: str = Field(description="查看地址（需登录，查看留痕）")

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("visits:attachment", kwargs={"pk": obj.pk})


class VisitOut(Schema):
    """A visit as recorded."""

    id: int
    child: int = Field(alias="child_id")
    village: str = Field(alias="village_id", description="走访时儿童户籍村区划代码")
    visit_date: date
    mode: str = Field(description="、".join(VisitMode.values))
    visitors: str
    met: str
    guardianship: str
    guardianship_note: str
    living: str
    living_note: str
    study: str
    study_note: str
    safety: str
    safety_note: str
    emotion: str
    emotion_note: str
    problems: str
    measures: str
    followup_needed: bool
    followup_due: date | None
    recorded_by: str
    recorded_at: datetime = Field(alias="created_at")
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return obj.recorded_by.display_name

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class VisitRecorded(Schema):
    visit: VisitOut
    next_visit_due: date | None = Field(
        description="儿童新的下次走访日期；不属于任何类别的儿童为 null"
    )


def _finding(label: str):
    return Field("", description=f"{label}情况：{'、'.join(Finding.values)}")


class VisitIn(Schema):
    """A visit to record; a missing value counts as not filled."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    visit_date: date | None = Field(None, description="走访日期，不晚于今天")
    mode: str = Field("", description="走访方式：" + "、".join(VisitMode.values))
    visitors: str = Field("", description="走访人员，最多200字")
    met: str = Field("", description="见到的人，最多200字")
    guardianship: str = _finding("监护")
    guardianship_note: str = ""
    living: str = _finding("生活")
    living_note: str = ""
    study: str = _finding("学习")
    study_note: str = ""
    safety: str = _finding("安全")
    safety_note: str = ""
    emotion: str = _finding("心理情感")
    emotion_note: str = Field(
        "", description="各项情况说明最多500字；需关注、有问题时必填"
    )
    problems: str = Field("", description="发现的问题，最多2000字")
    measures: str = Field("", description="采取的措施，最多2000字")
    followup_needed: bool = False
    followup_due: date | None = Field(
        None, description="需要跟进时必填，不早于走访日期"
    )


# Edge -------------------------------------------------------------------------------


def visit_data(request, child) -> dict:
    """The body as the service's data once every check has passed; otherwise a 422
    listing each problem by field."""
    payload = body(request, VisitIn, LABELS)
    values = payload.model_dump()
    problems = check_visit(
        values, birth_date=child.birth_date, today=timezone.localdate()
    )
    if problems:
        raise invalid(
            (field, message)
            for field, messages in problems.items()
            for message in messages
        )
    return {field: values[field] for field in VISIT_FIELDS}


# Operations -------------------------------------------------------------------------


@router.get(
    "/children/{child_id}",
    response={200: list[VisitOut], 403: Message, 404: Message},
    url_name="visit-list",
    summary="一名儿童的走访记录（新的在前）",
)
def visit_list(request, child_id: int, limit: int = 50, offset: int = 0):
    require(request.user, access.Perm.VIEW_CHILDREN, VIEW_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    visit_list_read(actor=request.user, child=child)
    limit, offset = page_window(limit, offset, max_limit=MAX_PAGE)
    visits = visit_list_for(viewer=request.user, child=child).prefetch_related(
        "attachments"
    )
    return list(visits[offset : offset + limit])


@router.get(
    "/{visit_id}",
    response={200: VisitOut, 403: Message, 404: Message},
    url_name="visit-detail",
    summary="一次走访的记录",
)
def visit_detail(request, visit_id: int):
    require(request.user, access.Perm.VIEW_CHILDREN, VIEW_DENIED)
    visit = visit_get_for(viewer=request.user, pk=visit_id)
    visit_record_read(actor=request.user, visit=visit)
    return visit


@router.post(
    "/children/{child_id}",
    response={201: VisitRecorded, 403: Message, 404: Message, 422: Invalid},
    url_name="visit-record",
    summary="记录一次走访（附件请在页面上传）",
    openapi_extra=json_body(VisitIn),
)
def visit_create(request, child_id: int):
    require(request.user, access.Perm.RECORD_VISITS, RECORD_DENIED)
    child = child_get_for(viewer=request.user, pk=child_id)
    if refusal := closed_to_visits(child):
        return Status(422, {"detail": refusal, "errors": []})
    data = visit_data(request, child)
    try:
        visit = visit_record(actor=request.user, child_id=child.pk, data=data)
    except InvalidVisit as error:
        raise invalid(
            (field, message)
            for field, messages in error.problems.items()
            for message in messages
        ) from None
    except DomainError as error:
        return refused(error)
    return Status(201, {"visit": visit, "next_visit_due": visit.child.next_visit_due})
