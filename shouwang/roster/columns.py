"""The roster template (儿童信息花名册, version 1): its columns, in one table.

Each column names the header, the Child field it fills, whether it is required, and
the kind of cell it holds; the reader, the checks, the template download, the export
and the error report all read this table.
"""

import re
import unicodedata
from dataclasses import dataclass

from shouwang.registry import vocab

TEMPLATE_VERSION = 1
SHEET_NAME = "花名册"


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # Child attribute ("" for 序号, which is ignored)
    kind: str  # text, name, sex, choice, date, id, bool, code, phone, assistance, grade
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 0
    default: object = ""
    width: int = 12  # column width in the template, in characters
    note: str = ""  # the template's own words on what goes in


def _choices(vocabulary) -> tuple[str, ...]:
    return tuple(vocabulary.values)


COLUMNS: tuple[Column, ...] = (
    Column("序号", "", "ignore", width=6, note="可不填，导入时忽略"),
    Column("姓名", "name", "name", required=True, max_length=30, width=10),
    Column("性别", "sex", "sex", required=True, choices=("男", "女"), width=6),
    Column(
        "民族",
        "ethnicity",
        "choice",
        choices=_choices(vocab.Ethnicity),
        default="汉族",
        width=8,
    ),
    Column(
        "出生日期", "birth_date", "date", required=True, width=12, note="如 2015-03-08"
    ),
    Column(
        "公民身份号码", "id_number", "id", width=21, note="18位；单元格请设为文本格式"
    ),
    Column(
        "户口登记状况",
        "hukou_registered",
        "hukou",
        choices=("已登记", "未登记"),
        default=True,
        width=12,
    ),
    Column(
        "户籍性质",
        "hukou_nature",
        "choice",
        choices=_choices(vocab.HukouNature),
        default="农村",
        width=8,
    ),
    Column(
        "户籍地行政区划代码",
        "village_id",
        "code",
        required=True,
        width=16,
        note="12位村（社区）代码",
    ),
    Column("现居住地址", "address", "text", max_length=200, width=24),
    Column(
        "健康状况",
        "health",
        "choice",
        choices=_choices(vocab.Health),
        default="健康",
        width=8,
    ),
    Column(
        "残疾类别",
        "disability_category",
        "choice",
        choices=_choices(vocab.DisabilityCategory),
        width=8,
    ),
    Column(
        "残疾等级",
        "disability_grade",
        "grade",
        choices=_choices(vocab.DisabilityGrade),
        width=8,
    ),
    Column(
        "是否重病",
        "serious_illness",
        "bool",
        choices=("是", "否"),
        default=False,
        width=8,
    ),
    Column(
        "就学状况", "schooling", "choice", choices=_choices(vocab.Schooling), width=10
    ),
    Column("学校名称", "school", "text", max_length=100, width=16),
    Column(
        "是否寄宿",
        "boarding",
        "optional_bool",
        choices=("是", "否"),
        default=None,
        width=8,
    ),
    Column("父亲姓名", "father_name", "name", max_length=30, width=10),
    Column("父亲公民身份号码", "father_id_number", "parent_id", width=21),
    Column(
        "父亲状况",
        "father_status",
        "choice",
        required=True,
        choices=_choices(vocab.ParentStatus),
        width=12,
    ),
    Column("父亲务工地", "father_work_place", "text", max_length=100, width=14),
    Column("父亲联系电话", "father_phone", "phone", width=14),
    Column("母亲姓名", "mother_name", "name", max_length=30, width=10),
    Column("母亲公民身份号码", "mother_id_number", "parent_id", width=21),
    Column(
        "母亲状况",
        "mother_status",
        "choice",
        required=True,
        choices=_choices(vocab.ParentStatus),
        width=12,
    ),
    Column("母亲务工地", "mother_work_place", "text", max_length=100, width=14),
    Column("母亲联系电话", "mother_phone", "phone", width=14),
    Column("实际监护人姓名", "guardian_name", "name", max_length=30, width=12),
    Column(
        "监护人与儿童关系",
        "guardian_relation",
        "choice",
        choices=_choices(vocab.GuardianRelation),
        width=12,
    ),
    Column("监护人公民身份号码", "guardian_id_number", "parent_id", width=21),
    Column("监护人联系电话", "guardian_phone", "phone", width=14),
    Column(
        "监护能力评估",
        "guardian_capacity",
        "choice",
        choices=_choices(vocab.GuardianCapacity),
        default="一般",
        width=10,
    ),
    Column(
        "是否签订委托监护责任确认书",
        "confirmation_signed",
        "bool",
        choices=("是", "否"),
        default=False,
        width=12,
    ),
    Column(
        "确认书签订日期", "confirmation_date", "optional_date", default=None, width=12
    ),
    Column(
        "家庭救助帮扶情况",
        "family_assistance",
        "assistance",
        choices=_choices(vocab.Assistance),
        default=(),
        width=18,
        note="可多项，用、或,分隔",
    ),
    Column("备注", "notes", "text", max_length=500, width=20),
)
COMPUTED_HEADERS = (
    "儿童类别",
    "困境类型",
    "监护能力薄弱类型",
    "风险等级",
    "认定依据",
    "下次走访日期",
)
BY_HEADER = {c.header: c for c in COLUMNS}
BY_FIELD = {c.field: c for c in COLUMNS if c.field}
REQUIRED_HEADERS = tuple(c.header for c in COLUMNS if c.required)

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]"})
_SPACE = re.compile(r"\s+")


_NOTE = re.compile(r"^([^()\[\]]+)[(\[][^()\[\]]*[)\]]$")


def normalize_header(text: object) -> str:
    """A header as the template compares it: no spaces, half-width brackets, and no
    bracketed note after it (“出生日期（年月日）” and “出生日期(年月日)” are 出生日期)."""
    value = unicodedata.normalize("NFKC", str(text or "")).translate(_BRACKETS)
    value = _SPACE.sub("", value)
    if match := _NOTE.match(value):
        return match.group(1)
    return value


NORMALIZED = {normalize_header(c.header): c for c in COLUMNS}
# Columns the product itself adds (the export's computed ones, the error report's
# explanation): read back without a word, since they are not the person's data.
REPORT_HEADERS = ("错误说明", "原文件行号")
NORMALIZED_COMPUTED = {
    normalize_header(h) for h in (*COMPUTED_HEADERS, *REPORT_HEADERS)
}
