"""The protection API: mandatory reports and the cases they open, each step of a case,
referrals to member units, the inboxes, the supervision (督办) list, break-the-glass.

Every answer goes through protection.access, selectors and services, as the pages
do: a case or a referral the viewer cannot see answers 404 like a missing one; one
they see but may not act on, 403; both are checked before the body is read. A body's
type problems (and every problem of a report) are a 422 in Chinese, field by field; a
rule of the work that refuses a step (a second acceptance, a revoked referral, open
referrals at closing…) is a 400 with the service's own message and the field at fault.
"""

from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError

from shouwang.accounts.access import Perm, has_perm
from shouwang.core.api_edge import Invalid, Message, invalid, json_body, page_window
from shouwang.core.exceptions import DomainError

from .. import access, selectors, services
from ..access import Do
from ..services import InvalidInput
from ..vocab import CaseStatus, Situation, Urgency
from .edge import (
    action_out,
    answers_refusals,
    body,
    case_answer,
    case_for,
    case_out,
    choice,
    referral_for,
    referral_out,
    report_values,
    summaries,
)
from .schemas import (
    MAX_PAGE,
    ActionIn,
    ActionOut,
    AssessIn,
    BreakGlassIn,
    CaseCloseIn,
    CaseOut,
    CasePage,
    CaseQuery,
    DecideIn,
    DoneIn,
    FeedbackIn,
    GlassOut,
    InboxOut,
    ReasonIn,
    ReceiptOut,
    ReferralIn,
    ReferralOut,
    Refusal,
    ReportIn,
    SupervisionOut,
)

router = Router(tags=["未成年人保护"])

REPORT_DENIED = "您没有提交强制报告的权限。"
HANDLE_DENIED = "您没有办理保护案件的权限。"
SUPERVISION_DENIED = "只有民政干部可以查看督办清单。"

# What a step on a case or a referral may answer besides its success.
REFUSALS = {400: Refusal, 403: Message, 404: Message, 422: Invalid}


# Cases ------------------------------------------------------------------------------


@router.get(
    "/cases",
    response={200: CasePage, 403: Message, 422: Invalid},
    url_name="protection-case-list",
    summary="我可见的保护案件（新报告在前；筛选、分页）",
)
def case_list(request, query: Query[CaseQuery]):
    if not (
        has_perm(request.user, Perm.HANDLE_CASES)
        or has_perm(request.user, Perm.REPORT_CASES)
    ):
        raise HttpError(403, HANDLE_DENIED)
    choice(query.status, "status", "状态", CaseStatus)
    choice(query.situation, "situation", "情形", Situation)
    choice(query.urgency, "urgency", "紧急程度", Urgency)
    cases = selectors.case_list_for(request.user)
    for field in ("status", "situation", "urgency"):
        if value := getattr(query, field):
            cases = cases.filter(**{field: value})
    if q := query.q.strip():
        cases = cases.filter(
            Q(number__startswith=q)
            | Q(child_name__contains=q)
            | Q(child__name__contains=q)
        )
    limit, offset = page_window(query.limit, query.offset, max_limit=MAX_PAGE)
    return {
        "count": cases.count(),
        "items": summaries(request.user, cases[offset : offset + limit]),
    }


@router.post(
    "/cases",
    response={201: ReceiptOut, 403: Message, 422: Invalid},
    url_name="protection-case-report",
    summary="提交强制报告（民政干部可代录电话报告）；立即进入公安和民政的待办",
    openapi_extra=json_body(ReportIn),
)
def case_report(request):
    if not access.can(request.user, Do.REPORT):
        raise HttpError(403, REPORT_DENIED)
    values = report_values(body(request, ReportIn))
    try:
        case = services.report_file(actor=request.user, values=values)
    except InvalidInput as error:
        raise invalid(
            (field, message)
            for field, messages in error.problems.items()
            for message in messages
        ) from None
    except DomainError as error:
        raise HttpError(403, error.message) from None
    return Status(
        201,
        {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "status_label": case.get_status_display(),
            "reported_at": case.reported_at,
            "view": access.view_of(request.user, case),
        },
    )


@router.get(
    "/cases/{case_id}",
    response={200: CaseOut, 404: Message},
    url_name="protection-case-detail",
    summary="一个案件（按可见范围：全案、转介所需或报告回执；查看留痕）",
)
@answers_refusals
def case_detail(request, case_id: int):
    case = case_for(request, case_id)
    services.case_read_record(actor=request.user, case=case)
    return case_out(request.user, case)


@router.post(
    "/cases/{case_id}/decide",
    response={200: CaseOut, **REFUSALS},
    url_name="protection-case-decide",
    summary="公安受理报告：受案、立案或不予立案（须写理由）",
    openapi_extra=json_body(DecideIn),
)
@answers_refusals
def case_decide(request, case_id: int):
    case = case_for(request, case_id, Do.DECIDE)
    payload = body(request, DecideIn)
    services.case_police_decide(
        actor=request.user,
        case_id=case.pk,
        decision=payload.decision,
        reason=payload.reason,
    )
    return case_answer(request, case.pk)


@router.post(
    "/cases/{case_id}/feedback",
    response={200: CaseOut, **REFUSALS},
    url_name="protection-case-feedback",
    summary="公安向报告单位反馈办理情况",
    openapi_extra=json_body(FeedbackIn),
)
@answers_refusals
def case_feedback(request, case_id: int):
    case = case_for(request, case_id, Do.FEEDBACK)
    payload = body(request, FeedbackIn)
    services.case_feedback(actor=request.user, case_id=case.pk, note=payload.note)
    return case_answer(request, case.pk)


@router.post(
    "/cases/{case_id}/assess",
    response={200: CaseOut, **REFUSALS},
    url_name="protection-case-assess",
    summary="民政评估（风险、需求、安全计划）；提交读取时的版本号",
    openapi_extra=json_body(AssessIn),
)
@answers_refusals
def case_assess(request, case_id: int):
    case = case_for(request, case_id, Do.ASSESS)
    payload = body(request, AssessIn)
    services.case_assess(
        actor=request.user,
        case_id=case.pk,
        expected_version=payload.expected_version,
        risk=payload.risk,
        needs=payload.needs,
        safety_plan=payload.safety_plan,
    )
    return case_answer(request, case.pk)


@router.post(
    "/cases/{case_id}/referrals",
    response={201: ReferralOut, **REFUSALS},
    url_name="protection-referral-send",
    summary="转介给本县的成员单位（单位、服务类型、原因、响应时限）",
    openapi_extra=json_body(ReferralIn),
)
@answers_refusals
def referral_send(request, case_id: int):
    case = case_for(request, case_id, Do.REFER)
    payload = body(request, ReferralIn)
    referral = services.referral_send(
        actor=request.user,
        case_id=case.pk,
        unit=payload.unit,
        service=payload.service,
        reason=payload.reason,
        timeframe=payload.timeframe,
    )
    return Status(201, referral_out(referral))


@router.post(
    "/cases/{case_id}/actions",
    response={201: ActionOut, **REFUSALS},
    url_name="protection-action-record",
    summary="记录本单位的处置措施（救助、临时监护、安置、立案、起诉、审判等）",
    openapi_extra=json_body(ActionIn),
)
@answers_refusals
def action_record(request, case_id: int):
    case = case_for(request, case_id, Do.RECORD_ACTION)
    payload = body(request, ActionIn)
    action = services.action_record(
        actor=request.user, case_id=case.pk, values=payload.model_dump()
    )
    return Status(201, action_out(action))


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseOut, **REFUSALS},
    url_name="protection-case-close",
    summary="结案（转介均已办结或撤回）",
    openapi_extra=json_body(CaseCloseIn),
)
@answers_refusals
def case_close(request, case_id: int):
    case = case_for(request, case_id, Do.CLOSE)
    payload = body(request, CaseCloseIn)
    services.case_close(
        actor=request.user, case_id=case.pk, outcome=payload.outcome, note=payload.note
    )
    return case_answer(request, case.pk)


@router.post(
    "/cases/{case_id}/reopen",
    response={200: CaseOut, **REFUSALS},
    url_name="protection-case-reopen",
    summary="重新开启已结案的案件（写明理由）",
    openapi_extra=json_body(ReasonIn),
)
@answers_refusals
def case_reopen(request, case_id: int):
    case = case_for(request, case_id, Do.REOPEN)
    payload = body(request, ReasonIn)
    services.case_reopen(actor=request.user, case_id=case.pk, reason=payload.reason)
    return case_answer(request, case.pk)


# Referrals --------------------------------------------------------------------------


@router.post(
    "/referrals/{referral_id}/accept",
    response={200: ReferralOut, **REFUSALS},
    url_name="protection-referral-accept",
    summary="成员单位接收转介",
)
@answers_refusals
def referral_accept(request, referral_id: int):
    referral = referral_for(request, referral_id, Do.RESPOND)
    return referral_out(
        services.referral_accept(actor=request.user, referral_id=referral.pk)
    )


@router.post(
    "/referrals/{referral_id}/reject",
    response={200: ReferralOut, **REFUSALS},
    url_name="protection-referral-reject",
    summary="成员单位拒绝转介（写明理由）",
    openapi_extra=json_body(ReasonIn),
)
@answers_refusals
def referral_reject(request, referral_id: int):
    referral = referral_for(request, referral_id, Do.RESPOND)
    payload = body(request, ReasonIn)
    return referral_out(
        services.referral_reject(
            actor=request.user, referral_id=referral.pk, reason=payload.reason
        )
    )


@router.post(
    "/referrals/{referral_id}/done",
    response={200: ReferralOut, **REFUSALS},
    url_name="protection-referral-done",
    summary="成员单位办结转介（成功，或未成功及原因）",
    openapi_extra=json_body(DoneIn),
)
@answers_refusals
def referral_done(request, referral_id: int):
    referral = referral_for(request, referral_id, Do.COMPLETE)
    payload = body(request, DoneIn)
    return referral_out(
        services.referral_done(
            actor=request.user,
            referral_id=referral.pk,
            successful=payload.successful,
            note=payload.note,
        )
    )


@router.post(
    "/referrals/{referral_id}/revoke",
    response={200: ReferralOut, **REFUSALS},
    url_name="protection-referral-revoke",
    summary="转介方撤回转介（写明理由）；该单位随即不再可见本案",
    openapi_extra=json_body(ReasonIn),
)
@answers_refusals
def referral_revoke(request, referral_id: int):
    referral = referral_for(request, referral_id, Do.REVOKE)
    payload = body(request, ReasonIn)
    return referral_out(
        services.referral_revoke(
            actor=request.user, referral_id=referral.pk, reason=payload.reason
        )
    )


# Inboxes, supervision, break the glass ---------------------------------------------


@router.get(
    "/inbox",
    response={200: InboxOut, 403: Message},
    url_name="protection-inbox",
    summary="我的待办：公安待受理、民政待评估、本单位转介、涉学通知",
)
def inbox(request, limit: int = 100):
    user = request.user
    if not has_perm(user, Perm.HANDLE_CASES):
        raise HttpError(403, HANDLE_DENIED)
    limit, _ = page_window(limit, 0, max_limit=MAX_PAGE)
    referrals = selectors.referral_inbox_for(user).select_related("case__child")
    return {
        "count": selectors.inbox_count_for(user),
        "police": summaries(user, selectors.police_inbox_for(user)[:limit]),
        "desk": summaries(user, selectors.desk_inbox_for(user)[:limit]),
        "referrals": [referral_out(r) for r in referrals[:limit]],
        "school": summaries(
            user, selectors.school_notices_for(user).select_related("child")[:limit]
        ),
    }


@router.get(
    "/supervision",
    response={200: SupervisionOut, 403: Message},
    url_name="protection-supervision",
    summary="督办清单：管辖范围内逾期的受理、反馈、评估和转介（民政）",
)
def supervision(request, limit: int = 200):
    user = request.user
    if not access.is_civil(user):
        raise HttpError(403, SUPERVISION_DENIED)
    limit, _ = page_window(limit, 0, max_limit=500)
    now = timezone.now()
    items = selectors.supervision_for(user, now=now, limit=limit)
    return {
        "count": selectors.supervision_count_for(user, now=now),
        "items": [
            {
                "case_id": item.case.pk,
                "number": item.case.number,
                "area_name": item.case.area.name,
                "what": item.what,
                "owed_by": item.owed_by,
                "due_at": item.due_at,
                "overdue_hours": int((now - item.due_at).total_seconds() // 3600),
                "referral_id": item.referral.pk if item.referral else None,
            }
            for item in items
        ],
    }


@router.post(
    "/break-glass",
    response={201: GlassOut, 400: Refusal, 403: Message, 422: Invalid},
    url_name="protection-break-glass",
    summary="紧急查看一个看不到的案件（写明理由；24小时有效，留痕并由县级复核）",
    openapi_extra=json_body(BreakGlassIn),
)
def break_glass(request):
    payload = body(request, BreakGlassIn)
    try:
        glass = services.break_glass(
            actor=request.user, number=payload.number, reason=payload.reason
        )
    except InvalidInput as error:
        return Status(400, {"detail": error.message, "field": error.field})
    except DomainError as error:
        raise HttpError(403, error.message) from None
    return Status(
        201,
        {
            "id": glass.pk,
            "case_id": glass.case_id,
            "number": glass.case.number,
            "reason": glass.reason,
            "expires_at": glass.expires_at,
        },
    )
