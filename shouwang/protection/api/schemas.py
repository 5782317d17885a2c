"""The protection API's bodies and answers.

A case is answered as the viewer sees it (protection.access.view_of): the sections a
view does not include are null (and lists empty), never filled in and hidden.
"""

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from ..vocab import (
    ActionKind,
    CaseStatus,
    Channel,
    Charge,
    GuardianshipGround,
    Need,
    Outcome,
    Placement,
    PoliceDecision,
    Risk,
    Sentence,
    ServiceType,
    Situation,
    Timeframe,
    Urgency,
)

MAX_PAGE = 200

# Field labels for the messages of a body's type problems (api_edge.type_problem).
LABELS = {
    "situation": "情形",
    "urgency": "紧急程度",
    "found_at": "发现时间",
    "found_place": "发现地点",
    "observed": "发现的情况",
    "child_id": "台账儿童",
    "child_name": "儿童姓名",
    "child_sex": "儿童性别",
    "child_age": "儿童年龄",
    "child_description": "儿童描述",
    "area_id": "发现地",
    "channel": "报告方式",
    "reporter_name": "报告人姓名",
    "reporter_unit": "报告单位",
    "reporter_contact": "报告人联系方式",
    "anonymous": "匿名报告",
    "decision": "受理结果",
    "reason": "理由",
    "note": "说明",
    "expected_version": "版本号",
    "risk": "风险等级",
    "needs": "需求",
    "safety_plan": "安全计划",
    "unit": "转介单位",
    "service": "服务类型",
    "timeframe": "响应时限",
    "kind": "措施",
    "occurred_on": "措施日期",
    "persons": "人数（人次）",
    "families": "户数",
    "cases": "案件数",
    "ground": "临时监护情形",
    "placement": "安置方式",
    "charge": "罪名",
    "sentence": "判处",
    "outcome": "结案结果",
    "successful": "办理成功",
    "number": "受理编号",
}


def _one_of(label: str, choices) -> str:
    return f"{label}：{'、'.join(choices.values)}"


# Answers ----------------------------------------------------------------------------


class Refusal(Schema):
    """400: a rule of protection work refused the step; field names the value at fault."""

    detail: str
    field: str | None = None


class CaseSummary(Schema):
    """What every view of a case shows: a line of a list or an inbox."""

    id: int
    number: str = Field(description="受理编号（回执号）")
    view: str = Field(description="full 全案 / referral 转介所需 / receipt 报告回执")
    status: str = Field(description=_one_of("状态", CaseStatus))
    status_label: str
    situation: str
    situation_label: str
    urgency: str
    urgency_label: str
    reported_at: datetime
    closed_at: datetime | None
    area: str = Field(description="发现地区划代码")
    area_name: str
    child_name: str


class CasePage(Schema):
    count: int = Field(description="符合条件的案件总数")
    items: list[CaseSummary]


class CaseChildOut(Schema):
    """The child as a referral needs them: name, sex, age, village, guardian."""

    ledger_id: int | None = Field(description="台账儿童记录编号（仅全案可见）")
    name: str
    sex: str
    age: int | None
    village: str | None
    village_name: str
    guardian_name: str
    guardian_phone: str
    description: str = Field(description="不在台账的儿童的描述（性别、年龄、衣着等）")


class ReportOut(Schema):
    sensitivity: str
    sensitivity_label: str
    version: int = Field(description="版本号：修改评估时作为 expected_version 提交")
    found_at: datetime
    found_place: str
    observed: str
    channel: str
    channel_label: str


class ReporterOut(Schema):
    """Who reported: the police, the county's protection desk and the reporter only."""

    name: str
    unit: str
    contact: str
    anonymous: bool
    channel: str


class PoliceOut(Schema):
    decision: str
    decision_label: str
    reason: str
    decided_at: datetime | None
    decided_by: str | None
    feedback_note: str
    feedback_at: datetime | None


class AssessmentOut(Schema):
    risk: str
    risk_label: str
    needs: list[str]
    safety_plan: str
    assessed_at: datetime | None
    assessed_by: str | None


class DeadlinesOut(Schema):
    """Open deadlines (null once met) and when the case was escalated."""

    police_due_at: datetime | None
    feedback_due_at: datetime | None
    assessment_due_at: datetime | None
    escalated_at: datetime | None


class ClosingOut(Schema):
    outcome: str
    outcome_label: str
    note: str
    closed_by: str | None


class ReferralOut(Schema):
    id: int
    case_id: int
    case_number: str
    child_name: str
    area_name: str
    unit: str
    unit_label: str
    service: str
    service_label: str
    reason: str
    timeframe: int = Field(description="响应时限（小时）")
    respond_by: datetime
    status: str
    status_label: str
    sent_by: str | None
    sent_at: datetime
    responded_at: datetime | None
    responded_by: str | None
    reject_reason: str
    done_at: datetime | None
    done_by: str | None
    successful: bool | None
    done_note: str
    revoked_at: datetime | None
    revoke_reason: str


class ActionOut(Schema):
    id: int
    case_id: int
    referral_id: int | None
    kind: str
    kind_label: str
    actor: str
    unit: str
    occurred_on: date
    persons: int
    families: int
    cases: int
    ground: str
    placement: str
    charge: str
    sentence: str
    service: str
    note: str
    summary: str
    recorded_by: str | None


class HandlerOut(Schema):
    user_id: int
    name: str
    role: str
    unit: str


class EventOut(Schema):
    kind: str
    kind_label: str
    at: datetime
    actor: str
    referral_id: int | None
    note: str


class CaseOut(CaseSummary):
    """One case as the viewer sees it; sections outside the viewer's view are null."""

    child: CaseChildOut | None = Field(description="全案与转介可见")
    report: ReportOut | None = Field(description="仅全案可见")
    reporter: ReporterOut | None = Field(
        description="报告人身份：仅公安、保护专岗和报告人本人可见"
    )
    police: PoliceOut | None = Field(description="全案与报告回执可见")
    assessment: AssessmentOut | None
    deadlines: DeadlinesOut | None
    closing: ClosingOut | None
    referrals: list[ReferralOut]
    actions: list[ActionOut]
    handlers: list[HandlerOut]
    events: list[EventOut] = Field(description="案件进程（按所见范围）")
    allowed: list[str] = Field(
        description="当前账号可对本案办理的事项（protection.access.Do 的值）"
    )
    action_kinds: list[str] = Field(description="当前账号可记录的措施")


class InboxOut(Schema):
    count: int = Field(description="导航栏上的待办数")
    police: list[CaseSummary] = Field(description="待公安受理（公安）")
    desk: list[CaseSummary] = Field(description="待民政评估（民政）")
    referrals: list[ReferralOut] = Field(description="本单位的转介（成员单位）")
    school: list[CaseSummary] = Field(description="涉学情形的通知（教育）")


class OverdueOut(Schema):
    case_id: int
    number: str
    area_name: str
    what: str
    owed_by: str
    due_at: datetime
    overdue_hours: int
    referral_id: int | None


class SupervisionOut(Schema):
    count: int = Field(description="逾期事项总数")
    items: list[OverdueOut] = Field(description="逾期最久的在前")


class ReceiptOut(Schema):
    """The answer to a report: its receipt number and how the filer now sees it."""

    id: int
    number: str = Field(description="受理编号（回执号）")
    status: str
    status_label: str
    reported_at: datetime
    view: str | None = Field(
        description="提交人此后如何查看本案：full / receipt；代录的高度敏感报告仅经办人"
        "可见，为 null"
    )


class GlassOut(Schema):
    id: int
    case_id: int
    number: str
    reason: str
    expires_at: datetime


# Queries and bodies ---------------------------------------------------------------


class CaseQuery(Schema):
    status: str = Field("", description=_one_of("状态", CaseStatus))
    situation: str = Field("", description=_one_of("情形", Situation))
    urgency: str = Field("", description=_one_of("紧急程度", Urgency))
    q: str = Field("", description="受理编号开头，或儿童姓名中的字")
    limit: int = 50
    offset: int = 0


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ReportIn(_In):
    """A mandatory report; a ledger child (child_id) or a child described."""

    situation: str = Field("", description=_one_of("情形", Situation))
    urgency: str = Field(Urgency.NORMAL, description=_one_of("紧急程度", Urgency))
    found_at: datetime | None = Field(None, description="发现时间，不晚于现在")
    found_place: str = Field("", description="发现地点，最多200字")
    observed: str = Field("", description="发现的情况，最多2000字")
    child_id: int | None = Field(None, description="台账儿童记录编号")
    child_name: str = ""
    child_sex: str = Field("", description="男、女，或不填")
    child_age: int | None = Field(None, description="0–17，不清楚可不填")
    child_description: str = Field("", description="不在台账的儿童的描述")
    area_id: str = Field(
        "", description="发现地的县、乡镇或村区划代码；不填为本人所在区划"
    )
    channel: str = Field(Channel.ONLINE, description=_one_of("报告方式", Channel))
    reporter_name: str = Field("", description="代录电话报告时填写")
    reporter_unit: str = ""
    reporter_contact: str = ""
    anonymous: bool = False


class DecideIn(_In):
    decision: str = Field("", description=_one_of("受理结果", PoliceDecision))
    reason: str = Field("", description="不予立案时必填")


class FeedbackIn(_In):
    note: str = Field("", description="向报告单位反馈的内容")


class AssessIn(_In):
    expected_version: int = Field(description="读取案件时的版本号")
    risk: str = Field("", description=_one_of("风险等级", Risk))
    needs: list[str] = Field(default_factory=list, description=_one_of("需求", Need))
    safety_plan: str = ""


class ReferralIn(_In):
    unit: str = Field("", description="成员单位（accounts.Unit 的值）")
    service: str = Field("", description=_one_of("服务类型", ServiceType))
    reason: str = ""
    timeframe: int = Field(
        Timeframe.THREE_DAYS,
        description="响应时限（小时）：" + "、".join(str(v) for v in Timeframe.values),
    )


class ActionIn(_In):
    kind: str = Field("", description=_one_of("措施", ActionKind))
    occurred_on: date | None = Field(None, description="措施日期，不晚于今天")
    persons: int | None = Field(None, description="人数（人次），按措施需要填写")
    families: int | None = None
    cases: int | None = None
    ground: str = Field("", description=_one_of("临时监护情形", GuardianshipGround))
    placement: str = Field("", description=_one_of("安置方式", Placement))
    charge: str = Field("", description=_one_of("罪名", Charge))
    sentence: str = Field("", description=_one_of("判处", Sentence))
    service: str = Field("", description=_one_of("措施类型", ServiceType))
    note: str = ""


class CaseCloseIn(_In):
    outcome: str = Field("", description=_one_of("结案结果", Outcome))
    note: str = ""


class ReasonIn(_In):
    reason: str = ""


class DoneIn(_In):
    successful: bool
    note: str = Field("", description="办理情况；未成功时写明原因")


class BreakGlassIn(_In):
    number: str = Field("", description="受理编号")
    reason: str = Field("", description="查看理由（至少5个字）")
