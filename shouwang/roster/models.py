"""Roster imports made through the web: the uploaded file, its check, its commit."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone

from shouwang.core.jobs import WorkedJob
from shouwang.core.models import BaseModel
from shouwang.core.storage import PrivateStorage

KNOWN_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv", ".txt")


_STORAGE = PrivateStorage(
    "ROSTER_UPLOAD_DIR", "花名册文件没有公开地址：请通过导入记录页面下载。"
)


def roster_storage() -> PrivateStorage:
    """Uploaded rosters and error reports under settings.ROSTER_UPLOAD_DIR."""
    return _STORAGE


def _stored_name(suffix: str) -> str:
    """A name of our own (never the uploader's): the month, a random id, the suffix."""
    suffix = suffix.lower() if suffix.lower() in KNOWN_SUFFIXES else ""
    return f"{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def upload_path(job: "ImportJob", filename: str) -> str:
    return "files/" + _stored_name(PurePath(filename).suffix)


def report_path(job: "ImportJob", filename: str) -> str:
    return "reports/" + _stored_name(".xlsx")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "排队等待检查"
    CHECKING = "checking", "正在检查"
    CHECKED = "checked", "已检查，待导入"
    UNUSABLE = "unusable", "文件无法使用"
    COMMITTING = "committing", "正在导入"
    COMMITTED = "committed", "已导入"
    REJECTED = "rejected", "未导入（有错误）"
    FAILED = "failed", "处理出错"


class ImportStage(models.TextChoices):
    QUEUED = "queued", "排队等待后台处理"
    READING = "reading", "读取并检查"
    WRITING = "writing", "写入儿童信息库"
    DONE = "done", "完成"


ACTIVE_STATUSES = (
    ImportStatus.UPLOADED,
    ImportStatus.CHECKING,
    ImportStatus.COMMITTING,
)


class ImportJob(BaseModel, WorkedJob):
    """One roster file uploaded through the web, from its check to its commit.

    The file stays on disk (ROSTER_UPLOAD_DIR) as uploaded; the job is never deleted,
    so the import history shows who imported what, when, and with what result.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="上传人管辖区划",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="上传时上传人的管辖区划；导入记录按它确定谁能看到。",
    )
    file = models.FileField("上传的文件", storage=roster_storage, upload_to=upload_path)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("文件大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    partial = models.BooleanField("只导入无误的行", default=False)
    status = models.CharField(
        "状态",
        max_length=12,
        choices=ImportStatus.choices,
        default=ImportStatus.UPLOADED,
    )
    stage = models.CharField(
        "进度阶段",
        max_length=10,
        choices=ImportStage.choices,
        default=ImportStage.QUEUED,
    )
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("共计", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    counts = models.JSONField("各类行数", default=dict, blank=True)
    errors = models.JSONField("错误（前若干条）", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误条数", default=0)
    notes = models.JSONField("提示", default=list, blank=True)
    samples = models.JSONField("变化示例", default=dict, blank=True)
    message = models.TextField("结果说明", blank=True)
    error_report = models.FileField(
        "错误报告", storage=roster_storage, upload_to=report_path, blank=True
    )
    task_id = models.CharField("后台任务编号", max_length=64, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField("开始处理", null=True, blank=True)
    checked_at = models.DateTimeField("检查完成", null=True, blank=True)
    finished_at = models.DateTimeField("处理结束", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"
        indexes = [
            models.Index(fields=["area", "created_at"], name="roster_job_area_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}（{self.get_status_display()}）"

    @property
    def active(self) -> bool:
        """True while a task is waiting or working on the job."""
        return self.status in ACTIVE_STATUSES

    @property
    def importable_rows(self) -> int:
        return int(self.counts.get("new", 0)) + int(self.counts.get("changed", 0))

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
