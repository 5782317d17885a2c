"""Visits and dynamic management: visit records and their files, guardianship
confirmations, township 包片 leaders and the quarterly review cycle.

A child's schedule (last visit, follow-up, next due date) is kept on the child's own
row (registry.Child) so that worklists are plain indexed queries; the services here
keep it in step with the visits.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone

from shouwang.core.models import BaseModel
from shouwang.core.storage import PrivateStorage


class VisitMode(models.TextChoices):
    HOME = "入户", "入户"
    PHONE = "电话", "电话"
    VIDEO = "视频", "视频"
    SCHOOL = "在校", "在校"


class Finding(models.TextChoices):
    NORMAL = "正常", "正常"
    WATCH = "需关注", "需关注"
    PROBLEM = "有问题", "有问题"


# The five aspects a visit assesses: (field name, label). Each has a `<name>` finding
# and a `<name>_note`.
FINDING_ASPECTS = (
    ("guardianship", "监护"),
    ("living", "生活"),
    ("study", "学习"),
    ("safety", "安全"),
    ("emotion", "心理情感"),
)


def _finding(label: str) -> models.CharField:
    return models.CharField(f"{label}情况", max_length=3, choices=Finding.choices)


def _finding_note(label: str) -> models.CharField:
    return models.CharField(f"{label}情况说明", max_length=500, blank=True)


class Visit(BaseModel):
    """One visit to a child, with what was found and done; never deleted."""

    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="visits",
    )
    # The child's village when visited: visit counts by area need no join.
    village = models.ForeignKey(
        "areas.Area",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit_date = models.DateField("走访日期")
    mode = models.CharField("走访方式", max_length=2, choices=VisitMode.choices)
    visitors = models.CharField("走访人员", max_length=200)
    met = models.CharField("见到的人", max_length=200)
    guardianship = _finding("监护")
    guardianship_note = _finding_note("监护")
    living = _finding("生活")
    living_note = _finding_note("生活")
    study = _finding("学习")
    study_note = _finding_note("学习")
    safety = _finding("安全")
    safety_note = _finding_note("安全")
    emotion = _finding("心理情感")
    emotion_note = _finding_note("心理情感")
    problems = models.TextField("发现的问题", max_length=2000, blank=True)
    measures = models.TextField("采取的措施", max_length=2000, blank=True)
    followup_needed = models.BooleanField("需要跟进", default=False)
    followup_due = models.DateField("跟进期限", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-visit_date", "-id"]
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        indexes = [
            models.Index(fields=["child", "-visit_date"], name="visit_child_date"),
            models.Index(fields=["village", "visit_date"], name="visit_village_date"),
            # Visits entered since a moment (statistics find the days they change).
            models.Index(fields=["created_at"], name="visit_created"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.visit_date:%Y-%m-%d} {self.mode}"

    @property
    def findings(self) -> list[tuple[str, str, str]]:
        """(aspect label, finding, note) for the five aspects, in order."""
        return [
            (label, getattr(self, name), getattr(self, f"{name}_note"))
            for name, label in FINDING_ASPECTS
        ]


_STORAGE = PrivateStorage(
    "VISIT_UPLOAD_DIR", "附件没有公开地址：请通过走访记录页面查看。"
)


def attachment_storage() -> PrivateStorage:
    """Visit photos and scanned confirmations under settings.VISIT_UPLOAD_DIR."""
    return _STORAGE


ATTACHMENT_SUFFIXES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/pdf": ".pdf",
}


def attachment_path(attachment: "Attachment", filename: str) -> str:
    """A name of our own (never the uploader's): the month, a random id, the suffix."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in ATTACHMENT_SUFFIXES.values():
        suffix = ""
    return f"{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(BaseModel):
    """A photo or PDF kept with a visit or a guardianship confirmation."""

    visit = models.ForeignKey(
        Visit,
        verbose_name="走访记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    confirmation = models.ForeignKey(
        "GuardianshipConfirmation",
        verbose_name="委托监护责任确认书",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(
        "文件", storage=attachment_storage, upload_to=attachment_path, max_length=200
    )
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "附件"
        verbose_name_plural = "附件"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visit__isnull=False, confirmation__isnull=True)
                | models.Q(visit__isnull=True, confirmation__isnull=False),
                name="attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ConfirmationStatus(models.TextChoices):
    CURRENT = "current", "有效"
    RENEWED = "renewed", "已续签"


class GuardianshipConfirmation(BaseModel):
    """A signed 委托监护责任确认书; a renewal supersedes the earlier one, which is kept."""

    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="confirmations",
    )
    village = models.ForeignKey(
        "areas.Area",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_on = models.DateField("签订日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    entrusting_parties = models.CharField("委托方（父母）", max_length=100)
    entrusted_guardian = models.CharField("受委托监护人", max_length=60)
    committee_signatory = models.CharField("村（居）委会经办人", max_length=60)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.CURRENT,
    )
    renewed_by = models.ForeignKey(
        "self",
        verbose_name="续签为",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField("备注", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = "委托监护责任确认书"
        verbose_name_plural = "委托监护责任确认书"
        indexes = [
            models.Index(fields=["village", "status"], name="confirmation_village"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status="current"),
                name="confirmation_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.signed_on:%Y-%m-%d}"


class PatchLeader(BaseModel):
    """A township's 包片 leader for one of its areas (a village, or the whole township);
    a change ends the old row (ended_on) and starts a new one, so history is kept."""

    area = models.ForeignKey(
        "areas.Area",
        verbose_name="包片区域",
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("包片领导", max_length=30)
    title = models.CharField("职务", max_length=60, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指定人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["area_id", "-started_on", "-id"]
        verbose_name = "包片领导"
        verbose_name_plural = "包片领导"
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(ended_on__isnull=True),
                name="patch_leader_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.name}"


class CycleStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class ReviewCycle(BaseModel):
    """A quarterly review (季度摸排) of one county's or city's roster."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    status = models.CharField(
        "状态", max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结束人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "-quarter", "area_id"]
        verbose_name = "季度摸排"
        verbose_name_plural = "季度摸排"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "quarter"], name="cycle_area_quarter"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


class VillageReviewStatus(models.TextChoices):
    PENDING = "pending", "待提交"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"


class VillageReview(BaseModel):
    """A village's part of a cycle: confirmed by its director, reviewed by the township."""

    cycle = models.ForeignKey(
        ReviewCycle,
        verbose_name="季度摸排",
        on_delete=models.PROTECT,
        related_name="villages",
    )
    village = models.ForeignKey(
        "areas.Area",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态",
        max_length=10,
        choices=VillageReviewStatus.choices,
        default=VillageReviewStatus.PENDING,
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.CharField("审核意见", max_length=500, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["cycle", "village_id"]
        verbose_name = "村摸排"
        verbose_name_plural = "村摸排"
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "village"], name="village_review_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.village_id}"


class ReviewOutcome(models.TextChoices):
    UNCHANGED = "unchanged", "无变化"
    UPDATED = "updated", "已更新"
    EXITED = "exited", "已退出"


class ChildReview(BaseModel):
    """A director's confirmation of one child in a cycle; a later one replaces it
    (the row is updated, its `confirmed_at` and outcome say the latest word)."""

    village_review = models.ForeignKey(
        VillageReview,
        verbose_name="村摸排",
        on_delete=models.PROTECT,
        related_name="children",
    )
    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField("摸排结果", max_length=10, choices=ReviewOutcome.choices)
    child_version = models.PositiveIntegerField("确认时记录版本")
    confirmed_at = models.DateTimeField("确认时间", default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["village_review", "child_id"]
        verbose_name = "儿童摸排确认"
        verbose_name_plural = "儿童摸排确认"
        constraints = [
            models.UniqueConstraint(
                fields=["village_review", "child"], name="child_review_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_review_id} {self.child_id} {self.outcome}"


class CycleSnapshot(models.Model):
    """Counts per village and category frozen when a cycle closes; statistics and the
    bulletin's trends read these rather than today's ledger."""

    cycle = models.ForeignKey(
        ReviewCycle,
        verbose_name="季度摸排",
        on_delete=models.PROTECT,
        related_name="snapshot",
    )
    village = models.ForeignKey(
        "areas.Area",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    children = models.PositiveIntegerField("在册儿童", default=0)
    orphans = models.PositiveIntegerField("孤儿", default=0)
    de_facto_unsupported = models.PositiveIntegerField("事实无人抚养儿童", default=0)
    left_behind = models.PositiveIntegerField("农村留守儿童", default=0)
    in_difficulty = models.PositiveIntegerField("困境儿童", default=0)
    difficulty_living = models.PositiveIntegerField("生活困境", default=0)
    difficulty_self = models.PositiveIntegerField("自身困境", default=0)
    difficulty_guardianship = models.PositiveIntegerField("监护困境", default=0)
    risk_high = models.PositiveIntegerField("风险高", default=0)
    risk_medium = models.PositiveIntegerField("风险中", default=0)
    risk_low = models.PositiveIntegerField("风险低", default=0)
    needing_confirmation = models.PositiveIntegerField("需签确认书", default=0)
    confirmations_signed = models.PositiveIntegerField("已签确认书", default=0)
    overdue = models.PositiveIntegerField("逾期未走访", default=0)
    weakness_types = models.JSONField("监护能力薄弱类型", default=dict, blank=True)

    class Meta:
        ordering = ["cycle", "village_id"]
        verbose_name = "季度摸排快照"
        verbose_name_plural = "季度摸排快照"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "village"], name="snapshot_once")
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.village_id}"
