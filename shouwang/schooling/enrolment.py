"""The school registration list import (学籍名单): read → check → plan → commit.

`enrolment_check(actor=, data=, filename=, area=)` reads the file with the roster's
reader (the memory-capped child process, the zip guard) and checks every row: an
EnrolmentPlan holds the good rows as plain tuples and every error with its row,
column, field and fix; nothing is written. `enrolment_commit(actor=, plan=)` writes
the list and all its rows in one transaction, audited, or nothing when any row is
bad: a list is compared whole, so a half list would make children look missing.
"""

import hashlib
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Role, Unit
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.bulk import without_cyclic_gc
from shouwang.core.exceptions import DomainError
from shouwang.core.idnumber import InvalidIdNumber
from shouwang.registry.rules import check_person_name, normal_person_name
from shouwang.roster.cells import CellError, as_text, read_id_number
from shouwang.roster.columns import normalize_header
from shouwang.roster.importer import FORMULA_WITHOUT_VALUE
from shouwang.roster.reader import UnusableFile, column_letter, read_table

from .id_numbers import IdNumberCheck
from .models import EnrolmentList, EnrolmentRow
from .vocab import EnrolmentStatus


@dataclass(frozen=True)
class ListColumn:
    header: str
    field: str
    required: bool  # the header must be there (a cell may still be blank)
    max_length: int = 0


COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("姓名", "name", True, 30),
    ListColumn("公民身份号码", "id_number", True, 18),
    ListColumn("学籍号", "student_no", True, 40),
    ListColumn("学校名称", "school", True, 100),
    ListColumn("年级", "grade", True, 20),
    ListColumn("学籍状态", "status", True, 2),
    ListColumn("学校所在地区划代码", "school_area_code", False, 12),
)
BY_HEADER = {normalize_header(c.header): c for c in COLUMNS}
STATUSES = frozenset(EnrolmentStatus.values)
STATUS_OPTIONS = "、".join(EnrolmentStatus.values)
# A good row as kept until written: the EnrolmentRow fields in this order.
ROW_FIELDS = (
    "row_number",
    "name",
    "id_number",
    "student_no",
    "school",
    "grade",
    "status",
    "school_area_code",
)
BATCH = 5000
_BY_ID_NUMBER = itemgetter(ROW_FIELDS.index("id_number"))
MAX_ERRORS = 1000  # kept in the plan; every error is counted

NOT_ALLOWED = "只有教育部门（成员单位：教育）和民政部门的账号可以导入学籍名单。"
NO_AREA = "您的账号没有管辖区划，不能导入学籍名单。"


class EnrolmentRefused(DomainError):
    """The list cannot be imported (who, where, or what); the message says why."""


@dataclass(frozen=True)
class EnrolmentError:
    row: int
    column: str
    field: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class EnrolmentPlan:
    filename: str
    area: Area | None = None
    sha256: str = ""
    sheet: str = ""
    rows: list[tuple] = field(default_factory=list)  # ROW_FIELDS, good rows only
    errors: list[EnrolmentError] = field(default_factory=list)
    error_count: int = 0
    rejected: int = 0  # rows with at least one error
    notes: list[str] = field(default_factory=list)
    unusable: str = ""  # the whole file cannot be used: why
    written: int = 0

    @property
    def total(self) -> int:
        return len(self.rows) + self.rejected

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.total,
            "accepted": len(self.rows),
            "rejected": self.rejected,
            "written": self.written,
        }

    def add_error(self, error: EnrolmentError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


def may_import_enrolment(user) -> bool:
    """True for active education-unit department staff and civil-affairs staff."""
    if not access.has_perm(user, access.Perm.VIEW_AREAS):
        return False
    return user.role == Role.CIVIL_AFFAIRS or (
        user.role == Role.DEPARTMENT and user.unit == Unit.EDUCATION
    )


def enrolment_area_for(actor, area: Area | str | None = None) -> Area:
    """The area a list is imported for: the actor's own by default, else one inside
    their jurisdiction; EnrolmentRefused for anyone else or anywhere else."""
    if not may_import_enrolment(actor):
        raise EnrolmentRefused(NOT_ALLOWED)
    if not actor.area_id:
        raise EnrolmentRefused(NO_AREA)
    if area is None or area == "":
        return actor.area
    code = area.code if isinstance(area, Area) else str(area).strip()
    found = Area.objects.filter(code=code).first() if len(code) == 12 else None
    if found is None:
        raise EnrolmentRefused(
            f"区划代码“{code[:20]}”不存在：请填写12位行政区划代码，如 430524000000。"
        )
    if not access.in_jurisdiction(actor, found.code):
        raise EnrolmentRefused(
            f"“{found.name}”不在您的管辖范围内：只能导入本辖区的学籍名单。"
        )
    return found


@without_cyclic_gc
def enrolment_check(
    *,
    actor,
    data: bytes,
    filename: str,
    area: Area | str | None = None,
    today: date | None = None,
) -> EnrolmentPlan:
    """Read and check a list file; every bad row named, nothing written."""
    plan = EnrolmentPlan(filename=filename)
    plan.area = enrolment_area_for(actor, area)
    plan.sha256 = hashlib.sha256(data).hexdigest()
    today = today or timezone.localdate()
    max_rows = settings.ENROLMENT_MAX_ROWS
    try:
        table = read_table(data, filename, max_rows=max_rows)
    except UnusableFile as error:
        plan.unusable = _own_words(str(error))
        return plan
    plan.sheet = table.sheet
    plan.notes = [_own_words(note, sheet=table.sheet) for note in table.notes]
    found, problems, ignored = _map_columns(table.header)
    if problems:
        plan.unusable = "；".join(problems) + "。"
        return plan
    if ignored:
        plan.notes.append(f"以下列不是学籍名单的列，已忽略：{'、'.join(ignored)}。")
    _check_rows(plan, table.rows, found, today, table.formula_cells)
    return plan


def _own_words(message: str, *, sheet: str = "") -> str:
    """The reader's message as it reads for a school list, not a roster."""
    if message.startswith("文件中没有名为"):
        return f"已读取第一个工作表“{sheet}”。"
    return (
        message.replace("的花名册（可先下载模板）", "的学籍名单")
        .replace("花名册", "学籍名单")
        .replace("每行一名儿童", "每行一名学生")
    )


def _map_columns(header: list) -> tuple[dict[str, int], list[str], list[str]]:
    """Column field → index in the sheet; the header's problems; ignored headers."""
    found: dict[str, int] = {}
    problems: list[str] = []
    ignored: list[str] = []
    for index, cell in enumerate(header):
        text = as_text(cell)
        column = BY_HEADER.get(normalize_header(text))
        if column is None:
            if text:
                ignored.append(text)
            continue
        if column.field in found:
            problems.append(
                f"表头“{column.header}”出现了两次（第{column_letter(found[column.field] + 1)}列和第{column_letter(index + 1)}列）：请删除其中一列"
            )
            continue
        found[column.field] = index
    missing = [c.header for c in COLUMNS if c.required and c.field not in found]
    if missing:
        problems.insert(
            0,
            f"缺少必填列：{'、'.join(missing)}。学籍名单的表头应为 "
            + "、".join(c.header for c in COLUMNS[:6])
            + "（可另加“学校所在地区划代码”）",
        )
    return found, problems, ignored


def _check_rows(
    plan: EnrolmentPlan, rows, found: dict[str, int], today, formulas=frozenset()
) -> None:
    """Check every row in one pass; the per-row work is a few string operations.
    `formulas` holds the (row, column) of formula cells: an empty one is said to be
    a formula without a result, not a missing value."""
    at = [found.get(c.field, -1) for c in COLUMNS]
    i_name, i_id, i_no, i_school, i_grade, i_status, i_code = at
    headers = [c.header for c in COLUMNS]
    used = [i for i in at if i >= 0]
    first_row_of: dict[str, int] = {}
    rows_of_code: dict[str, list[int]] = {}
    good = plan.rows
    statuses = STATUSES
    intern = sys.intern
    han_name = _HAN_NAME.fullmatch
    id_check = IdNumberCheck(today=today)

    width_needed = max(used) + 1  # every required column is there (i >= 0)
    blank = [None] * width_needed

    for number, cells in rows:
        width = len(cells)
        if width < width_needed:  # a row cut short after its last filled cell
            if not any(cells[i] not in (None, "") for i in used if i < width):
                continue
            cells = [*cells, *blank[width:]]
        elif ((raw := cells[i_name]) is None or raw == "") and not any(
            cells[i] not in (None, "") for i in used
        ):
            continue
        errors: list[tuple[int, object, str]] = []  # (column, cell, message)

        raw = cells[i_name]
        name = raw.strip() if type(raw) is str else as_text(raw)
        if not han_name(name):
            name = normal_person_name(name)
            if problem := check_person_name(name):
                errors.append((0, raw, f"{problem}：请填写学生的姓名"))
        raw = cells[i_id]
        id_number = ""
        try:
            if type(raw) is str and len(raw) == 18:  # the usual cell, directly
                id_number = id_check(raw)
            elif (parsed := read_id_number(raw, today=today)) is not None:
                id_number = parsed.value
        except (CellError, InvalidIdNumber) as error:
            errors.append((1, raw, f"{error}"))
        else:
            if not id_number:
                errors.append(
                    (1, raw, "公民身份号码不能为空：请填写学生的18位身份号码")
                )
            elif (first := first_row_of.setdefault(id_number, number)) != number:
                errors.append(
                    (
                        1,
                        raw,
                        f"第{first}行和第{number}行的公民身份号码相同：同一份名单中"
                        "一名学生只能出现一次，请核对后删除重复的一行",
                    )
                )
        raw = cells[i_no]
        student_no = raw.strip() if type(raw) is str else as_text(raw)
        if len(student_no) > 40:
            errors.append(_too_long(2, raw, student_no))
        raw = cells[i_school]
        school = raw.strip() if type(raw) is str else as_text(raw)
        if len(school) > 100:
            errors.append(_too_long(3, raw, school))
        if not school:
            errors.append((3, "", "学校名称不能为空：请填写学生就读学校的全称"))
        raw = cells[i_grade]
        grade = raw.strip() if type(raw) is str else as_text(raw)
        if len(grade) > 20:
            errors.append(_too_long(4, raw, grade))
        raw = cells[i_status]
        status = raw.strip() if type(raw) is str else as_text(raw)
        if status not in statuses:
            if status:
                errors.append(
                    (
                        5,
                        raw,
                        f"“{status[:20]}”不是可选的学籍状态：应为 {STATUS_OPTIONS}",
                    )
                )
            else:
                errors.append((5, raw, f"学籍状态不能为空：应为 {STATUS_OPTIONS}"))
        code = ""
        if i_code >= 0:
            raw = cells[i_code]
            code = as_text(raw)
            if code:
                if len(code) != 12 or not (code.isascii() and code.isdigit()):
                    errors.append(
                        (
                            6,
                            raw,
                            f"“{code[:20]}”不是12位行政区划代码：请填写如 430524101001 的代码，或留空",
                        )
                    )
                    code = ""
                else:
                    rows_of_code.setdefault(code, []).append(number)
        if errors:
            plan.rejected += 1
            for k, raw, message in errors:
                if raw in (None, "") and (number, at[k] + 1) in formulas:
                    message = FORMULA_WITHOUT_VALUE  # not empty: a formula, no result
                plan.add_error(
                    EnrolmentError(
                        number, headers[k], COLUMNS[k].field, as_text(raw)[:40], message
                    )
                )
            continue
        good.append(
            (
                number,
                name,
                id_number,
                student_no,
                intern(school),
                intern(grade),
                intern(status),
                intern(code) if code else "",
            )
        )
    _check_codes(plan, rows_of_code)
    if plan.total == 0 and not plan.unusable:
        plan.unusable = "名单中没有学生：第1行应为表头，从第2行起每行一名学生。"


def _too_long(k: int, value: object, text: str) -> tuple[int, object, str]:
    column = COLUMNS[k]
    return (
        k,
        value,
        f"{column.header}最多{column.max_length}个字符，当前{len(text)}个：请删减后再上传",
    )


# The usual name, all 汉字 and short: accepted without the full check.
_HAN_NAME = re.compile("[\u4e00-\u9fff]{1,30}")


def _check_codes(plan: EnrolmentPlan, rows_of_code: dict[str, list[int]]) -> None:
    """Unknown area codes make their rows bad (one query for all the codes)."""
    if not rows_of_code:
        return
    codes = list(rows_of_code)
    known: set[str] = set()
    for start in range(0, len(codes), 900):
        known.update(
            Area.objects.filter(code__in=codes[start : start + 900]).values_list(
                "code", flat=True
            )
        )
    unknown = {code for code in codes if code not in known}
    if not unknown:
        return
    bad_rows = {number for code in unknown for number in rows_of_code[code]}
    column = COLUMNS[6]
    kept = []
    for row in plan.rows:
        if row[0] in bad_rows:
            plan.rejected += 1
        else:
            kept.append(row)
    plan.rows[:] = kept
    for code in sorted(unknown, key=lambda c: rows_of_code[c][0]):
        for number in rows_of_code[code]:
            plan.add_error(
                EnrolmentError(
                    number,
                    column.header,
                    column.field,
                    code,
                    f"区划代码“{code}”不存在：请核对学校所在地的12位行政区划代码，或留空",
                )
            )
    plan.errors.sort(key=lambda e: e.row)


@without_cyclic_gc
def enrolment_commit(
    *, actor, plan: EnrolmentPlan, listed_on: date | None = None
) -> EnrolmentList:
    """Write the checked list and all its rows in one transaction, audited; refuse
    (writing nothing) a plan with any bad row or none at all."""
    if plan.unusable:
        raise EnrolmentRefused(plan.unusable)
    if plan.error_count:
        raise EnrolmentRefused(
            f"有 {plan.rejected} 行未通过检查，未导入任何数据：请改正后重新上传整份名单。"
        )
    if not plan.rows:
        raise EnrolmentRefused("名单中没有学生：请上传填好的学籍名单。")
    area = enrolment_area_for(actor, plan.area)  # still theirs
    listed_on = listed_on or timezone.localdate()
    with transaction.atomic():
        enrolment = EnrolmentList.objects.create(
            area=area,
            listed_on=listed_on,
            original_name=plan.filename[:255],
            sha256=plan.sha256,
            row_count=len(plan.rows),
            uploaded_by=actor,
        )
        _insert_rows(enrolment.pk, plan.rows)
        plan.written = len(plan.rows)
        audit_record(
            actor=actor,
            action=AuditAction.ENROLMENT_IMPORT,
            obj=enrolment,
            area=area,
            details={
                "file": plan.filename,
                "sha256": plan.sha256,
                "listed_on": listed_on.isoformat(),
                "rows": plan.written,
            },
        )
    return enrolment


def _insert_rows(list_id: int, rows: list[tuple]) -> None:
    """Insert the rows as they are (plain strings and ints, already checked): COPY on
    PostgreSQL, batched INSERTs elsewhere; no model object per row.

    PostgreSQL receives them in the order of their ID numbers: each then goes to the
    right-hand end of the unique index (enrolment_list, id_number) instead of into a
    random leaf of it, which takes the server's COPY of 300,000 rows from 1.5 to 0.9
    CPU seconds (docs/benchmarks.md, R8). The rows' order is their row_number,
    whatever order they are stored in."""
    meta = EnrolmentRow._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("enrolment_list", *ROW_FIELDS)
    )
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in sorted(rows, key=_BY_ID_NUMBER):
                    copy.write_row((list_id, *row))
            return
        marks = ", ".join(["%s"] * (len(ROW_FIELDS) + 1))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql, [(list_id, *row) for row in rows[start : start + BATCH]]
            )


def enrolment_list_for(*, viewer):
    """The lists of areas inside the viewer's jurisdiction, newest first; none for
    those who may not import lists."""
    if not may_import_enrolment(viewer):
        return EnrolmentList.objects.none()
    return access.scope(viewer, EnrolmentList.objects.all()).select_related(
        "area", "uploaded_by"
    )
