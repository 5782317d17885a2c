"""Schemas of the child-registry API: what it returns and what it reads."""

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from shouwang.core.idnumber import mask_id_number

from ..models import Child, ChildStatus
from ..selectors import (
    AGE_BANDS,
    CATEGORY_FILTERS,
    DIFFICULTY_FILTERS,
    PAGE_SIZE,
    SORTS,
    age_of,
)
from ..vocab import (
    Assistance,
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

VIEW_DENIED = "您没有查看儿童信息的权限。"
EDIT_DENIED = "您没有登记或修改儿童信息的权限。"
REVEAL_DENIED = "您没有查看完整身份号码的权限。"
ID_FIELDS = ("id_number", "father_id_number", "mother_id_number", "guardian_id_number")
LABELS = {field.name: str(field.verbose_name) for field in Child._meta.concrete_fields}
LABELS |= {"version": "版本", "reason": "退出原因", "note": "说明"}
MAX_PAGE = 200
STATUSES = (*ChildStatus.values, "all")


# Output ------------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


class ChildRow(Schema):
    """One line of the ledger (ID number masked)."""

    id: int
    name: str
    sex: str
    birth_date: date
    age: int = Field(description="周岁（按今天计算）")
    id_number: str = Field(description="公民身份号码（脱敏：前6位、8个*、后4位）")
    village: str = Field(alias="village_id", description="户籍地村（社区）区划代码")
    village_name: str
    schooling: str
    categories: list[str] = Field(description="所属类别：孤儿、事实无人抚养儿童等")
    difficulty_kinds: list[str] = Field(description="困境类型")
    weakness_type: str = Field(description="监护能力薄弱类型 ①–④，无则为空")
    risk_level: str = Field(description="风险等级：高、中、低，无则为空")
    status: str
    version: int

    @staticmethod
    def resolve_age(obj) -> int:
        return age_of(obj, today())

    @staticmethod
    def resolve_id_number(obj) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name


class ChildPage(Schema):
    items: list[ChildRow]
    next: str | None = Field(
        description="下一页的游标（作为 after 传入）；最后一页为 null"
    )


class ChildOut(Schema):
    """A child's full record as the API shows it: every ID number masked."""

    id: int
    name: str
    sex: str
    ethnicity: str
    birth_date: date
    age: int = Field(description="周岁（按今天计算）")
    id_number: str = Field(description="公民身份号码（脱敏）")
    hukou_registered: bool
    hukou_nature: str
    village: str = Field(alias="village_id", description="户籍地村（社区）区划代码")
    village_name: str
    address: str
    health: str
    disability_category: str
    disability_grade: str
    serious_illness: bool
    schooling: str
    school: str
    boarding: bool | None
    father_name: str
    father_id_number: str = Field(description="父亲公民身份号码（脱敏）")
    father_status: str
    father_work_place: str
    father_phone: str
    mother_name: str
    mother_id_number: str = Field(description="母亲公民身份号码（脱敏）")
    mother_status: str
    mother_work_place: str
    mother_phone: str
    guardian_name: str
    guardian_relation: str
    guardian_id_number: str = Field(description="监护人公民身份号码（脱敏）")
    guardian_phone: str
    guardian_capacity: str
    family_assistance: list[str]
    confirmation_signed: bool
    confirmation_date: date | None
    lives_alone: bool
    in_school_after_18: bool = Field(
        description="年满18周岁仍在全日制学校就读的孤儿（由认定得出，不可填写）"
    )
    notes: str
    responsible_director: int | None = Field(alias="responsible_director_id")
    responsible_director_name: str
    liaison_cadre_name: str = Field(description="包联干部")
    liaison_cadre_phone: str = Field(description="包联干部电话")
    last_visit_date: date | None = Field(description="最近走访日期")
    next_visit_due: date | None = Field(description="下次走访日期（逾期即早于今天）")
    status: str = Field(description="active 在册、exited 已退出、merged 已合并")
    status_label: str = Field(alias="get_status_display")
    exit_reason: str
    exit_date: date | None
    merged_into: int | None = Field(alias="merged_into_id")
    version: int = Field(description="版本号：修改、退出、重新纳入时原样提交")
    categories: list[str]
    difficulty_kinds: list[str]
    weakness_type: str
    risk_level: str
    visit_interval_days: int | None = Field(description="走访间隔（天）")
    reasons: list[str] = Field(alias="classification_reasons", description="认定依据")
    classified_on: date | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_age(obj) -> int:
        return age_of(obj, today())

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name

    @staticmethod
    def resolve_responsible_director_name(obj) -> str:
        director = obj.responsible_director
        return director.display_name if director else ""

    @staticmethod
    def resolve_id_number(obj) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_father_id_number(obj) -> str:
        return mask_id_number(obj.father_id_number)

    @staticmethod
    def resolve_mother_id_number(obj) -> str:
        return mask_id_number(obj.mother_id_number)

    @staticmethod
    def resolve_guardian_id_number(obj) -> str:
        return mask_id_number(obj.guardian_id_number)


class Conflict(Schema):
    detail: str
    current: ChildOut = Field(description="该记录的当前内容（他人保存后的版本）")


class ChangeOut(Schema):
    """One entry of a child's timeline; ID numbers in `changes` are masked."""

    id: int
    child_id: int = Field(description="所属记录（合并进来的记录的历史也在其中）")
    version: int
    at: datetime
    action: str
    action_label: str = Field(alias="get_action_display")
    actor_name: str
    changes: dict[str, list[Any]] = Field(description="变更的字段：[改前, 改后]")
    note: str

    @staticmethod
    def resolve_changes(obj) -> dict[str, list[Any]]:
        return {
            field: [mask_value(v) for v in pair] if field in ID_FIELDS else pair
            for field, pair in obj.changes.items()
        }


def mask_value(value: Any) -> Any:
    return mask_id_number(value) if value else value


class IdsOut(Schema):
    id_number: str
    father_id_number: str
    mother_id_number: str
    guardian_id_number: str


# Input -------------------------------------------------------------------------------


def choice(vocab, description: str, default: Any = ..., *, blank: bool = False):
    values = ["", *vocab.values] if blank else list(vocab.values)
    return Field(default, description=description, json_schema_extra={"enum": values})


# The closed vocabularies, checked at the edge so that a wrong value gets a Chinese
# message naming the choices (pydantic's enum error is English).
CHOICES = {
    "sex": Sex,
    "ethnicity": Ethnicity,
    "hukou_nature": HukouNature,
    "health": Health,
    "disability_category": DisabilityCategory,
    "disability_grade": DisabilityGrade,
    "schooling": Schooling,
    "father_status": ParentStatus,
    "mother_status": ParentStatus,
    "guardian_relation": GuardianRelation,
    "guardian_capacity": GuardianCapacity,
}
BLANK_ALLOWED = {
    "disability_category",
    "disability_grade",
    "schooling",
    "guardian_relation",
}


class ChildIn(Schema):
    """A child's facts, as the roster template has them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(
        description="姓名，1–30个字：汉字、字母、间隔号·（・•．自动改为·），外文字母间可有空格"
    )
    sex: str = choice(Sex, "性别，须与身份号码第17位一致")
    ethnicity: str = choice(Ethnicity, "民族", "汉族")
    birth_date: date = Field(description="出生日期，如 2016-05-01；须与身份号码一致")
    hukou_registered: bool = Field(
        True, description="户口已登记；未登记的可不填身份号码"
    )
    id_number: str | None = Field(
        None, description="公民身份号码，18位，末位 X 大小写均可；户口未登记的可不填"
    )
    hukou_nature: str = choice(HukouNature, "户籍性质", "农村")
    village: str = Field(
        description="户籍地村（社区）的12位统计用区划代码，须在您的管辖范围内",
        json_schema_extra={"pattern": "^[0-9]{12}$"},
    )
    address: str = Field("", description="现居住地址，最多200字")
    health: str = choice(Health, "健康状况", "健康")
    disability_category: str = choice(
        DisabilityCategory, "残疾类别；健康状况为残疾时必填", "", blank=True
    )
    disability_grade: str = choice(
        DisabilityGrade, "残疾等级；健康状况为残疾时必填", "", blank=True
    )
    serious_illness: bool = Field(False, description="是否重病")
    schooling: str = choice(Schooling, "就学状况", "", blank=True)
    school: str = Field("", description="学校名称")
    boarding: bool | None = Field(None, description="是否寄宿；未填为 null")
    father_name: str = Field("", description="父亲姓名")
    father_id_number: str = Field("", description="父亲公民身份号码")
    father_status: str = choice(ParentStatus, "父亲状况")
    father_work_place: str = Field(
        "", description="父亲务工地（省、市）；外出务工时必填"
    )
    father_phone: str = Field("", description="父亲联系电话：11位手机号或带区号的固话")
    mother_name: str = Field("", description="母亲姓名")
    mother_id_number: str = Field("", description="母亲公民身份号码")
    mother_status: str = choice(ParentStatus, "母亲状况")
    mother_work_place: str = Field(
        "", description="母亲务工地（省、市）；外出务工时必填"
    )
    mother_phone: str = Field("", description="母亲联系电话")
    guardian_name: str = Field("", description="实际监护人姓名")
    guardian_relation: str = choice(
        GuardianRelation, "监护人与儿童关系；填写了实际监护人时必填", "", blank=True
    )
    guardian_id_number: str = Field("", description="监护人公民身份号码")
    guardian_phone: str = Field("", description="监护人联系电话")
    guardian_capacity: str = choice(GuardianCapacity, "监护能力评估", "一般")
    family_assistance: list[str] = Field(
        [],
        description="家庭救助帮扶情况，可多选",
        json_schema_extra={"items": {"type": "string", "enum": Assistance.values}},
    )
    confirmation_signed: bool = Field(
        False, description="已签订委托监护责任确认书；为 true 时须填签订日期"
    )
    confirmation_date: date | None = Field(None, description="确认书签订日期")
    lives_alone: bool = Field(False, description="独居")
    notes: str = Field("", description="备注，最多500字")
    responsible_director: int | None = Field(
        None, description="责任儿童主任的账号编号（管辖范围内在岗的儿童主任）"
    )
    liaison_cadre_name: str = Field("", description="包联干部姓名，最多30字")
    liaison_cadre_phone: str = Field("", description="包联干部电话")


class ChildUpdateIn(ChildIn):
    """The whole record as it should stand, with the version the edit started from.

    Every field is required, so that a forgotten one is never blanked; the record as
    read (GET) may be sent back with changes: fields that cannot be written are
    ignored, and a masked ID number sent back unchanged keeps the number on file.
    """

    model_config = ConfigDict(extra="ignore")

    version: int = Field(description="读取记录时的版本号")


class ExitIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(description="读取记录时的版本号")
    reason: str = choice(ExitReason, "退出原因")
    exit_date: date = Field(description="退出日期，不能晚于今天")
    note: str = Field("", description="说明，最多500字")


class ReadmitIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(description="读取记录时的版本号")
    note: str = Field("", description="说明，最多500字")


class ChildQuery(Schema):
    area: str = Field("", description="12位区划代码：只看该区划内的儿童")
    category: str = Field(
        "",
        description="类别；“无类别”为不属于任何类别的在册儿童",
        json_schema_extra={"enum": ["", *CATEGORY_FILTERS]},
    )
    difficulty: str = Field(
        "",
        description="困境类型",
        json_schema_extra={"enum": ["", *DIFFICULTY_FILTERS]},
    )
    weakness: str = Field(
        "",
        description="监护能力薄弱类型",
        json_schema_extra={"enum": ["", *WeaknessType.values]},
    )
    risk: str = Field(
        "",
        description="风险等级；“无”为未定风险等级",
        json_schema_extra={"enum": ["", *RiskLevel.values, "无"]},
    )
    age_band: str = Field(
        "", description="年龄段", json_schema_extra={"enum": ["", *AGE_BANDS]}
    )
    schooling: str = Field(
        "", description="就学状况", json_schema_extra={"enum": ["", *Schooling.values]}
    )
    status: str = Field(
        ChildStatus.ACTIVE.value,
        description="状态：active 在册、exited 已退出、merged 已合并、all 全部",
        json_schema_extra={"enum": list(STATUSES)},
    )
    q: str = Field(
        "", description="搜索：姓名（或其中几个字）、拼音、首字母或完整身份号码"
    )
    sort: str = Field(
        "name",
        description="排序：name 姓名拼音、village 村、birth 出生日期、-birth、-updated",
        json_schema_extra={"enum": list(SORTS)},
    )
    after: str = Field("", description="上一页返回的 next 游标")
    limit: int = Field(PAGE_SIZE, description=f"每页条数，1–{MAX_PAGE}")
