"""Stored figures and bulletins.

FigureSnapshot: the stock figures of one area at the end of one day, for every area
of the tree (villages and each level above, as sums), so that a past date or a large
area is read, not recomputed. BulletinTemplate: a Word template a county or city
uploaded for its bulletin. Bulletin: one generated bulletin (who, when, area, period,
template) and its file; never deleted."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from shouwang.core.jobs import WorkedJob
from shouwang.core.models import BaseModel
from shouwang.core.storage import PrivateStorage

_STORAGE = PrivateStorage("REPORTS_DIR", "文件没有公开地址：请通过页面下载。")


def report_storage() -> PrivateStorage:
    """Generated bulletins and uploaded templates under settings.REPORTS_DIR."""
    return _STORAGE


def _path(folder: str) -> str:
    return f"{folder}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.docx"


def template_path(instance, filename: str) -> str:
    return _path("templates")


def bulletin_path(instance, filename: str) -> str:
    return _path("bulletins")


class FigureSnapshot(models.Model):
    """The stock figures of an area at the end of a day ({key: number}, zeros left
    out), and when they were computed."""

    day = models.DateField("日期")
    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    values = models.JSONField("数字", default=dict)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)

    class Meta:
        ordering = ["area_id", "day"]
        verbose_name = "每日统计快照"
        verbose_name_plural = "每日统计快照"
        constraints = [
            models.UniqueConstraint(fields=["area", "day"], name="snapshot_area_day")
        ]
        indexes = [models.Index(fields=["day", "area"], name="snapshot_day_area")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.day:%Y-%m-%d}"


class PeriodFigures(models.Model):
    """The flow figures of an area within a period ({key: number}), kept so that a
    page asked again reads them: valid while no record dated in the period has been
    entered since (and, for a period running to today, for a few minutes)."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    values = models.JSONField("数字", default=dict)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)

    class Meta:
        ordering = ["area_id", "start", "end"]
        verbose_name = "期间统计"
        verbose_name_plural = "期间统计"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "start", "end"], name="period_figures_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


class BulletinTemplate(BaseModel):
    """A county's or city's own wording of the bulletin (a .docx with placeholders);
    the newest active one of the area is used. Retired, never deleted."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("模板名称", max_length=100)
    file = models.FileField("模板文件", storage=report_storage, upload_to=template_path)
    original_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["area_id", "-created_at"]
        verbose_name = "通报模板"
        verbose_name_plural = "通报模板"

    def __str__(self) -> str:
        return f"{self.area_id} {self.name}"


class BulletinStatus(models.TextChoices):
    QUEUED = "queued", "排队等待生成"
    RUNNING = "running", "正在生成"
    DONE = "done", "已生成"
    FAILED = "failed", "生成出错"


class Bulletin(BaseModel, WorkedJob):
    """One generated bulletin: area, period, reference date, template, the figures it
    was filled with, and the .docx (REPORTS_DIR)."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    reference_date = models.DateField("对比基准日")
    template = models.ForeignKey(
        BulletinTemplate,
        verbose_name="模板",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    template_name = models.CharField("模板名称", max_length=100)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        "状态",
        max_length=10,
        choices=BulletinStatus.choices,
        default=BulletinStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前步骤", max_length=100, blank=True)
    error = models.CharField("出错原因", max_length=500, blank=True)
    figures = models.JSONField("所用数字", default=dict, blank=True)
    file = models.FileField(
        "通报文件", storage=report_storage, upload_to=bulletin_path, blank=True
    )
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "工作情况通报"
        verbose_name_plural = "工作情况通报"
        indexes = [models.Index(fields=["area", "created_at"], name="bulletin_area")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.start}–{self.end}"
