from django.db import models

from shouwang.core.models import BaseModel

from . import codes


class AreaLevel(models.TextChoices):
    PROVINCE = codes.Level.PROVINCE, "省"
    CITY = codes.Level.CITY, "市"
    COUNTY = codes.Level.COUNTY, "县"
    TOWNSHIP = codes.Level.TOWNSHIP, "乡镇"
    VILLAGE = codes.Level.VILLAGE, "村（社区）"


class Area(BaseModel):
    """An administrative area, keyed by its 12-digit statistical code."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        indexes = [models.Index(fields=["level", "code"], name="area_level_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        """What every code inside this area starts with."""
        return codes.prefix_of(self.code)
