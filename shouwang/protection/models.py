"""Protection work: mandatory reports and the linkage cases they open, the referrals
to member units, the actions each unit records, and who may see a case.

A report opens a case at once (one row: the report is the case's first part). Each
step keeps its own columns (who, when, a note) and appends a CaseEvent, the case's
timeline. Every open deadline is a stored `*_due_at` column, cleared when met, so
that inboxes and the supervision list are plain indexed queries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shouwang.accounts.models import Unit
from shouwang.core.models import BaseModel

from .vocab import (
    ActionKind,
    Actor,
    CaseEventKind,
    CaseStatus,
    Channel,
    Charge,
    GuardianshipGround,
    Outcome,
    Placement,
    PoliceDecision,
    ReferralStatus,
    Risk,
    Sensitivity,
    Sentence,
    ServiceType,
    Situation,
    Timeframe,
    Urgency,
)

USER = settings.AUTH_USER_MODEL


def _user(verbose: str, related: str = "+") -> models.ForeignKey:
    return models.ForeignKey(
        USER,
        verbose_name=verbose,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related,
    )


class DeadlinePolicy(BaseModel):
    """A county's deadlines; counties without one use the defaults below."""

    DEFAULTS = {"police_accept_hours": 24, "feedback_days": 3, "assessment_days": 3}

    county = models.OneToOneField(
        "areas.Area",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
    )
    police_accept_hours = models.PositiveSmallIntegerField("公安受理时限（小时）")
    feedback_days = models.PositiveSmallIntegerField("受理后向报告单位反馈时限（天）")
    assessment_days = models.PositiveSmallIntegerField("民政评估时限（天）")
    updated_by = _user("设置人")

    class Meta:
        ordering = ["county"]
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"


class DeskMember(BaseModel):
    """A civil-affairs worker on the county's child-protection desk (未成年人保护专岗):
    sees reporter identities and handles highly sensitive cases. A county without
    members has every county-level civil-affairs worker as its desk."""

    user = models.OneToOneField(
        USER, verbose_name="工作人员", on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "areas.Area",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField("在岗", default=True)
    added_by = _user("指定人")

    class Meta:
        ordering = ["county", "user"]
        verbose_name = "保护专岗人员"
        verbose_name_plural = "保护专岗人员"


class Case(BaseModel):
    """A mandatory report and the linkage case it opens."""

    number = models.CharField("受理编号", max_length=24, unique=True)
    county = models.ForeignKey(
        "areas.Area",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="发现地（所在区划）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    sensitivity = models.CharField(
        "敏感级别", max_length=10, choices=Sensitivity.choices
    )
    version = models.PositiveIntegerField("版本", default=1)

    # The report
    situation = models.CharField("情形", max_length=20, choices=Situation.choices)
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    found_at = models.DateTimeField("发现时间")
    found_place = models.CharField("发现地点", max_length=200)
    observed = models.TextField("发现的情况")
    child = models.ForeignKey(
        "registry.Child",
        verbose_name="台账儿童",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protection_cases",
    )
    child_name = models.CharField("儿童姓名", max_length=30, blank=True)
    child_sex = models.CharField("儿童性别", max_length=1, blank=True)
    child_age = models.PositiveSmallIntegerField(
        "儿童年龄（约）", null=True, blank=True
    )
    child_description = models.TextField("儿童描述（不在台账的儿童）", blank=True)
    channel = models.CharField(
        "报告方式", max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    reporter = _user("报告人账号", "protection_reports")
    reporter_name = models.CharField("报告人", max_length=50, blank=True)
    reporter_unit = models.CharField("报告单位", max_length=100, blank=True)
    reporter_contact = models.CharField("报告人联系方式", max_length=50, blank=True)
    anonymous = models.BooleanField("匿名报告", default=False)
    entered_by = _user("录入人")
    reported_at = models.DateTimeField("报告时间")

    # Police
    police_decision = models.CharField(
        "公安受理结果", max_length=10, choices=PoliceDecision.choices, blank=True
    )
    police_reason = models.CharField(
        "受理说明或不予立案理由", max_length=500, blank=True
    )
    police_decided_at = models.DateTimeField("公安受理时间", null=True, blank=True)
    police_decided_by = _user("受理人")
    police_due_at = models.DateTimeField("公安受理期限", null=True, blank=True)
    feedback_note = models.CharField("向报告单位反馈", max_length=500, blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    feedback_by = _user("反馈人")
    feedback_due_at = models.DateTimeField("反馈期限", null=True, blank=True)

    # Civil affairs
    risk = models.CharField("风险评估", max_length=10, choices=Risk.choices, blank=True)
    needs = models.JSONField("需求", default=list, blank=True)
    safety_plan = models.TextField("安全计划", blank=True)
    assessed_at = models.DateTimeField("评估时间", null=True, blank=True)
    assessed_by = _user("评估人")
    assessment_due_at = models.DateTimeField("评估期限", null=True, blank=True)

    # Closing
    outcome = models.CharField(
        "结案结果", max_length=12, choices=Outcome.choices, blank=True
    )
    outcome_note = models.CharField("结案说明", max_length=500, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    closed_by = _user("结案人")
    escalated_at = models.DateTimeField("提请督办时间", null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = "保护案件"
        verbose_name_plural = "保护案件"
        indexes = [
            models.Index(fields=["county", "status", "reported_at"], name="case_inbox"),
            models.Index(fields=["area", "reported_at"], name="case_area"),
            models.Index(
                fields=["police_due_at"],
                name="case_police_due",
                condition=Q(police_due_at__isnull=False),
            ),
            models.Index(
                fields=["feedback_due_at"],
                name="case_feedback_due",
                condition=Q(feedback_due_at__isnull=False),
            ),
            models.Index(
                fields=["assessment_due_at"],
                name="case_assessment_due",
                condition=Q(assessment_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.get_situation_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    @property
    def child_label(self) -> str:
        if self.child_id:
            return self.child.name
        return self.child_name or "（未登记儿童）"


class CaseHandler(BaseModel):
    """A person named on a case: for a highly sensitive case, the only ones who see it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handlers")
    user = models.ForeignKey(
        USER, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    added_by = _user("指定人")
    removed_at = models.DateTimeField("移除时间", null=True, blank=True)
    removed_by = _user("移除人")

    class Meta:
        ordering = ["case", "created_at"]
        verbose_name = "经办人"
        verbose_name_plural = "经办人"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(removed_at__isnull=True),
                name="case_handler_once",
            )
        ]


class Referral(BaseModel):
    """A referral of a case to a member unit of its county."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="referrals"
    )
    county = models.ForeignKey(
        "areas.Area",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.CharField("转介单位", max_length=30, choices=Unit.choices)
    service = models.CharField("服务类型", max_length=20, choices=ServiceType.choices)
    reason = models.CharField("转介原因", max_length=500)
    timeframe = models.PositiveIntegerField(
        "响应时限", choices=Timeframe.choices, default=Timeframe.THREE_DAYS
    )
    respond_by = models.DateTimeField("响应期限")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PENDING,
    )
    sent_by = _user("转介人")
    responded_at = models.DateTimeField("接收或拒绝时间", null=True, blank=True)
    responded_by = _user("接收人")
    reject_reason = models.CharField("拒绝理由", max_length=500, blank=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    done_by = _user("办结人")
    successful = models.BooleanField("办理成功", null=True, blank=True)
    done_note = models.CharField("办理情况", max_length=500, blank=True)
    revoked_at = models.DateTimeField("撤回时间", null=True, blank=True)
    revoked_by = _user("撤回人")
    revoke_reason = models.CharField("撤回理由", max_length=500, blank=True)
    escalated_at = models.DateTimeField("提请督办时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "转介"
        verbose_name_plural = "转介"
        indexes = [
            models.Index(
                fields=["unit", "county", "status", "created_at"], name="referral_inbox"
            ),
            models.Index(
                fields=["respond_by"],
                name="referral_due",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.get_unit_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


class CaseAction(BaseModel):
    """An action a unit took on a case, with what the bulletin counts."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="actions"
    )
    referral = models.ForeignKey(
        Referral,
        verbose_name="转介",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    county = models.ForeignKey(
        "areas.Area",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("措施", max_length=25, choices=ActionKind.choices)
    actor = models.CharField("实施单位", max_length=15, choices=Actor.choices)
    unit = models.CharField("成员单位", max_length=30, choices=Unit.choices, blank=True)
    occurred_on = models.DateField("日期")
    persons = models.PositiveIntegerField("人数（人次）", default=1)
    families = models.PositiveIntegerField("户数", default=0)
    cases = models.PositiveIntegerField("案件数", default=1)
    ground = models.CharField(
        "临时监护情形", max_length=20, choices=GuardianshipGround.choices, blank=True
    )
    placement = models.CharField(
        "安置方式", max_length=25, choices=Placement.choices, blank=True
    )
    charge = models.CharField("罪名", max_length=15, choices=Charge.choices, blank=True)
    sentence = models.CharField(
        "判处", max_length=15, choices=Sentence.choices, blank=True
    )
    service = models.CharField(
        "措施类型", max_length=20, choices=ServiceType.choices, blank=True
    )
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = _user("记录人")

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = "处置措施"
        verbose_name_plural = "处置措施"
        indexes = [
            models.Index(fields=["kind", "occurred_on", "area"], name="action_figures")
        ]


class CaseEvent(models.Model):
    """One step of a case's timeline: who did what, when, with a note."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=CaseEventKind.choices)
    at = models.DateTimeField("时间", db_index=True)
    actor = _user("操作人")
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField("说明", max_length=1000, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "案件进程"
        verbose_name_plural = "案件进程"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.at:%Y-%m-%d %H:%M}）"


class BreakGlass(BaseModel):
    """Emergency access to a case one cannot see: a reason, 24 hours, audited and
    listed for the county's review."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        USER, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("理由", max_length=500)
    expires_at = models.DateTimeField("有效期至")
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    reviewed_by = _user("复核人")
    review_note = models.CharField("复核意见", max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "紧急查看"
        verbose_name_plural = "紧急查看"
        indexes = [
            models.Index(fields=["user", "case", "expires_at"], name="glass_user")
        ]
