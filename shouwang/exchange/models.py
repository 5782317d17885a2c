"""Department lists, the alerts and measures their matches produce, and the tokens
other systems send lists with."""

from django.conf import settings
from django.db import models

from shouwang.accounts.models import Unit
from shouwang.core.models import BaseModel

from . import changes
from .vocab import AlertState, ListKind, Person


class DepartmentList(BaseModel):
    """One list a member unit sent (uploaded, or through the API): its kind, area,
    source, date and sender; the file itself is kept (`stored_name`)."""

    kind = models.CharField("名单类型", max_length=20, choices=ListKind.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="名单地区",
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.CharField("来源单位", max_length=30, choices=Unit.choices, blank=True)
    source = models.CharField("来源", max_length=100)
    listed_on = models.DateField("名单日期")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    token = models.ForeignKey(
        "exchange.ApiToken",
        verbose_name="接口令牌",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lists",
    )
    original_name = models.CharField("文件名", max_length=255)
    stored_name = models.CharField("存储文件", max_length=255, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64)
    row_count = models.PositiveIntegerField("行数", default=0)
    matched = models.PositiveIntegerField("比对命中", default=0)
    alert_count = models.PositiveIntegerField("比对提示", default=0)
    measure_count = models.PositiveIntegerField("帮扶措施", default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "部门名单"
        verbose_name_plural = "部门名单"
        indexes = [
            models.Index(fields=["area", "kind", "sha256"], name="exlist_same_file"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}名单（{self.listed_on}）"


class Alert(BaseModel):
    """A match that would change a fact of a child's record (比对提示): what the list
    says, the change it proposes and what would follow by the policy. Nothing changes
    until the responsible director accepts it."""

    department_list = models.ForeignKey(
        DepartmentList,
        verbose_name="名单",
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    row_number = models.PositiveIntegerField("名单行号")
    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="exchange_alerts",
    )
    village = models.ForeignKey(
        "areas.Area",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.CharField("比对对象", max_length=10, choices=Person.choices)
    person_name = models.CharField("姓名", max_length=30, blank=True)
    field = models.CharField("信息项", max_length=30)
    current = models.CharField("现记录", max_length=200, blank=True)
    proposed = models.CharField("名单所示", max_length=200, blank=True)
    # The day the list gives for the fact (a death, a move), where it gives one: an
    # accepted exit is dated then, not on the day it was verified.
    event_on = models.DateField("名单所示日期", null=True, blank=True)
    says = models.CharField("名单内容", max_length=300)
    consequence = models.CharField("可能的影响", max_length=500, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=AlertState.choices, default=AlertState.OPEN
    )
    due_on = models.DateField("核实期限")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField("核实时间", null=True, blank=True)
    reason = models.CharField("不采纳原因", max_length=500, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "比对提示"
        verbose_name_plural = "比对提示"
        constraints = [
            # One open alert per child and proposed change, however often a list
            # saying it is sent.
            models.UniqueConstraint(
                fields=["child", "field", "proposed"],
                condition=models.Q(state="open"),
                name="alert_one_open_per_change",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "village", "due_on"], name="alert_worklist"),
        ]

    def __str__(self) -> str:
        return self.says

    @property
    def field_label(self) -> str:
        return changes.FIELD_LABELS.get(self.field, self.field)

    @property
    def proposed_label(self) -> str:
        return changes.proposed_label(self.field, self.proposed)


class Measure(BaseModel):
    """A service a department's list records for a child or household (危房改造,
    健康档案, 预防接种, 户口登记, 纳入帮扶): counted by the bulletin, never a fact."""

    kind = models.CharField("措施类型", max_length=20, choices=ListKind.choices)
    department_list = models.ForeignKey(
        DepartmentList,
        verbose_name="名单",
        on_delete=models.PROTECT,
        related_name="measures",
    )
    unit = models.CharField("实施单位", max_length=30, choices=Unit.choices, blank=True)
    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_measures",
    )
    household = models.CharField("户主公民身份号码", max_length=18, blank=True)
    village = models.ForeignKey(
        "areas.Area",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    on = models.DateField("日期")
    # What makes it the same measure when another list says it again: the child (or
    # household) and the date or year.
    key = models.CharField("去重键", max_length=60)

    class Meta:
        ordering = ["-on", "id"]
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="measure_once"),
        ]
        indexes = [
            models.Index(fields=["kind", "village", "on"], name="measure_kind_village"),
        ]


class ApiToken(BaseModel):
    """A member unit's system's key to the exchange API: scoped to kinds and an area,
    with an expiry; only its SHA-256 digest is kept (the key is shown once)."""

    name = models.CharField("系统名称", max_length=100)
    unit = models.CharField("成员单位", max_length=30, choices=Unit.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="适用地区",
        on_delete=models.PROTECT,
        related_name="+",
    )
    kinds = models.JSONField("可报送的名单类型", default=list)
    digest = models.CharField("令牌摘要", max_length=64, unique=True)
    prefix = models.CharField("令牌前缀", max_length=12)
    expires_at = models.DateTimeField("有效期至")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="吊销人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


class AlertPolicy(BaseModel):
    """A county's deadline for handling an alert, in days (EXCHANGE_ALERT_DAYS when
    none is set); an alert not handled by then goes to the township supervisor."""

    county = models.OneToOneField(
        "areas.Area",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    days = models.PositiveSmallIntegerField("核实时限（天）")

    class Meta:
        ordering = ["county_id"]
        verbose_name = "比对提示核实时限"
        verbose_name_plural = "比对提示核实时限"
