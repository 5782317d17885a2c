from django.contrib.auth.models import AbstractUser
from django.db import models

from shouwang.core.models import BaseModel


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    CIVIL_AFFAIRS = "civil_affairs", "民政干部"
    SUPERVISOR = "supervisor", "儿童督导员"
    DIRECTOR = "director", "儿童主任"
    DEPARTMENT = "department", "成员单位"
    LEADER = "leader", "领导"


class Unit(models.TextChoices):
    EDUCATION = "education", "教育"
    POLICE = "police", "公安"
    COURT = "court", "法院"
    PROCURATORATE = "procuratorate", "检察院"
    HEALTH = "health", "卫健"
    HOUSING = "housing", "住建"
    RURAL_REVITALIZATION = "rural_revitalization", "乡村振兴"
    WOMENS_FEDERATION = "womens_federation", "妇联"
    YOUTH_LEAGUE = "youth_league", "团委"
    DISABLED_FEDERATION = "disabled_federation", "残联"
    JUSTICE = "justice", "司法"


class User(AbstractUser, BaseModel):
    """A worker: a role, a jurisdiction area and, for department staff, a member unit."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="管辖区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    unit = models.CharField("成员单位", max_length=30, choices=Unit.choices, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = "账号"
        verbose_name_plural = "账号"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="department") | ~models.Q(unit=""),
                name="user_department_has_unit",
                violation_error_message="成员单位账号必须指定所属单位。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}（{self.get_role_display()}）"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username
