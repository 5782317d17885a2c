"""Dropout control (控辍保学): school registration lists (学籍名单) as uploaded, the
clearances of suspected children, and the dropout register with its responsible
persons, persuasion attempts and timeline.

The three ledgers (school-age, suspected, dropouts) are not stored: they are computed
for an area and a date from the child ledger, the latest list covering each village,
the clearances and the dropout cases (schooling.comparison, schooling.selectors).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shouwang.core.models import BaseModel

from .vocab import (
    ClearReason,
    DropoutEventKind,
    DropoutOutcome,
    DropoutReason,
    DropoutStatus,
    EnrolmentStatus,
    PersuasionMethod,
    PersuasionResult,
    ResponsibleRole,
)

USER = settings.AUTH_USER_MODEL


def _user(verbose: str) -> models.ForeignKey:
    return models.ForeignKey(
        USER,
        verbose_name=verbose,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class EnrolmentList(BaseModel):
    """One school registration list for an area, written whole or not at all; the
    latest list covering a village is the one compared, earlier ones stay."""

    area = models.ForeignKey(
        "areas.Area",
        verbose_name="覆盖区划",
        on_delete=models.PROTECT,
        related_name="+",
    )
    listed_on = models.DateField("名单日期")
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)
    row_count = models.PositiveIntegerField("行数", default=0)
    uploaded_by = _user("上传人")

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = "学籍名单"
        verbose_name_plural = "学籍名单"
        indexes = [
            models.Index(fields=["area", "listed_on"], name="enrolment_list_area")
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.listed_on:%Y-%m-%d} 学籍名单"


class EnrolmentRow(models.Model):
    """One pupil of a list, as the list says."""

    # No index of its own: the unique index (enrolment_list, id_number) starts with it
    # and serves the foreign key (one index less to fill on a 300,000-row COPY). No
    # database constraint either: checking it at commit costs PostgreSQL one lookup
    # of the same list per row (0.95 s of a 300,000-row list's 2 s write). The rows
    # have one writer, enrolment_commit, which inserts them in the transaction that
    # creates their list; a list is history and is never deleted (nor can be: PROTECT).
    enrolment_list = models.ForeignKey(
        EnrolmentList,
        on_delete=models.PROTECT,
        related_name="rows",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField("行号")
    name = models.CharField("姓名", max_length=30)
    id_number = models.CharField("公民身份号码", max_length=18)
    student_no = models.CharField("学籍号", max_length=40, blank=True)
    school = models.CharField("学校名称", max_length=100)
    grade = models.CharField("年级", max_length=20, blank=True)
    status = models.CharField("学籍状态", max_length=2, choices=EnrolmentStatus.choices)
    school_area_code = models.CharField("学校所在地区划代码", max_length=12, blank=True)

    class Meta:
        ordering = ["enrolment_list", "row_number"]
        verbose_name = "学籍名单行"
        verbose_name_plural = "学籍名单行"
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment_list", "id_number"], name="enrolment_row_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.school}，{self.status}）"


class SuspectClearance(BaseModel):
    """A suspected child found to be in school after all (or excused), for the list
    compared then: a newer list judges the child afresh."""

    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrolment_list = models.ForeignKey(
        EnrolmentList,
        verbose_name="比对的学籍名单",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name="所在村", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("排除理由", max_length=20, choices=ClearReason.choices)
    note = models.CharField("说明", max_length=500, blank=True)
    cleared_by = _user("排除人")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "疑似失学辍学排除"
        verbose_name_plural = "疑似失学辍学排除"
        indexes = [
            models.Index(fields=["child", "enrolment_list"], name="clearance_child")
        ]

    def __str__(self) -> str:
        return f"{self.child_id}：{self.reason}"


class DropoutCase(BaseModel):
    """A registered dropout (辍学), followed until closed with an outcome (动态销号)."""

    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="dropout_cases",
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name="所在村", on_delete=models.PROTECT, related_name="+"
    )
    school = models.CharField("辍学前学校", max_length=100)
    grade = models.CharField("年级", max_length=20, blank=True)
    left_on = models.DateField("辍学日期")
    reason = models.CharField("辍学原因", max_length=10, choices=DropoutReason.choices)
    reason_note = models.CharField("原因说明", max_length=500, blank=True)
    plan = models.TextField("劝返方案（一人一案）", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=DropoutStatus.choices, default=DropoutStatus.OPEN
    )
    outcome = models.CharField(
        "销号结果", max_length=10, choices=DropoutOutcome.choices, blank=True
    )
    outcome_on = models.DateField("销号日期", null=True, blank=True)
    evidence = models.CharField("佐证材料", max_length=500, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = _user("销号人")
    registered_by = _user("登记人")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-left_on", "-id"]
        verbose_name = "辍学登记"
        verbose_name_plural = "辍学登记"
        indexes = [
            models.Index(fields=["village", "status"], name="dropout_village"),
            models.Index(fields=["outcome", "outcome_on"], name="dropout_outcome"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status="open"),
                name="dropout_one_open_per_child",
                violation_error_message="该儿童已有一条劝返中的辍学登记。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id} 辍学（{self.get_status_display()}）"


class DropoutResponsible(BaseModel):
    """A person responsible for bringing the child back (包保责任人)."""

    case = models.ForeignKey(
        DropoutCase, on_delete=models.PROTECT, related_name="responsibles"
    )
    role = models.CharField("身份", max_length=10, choices=ResponsibleRole.choices)
    name = models.CharField("姓名", max_length=30)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    added_by = _user("填写人")
    removed_at = models.DateTimeField("移除时间", null=True, blank=True)

    class Meta:
        ordering = ["case", "created_at"]
        verbose_name = "包保责任人"
        verbose_name_plural = "包保责任人"

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Persuasion(BaseModel):
    """One persuasion attempt (劝返): when, by whom, how, with what result."""

    case = models.ForeignKey(
        DropoutCase, on_delete=models.PROTECT, related_name="persuasions"
    )
    on = models.DateField("日期")
    by = models.CharField("劝返人员", max_length=100)
    method = models.CharField("方式", max_length=10, choices=PersuasionMethod.choices)
    result = models.CharField("结果", max_length=10, choices=PersuasionResult.choices)
    note = models.CharField("情况说明", max_length=500, blank=True)
    recorded_by = _user("记录人")

    class Meta:
        ordering = ["case", "on", "id"]
        verbose_name = "劝返记录"
        verbose_name_plural = "劝返记录"

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.method}：{self.result}"


class DropoutEvent(models.Model):
    """One step of a dropout case's timeline."""

    case = models.ForeignKey(
        DropoutCase, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("事项", max_length=12, choices=DropoutEventKind.choices)
    at = models.DateTimeField("时间")
    actor = _user("操作人")
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    note = models.CharField("说明", max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "辍学登记进程"
        verbose_name_plural = "辍学登记进程"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.at:%Y-%m-%d %H:%M}）"
