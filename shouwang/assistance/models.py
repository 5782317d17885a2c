from django.conf import settings
from django.db import models

from shouwang.core.models import BaseModel

from .vocab import AllowanceKind


class AllowanceStandard(BaseModel):
    """A basic living allowance standard: per person per month, for one kind, set by a
    province, city or county and in force from `effective_from` until a later row of the
    same area and kind. Raising a standard adds a row; none is changed or deleted, so
    the rows are the history (selectors.standard_history)."""

    area = models.ForeignKey(
        "areas.Area",
        verbose_name="区划（省、市、县）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("类别", max_length=10, choices=AllowanceKind.choices)
    amount = models.DecimalField("标准（元/人·月）", max_digits=8, decimal_places=2)
    effective_from = models.DateField("执行日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设置人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["area_id", "kind", "effective_from", "id"]
        verbose_name = "基本生活保障标准"
        verbose_name_plural = "基本生活保障标准"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "kind", "effective_from"],
                name="allowance_standard_once_a_day",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="allowance_standard_positive"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.area_id} {self.kind} {self.amount} 元/人·月"
            f"（{self.effective_from:%Y-%m-%d} 起）"
        )
