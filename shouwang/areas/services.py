"""Writes to the administrative tree: loading the official list of areas."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record

from . import codes
from .models import Area, AreaLevel

REQUIRED_COLUMNS = ("code", "name", "parent_code")
# The level column may use the English value, the short Chinese word, or either label
# the product itself shows (县级 in messages, 村（社区） on pages).
_LEVEL_WORDS = {
    **{level.value: level for level in codes.Level},
    **{label: level for level, label in codes.LEVEL_LABELS.items()},
    **{label: codes.Level(value) for value, label in AreaLevel.choices},
    "省": codes.Level.PROVINCE,
    "市": codes.Level.CITY,
    "县": codes.Level.COUNTY,
    "乡": codes.Level.TOWNSHIP,
    "乡镇": codes.Level.TOWNSHIP,
    "村": codes.Level.VILLAGE,
}
_CHUNK = 900


@dataclass(frozen=True)
class AreaRow:
    line: int
    code: str
    name: str
    parent_code: str | None


@dataclass
class AreaLoadReport:
    rows: list[AreaRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def messages(self) -> list[str]:
        """The problems in line order, each as 第N行：…。"""
        return [f"第{line}行：{text}。" for line, text in sorted(self.errors)]


def _existing(codes_: Iterable[str]) -> dict[str, str]:
    """Names of the areas already stored, by code, for the given codes."""
    wanted = list(codes_)
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(Area.objects.filter(code__in=chunk).values_list("code", "name"))
    return found


def _csv_problem(error: csv.Error) -> str:
    return f"无法按 CSV 读取（{error}）：请检查引号是否成对，并将文件另存为 CSV"


def _records(reader, report: AreaLoadReport) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header, each with the line it starts on (header is line 1).

    A quoted cell may span lines, so the line is read from the reader, not counted.
    A row the csv module cannot read ends the file with a message for its line.
    """
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            report.errors.append((line, _csv_problem(error)))
            return
        yield line, cells


def areas_parse(text: str, *, stored: dict[str, str] | None = None) -> AreaLoadReport:
    """Check an area list (header code,name,parent_code[,level]); every problem by line.

    `stored` maps codes already in the database to names; parents may be found there.
    When None, the database is asked.
    """
    report = AreaLoadReport()
    if not text.strip():
        report.errors.append((1, "文件为空，应有表头 code,name,parent_code"))
        return report
    # newline="": the csv module then reads \r, \n and \r\n line ends alike.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as error:
        report.errors.append((reader.line_num or 1, _csv_problem(error)))
        return report
    columns = [h.strip().lstrip("\ufeff").lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        report.errors.append(
            (
                1,
                f"表头缺少列 {', '.join(missing)}；表头应为 code,name,parent_code"
                "（可另加 level 列）",
            )
        )
        return report
    index = {
        name: columns.index(name)
        for name in (*REQUIRED_COLUMNS, "level")
        if name in columns
    }

    seen: dict[str, int] = {}
    for line, cells in _records(reader, report):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            i = index.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        code, name, parent = cell("code"), cell("name"), cell("parent_code")
        problems = []
        if not name:
            problems.append("名称为空：请填写区划名称")
        elif len(name) > 100:
            problems.append("名称超过100个字符：请缩短")
        if not codes.is_code(code):
            problems.insert(
                0,
                f"区划代码“{code}”格式不对：应为12位数字（不足12位的在末尾补0），"
                "前两位为省级代码",
            )
            report.errors.extend((line, p) for p in problems)
            continue
        level = codes.level_of(code)
        if "level" in index and cell("level"):
            said = _LEVEL_WORDS.get(cell("level").lower())
            if said is None:
                problems.append(
                    f"级别“{cell('level')}”无法识别：应为 省/市/县/乡/村 或 "
                    "province/city/county/township/village"
                )
            elif said != level:
                problems.append(
                    f"级别“{cell('level')}”与区划代码不符：代码 {code} 是"
                    f"{codes.LEVEL_LABELS[level]}区划"
                )
        if code in seen:
            problems.append(f"区划代码 {code} 与第{seen[code]}行重复：请删除其中一行")
        else:
            seen[code] = line
        expected = codes.expected_parent(code)
        if expected is None and parent:
            problems.append(f"{code} 是省级区划，上级代码应为空，而不是“{parent}”")
        elif expected is not None and parent != expected:
            problems.append(
                f"上级代码“{parent}”与区划代码不一致：{code} 的上级应为 {expected}"
            )
        if problems:
            report.errors.extend((line, p) for p in problems)
            continue
        report.rows.append(AreaRow(line, code, name, parent or None))

    if not seen and not report.errors:
        report.errors.append((2, "文件只有表头，没有区划行：请在表头下逐行填写区划"))
        return report
    # Every well-formed code of the file counts as present, even on a row with another
    # problem: that row's own message says what is wrong, its children need no second.
    in_file = set(seen)
    parents = {row.parent_code for row in report.rows if row.parent_code}
    if stored is None:
        stored = _existing(parents - in_file)
    for row in report.rows:
        if (
            row.parent_code
            and row.parent_code not in in_file
            and row.parent_code not in stored
        ):
            report.errors.append(
                (
                    row.line,
                    f"上级区划 {row.parent_code} 不存在（文件和系统中都没有）："
                    "请先导入上级区划，或在文件中补上这一行",
                )
            )
    return report


def areas_load(*, text: str, actor=None, source: str = "") -> AreaLoadReport:
    """Load an area list: all rows or, when any row is wrong, nothing at all.

    Rerunning with the same list changes nothing; a changed name is updated.
    """
    report = areas_parse(text)
    if report.errors:
        return report
    now = timezone.now()
    with transaction.atomic():
        stored = _existing(row.code for row in report.rows)
        by_depth = sorted(
            report.rows, key=lambda row: codes.LEVEL_DIGITS[codes.level_of(row.code)]
        )
        new = [
            Area(
                code=r.code,
                name=r.name,
                level=codes.level_of(r.code),
                parent_id=r.parent_code,
            )
            for r in by_depth
            if r.code not in stored
        ]
        renamed = [
            Area(code=r.code, name=r.name, updated_at=now)
            for r in report.rows
            if r.code in stored and stored[r.code] != r.name
        ]
        Area.objects.bulk_create(new, batch_size=1000)
        Area.objects.bulk_update(renamed, ["name", "updated_at"], batch_size=1000)
        report.created, report.updated = len(new), len(renamed)
        report.unchanged = len(report.rows) - len(new) - len(renamed)
        if new or renamed:
            audit_record(
                actor=actor,
                action=AuditAction.AREAS_LOAD,
                object_type="area",
                details={
                    "source": source,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
    return report
