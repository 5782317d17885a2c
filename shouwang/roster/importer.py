"""The roster import: read → check → plan → commit.

`roster_check(data, filename, actor)` reads the file and returns an ImportPlan: every
row checked against the template and the record rules (all errors of a row, each with
its row, column, value and fix), matched against the ledger (new / changed with field
diffs / unchanged / rejected / possible duplicates without ID number), with nothing
written. `roster_commit(plan, actor, partial=False)` writes it in one transaction: all
or nothing by default, or only the good rows with `partial`; history rows for every
created or changed child, one audit row for the import, classification recomputed.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rapidfuzz import fuzz

from shouwang.accounts import access
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.bulk import without_cyclic_gc
from shouwang.registry import services as registry
from shouwang.registry.models import ChangeAction, Child, ChildChange, ChildStatus
from shouwang.registry.rules import check_child
from shouwang.registry.services.bulk import writes_behind

from .cells import CellError, as_text, cell_reader, id_reader, read_cell
from .columns import (
    BY_FIELD,
    COLUMNS,
    NORMALIZED,
    NORMALIZED_COMPUTED,
    REQUIRED_HEADERS,
    normalize_header,
)
from .masked import MaskedRows
from .reader import UnusableFile, column_letter, read_table

IMPORTED_FIELDS = tuple(c.field for c in COLUMNS if c.field)
CHUNK = 900
DUPLICATE_SIMILARITY = 85


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class PlannedRow:
    row: int
    action: str  # new, changed, unchanged, rejected, duplicate
    data: dict[str, Any] = field(default_factory=dict)
    child_id: int | None = None
    changes: dict[str, list] = field(default_factory=dict)
    candidates: list[int] = field(default_factory=list)
    version: int | None = None  # the matched record's version when it was checked


@dataclass
class ImportPlan:
    filename: str
    sheet: str = ""
    total_rows: int = 0
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unusable: str = ""  # the whole file cannot be used: why
    headers: list[str] = field(default_factory=list)
    # row → its cells as the file has them, for the rows in error (keep_raw)
    raw: dict[int, list[Any]] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": self.count("new"),
            "changed": self.count("changed"),
            "unchanged": self.count("unchanged"),
            "rejected": self.count("rejected"),
            "duplicates": self.count("duplicate"),
        }


Progress = Callable[[int, int], None]


def map_columns(header: list[Any]) -> tuple[dict[str, int], list[str], list[str]]:
    """Template column → index in the sheet; the problems of the header; ignored headers."""
    found: dict[str, int] = {}
    problems: list[str] = []
    ignored: list[str] = []
    for index, cell in enumerate(header):
        text = as_text(cell)
        key = normalize_header(text)
        if not key:
            continue
        column = NORMALIZED.get(key)
        if column is None:
            if key not in NORMALIZED_COMPUTED:
                ignored.append(text)
            continue
        if column.header in found:
            problems.append(
                f"表头“{column.header}”出现了两次（第{column_letter(found[column.header] + 1)}列和第{column_letter(index + 1)}列）：请删除其中一列"
            )
            continue
        found[column.header] = index
    missing = [h for h in REQUIRED_HEADERS if h not in found]
    if missing:
        problems.insert(
            0,
            f"缺少必填列：{'、'.join(missing)}。请使用花名册模板的表头（表头在第1行）",
        )
    return found, problems, ignored


@without_cyclic_gc
def roster_check(
    data: bytes,
    filename: str,
    *,
    actor,
    today: date | None = None,
    progress: Progress | None = None,
    keep_raw: bool = True,
) -> ImportPlan:
    """Read and check a roster file and plan what importing it would change."""
    today = today or timezone.localdate()
    plan = ImportPlan(filename=filename)
    max_rows = getattr(settings, "ROSTER_MAX_ROWS", 300_000)
    try:
        table = read_table(data, filename, max_rows=max_rows)
    except UnusableFile as error:
        plan.unusable = str(error)
        return plan
    plan.sheet, plan.notes, plan.total_rows = (
        table.sheet,
        list(table.notes),
        table.row_count,
    )
    plan.headers = [as_text(cell) for cell in table.header]
    found, problems, ignored = map_columns(table.header)
    if problems:
        plan.unusable = "；".join(problems) + "。"
        return plan
    if ignored:
        plan.notes.append(f"以下列不是模板中的列，已忽略：{'、'.join(ignored)}。")
    columns = [(c, found[c.header]) for c in COLUMNS if c.field and c.header in found]
    checked: list[tuple[int, dict[str, Any]]] = []
    indexes = [index for _, index in columns]
    read_row = _RowReader(
        columns, table.formula_cells, _villages_for(actor), today, actor=actor
    )
    masked = MaskedRows(columns, actor=actor, today=today)
    for number, cells in table.rows:
        width = len(cells)
        if not any(cells[i] not in (None, "") for i in indexes if i < width):
            continue  # blank, or only 序号 / computed columns filled in
        if keep_raw:
            plan.raw[number] = cells
        if masked.holds(cells):
            masked.add(number, cells)  # read below, resolved with the file's others
        else:
            _sort_row(plan, checked, number, *read_row(number, cells))
        if progress and number % 2000 == 0:
            progress(number, table.row_count + table.header_row)
    if masked.pending:  # one query per batch of rows, then read as any other row
        for number, cells in masked.resolve():
            values, errors = read_row(number, cells)
            _sort_row(plan, checked, number, values, masked.explain(number, errors))
        checked.sort(key=lambda item: item[0])
    if progress:  # every row read; matching against the ledger follows
        progress(table.row_count + table.header_row, table.row_count + table.header_row)
    if not plan.rows and not checked:
        plan.unusable = "文件只有表头，没有儿童信息：请从第2行起每行填写一名儿童。"
        return plan
    _match(plan, checked, actor=actor, fields=[c.field for c, _ in columns])
    plan.rows.sort(key=lambda r: r.row)
    plan.errors.sort(key=lambda e: e.row)
    masked.conceal(plan.errors)
    if plan.raw:  # the error report repeats the rows in error, and only those
        rejected = {error.row for error in plan.errors}
        plan.raw = {n: cells for n, cells in plan.raw.items() if n in rejected}
    return plan


def _sort_row(plan: ImportPlan, checked: list, number: int, values, errors) -> None:
    """A row as read: rejected with its errors, or kept for matching."""
    if errors:
        plan.errors.extend(errors)
        plan.rows.append(PlannedRow(number, "rejected"))
    else:
        checked.append((number, values))


def _villages_for(actor) -> set[str]:
    """The village codes the actor may import into."""
    if not access.has_perm(actor, access.Perm.EDIT_CHILDREN):
        return set()
    return set(
        access.scope(actor, Area.objects.filter(level="village"), "code").values_list(
            "code", flat=True
        )
    )


FORMULA_WITHOUT_VALUE = "该单元格是公式且没有计算结果：请复制该列后“选择性粘贴为数值”"
_ID_KINDS = {"id", "parent_id"}


class _RowReader:
    """Reads one row into a Child's values and the row's errors; what is the same on
    every row (each column's reader, what an empty cell reads as, the fields the
    file lacks) is worked out once."""

    def __init__(self, columns, formulas, villages, today, *, actor) -> None:
        self.formulas, self.villages, self.today, self.actor = (
            formulas,
            villages,
            today,
            actor,
        )
        # Per column, what the loop reads: its field, header, index and reader; 1 for
        # an ID number column (2 for a parent's, empty as ""); whether required.
        self.columns = [
            (
                column.field,
                column.header,
                index,
                id_reader(column, today=today)
                if column.kind in _ID_KINDS
                else cell_reader(column, today=today),
                (column.kind == "id") + 2 * (column.kind == "parent_id"),
                column.required,
            )
            for column, index in columns
        ]
        self.index_of = {column.field: index for column, index in columns}
        present = {column.field for column, _ in columns}
        # The fields of columns the file lacks: their defaults, fresh lists each row.
        self.absent = [
            (name, col.default) for name, col in BY_FIELD.items() if name not in present
        ]
        # What an empty cell reads as in each optional column, by the column's index:
        # the same on every row.
        self.blanks: dict[int, Any] = {}
        for column, index in columns:
            if not column.required:
                try:
                    self.blanks[index] = read_cell(column, "", today=today)
                except CellError:
                    continue

    def __call__(self, number: int, cells: list) -> tuple[dict, list[RowError]]:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        ids = {}
        width = len(cells)
        blanks = self.blanks
        for name, header, index, read, id_kind, required in self.columns:
            raw = cells[index] if index < width else ""
            if raw is None or raw == "":
                if (number, index + 1) in self.formulas:
                    errors.append(RowError(number, header, "", FORMULA_WITHOUT_VALUE))
                    continue
                if index in blanks:
                    value = blanks[index]
                    values[name] = value.copy() if type(value) is list else value
                    continue
            if required and as_text(raw) == "":
                errors.append(RowError(number, header, "", f"{header}为必填项：请填写"))
                continue
            try:
                value = read(raw)
            except CellError as error:
                errors.append(RowError(number, header, as_text(raw)[:100], str(error)))
                continue
            if id_kind:
                if value is not None:
                    ids[name] = value
                    value = value.value
                elif id_kind == 2:
                    value = ""
            if required and value in (None, ""):
                errors.append(RowError(number, header, "", f"{header}为必填项：请填写"))
                continue
            values[name] = value
        for name, default in self.absent:
            values[name] = default if not isinstance(default, tuple) else list(default)
        failed = {e.column for e in errors}
        village = values.get("village_id")
        if (
            village
            and village not in self.villages
            and "户籍地行政区划代码" not in failed
        ):
            errors.append(
                RowError(
                    number,
                    "户籍地行政区划代码",
                    village,
                    "不是系统中的村（社区）代码：请从模板的“村（社区）代码”表中复制"
                    if access.in_jurisdiction(self.actor, village)
                    else "不是您管辖范围内的村（社区）代码：请核对，或由该村所在地的工作人员导入",
                )
            )
        usable = (
            {k: v for k, v in values.items() if BY_FIELD[k].header not in failed}
            if failed
            else values  # check_child only reads it
        )
        # An adult row passes only as an orphan in full-time school, as on the page
        # (rules.check_child). The ID numbers read above are not parsed again.
        problems = check_child(usable, today=self.today, parsed_ids=ids)
        for name, messages in problems.items():
            column = BY_FIELD.get(name)
            header = column.header if column else name
            if header in failed:
                continue
            index = self.index_of.get(name)
            raw = (
                "" if index is None else as_text(cells[index] if index < width else "")
            )
            for message in messages:  # quoting the cell as the file has it
                errors.append(RowError(number, header, raw[:100], message))
        if not errors:
            values["family_assistance"] = sorted(values.get("family_assistance") or [])
            values["id_number"] = values.get("id_number") or None
        return values, errors


def _facts(child: Child) -> dict[str, Any]:
    return {name: registry.to_json(getattr(child, name)) for name in IMPORTED_FIELDS}


def _match(
    plan: ImportPlan,
    checked: list[tuple[int, dict]],
    *,
    actor,
    fields: Iterable[str] = IMPORTED_FIELDS,
) -> None:
    """Sort checked rows into new / changed / unchanged / rejected / duplicate; a
    record's fields whose column the file lacks (`fields` are those it has) are kept."""
    absent = [name for name in IMPORTED_FIELDS if name not in set(fields)]
    numbers = [values["id_number"] for _, values in checked if values["id_number"]]
    seen_ids: dict[str, int] = {}
    existing = {}
    for start in range(0, len(numbers), CHUNK):
        for child in Child.objects.filter(id_number__in=numbers[start : start + CHUNK]):
            existing[child.id_number] = child
    unnumbered = _unnumbered_children(actor, {v["village_id"] for _, v in checked})
    seen_keys: dict[tuple, int] = {}
    for number, values in checked:
        id_number = values["id_number"]
        if id_number:
            if id_number in seen_ids:
                plan.errors.append(
                    RowError(
                        number,
                        "公民身份号码",
                        id_number,
                        f"与第{seen_ids[id_number]}行的身份号码相同：同一名儿童只能填一行",
                    )
                )
                plan.rows.append(PlannedRow(number, "rejected"))
                continue
            seen_ids[id_number] = number
            child = existing.get(id_number)
            if child is not None and not access.in_jurisdiction(
                actor, child.village_id
            ):
                message = (
                    registry.id_number_clash(actor=actor, id_number=id_number) or ""
                )
                plan.errors.append(
                    RowError(number, "公民身份号码", id_number, message.rstrip("。"))
                )
                plan.rows.append(PlannedRow(number, "rejected"))
                continue
        else:
            key = (values["village_id"], values["name"], values["birth_date"])
            if key in seen_keys:
                plan.errors.append(
                    RowError(
                        number,
                        "姓名",
                        values["name"],
                        f"与第{seen_keys[key]}行是同一名儿童（同村、同名、同出生日期，均无身份号码）：请删除重复的一行",
                    )
                )
                plan.rows.append(PlannedRow(number, "rejected"))
                continue
            seen_keys[key] = number
            child = unnumbered.exact.get(key)
            if child is None:
                similar = unnumbered.similar(values)
                if similar:
                    plan.rows.append(
                        PlannedRow(number, "duplicate", values, candidates=similar)
                    )
                    continue
        if child is None:
            plan.rows.append(PlannedRow(number, "new", values))
            continue
        if child.status == ChildStatus.MERGED:
            plan.errors.append(
                RowError(
                    number,
                    "公民身份号码",
                    id_number or "",
                    f"该儿童的记录已合并到记录 #{child.merged_into_id}：请核对",
                )
            )
            plan.rows.append(PlannedRow(number, "rejected"))
            continue
        values = {**values, **{name: getattr(child, name) for name in absent}}
        before = _facts(child)
        after = {k: registry.to_json(v) for k, v in values.items()}
        changes = {
            k: [before[k], after[k]] for k in IMPORTED_FIELDS if before[k] != after[k]
        }
        if changes and child.status == ChildStatus.EXITED:
            # As in the ledger's own edit: an exited record is re-admitted first.
            plan.errors.append(
                RowError(
                    number,
                    "公民身份号码" if id_number else "姓名",
                    id_number or values["name"],
                    f"该儿童已退出儿童信息库（记录 #{child.pk}）：如需修改，请先在系统中重新纳入",
                )
            )
            plan.rows.append(PlannedRow(number, "rejected"))
            continue
        action = "changed" if changes else "unchanged"
        plan.rows.append(
            PlannedRow(number, action, values, child.pk, changes, version=child.version)
        )


@dataclass
class _Unnumbered:
    exact: dict[tuple, Child]
    by_birth: dict[tuple[str, date], list[Child]]

    def similar(self, values: dict) -> list[int]:
        pinyin, _ = registry.name_keys(values["name"])
        county = values["village_id"][:6]
        return [
            child.pk
            for child in self.by_birth.get((county, values["birth_date"]), [])
            if child.name_pinyin == pinyin
            or fuzz.ratio(child.name_pinyin, pinyin) >= DUPLICATE_SIMILARITY
        ]


def _unnumbered_children(actor, villages: Iterable[str]) -> _Unnumbered:
    """Active children without ID number in the counties of the file's villages."""
    counties = {code[:6] for code in villages if code}
    exact: dict[tuple, Child] = {}
    by_birth: dict[tuple[str, date], list[Child]] = defaultdict(list)
    for county in counties:
        children = (
            access.scope(actor, Child.objects, "village_id")
            .filter(access.prefix_q("village_id", county), id_number__isnull=True)
            .exclude(status=ChildStatus.MERGED)
        )
        for child in children:
            exact[(child.village_id, child.name, child.birth_date)] = child
            if child.status == ChildStatus.ACTIVE:
                by_birth[(county, child.birth_date)].append(child)
    return _Unnumbered(exact, by_birth)


class NothingToCommit(Exception):
    """The plan has rejected rows and `partial` was not asked for."""


@without_cyclic_gc
def roster_commit(
    plan: ImportPlan,
    *,
    actor,
    partial: bool = False,
    source: str = "",
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write a checked plan: all rows or none (default), or only the good ones."""
    if plan.unusable:
        raise NothingToCommit(plan.unusable)
    if plan.count("rejected") and not partial:
        raise NothingToCommit("有被拒绝的行，未导入任何数据。")
    today = timezone.localdate()
    classify = registry.Classifier(as_of=today)  # each distinct case classified once
    new_rows = [r for r in plan.rows if r.action == "new"]
    changed_rows = [r for r in plan.rows if r.action == "changed"]
    done = 0
    total = len(new_rows) + len(changed_rows)
    name_keys = _NameKeys()
    new_child = registry.Builder(Child)
    note = f"花名册导入 {source}"
    with (
        transaction.atomic(),
        _sqlite_page_cache(),
        registry.indexes_built_after(Child, adding=len(new_rows)),
    ):
        # A village with exactly one director: that director is responsible, as for
        # a child registered through the form.
        sole_director = registry.village_sole_directors(
            {row.data["village_id"] for row in new_rows}
        )
        try:
            # The database writes batch N (writer thread) while batch N+1 is made.
            with writes_behind(
                reserve={Child: len(new_rows), ChildChange: len(new_rows)}
            ):
                for start in range(0, len(new_rows), batch_size):
                    batch = []
                    for row in new_rows[start : start + batch_size]:
                        child = new_child(row.data)
                        child.responsible_director_id = sole_director.get(
                            child.village_id
                        )
                        child.name_pinyin, child.name_initials = name_keys(child.name)
                        classify(child)
                        batch.append(child)
                    registry.children_bulk_add(
                        batch, actor=actor, action=ChangeAction.IMPORT, note=note
                    )
                    done += len(batch)
                    if progress:
                        progress(done, total)
        except IntegrityError:  # an ID number registered since the check
            raise NothingToCommit(
                "检查之后，文件中有身份号码已被他人登记：未导入任何数据。请重新上传文件检查后再导入。"
            ) from None
        ids = [row.child_id for row in changed_rows]
        locked = {}
        for start in range(0, len(ids), CHUNK):
            for child in Child.objects.select_for_update().filter(
                pk__in=ids[start : start + CHUNK]
            ):
                locked[child.pk] = child
        stale = [r.row for r in changed_rows if locked[r.child_id].version != r.version]
        if stale:
            # Someone saved one of these records after the check: never overwrite it.
            rows = "、".join(f"第{n}行" for n in stale[:10]) + (
                "等" if len(stale) > 10 else ""
            )
            raise NothingToCommit(
                f"{rows}对应的儿童记录在检查之后被他人修改：未导入任何数据。请重新上传文件检查后再导入。"
            )
        updated = []
        diffs = {}
        for row in changed_rows:
            child = locked[row.child_id]
            before = registry.snapshot(child)
            for key, value in row.data.items():
                setattr(child, key, value)
            child.name_pinyin, child.name_initials = name_keys(child.name)
            classify(child)
            child.version += 1
            child.updated_at = timezone.now()
            diffs[child.pk] = registry.diff(before, registry.snapshot(child))
            updated.append(child)
        fields = [
            *IMPORTED_FIELDS,
            "name_pinyin",
            "name_initials",
            "version",
            "updated_at",
            *registry.CLASSIFICATION_FIELDS,
            "next_visit_due",
        ]
        for start in range(0, len(updated), batch_size):
            batch = updated[start : start + batch_size]
            Child.objects.bulk_update(batch, fields)
            registry.history_bulk_record(
                batch, actor=actor, action=ChangeAction.IMPORT, note=note, diffs=diffs
            )
            done += len(batch)
            if progress:
                progress(done, total)
        counts = {**plan.counts, "new": len(new_rows), "changed": len(changed_rows)}
        if total:
            # An import that writes nothing (a re-run of the same file) leaves no
            # audit row: the trail records what reached the ledger.
            audit_record(
                actor=actor,
                action=AuditAction.ROSTER_IMPORT,
                object_type="roster",
                object_id=source[:64],
                area=actor.area,
                details={"file": plan.filename, "counts": counts, "partial": partial},
            )
    return counts


SQLITE_CACHE_KIB = 262_144  # 256 MiB, at most: pages are cached as they are used


@contextmanager
def _sqlite_page_cache():
    """On SQLite, a larger page cache for this connection while the import writes:
    the default 2 MB makes every insert into the child table's dozen indexes page
    in and out. The setting is memory only (durability is untouched) and is put
    back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class _NameKeys(dict):
    """registry.name_keys, worked out once per name of an import (a roster of a
    county repeats many names; the pinyin lookup is the costly part)."""

    def __call__(self, name: str) -> tuple[str, str]:
        keys = self.get(name)
        if keys is None:
            keys = self[name] = registry.name_keys(name)
        return keys
