"""Department lists (部门名单): read → check → commit, then matched to the ledger.

`exchange_check(actor=, kind=, data=, filename=)` reads the file with the roster's
reader (the memory-capped child process, the zip guard) and checks every row against
the kind's columns (`COLUMNS`); a ListPlan holds the good rows as plain tuples and
every error with its row, column, field and fix; nothing is written.
`exchange_commit(actor=, plan=)` keeps the file, writes the list and runs the
matching (`matching.match_list`: alerts and measures) in one transaction, audited —
or nothing when any row is bad, or when the same file was received before.

The school registration list (学籍) goes through R8's own import (`schooling.enrolment`)
and is recorded here as well, so that every list a unit sent is in one history.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Role, Unit
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.bulk import without_cyclic_gc
from shouwang.core.exceptions import DomainError
from shouwang.core.idnumber import InvalidIdNumber
from shouwang.core.storage import PrivateStorage
from shouwang.registry.rules import check_person_name, normal_person_name
from shouwang.registry.vocab import DisabilityCategory, DisabilityGrade
from shouwang.roster.cells import CellError, as_text, read_date, read_id_number
from shouwang.roster.columns import normalize_header
from shouwang.roster.importer import FORMULA_WITHOUT_VALUE
from shouwang.roster.reader import UnusableFile, column_letter, read_table
from shouwang.schooling import enrolment
from shouwang.schooling.id_numbers import IdNumberCheck

from .models import ApiToken, DepartmentList
from .vocab import KIND_UNITS, ListKind

storage = PrivateStorage("EXCHANGE_UPLOAD_DIR", "部门名单文件只能通过系统页面下载。")


@dataclass(frozen=True)
class ListColumn:
    header: str
    field: str
    read: str  # name, id, date, event_date, text, code, year, category, grade
    required: bool = True  # the cell must be filled
    max_length: int = 0


def _c(header, name, read, required=True, max_length=0) -> ListColumn:
    return ListColumn(header, name, read, required, max_length)


_NAME = _c("姓名", "name", "name", max_length=30)
_ID = _c("公民身份号码", "id_number", "id")
_HEAD = _c("户主公民身份号码", "head_id", "id")
_START = _c("开始日期", "start", "event_date")
_END = _c("结束日期", "end", "date", required=False)
_POVERTY = (_HEAD, _NAME, _ID, _START, _END)
_RECORD = (_NAME, _ID, _c("建档日期", "on", "event_date"))

# Each kind's columns, in the order the messages name them (a file's order is free).
COLUMNS: dict[str, tuple[ListColumn, ...]] = {
    ListKind.PRISON: (
        _NAME,
        _ID,
        _START,
        _END,
        _c("场所", "place", "text", False, 100),
    ),
    ListKind.REHAB: (_NAME, _ID, _START, _END, _c("场所", "place", "text", False, 100)),
    ListKind.DEATH: (_NAME, _ID, _c("死亡日期", "on", "event_date")),
    ListKind.MIGRATION: (
        _NAME,
        _ID,
        _c("迁出地区划代码", "from_code", "code"),
        _c("迁入地区划代码", "to_code", "code"),
        _c("迁移日期", "on", "event_date"),
    ),
    ListKind.BIRTH: (
        _NAME,
        _ID,
        _c("出生日期", "born", "event_date"),
        _c("父亲公民身份号码", "father_id", "id", False),
        _c("母亲公民身份号码", "mother_id", "id", False),
    ),
    ListKind.DISABILITY: (
        _NAME,
        _ID,
        _c("残疾类别", "category", "category"),
        _c("残疾等级", "grade", "grade"),
        _c("发证日期", "on", "event_date"),
    ),
    ListKind.SUBSISTENCE: _POVERTY,
    ListKind.EXTREME_POVERTY: _POVERTY,
    ListKind.MONITORING: _POVERTY,
    ListKind.REGISTERED_POOR: _POVERTY,
    ListKind.HOUSING: (_HEAD, _c("年度", "year", "year")),
    ListKind.HEALTH_RECORD: _RECORD,
    ListKind.VACCINATION: _RECORD,
    ListKind.HUKOU: (_NAME, _ID, _c("登记日期", "on", "event_date")),
}
# The column that names one row's person: once per list (the housing list: once per
# household and year).
SUBJECT = {
    kind: "head_id" if kind == ListKind.HOUSING else "id_number" for kind in COLUMNS
}
KIND_NAMES = "、".join(f"{k.value}（{k.label}）" for k in ListKind)

NOT_ALLOWED = "您的账号不能报送部门名单：只有成员单位和民政部门的账号可以报送。"
NO_AREA = "您的账号没有管辖区划，不能报送部门名单。"


class ExchangeRefused(DomainError):
    """The list cannot be received (who, where, what, or sent before); says why."""


# One bad cell as every list reports it (row, column, field, value, message): the
# school list's own shape, which the 学籍 kind passes on as it is.
ListError = enrolment.EnrolmentError

MAX_ERRORS = enrolment.MAX_ERRORS  # kept in the plan; every error is counted


@dataclass
class ListPlan:
    kind: str
    filename: str
    area: Area | None = None
    sha256: str = ""
    sheet: str = ""
    fields: tuple[str, ...] = ()  # the names of a good row's values, after row_number
    rows: list[tuple] = field(default_factory=list)  # good rows only
    errors: list[ListError] = field(default_factory=list)
    error_count: int = 0
    rejected: int = 0  # rows with at least one error
    notes: list[str] = field(default_factory=list)
    unusable: str = ""  # the whole file cannot be used: why
    data: bytes = b""
    enrolment: Any = None  # the school list's own plan (kind enrolment)

    @property
    def total(self) -> int:
        return len(self.rows) + self.rejected

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.total,
            "accepted": len(self.rows),
            "rejected": self.rejected,
        }

    def add_error(self, error: ListError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


def kinds_for(user) -> list[str]:
    """The kinds of list a user may send: civil affairs every kind, a member unit's
    staff those of their unit."""
    if not access.has_perm(user, access.Perm.VIEW_AREAS) or not user.area_id:
        return []
    if user.role == Role.CIVIL_AFFAIRS:
        return list(ListKind.values)
    if user.role == Role.DEPARTMENT and user.unit:
        return [kind for kind in ListKind.values if user.unit in KIND_UNITS[kind]]
    return []


def may_send(user, kind: str | None = None) -> bool:
    """True when the user may send lists (of `kind`, when given)."""
    kinds = kinds_for(user)
    return bool(kinds) if kind is None else kind in kinds


def _kind_of(kind: str) -> str:
    value = (kind or "").strip()
    if value in ListKind.values:
        return value
    by_label = {k.label: k.value for k in ListKind}
    if value in by_label:
        return by_label[value]
    raise ExchangeRefused(
        f"名单类型“{value[:20]}”不存在：应为 {KIND_NAMES} 之一。", field="kind"
    )


def list_area_for(
    actor, kind: str, area: Area | str | None = None, token: ApiToken | None = None
) -> Area:
    """The area a list is received for: the sender's own (or the token's) by
    default, else one inside it; ExchangeRefused for anyone or anywhere else."""
    if token is not None:
        if kind not in token.kinds:
            raise ExchangeRefused(
                f"该接口令牌不能报送“{ListKind(kind).label}”名单：可报送的类型为 "
                + "、".join(ListKind(k).label for k in token.kinds)
                + "。",
                field="kind",
            )
        root = token.area
    else:
        if not may_send(actor):
            raise ExchangeRefused(NOT_ALLOWED)
        if not may_send(actor, kind):
            unit = Unit(actor.unit).label if actor.unit else ""
            raise ExchangeRefused(
                f"{unit}部门的账号不能报送“{ListKind(kind).label}”名单：可报送的类型为 "
                + "、".join(ListKind(k).label for k in kinds_for(actor))
                + "。",
                field="kind",
            )
        root = actor.area
    if area is None or area == "":
        return root
    code = area.code if isinstance(area, Area) else str(area).strip()
    found = Area.objects.filter(code=code).first() if len(code) == 12 else None
    if found is None:
        raise ExchangeRefused(
            f"区划代码“{code[:20]}”不存在：请填写12位行政区划代码，如 430524000000。",
            field="area",
        )
    if not found.code.startswith(codes.prefix_of(root.code)):
        raise ExchangeRefused(
            f"“{found.name}”不在{'该令牌的适用地区' if token else '您的管辖范围'}内："
            "只能报送本辖区的名单。",
            field="area",
        )
    return found


@without_cyclic_gc
def exchange_check(
    *,
    actor,
    kind: str,
    data: bytes,
    filename: str,
    area: Area | str | None = None,
    token: ApiToken | None = None,
    today: date | None = None,
) -> ListPlan:
    """Read and check a department list; every bad row named, nothing written."""
    kind = _kind_of(kind)
    plan = ListPlan(kind=kind, filename=filename)
    plan.area = list_area_for(actor, kind, area, token)
    plan.sha256 = hashlib.sha256(data).hexdigest()
    plan.data = data
    today = today or timezone.localdate()
    if kind == ListKind.ENROLMENT:
        return _check_enrolment(plan, actor, data, filename, today)
    columns = COLUMNS[kind]
    try:
        table = read_table(data, filename, max_rows=settings.EXCHANGE_MAX_ROWS)
    except UnusableFile as error:
        plan.unusable = _own_words(str(error), kind)
        return plan
    plan.sheet = table.sheet
    plan.notes = [_own_words(note, kind, sheet=table.sheet) for note in table.notes]
    found, problems, ignored = _map_columns(kind, columns, table.header)
    if problems:
        plan.unusable = "；".join(problems) + "。"
        return plan
    if ignored:
        plan.notes.append(f"以下列不是该名单的列，已忽略：{'、'.join(ignored)}。")
    plan.fields = tuple(c.field for c in columns)
    _check_rows(plan, columns, table.rows, found, today, table.formula_cells)
    return plan


def _check_enrolment(plan, actor, data, filename, today) -> ListPlan:
    """The school list, checked by R8's own import."""
    try:
        school = enrolment.enrolment_check(
            actor=actor, data=data, filename=filename, area=plan.area, today=today
        )
    except enrolment.EnrolmentRefused as error:
        raise ExchangeRefused(error.message) from None
    plan.enrolment = school
    plan.sheet, plan.notes, plan.unusable = school.sheet, school.notes, school.unusable
    plan.fields = enrolment.ROW_FIELDS[1:]
    plan.rows, plan.rejected, plan.error_count = school.rows, school.rejected, 0
    plan.errors, plan.error_count = school.errors, school.error_count
    return plan


def _own_words(message: str, kind: str, *, sheet: str = "") -> str:
    """The reader's message as it reads for a department list, not a roster."""
    if message.startswith("文件中没有名为"):
        return f"已读取第一个工作表“{sheet}”。"
    name = f"{ListKind(kind).label}名单"
    return (
        message.replace("的花名册（可先下载模板）", f"的{name}")
        .replace("花名册", name)
        .replace("每行一名儿童", "每行一人")
    )


def _map_columns(
    kind: str, columns: tuple[ListColumn, ...], header: list
) -> tuple[dict[str, int], list[str], list[str]]:
    """Column field → index in the sheet; the header's problems; ignored headers."""
    by_header = {normalize_header(c.header): c for c in columns}
    found: dict[str, int] = {}
    problems: list[str] = []
    ignored: list[str] = []
    for index, cell in enumerate(header):
        text = as_text(cell)
        column = by_header.get(normalize_header(text))
        if column is None:
            if text:
                ignored.append(text)
            continue
        if column.field in found:
            problems.append(
                f"表头“{column.header}”出现了两次（第{column_letter(found[column.field] + 1)}列"
                f"和第{column_letter(index + 1)}列）：请删除其中一列"
            )
            continue
        found[column.field] = index
    missing = [c.header for c in columns if c.field not in found]
    if missing:
        problems.insert(
            0,
            f"缺少列：{'、'.join(missing)}。{ListKind(kind).label}名单的表头应为 "
            + "、".join(c.header for c in columns)
            + "（顺序不限）",
        )
    return found, problems, ignored


_HAN_NAME = re.compile("[\u4e00-\u9fff]{1,30}")
_CATEGORIES = {c: c for c in DisabilityCategory.values} | {
    f"{c}残疾": c for c in DisabilityCategory.values
}
_GRADES = (
    {g: g for g in DisabilityGrade.values}
    | {str(n): g for n, g in enumerate(DisabilityGrade.values, 1)}
    | {f"{n}级": g for n, g in enumerate(DisabilityGrade.values, 1)}
)


def _readers(columns, today: date) -> list[Callable[[object], object]]:
    """For each column, a function from a cell to its value that raises CellError
    (or InvalidIdNumber) with the fix; one list holds a few thousand distinct dates,
    each read once."""
    id_check = IdNumberCheck(today=today)
    dates: dict[object, date] = {}

    def read_name(raw):
        name = raw.strip() if type(raw) is str else as_text(raw)
        if _HAN_NAME.fullmatch(name):
            return name
        name = normal_person_name(name)
        if problem := check_person_name(name):
            raise CellError(f"{problem}：请填写姓名")
        return name

    valid_ids: set[str] = set()  # a household's head is in two rows of its list

    def read_id(raw):
        if type(raw) is str:
            if raw in valid_ids:
                return raw
            if id_check.plainly_valid(raw):
                valid_ids.add(raw)
                return raw
        parsed = read_id_number(raw, today=today)
        return parsed.value if parsed else ""

    def read_day(raw):
        if raw is None or raw == "":
            return None
        day = dates.get(raw) if type(raw) is str else None
        if day is None:
            day = read_date(raw)
            if type(raw) is str:
                dates[raw] = day
        if day.year < 1900:
            raise CellError(f"“{as_text(raw)[:20]}”早于1900年：请核对日期")
        return day

    def read_event_day(raw):
        day = read_day(raw)
        if day is not None and day > today:
            raise CellError(f"日期{day.isoformat()}晚于今天：请核对日期")
        return day

    def read_code(raw):
        code = as_text(raw)
        if code and (len(code) != 12 or not (code.isascii() and code.isdigit())):
            raise CellError(
                f"“{code[:20]}”不是12位行政区划代码：请填写如 430524101001 的代码"
            )
        return code

    def read_year(raw):
        text = as_text(raw)
        if not (
            text.isascii() and text.isdigit() and 1990 <= int(text) <= today.year + 1
        ):
            raise CellError(
                f"“{text[:20]}”不是有效的年度：请填写四位年份，如 {today.year}"
            )
        return int(text)

    def read_choice(table: dict, options: str):
        def read(raw):
            text = as_text(raw)
            if not text:
                return ""
            if text not in table:
                raise CellError(f"“{text[:20]}”不是可选值：应为 {options}")
            return table[text]

        return read

    def read_text(limit: int):
        def read(raw):
            text = raw.strip() if type(raw) is str else as_text(raw)
            if len(text) > limit:
                raise CellError(f"最多{limit}个字符，当前{len(text)}个：请删减")
            return text

        return read

    kinds = {
        "name": read_name,
        "id": read_id,
        "date": read_day,
        "event_date": read_event_day,
        "code": read_code,
        "year": read_year,
        "category": read_choice(_CATEGORIES, "、".join(DisabilityCategory.values)),
        "grade": read_choice(_GRADES, "、".join(DisabilityGrade.values)),
    }
    return [
        read_text(c.max_length) if c.read == "text" else kinds[c.read] for c in columns
    ]


def _check_rows(plan: ListPlan, columns, rows, found, today, formulas) -> None:
    """Check every row in one pass; a good row is kept as (row_number, *values)."""
    at = [found[c.field] for c in columns]
    readers = _readers(columns, today)
    checks = list(zip(at, readers, columns, strict=True))
    subject = plan.fields.index(SUBJECT[plan.kind])
    keyed_by_year = plan.kind == ListKind.HOUSING
    spans = "end" in plan.fields
    i_start = 1 + plan.fields.index("start") if spans else 0
    i_end = 1 + plan.fields.index("end") if spans else 0
    width_needed = max(at) + 1
    blank = [None] * width_needed
    first_row_of: dict[object, int] = {}
    good = plan.rows
    for number, cells in rows:
        if len(cells) < width_needed:
            cells = [*cells, *blank[len(cells) :]]
        if not any(cells[i] not in (None, "") for i in at):
            continue
        values: list[object] = [number]
        errors: list[tuple[ListColumn, object, str]] = []
        for i, read, column in checks:
            raw = cells[i]
            try:
                value = read(raw)
            except (CellError, InvalidIdNumber) as error:
                errors.append((column, raw, str(error)))
                value = None
            else:
                if column.required and value in (None, ""):
                    message = f"{column.header}不能为空：请填写"
                    if raw in (None, "") and (number, i + 1) in formulas:
                        message = FORMULA_WITHOUT_VALUE
                    errors.append((column, raw, message))
            values.append(value)
        if not errors:
            key = values[1 + subject]
            if keyed_by_year:
                key = (key, values[-1])
            first = first_row_of.setdefault(key, number)
            if first != number:
                column = columns[subject]
                errors.append(
                    (
                        column,
                        cells[at[subject]],
                        f"第{first}行和第{number}行是同一人：同一份名单中每人只能出现一次，"
                        "请核对后删除重复的一行",
                    )
                )
        if errors:
            plan.rejected += 1
            for column, raw, message in errors:
                plan.add_error(
                    ListError(
                        number, column.header, column.field, as_text(raw)[:40], message
                    )
                )
            continue
        if spans:
            start, end = values[i_start], values[i_end]
            if end is not None and end < start:
                plan.rejected += 1
                plan.add_error(
                    ListError(
                        number,
                        "结束日期",
                        "end",
                        end.isoformat(),
                        f"结束日期早于开始日期（{start.isoformat()}）：请核对",
                    )
                )
                continue
        good.append(tuple(values))
    if plan.total == 0 and not plan.unusable:
        plan.unusable = f"名单中没有数据：第1行应为表头，从第2行起每行一人（{ListKind(plan.kind).label}名单）。"


@without_cyclic_gc
def exchange_commit(
    *,
    actor,
    plan: ListPlan,
    token: ApiToken | None = None,
    listed_on: date | None = None,
    today: date | None = None,
) -> DepartmentList:
    """Keep the checked list, match it to the ledger (alerts and measures) in one
    transaction, audited; refuse (writing nothing) a plan with any bad row, none at
    all, or a file received before for the same kind and area."""
    from .matching import match_list

    if plan.unusable:
        raise ExchangeRefused(plan.unusable, field="file")
    if plan.error_count:
        raise ExchangeRefused(
            f"有 {plan.rejected} 行未通过检查，未接收任何数据：请改正后重新报送整份名单。",
            field="file",
        )
    if not plan.rows:
        raise ExchangeRefused("名单中没有数据：请报送填好的名单。", field="file")
    area = list_area_for(actor, plan.kind, plan.area, token)  # still theirs
    today = today or timezone.localdate()
    listed_on = listed_on or today
    with transaction.atomic():
        before = (
            DepartmentList.objects.select_for_update()
            .filter(area=area, kind=plan.kind, sha256=plan.sha256)
            .order_by("created_at")
            .first()
        )
        if before is not None:
            raise ExchangeRefused(
                f"该名单已于 {timezone.localtime(before.created_at):%Y-%m-%d %H:%M} 接收过"
                f"（第{before.pk}号名单，{before.original_name}）：同一份名单不会重复比对，"
                "也不会产生重复的比对提示。",
                field="file",
            )
        unit = token.unit if token else (actor.unit or "")
        sent = DepartmentList.objects.create(
            kind=plan.kind,
            area=area,
            unit=unit,
            source=_source(actor, token),
            listed_on=listed_on,
            uploaded_by=actor,
            token=token,
            original_name=plan.filename[:255],
            sha256=plan.sha256,
            row_count=len(plan.rows),
        )
        suffix = (
            plan.filename.rpartition(".")[2].lower()[:5]
            if "." in plan.filename
            else "bin"
        )
        sent.stored_name = storage.save(
            f"{listed_on:%Y/%m}/{sent.pk}-{plan.sha256[:16]}.{suffix}",
            ContentFile(plan.data),
        )
        if plan.kind == ListKind.ENROLMENT:
            enrolment.enrolment_commit(
                actor=actor, plan=plan.enrolment, listed_on=listed_on
            )
        result = match_list(sent, plan, today=today)
        sent.matched, sent.alert_count, sent.measure_count = result
        sent.save(
            update_fields=["stored_name", "matched", "alert_count", "measure_count"]
        )
        audit_record(
            actor=actor,
            action=AuditAction.EXCHANGE_IMPORT,
            obj=sent,
            area=area,
            details={
                "kind": plan.kind,
                "file": plan.filename,
                "sha256": plan.sha256,
                "rows": sent.row_count,
                "matched": sent.matched,
                "alerts": sent.alert_count,
                "measures": sent.measure_count,
                "token": token.prefix if token else "",
            },
        )
    return sent


def _source(actor, token: ApiToken | None) -> str:
    if token is not None:
        return f"{Unit(token.unit).label}：{token.name}（接口）"[:100]
    who = actor.full_name or actor.username
    unit = Unit(actor.unit).label if actor.unit else "民政"
    return f"{unit}：{who}（上传）"[:100]


def list_for(*, viewer):
    """The lists of the viewer's jurisdiction: all of them for civil affairs, a
    member unit's own for its staff; none for anyone else."""
    if not may_send(viewer):
        return DepartmentList.objects.none()
    lists = access.scope(viewer, DepartmentList.objects.all())
    if viewer.role == Role.DEPARTMENT:
        lists = lists.filter(unit=viewer.unit)
    return lists.select_related("area", "uploaded_by", "token")


def list_get_for(*, viewer, pk) -> DepartmentList:
    """One list the viewer may see; Http404 for missing and not-theirs alike."""
    try:
        return list_for(viewer=viewer).get(pk=int(pk))
    except (DepartmentList.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("名单不存在或不在您的管辖范围内。") from None
