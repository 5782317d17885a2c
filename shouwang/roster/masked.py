"""Masked ID numbers in a roster that comes back to the importer.

An export shows ID numbers as 430524********1234 (core.idnumber.mask_id_number). When
such a file is edited and imported again, a masked child's number is read as the
number on file of the one child in the importer's jurisdiction with the row's name and
birth date whose number it masks; a masked parent's or guardian's number is read as
the number on file of the row's child, when it masks that number. The numbers on file
are never changed this way; what cannot be told apart gets a message saying why.

The importer sets such rows aside while it reads the file (`MaskedRows.holds`), then
resolves them together, one query per batch of rows (`MaskedRows.resolve`).
"""

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from django.db.models import Q

from shouwang.accounts import access
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.models import Child, ChildStatus

from .cells import CellError, as_text, cell_reader, read_date, read_id_number
from .columns import BY_FIELD, Column

MASKED = re.compile(r"^[0-9]{6}\*{8}[0-9]{3}[0-9X]$")
BATCH = 900
_ID_KINDS = ("id", "parent_id")
_FULL_EXPORT = "或在儿童信息库用“导出（完整身份号码）”导出花名册，修改后再导入"
NO_CHILD = (
    "这是导出时遮蔽了中间8位的号码，在您管辖范围内找不到姓名、出生日期与本行相同且号码相符的儿童"
    f"（姓名或出生日期改过时就会这样）：请填写完整的18位身份号码，{_FULL_EXPORT}"
)
SEVERAL_CHILDREN = (
    "这是导出时遮蔽了中间8位的号码，在您管辖范围内有{count}名姓名、出生日期相同且号码相符的儿童，"
    f"无法确定是哪一名：请填写完整的18位身份号码，{_FULL_EXPORT}"
)
UNREADABLE_ROW = (
    "这是导出时遮蔽了中间8位的号码，要凭本行的姓名和出生日期找到对应的儿童，"
    "但本行的姓名或出生日期有误：请先改正它们，或填写完整的18位身份号码"
)
NO_PERSON = (
    "这是导出时遮蔽了中间8位的号码，与系统中本行儿童记录里的号码不符（或本行儿童无法确定）："
    f"请填写完整的18位号码，{_FULL_EXPORT}"
)


def masked_number(value: object) -> str:
    """The cell as a masked ID number (X upper case), or "" when it is not one."""
    if type(value) is not str or "*" not in value:
        return ""
    text = value.strip().upper()
    return text if MASKED.match(text) else ""


class MaskedRows:
    """The rows of one roster file that hold masked ID numbers, resolved together."""

    def __init__(self, columns: list[tuple[Column, int]], *, actor, today: date):
        self.actor = actor
        self.index_of = {column.field: index for column, index in columns}
        self.ids = [(c, i) for c, i in columns if c.kind in _ID_KINDS]
        self.indexes = [index for _, index in self.ids]
        self.read_name = cell_reader(BY_FIELD["name"], today=today)
        self.today = today
        self.pending: list[tuple[int, list[Any]]] = []
        self.problems: dict[int, dict[str, str]] = {}
        self.shown: dict[tuple[int, str], str] = {}  # (row, header) → masked text

    def holds(self, cells: list[Any]) -> bool:
        """True when one of the row's ID number cells holds a masked number."""
        width = len(cells)
        for index in self.indexes:
            if index < width and masked_number(cells[index]):
                return True
        return False

    def add(self, number: int, cells: list[Any]) -> None:
        self.pending.append((number, cells))

    def resolve(self) -> Iterator[tuple[int, list[Any]]]:
        """The set-aside rows, each a copy with every masked number it could resolve
        replaced by the number on file (the file's own cells stay as they are)."""
        for start in range(0, len(self.pending), BATCH):
            batch = [
                self._facts(n, cells)
                for n, cells in self.pending[start : start + BATCH]
            ]
            by_key, by_number = self._children(batch)
            for facts in batch:
                yield facts["row"], self._resolved(facts, by_key, by_number)
        self.pending = []

    def explain(self, number: int, errors: list) -> list:
        """The row's errors, with the masked cells left unresolved saying why."""
        problems = self.problems.get(number)
        if not problems:
            return errors
        return [
            replace(e, message=problems[e.column]) if e.column in problems else e
            for e in errors
        ]

    def conceal(self, errors: list) -> None:
        """Errors quoting a number resolved from a masked one quote it masked again:
        the file never showed the user the full number."""
        if not self.shown:
            return
        for position, error in enumerate(errors):
            masked = self.shown.get((error.row, error.column))
            if masked is not None:
                errors[position] = replace(error, value=masked)

    def _cell(self, cells: list[Any], field: str) -> Any:
        index = self.index_of.get(field)
        return cells[index] if index is not None and index < len(cells) else ""

    def _facts(self, number: int, cells: list[Any]) -> dict[str, Any]:
        try:
            name = self.read_name(self._cell(cells, "name"))
            born = read_date(self._cell(cells, "birth_date"))
        except CellError:
            name, born = None, None
        own = self._cell(cells, "id_number")
        full = ""
        if not masked_number(own) and as_text(own):
            try:
                parsed = read_id_number(own, today=self.today)
            except CellError:
                parsed = None
            full = parsed.value if parsed else ""
        return {
            "row": number,
            "cells": cells,
            "name": name or None,
            "born": born,
            "village": as_text(self._cell(cells, "village_id")),
            "own": own,
            "full": full,
        }

    def _children(self, batch: list[dict]) -> tuple[dict, dict]:
        """The candidates of a batch, in one query: children in the actor's
        jurisdiction (merged records are no longer children) with a row's name, or
        with a row's full number."""
        names = {f["name"] for f in batch if f["name"] and f["born"]}
        numbers = {f["full"] for f in batch if f["full"]}
        by_key: dict[tuple[str, date], list[Child]] = defaultdict(list)
        by_number: dict[str, Child] = {}
        if not names and not numbers:
            return by_key, by_number
        fields = {"name", "birth_date", "village_id", "status", "id_number"}
        fields |= {c.field for c, _ in self.ids}
        children = (
            access.scope(self.actor, Child.objects, "village_id")
            .filter(Q(name__in=names) | Q(id_number__in=numbers))
            .exclude(status=ChildStatus.MERGED)
            .only(*fields)
        )
        for child in children:
            by_key[(child.name, child.birth_date)].append(child)
            if child.id_number:
                by_number[child.id_number] = child
        return by_key, by_number

    def _resolved(self, facts: dict, by_key: dict, by_number: dict) -> list[Any]:
        number, cells = facts["row"], list(facts["cells"])
        problems: dict[str, str] = {}
        own = masked_number(facts["own"])
        same = by_key.get((facts["name"], facts["born"]), [])
        child = None
        if own:
            found = [c for c in same if mask_id_number(c.id_number) == own]
            if len(found) == 1:
                child = found[0]
            elif facts["name"] is None or facts["born"] is None:
                problems[BY_FIELD["id_number"].header] = UNREADABLE_ROW
            elif found:
                problems[BY_FIELD["id_number"].header] = SEVERAL_CHILDREN.format(
                    count=len(found)
                )
            else:
                problems[BY_FIELD["id_number"].header] = NO_CHILD
        elif facts["full"]:
            child = by_number.get(facts["full"])
        elif not as_text(facts["own"]):  # no number: the record kept without one
            found = [
                c
                for c in same
                if c.id_number is None and c.village_id == facts["village"]
            ]
            child = found[0] if len(found) == 1 else None
        for column, index in self.ids:
            masked = masked_number(cells[index]) if index < len(cells) else ""
            if not masked:
                continue
            on_file = getattr(child, column.field) if child is not None else None
            if on_file and mask_id_number(on_file) == masked:
                cells[index] = on_file
                self.shown[(number, column.header)] = masked
            elif column.header not in problems:
                problems[column.header] = NO_PERSON
        if problems:
            self.problems[number] = problems
        return cells
