"""Joint work (联席会议): member units and their duties, meetings, decisions and the
tasks they assign under supervision, responsibility letters; and community care
(社会关爱): donations, volunteers and their pairings with children, activities,
publicity. Nothing a person entered is deleted: a mistaken row is voided (`voided_at`)
and no longer counted."""

from django.conf import settings
from django.db import models

from shouwang.core.models import BaseModel

from .vocab import UNIT_CHOICES, ActivityKind, PairingKind, PublicityKind, TaskState


class Voidable(BaseModel):
    """A row a person entered that may be voided (with a reason), never deleted."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        abstract = True


class MemberUnit(BaseModel):
    """A unit of an area's joint meeting: its duties (分工) and contact persons; one
    of them is the office (联席会议办公室), usually civil affairs."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.CharField("成员单位", max_length=30, choices=UNIT_CHOICES)
    duties = models.TextField("职责分工", blank=True)
    is_office = models.BooleanField("联席会议办公室", default=False)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="联络人", blank=True, related_name="+"
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["area_id", "-is_office", "unit"]
        verbose_name = "成员单位"
        verbose_name_plural = "成员单位"
        constraints = [
            models.UniqueConstraint(fields=["area", "unit"], name="memberunit_once"),
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(is_office=True),
                name="memberunit_one_office",
            ),
        ]


class Meeting(Voidable):
    """A joint meeting held by an area's office: who attended, the minutes, and
    the decisions (each assigning tasks)."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("会议名称", max_length=100)
    held_on = models.DateField("召开日期")
    attendees = models.JSONField("参会单位", default=list)
    minutes_name = models.CharField("会议纪要文件", max_length=255, blank=True)
    minutes_original = models.CharField("纪要原文件名", max_length=255, blank=True)
    notes = models.TextField("会议情况", blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "联席会议"
        verbose_name_plural = "联席会议"
        indexes = [models.Index(fields=["area", "held_on"], name="meeting_area_held")]


class Decision(BaseModel):
    """One decision of a meeting (议定事项), numbered within it."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("议定事项")

    class Meta:
        ordering = ["meeting_id", "number"]
        verbose_name = "议定事项"
        verbose_name_plural = "议定事项"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"], name="decision_number_once"
            ),
        ]


class Task(BaseModel):
    """A task a decision assigns to one unit, with a deadline. The unit reports
    progress; only the office closes it. Overdue: not closed by the deadline."""

    decision = models.ForeignKey(
        Decision,
        verbose_name="议定事项",
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="区划",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="会议所在区划（承办单位在这一级）",
    )
    unit = models.CharField("承办单位", max_length=30, choices=UNIT_CHOICES)
    title = models.CharField("任务", max_length=200)
    deadline = models.DateField("办理期限")
    state = models.CharField(
        "状态", max_length=10, choices=TaskState.choices, default=TaskState.OPEN
    )
    percent = models.PositiveSmallIntegerField("进度（%）", default=0)
    reported_on = models.DateField("报办结日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结确认人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "督办任务"
        verbose_name_plural = "督办任务"
        indexes = [
            models.Index(fields=["area", "unit", "state"], name="task_area_unit"),
            models.Index(fields=["state", "deadline"], name="task_state_deadline"),
        ]


class TaskReport(BaseModel):
    """A unit's progress report on a task: text, attachments, percent or done."""

    task = models.ForeignKey(
        Task, verbose_name="任务", on_delete=models.PROTECT, related_name="reports"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("办理情况")
    percent = models.PositiveSmallIntegerField("进度（%）", default=0)
    done = models.BooleanField("已办结", default=False)
    attachments = models.JSONField("附件", default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "办理情况"
        verbose_name_plural = "办理情况"


class SupervisionNotice(BaseModel):
    """A supervision notice (督办通知) issued on an overdue task; numbered per area
    and year, its document generated from a template."""

    task = models.ForeignKey(
        Task, verbose_name="任务", on_delete=models.PROTECT, related_name="notices"
    )
    number = models.CharField("文号", max_length=40)
    issued_on = models.DateField("督办日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_deadline = models.DateField("限期", null=True, blank=True)
    text = models.TextField("督办事项", blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "督办通知"
        verbose_name_plural = "督办通知"


class ResponsibilityLetter(Voidable):
    """A responsibility letter (责任书) for a year between a government (its area)
    and a township, a village or a member unit of that government's level."""

    year = models.PositiveSmallIntegerField("年度")
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="签订方（政府）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_area = models.ForeignKey(
        "areas.Area",
        verbose_name="责任方（乡镇、村）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    party_unit = models.CharField(
        "责任方（成员单位）", max_length=30, choices=UNIT_CHOICES, blank=True
    )
    signed_on = models.DateField("签订日期")
    scan_name = models.CharField("扫描件", max_length=255, blank=True)
    scan_original = models.CharField("扫描件原文件名", max_length=255, blank=True)

    class Meta:
        ordering = ["-year", "area_id", "id"]
        verbose_name = "责任书"
        verbose_name_plural = "责任书"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(party_area__isnull=False, party_unit="")
                    | models.Q(party_area__isnull=True) & ~models.Q(party_unit="")
                ),
                name="letter_one_party",
            ),
            models.UniqueConstraint(
                fields=["year", "area", "party_area"],
                condition=models.Q(voided_at__isnull=True, party_area__isnull=False),
                name="letter_area_once",
            ),
            models.UniqueConstraint(
                fields=["year", "area", "party_unit"],
                condition=models.Q(voided_at__isnull=True, party_area__isnull=True),
                name="letter_unit_once",
            ),
        ]


class Donation(Voidable):
    """A donation raised for children (元): donor, date, purpose and, when given
    directly, the children who received it."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    donor = models.CharField("捐赠方", max_length=100)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    donated_on = models.DateField("捐赠日期")
    purpose = models.CharField("用途", max_length=200)
    children = models.ManyToManyField(
        "registry.Child", verbose_name="受助儿童", blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-donated_on", "-id"]
        verbose_name = "社会捐赠"
        verbose_name_plural = "社会捐赠"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="donation_amount_positive"
            ),
        ]


class Volunteer(Voidable):
    """A volunteer of an area: name, organisation, contact. Volunteers have no
    account and see nothing of the ledger."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=30)
    organisation = models.CharField("所在组织", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        ordering = ["area_id", "name", "id"]
        verbose_name = "志愿者"
        verbose_name_plural = "志愿者"


class Pairing(Voidable):
    """A volunteer paired with a child (结对关爱). What the volunteer is told of the
    child is the given name and the village, unless a director grants more."""

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name="志愿者",
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("结对内容", max_length=5, choices=PairingKind.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    disclose_more = models.BooleanField("可告知更多信息", default=False)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="授权人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "结对关爱"
        verbose_name_plural = "结对关爱"


class Activity(Voidable):
    """A care activity (关爱活动): title, date, organiser, kind, people reached."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("活动名称", max_length=100)
    held_on = models.DateField("活动日期")
    organiser = models.CharField("主办单位", max_length=30, choices=UNIT_CHOICES)
    kind = models.CharField("活动类型", max_length=5, choices=ActivityKind.choices)
    participants = models.PositiveIntegerField("参与人数", default=0)
    children_reached = models.PositiveIntegerField("受益儿童人数", default=0)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "关爱活动"
        verbose_name_plural = "关爱活动"


class PublicityItem(Voidable):
    """Publicity material produced or put up (宣传品): kind and quantity."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=5, choices=PublicityKind.choices)
    quantity = models.PositiveIntegerField("数量")
    made_on = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["-made_on", "-id"]
        verbose_name = "宣传品"
        verbose_name_plural = "宣传品"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="publicity_quantity_positive"
            ),
        ]
