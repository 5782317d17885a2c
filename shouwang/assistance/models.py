from django.conf import settings
from django.db import models

from shouwang.core.models import BaseModel
from shouwang.registry.vocab import Sex

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


# ---- aid programmes (programmes: 福彩圆梦、寒冬送温暖 …) -------------------------------


class AidForm(models.TextChoices):
    CASH = "现金", "现金（元/人）"
    IN_KIND = "实物", "实物"


class BeneficiaryStatus(models.TextChoices):
    CHOSEN = "待审批", "待审批"
    APPROVED = "已审批", "已审批"
    REJECTED = "未通过", "未通过"
    DELIVERED = "已发放", "已发放"


class AidProgramme(BaseModel):
    """A one-off aid programme of a county or an area above it: a period, an amount per
    person (or an item in kind, valued or not), eligibility notes and a budget."""

    name = models.CharField("项目名称", max_length=100)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="实施区划（县级及以上）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    form = models.CharField("救助方式", max_length=2, choices=AidForm.choices)
    amount = models.DecimalField(
        "每人金额（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    item = models.CharField("实物（如棉衣）", max_length=50, blank=True)
    eligibility_notes = models.TextField("救助条件", max_length=1000, blank=True)
    budget = models.DecimalField("预算（元）", max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "救助项目"
        verbose_name_plural = "救助项目"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__gt=0), name="aid_programme_budget_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="aid_programme_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="aid_programme_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts_on:%Y-%m-%d} 至 {self.ends_on:%Y-%m-%d}）"


class AidBeneficiary(BaseModel):
    """A ledger child chosen for a programme: chosen by one person, approved (or not)
    by another, then recorded as paid or delivered on a date. The ledger facts that
    made the choice are kept as they stood (`facts`)."""

    programme = models.ForeignKey(
        AidProgramme,
        verbose_name="救助项目",
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey(
        "areas.Area",
        verbose_name="户籍地村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(
        "金额（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    facts = models.JSONField("选定时的台账信息", default=dict, blank=True)
    reason = models.CharField("选定理由", max_length=200, blank=True)
    status = models.CharField(
        "状态",
        max_length=3,
        choices=BeneficiaryStatus.choices,
        default=BeneficiaryStatus.CHOSEN,
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="选定人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    delivered_on = models.DateField("发放日期", null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发放登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delivery_note = models.CharField("发放说明", max_length=200, blank=True)

    class Meta:
        ordering = ["programme_id", "village_id", "id"]
        verbose_name = "救助项目受助对象"
        verbose_name_plural = "救助项目受助对象"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "child"], name="aid_beneficiary_once"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="aid_beneficiary_amount_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "village"], name="aid_beneficiary_area"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.child_id} {self.status}"


# ---- foundlings (foundlings: 弃婴) ------------------------------------------------


class FoundlingOutcome(models.TextChoices):
    PARENTS_FOUND = "寻回父母", "寻回父母"
    ADOPTED = "被收养", "被收养"
    RAISED = "机构养育", "由福利机构养育"


class Foundling(BaseModel):
    """An abandoned infant found in a county (弃婴): the police's 捡拾证明, the 60-day
    public notice seeking the parents, admission to a welfare institution, and the
    outcome. County civil-affairs work (selectors_foundlings)."""

    county = models.ForeignKey(
        "areas.Area",
        verbose_name="登记县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("暂用名", max_length=30, blank=True)
    found_on = models.DateField("捡拾日期")
    found_place = models.CharField("捡拾地点", max_length=200)
    certificate_number = models.CharField("公安捡拾证明编号", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    estimated_birth_date = models.DateField("估计出生日期")
    health = models.CharField("健康状况", max_length=200)
    notice_starts_on = models.DateField("寻亲公告开始日期", null=True, blank=True)
    notice_ends_on = models.DateField("寻亲公告截止日期", null=True, blank=True)
    notice_medium = models.CharField("公告刊登媒体", max_length=100, blank=True)
    institution = models.CharField("收留福利机构", max_length=100, blank=True)
    admitted_on = models.DateField("入院日期", null=True, blank=True)
    outcome = models.CharField(
        "结果", max_length=4, choices=FoundlingOutcome.choices, blank=True
    )
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    outcome_note = models.CharField("结果说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = "弃婴"
        verbose_name_plural = "弃婴"
        constraints = [
            models.UniqueConstraint(
                fields=["county", "certificate_number"],
                name="foundling_certificate_once",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "found_on"], name="foundling_county_found"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.found_on:%Y-%m-%d} {self.certificate_number}"


# ---- beneficiaries and monthly payments (beneficiaries, payments) -------------------


def agreement_storage():
    """Scanned 养育协议 beside visit attachments (private, no public address)."""
    from shouwang.visits.models import attachment_storage

    return attachment_storage()


def agreement_path(application: "AllowanceApplication", filename: str) -> str:
    from shouwang.visits.models import attachment_path

    return "allowance/" + attachment_path(None, filename)


class AccountType(models.TextChoices):
    BANK_CARD = "银行卡", "银行卡"
    SOCIAL_SECURITY_CARD = "社保卡", "社保卡"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "待乡镇审核", "待乡镇审核"
    REVIEWED = "待县级审批", "待县级审批"
    RETURNED = "已退回", "已退回"
    APPROVED = "保障中", "保障中"
    STOPPED = "已停保", "已停保"


class ApplicationSource(models.TextChoices):
    APPLIED = "申请", "乡镇申请"
    IMPORTED = "导入", "导入现有名单"


class AllowanceApplication(BaseModel):
    """A child's application for the monthly basic living allowance and, once approved,
    their place on the beneficiary list: the payment account, the 养育协议, who
    prepared, reviewed and approved it, the first month paid and, when stopped, the
    first month no longer paid."""

    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="allowance_applications",
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name="所在村", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=10, choices=AllowanceKind.choices)
    status = models.CharField(
        "状态", max_length=6, choices=ApplicationStatus.choices, db_index=True
    )
    source = models.CharField(
        "来源",
        max_length=2,
        choices=ApplicationSource.choices,
        default=ApplicationSource.APPLIED,
    )
    guardian_name = models.CharField("监护人（领取人）", max_length=50)
    guardian_relation = models.CharField("与儿童关系", max_length=20, blank=True)
    account_type = models.CharField(
        "账户类型", max_length=3, choices=AccountType.choices
    )
    account_number = models.CharField("账号", max_length=19)
    bank_name = models.CharField("开户行", max_length=60)
    agreement_signed_on = models.DateField("养育协议签订日期", null=True, blank=True)
    agreement_scan = models.FileField(
        "养育协议扫描件",
        storage=agreement_storage,
        upload_to=agreement_path,
        max_length=200,
        blank=True,
    )
    agreement_scan_name = models.CharField("扫描件原文件名", max_length=200, blank=True)
    agreement_scan_type = models.CharField("扫描件类型", max_length=50, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="乡镇审核人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField("乡镇审核时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="县级审批人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    start_month = models.DateField("开始发放月份", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    stop_reason = models.CharField("停保原因", max_length=500, blank=True)
    stop_month = models.DateField("停发月份（起）", null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="停保人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["village_id", "id"]
        verbose_name = "基本生活保障申请"
        verbose_name_plural = "基本生活保障申请"
        constraints = [
            # One open application or beneficiary per child; a stopped or
            # returned one stays as history.
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status__in=["待乡镇审核", "待县级审批", "保障中"]),
                name="allowance_application_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["village", "status"], name="allowance_app_village"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.status}"


class BatchStatus(models.TextChoices):
    GENERATED = "待审批", "待审批"
    APPROVED = "已审批", "已审批"


class ChangeKind(models.TextChoices):
    ADDED = "增员", "增员"
    REMOVED = "减员", "减员"
    ADJUSTED = "标准调整", "标准调整"
    CARRIED = "补发", "补发（上月发放失败）"


class PaymentResult(models.TextChoices):
    PAID = "成功", "成功"
    FAILED = "失败", "失败"


class PaymentBatch(BaseModel):
    """A county's allowance payments for one month: generated by one person, approved
    by another; once approved its lines are a frozen snapshot."""

    county = models.ForeignKey(
        "areas.Area",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField("发放月份")
    status = models.CharField("状态", max_length=3, choices=BatchStatus.choices)
    count = models.PositiveIntegerField("人数", default=0)
    total = models.DecimalField("金额合计（元）", max_digits=14, decimal_places=2)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    results_imported_at = models.DateTimeField(
        "银行回盘导入时间", null=True, blank=True
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["county_id", "-month"]
        verbose_name = "基本生活保障发放批次"
        verbose_name_plural = "基本生活保障发放批次"
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month"], name="payment_batch_once_a_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.month:%Y-%m} {self.status}"


class PaymentLine(BaseModel):
    """One person's payment in a batch, as it was when the batch was generated: who,
    which account, how much (the month's standard plus any failed payment carried)."""

    batch = models.ForeignKey(
        PaymentBatch,
        verbose_name="批次",
        on_delete=models.PROTECT,
        related_name="lines",
    )
    application = models.ForeignKey(
        AllowanceApplication,
        verbose_name="保障对象",
        on_delete=models.PROTECT,
        related_name="+",
    )
    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="+",
    )
    village_code = models.CharField("所在村代码", max_length=12)
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("公民身份号码", max_length=18)
    kind = models.CharField("类别", max_length=10, choices=AllowanceKind.choices)
    account_type = models.CharField("账户类型", max_length=3)
    account_number = models.CharField("账号", max_length=19)
    bank_name = models.CharField("开户行", max_length=60)
    standard_amount = models.DecimalField("标准（元）", max_digits=8, decimal_places=2)
    carried_amount = models.DecimalField(
        "补发（元）", max_digits=10, decimal_places=2, default=0
    )
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    standard = models.ForeignKey(
        AllowanceStandard,
        verbose_name="适用标准",
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(
        "发放结果", max_length=2, choices=PaymentResult.choices, blank=True
    )
    result_note = models.CharField("银行说明", max_length=200, blank=True)

    class Meta:
        ordering = ["batch_id", "village_code", "id"]
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "child"], name="payment_line_once_a_batch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.name} {self.amount}"


class PaymentChange(BaseModel):
    """A difference between a batch and the month before (增员, 减员, 标准调整, 补发),
    with its reason."""

    batch = models.ForeignKey(
        PaymentBatch,
        verbose_name="批次",
        on_delete=models.PROTECT,
        related_name="changes",
    )
    child = models.ForeignKey(
        "registry.Child",
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("变化", max_length=4, choices=ChangeKind.choices)
    amount_before = models.DecimalField(
        "上月金额", max_digits=10, decimal_places=2, null=True
    )
    amount_after = models.DecimalField(
        "本月金额", max_digits=10, decimal_places=2, null=True
    )
    reason = models.CharField("原因", max_length=500)

    class Meta:
        ordering = ["batch_id", "kind", "id"]
        verbose_name = "发放变化"
        verbose_name_plural = "发放变化"

    def __str__(self) -> str:
        return f"{self.batch_id} {self.name} {self.kind}"
