from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils import timezone

from shouwang.core.models import BaseModel

from .vocab import (
    DisabilityCategory,
    DisabilityGrade,
    Ethnicity,
    ExitReason,
    GuardianCapacity,
    GuardianRelation,
    Health,
    HukouNature,
    ParentStatus,
    RiskLevel,
    Schooling,
    Sex,
    WeaknessType,
)

ID_NUMBER_LENGTH = 18

FLAG_COLUMNS = [
    "is_orphan",
    "is_de_facto_unsupported",
    "is_left_behind",
    "is_in_difficulty",
    "difficulty_living",
    "difficulty_self",
    "difficulty_guardianship",
]


class ChildStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    EXITED = "exited", "已退出"
    MERGED = "merged", "已合并"


class Child(BaseModel):
    """A child in the ledger: the facts of the roster template and their classification.

    The classification columns (is_*, difficulty_*, weakness_type, risk_level, …) are
    computed by registry.policy on every write and by the daily reclassification, so
    that counts and filters are plain indexed queries.
    """

    # Who the child is.
    name = models.CharField("姓名", max_length=30)
    name_pinyin = models.CharField("姓名拼音", max_length=200, editable=False)
    name_initials = models.CharField("拼音首字母", max_length=30, editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(
        "民族", max_length=10, choices=Ethnicity.choices, default="汉族"
    )
    birth_date = models.DateField("出生日期")
    id_number = models.CharField(
        "公民身份号码", max_length=18, null=True, blank=True, unique=True
    )
    # The last four characters of the ID number (what a masked number shows), kept by
    # the database: a search by the last digits is then an indexed equality rather
    # than a scan of every number (NULL for a child without one).
    id_last4 = models.GeneratedField(
        verbose_name="身份号码后四位",
        expression=Substr("id_number", ID_NUMBER_LENGTH - 3, 4),
        output_field=models.CharField(max_length=4, null=True),
        db_persist=True,
    )
    hukou_registered = models.BooleanField("户口已登记", default=True)
    hukou_nature = models.CharField(
        "户籍性质", max_length=2, choices=HukouNature.choices, default=HukouNature.RURAL
    )
    village = models.ForeignKey(
        "areas.Area",
        verbose_name="户籍地村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField("现居住地址", max_length=200, blank=True)
    health = models.CharField(
        "健康状况", max_length=2, choices=Health.choices, default=Health.HEALTHY
    )
    disability_category = models.CharField(
        "残疾类别", max_length=2, choices=DisabilityCategory.choices, blank=True
    )
    disability_grade = models.CharField(
        "残疾等级", max_length=2, choices=DisabilityGrade.choices, blank=True
    )
    serious_illness = models.BooleanField("是否重病", default=False)
    schooling = models.CharField(
        "就学状况", max_length=5, choices=Schooling.choices, blank=True
    )
    school = models.CharField("学校名称", max_length=100, blank=True)
    boarding = models.BooleanField("是否寄宿", null=True, blank=True)

    # Parents.
    father_name = models.CharField("父亲姓名", max_length=30, blank=True)
    father_id_number = models.CharField("父亲公民身份号码", max_length=18, blank=True)
    father_status = models.CharField(
        "父亲状况", max_length=12, choices=ParentStatus.choices
    )
    father_work_place = models.CharField("父亲务工地", max_length=100, blank=True)
    father_phone = models.CharField("父亲联系电话", max_length=20, blank=True)
    mother_name = models.CharField("母亲姓名", max_length=30, blank=True)
    mother_id_number = models.CharField("母亲公民身份号码", max_length=18, blank=True)
    mother_status = models.CharField(
        "母亲状况", max_length=12, choices=ParentStatus.choices
    )
    mother_work_place = models.CharField("母亲务工地", max_length=100, blank=True)
    mother_phone = models.CharField("母亲联系电话", max_length=20, blank=True)

    # Actual guardian and family.
    guardian_name = models.CharField("实际监护人姓名", max_length=30, blank=True)
    guardian_relation = models.CharField(
        "监护人与儿童关系", max_length=5, choices=GuardianRelation.choices, blank=True
    )
    guardian_id_number = models.CharField(
        "监护人公民身份号码", max_length=18, blank=True
    )
    guardian_phone = models.CharField("监护人联系电话", max_length=20, blank=True)
    guardian_capacity = models.CharField(
        "监护能力评估",
        max_length=2,
        choices=GuardianCapacity.choices,
        default=GuardianCapacity.FAIR,
    )
    family_assistance = models.JSONField("家庭救助帮扶情况", default=list, blank=True)
    confirmation_signed = models.BooleanField("已签订委托监护责任确认书", default=False)
    confirmation_date = models.DateField("确认书签订日期", null=True, blank=True)
    lives_alone = models.BooleanField("独居", default=False)
    # Kept by protection's services from the child's open cases (domain rules 4 and 6).
    open_mandatory_report = models.BooleanField("有未结的强制报告案件", default=False)
    open_abuse_case = models.BooleanField("有未结的虐待遗弃案件", default=False)
    notes = models.CharField("备注", max_length=500, blank=True)

    # Care and status.
    responsible_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任儿童主任",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    liaison_cadre_name = models.CharField("包联干部", max_length=30, blank=True)
    liaison_cadre_phone = models.CharField("包联干部电话", max_length=20, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ChildStatus.choices, default=ChildStatus.ACTIVE
    )
    exit_reason = models.CharField(
        "退出原因", max_length=12, choices=ExitReason.choices, blank=True
    )
    exit_date = models.DateField("退出日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="合并到", on_delete=models.PROTECT, null=True, blank=True
    )
    version = models.PositiveIntegerField("版本", default=1)

    # Classification (registry.policy), stored for counts and filters.
    is_orphan = models.BooleanField("孤儿", default=False)
    is_de_facto_unsupported = models.BooleanField("事实无人抚养儿童", default=False)
    is_left_behind = models.BooleanField("农村留守儿童", default=False)
    is_in_difficulty = models.BooleanField("困境儿童", default=False)
    difficulty_living = models.BooleanField("生活困境", default=False)
    difficulty_self = models.BooleanField("自身困境", default=False)
    difficulty_guardianship = models.BooleanField("监护困境", default=False)
    weakness_type = models.CharField(
        "监护能力薄弱类型", max_length=5, choices=WeaknessType.choices, blank=True
    )
    risk_level = models.CharField(
        "风险等级", max_length=1, choices=RiskLevel.choices, blank=True
    )
    visit_interval_days = models.PositiveSmallIntegerField(
        "走访间隔（天）", null=True, blank=True
    )
    # An orphan of 18 or more kept as one while 就学状况 says full-time school
    # (policy.INTERPRET_ORPHAN_AFTER_18): derived, never ticked by hand.
    in_school_after_18 = models.BooleanField("年满18周岁仍在校", default=False)
    classification_reasons = models.JSONField("认定依据", default=list, blank=True)
    classified_on = models.DateField("认定日期", null=True, blank=True)

    # Visit schedule (visits app), derived: the latest visit, its follow-up date, and
    # the date the next visit is due (policy.next_visit_due).
    last_visit_date = models.DateField("最近走访日期", null=True, blank=True)
    visit_followup_due = models.DateField("跟进期限", null=True, blank=True)
    next_visit_due = models.DateField("下次走访日期", null=True, blank=True)

    class Meta:
        ordering = ["village_id", "name_pinyin", "id"]
        verbose_name = "儿童"
        verbose_name_plural = "儿童"
        # Jurisdiction is a range on village_id; the category flags ride along in the
        # index (PostgreSQL INCLUDE) so that counts need not read the table; pinyin
        # prefix search needs pattern ops under a non-C collation.
        indexes = [
            models.Index(
                fields=["status", "village"],
                name="child_status_village",
                include=FLAG_COLUMNS,
            ),
            models.Index(
                fields=["status", "risk_level", "village"],
                name="child_status_risk",
                include=FLAG_COLUMNS,
            ),
            models.Index(fields=["name_pinyin", "id"], name="child_pinyin"),
            models.Index(
                fields=["name_pinyin"],
                name="child_pinyin_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials"],
                name="child_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["status", "village", "next_visit_due"],
                name="child_status_due",
            ),
            # The worklist's own order, for a county or city reading its first page
            # of due children without sorting tens of thousands (bench/visits.py).
            models.Index(
                fields=["next_visit_due", "village", "name_pinyin", "id"],
                name="child_active_due_order",
                condition=models.Q(status="active"),
            ),
            models.Index(fields=["name"], name="child_name"),
            models.Index(fields=["birth_date"], name="child_birth"),
            models.Index(fields=["id_last4", "village"], name="child_id_last4"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.village_id}）"

    @property
    def categories(self) -> list[str]:
        """The categories the child belongs to, in the template's order."""
        flags = (
            (self.is_orphan, "孤儿"),
            (self.is_de_facto_unsupported, "事实无人抚养儿童"),
            (self.is_left_behind, "农村留守儿童"),
            (self.is_in_difficulty, "困境儿童"),
        )
        return [label for flag, label in flags if flag]

    @property
    def difficulty_kinds(self) -> list[str]:
        flags = (
            (self.difficulty_living, "生活困境"),
            (self.difficulty_self, "自身困境"),
            (self.difficulty_guardianship, "监护困境"),
        )
        return [label for flag, label in flags if flag]


class ChangeAction(models.TextChoices):
    CREATE = "create", "登记"
    UPDATE = "update", "修改"
    EXIT = "exit", "退出"
    READMIT = "readmit", "重新纳入"
    MERGE = "merge", "合并"
    IMPORT = "import", "导入"
    RECLASSIFY = "reclassify", "重新认定"


class ChildChange(models.Model):
    """One change to a child's record: who, when, which fields (before → after).

    `snapshot` holds the record's facts as they stood after the change, so the record
    on any past date is the snapshot of the last change made on or before it.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="changes")
    version = models.PositiveIntegerField("版本")
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=12, choices=ChangeAction.choices)
    changes = models.JSONField("变更", default=dict)
    snapshot = models.JSONField("变更后记录", default=dict)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "儿童信息变更"
        verbose_name_plural = "儿童信息变更"
        indexes = [
            models.Index(fields=["child", "at"], name="childchange_child_at"),
            # What changed since a moment: statistics rebuild a past day from it.
            models.Index(fields=["at"], name="childchange_at"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} v{self.version} {self.get_action_display()}"


class DuplicateDecision(BaseModel):
    """A worker's decision that two records without ID numbers are different children."""

    first = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second"], name="duplicate_decision_pair"
            )
        ]


class VisitPolicy(BaseModel):
    """A county's visit intervals per risk level (days); without one, the defaults of
    policy.DEFAULT_INTERVALS apply. Read by the classification, which sets each child's
    interval and next due date."""

    county = models.OneToOneField(
        "areas.Area",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
    )
    high_days = models.PositiveSmallIntegerField("风险高（天）")
    medium_days = models.PositiveSmallIntegerField("风险中（天）")
    low_days = models.PositiveSmallIntegerField("风险低（天）")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设置人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["county_id"]
        verbose_name = "走访间隔设置"
        verbose_name_plural = "走访间隔设置"

    def __str__(self) -> str:
        return f"{self.county_id} {self.high_days}/{self.medium_days}/{self.low_days}"

    @property
    def intervals(self) -> dict[str, int]:
        return {"高": self.high_days, "中": self.medium_days, "低": self.low_days}


class AgingOutReason(models.TextChoices):
    AGE_16 = "16", "年满16周岁（农村留守儿童身份终止）"
    AGE_18 = "18", "年满18周岁"


class ExitReviewResolution(models.TextChoices):
    EXITED = "exited", "已退出"
    KEPT = "kept", "保留在册"


class ExitReview(BaseModel):
    """A child put on the exit worklist because they turned 16 or 18 on `due_on`;
    a worker resolves it by exiting the child or keeping them (with a note)."""

    child = models.ForeignKey(
        Child,
        verbose_name="儿童",
        on_delete=models.PROTECT,
        related_name="exit_reviews",
    )
    reason = models.CharField("原因", max_length=2, choices=AgingOutReason.choices)
    due_on = models.DateField("年满16或18周岁之日")
    resolution = models.CharField(
        "处理结果", max_length=10, choices=ExitReviewResolution.choices, blank=True
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "待复核退出"
        verbose_name_plural = "待复核退出"
        constraints = [
            models.UniqueConstraint(fields=["child", "reason"], name="exit_review_once")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.get_reason_display()}"
