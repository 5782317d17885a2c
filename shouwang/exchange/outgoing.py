"""Outgoing lists (issue R10 item 4): the list a member unit needs from the ledger,
as a spreadsheet holding only the fields declared for its purpose, audited.

Purposes are data (PURPOSES): who may receive the list (member units; county civil
affairs may download any), which active children it holds and which columns. A
purpose that declares the ID number gets full numbers only for a user who may see
them (Perm.REVEAL_ID) and asks; everyone else gets them masked. The children are cut
to the user's jurisdiction. Every download writes an audit row (exchange.export);
one with full numbers a second, as a reveal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO

import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.vocab import Health
from shouwang.roster.workbook import inert
from shouwang.schooling.comparison import born_between, school_age_range

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID_HEADER = "公民身份号码"
NOT_ALLOWED = "您没有下载成员单位名单的权限。"
FULL_ID_DENIED = "您没有导出完整身份号码的权限。"
SHEET = "名单"


def _village(child: Child) -> str:
    village = child.village
    township = village.parent.name if village.parent_id else ""
    return f"{township}{village.name}"


# Every column a purpose may declare: header → the child's value as text.
COLUMNS: dict[str, Callable[[Child], str]] = {
    "姓名": lambda c: c.name,
    "性别": lambda c: c.sex,
    "出生日期": lambda c: c.birth_date.isoformat(),
    ID_HEADER: lambda c: c.id_number or "",
    "户籍地村（社区）": _village,
    "现居住地址": lambda c: c.address,
    "就学状况": lambda c: c.schooling,
    "学校名称": lambda c: c.school,
    "残疾类别": lambda c: c.disability_category,
    "残疾等级": lambda c: c.disability_grade,
    "父亲姓名": lambda c: c.father_name,
    "母亲姓名": lambda c: c.mother_name,
    "监护人姓名": lambda c: c.guardian_name,
    "监护人联系电话": lambda c: c.guardian_phone,
}


def _left_behind_or_in_difficulty(children: QuerySet, as_of: date) -> QuerySet:
    return children.filter(Q(is_left_behind=True) | Q(is_in_difficulty=True))


def _school_age(children: QuerySet, as_of: date) -> QuerySet:
    first, last = born_between(as_of, school_age_range())
    return children.filter(birth_date__gte=first, birth_date__lte=last)


def _disabled(children: QuerySet, as_of: date) -> QuerySet:
    return children.filter(health=Health.DISABLED)


def _without_hukou(children: QuerySet, as_of: date) -> QuerySet:
    return children.filter(hukou_registered=False)


@dataclass(frozen=True)
class Purpose:
    """One declared use of an outgoing list: who receives it, what it is for, which
    active children it holds (`select`) and exactly which columns."""

    key: str
    label: str
    units: frozenset[str]
    description: str
    columns: tuple[str, ...]
    select: Callable[[QuerySet, date], QuerySet]

    @property
    def declares_id(self) -> bool:
        return ID_HEADER in self.columns

    @property
    def unit_labels(self) -> str:
        return "、".join(Unit(u).label for u in sorted(self.units))


PURPOSES: dict[str, Purpose] = {
    p.key: p
    for p in (
        Purpose(
            key="health",
            label="留守儿童和困境儿童建档",
            units=frozenset({Unit.HEALTH}),
            description="在册的农村留守儿童和困境儿童，供建立健康档案、预防接种和随访。",
            columns=(
                "姓名",
                "性别",
                "出生日期",
                "户籍地村（社区）",
                "监护人姓名",
                "监护人联系电话",
            ),
            select=_left_behind_or_in_difficulty,
        ),
        Purpose(
            key="education",
            label="义务教育适龄儿童就学核查",
            units=frozenset({Unit.EDUCATION}),
            description="在册的义务教育适龄儿童及其就学状况，供控辍保学比对。",
            columns=(
                "姓名",
                "性别",
                "出生日期",
                ID_HEADER,
                "户籍地村（社区）",
                "就学状况",
                "学校名称",
                "监护人姓名",
                "监护人联系电话",
            ),
            select=_school_age,
        ),
        Purpose(
            key="disability",
            label="残疾儿童康复救助",
            units=frozenset({Unit.DISABLED_FEDERATION}),
            description="在册的残疾儿童，供核发残疾证和康复救助。",
            columns=(
                "姓名",
                "性别",
                "出生日期",
                ID_HEADER,
                "户籍地村（社区）",
                "残疾类别",
                "残疾等级",
                "监护人姓名",
                "监护人联系电话",
            ),
            select=_disabled,
        ),
        Purpose(
            key="hukou",
            label="无户籍儿童登记户口",
            units=frozenset({Unit.POLICE}),
            description="在册的户口未登记儿童，供公安机关办理户口登记。",
            columns=(
                "姓名",
                "性别",
                "出生日期",
                "户籍地村（社区）",
                "现居住地址",
                "父亲姓名",
                "母亲姓名",
                "监护人姓名",
                "监护人联系电话",
            ),
            select=_without_hukou,
        ),
    )
}


class UnknownPurpose(DomainError):
    def __init__(self, key: str) -> None:
        known = "、".join(PURPOSES)
        super().__init__(f"没有用途“{key}”的名单，可选：{known}。", field="purpose")


def may_receive(user) -> bool:
    """True when the user may download some outgoing list: county-level (or higher)
    civil affairs, or a member unit's user whose unit has a declared purpose."""
    return bool(purposes_for(user))


def purposes_for(user) -> list[Purpose]:
    """The purposes the user may download, in declaration order: every purpose for
    civil affairs, the purposes of their unit for a member unit's user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if not user.area_id:
        return []
    if user.role == Role.CIVIL_AFFAIRS:
        return list(PURPOSES.values())
    if user.role == Role.DEPARTMENT and user.unit:
        return [p for p in PURPOSES.values() if user.unit in p.units]
    return []


def purpose_for(user, key: str) -> Purpose:
    """The purpose the user asks for; UnknownPurpose for none of that name,
    PermissionDenied for one that is not theirs."""
    purpose = PURPOSES.get(key)
    if purpose is None:
        raise UnknownPurpose(key)
    if purpose not in purposes_for(user):
        raise PermissionDenied(NOT_ALLOWED)
    return purpose


def outgoing_children_for(*, viewer, purpose: Purpose, as_of: date) -> QuerySet[Child]:
    """The active children of the viewer's jurisdiction the purpose selects, by
    village and name."""
    children = access.scope(
        viewer, Child.objects.filter(status=ChildStatus.ACTIVE), "village_id"
    )
    return (
        purpose.select(children, as_of)
        .select_related("village__parent")
        .order_by("village_id", "name", "id")
    )


def outgoing_filename(purpose: Purpose, on: date) -> str:
    return f"{purpose.label}名单-{on:%Y%m%d}.xlsx"


def outgoing_write(
    *,
    actor,
    purpose: str,
    out: IO[bytes] | str,
    full_id: bool = False,
    as_of: date | None = None,
) -> int:
    """Write the purpose's list of the actor's area to out and audit it; returns
    the rows written. PermissionDenied for a purpose not theirs, or full numbers
    without REVEAL_ID; UnknownPurpose for an undeclared one."""
    chosen = purpose_for(actor, purpose)
    if full_id and not access.has_perm(actor, access.Perm.REVEAL_ID):
        raise PermissionDenied(FULL_ID_DENIED)
    full_id = full_id and chosen.declares_id
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        children = outgoing_children_for(viewer=actor, purpose=chosen, as_of=as_of)
        count = _write(out, chosen, children, full_id=full_id)
        details = {"purpose": chosen.key, "count": count, "full_id": full_id}
        audit_record(
            actor=actor,
            action=AuditAction.EXCHANGE_EXPORT,
            object_type="exchange.outgoing",
            area=actor.area,
            details=details,
        )
        if full_id:
            audit_record(
                actor=actor,
                action="child.reveal_id",
                object_type="exchange.outgoing",
                area=actor.area,
                details={"via": "exchange.export", **details},
            )
    return count


def _write(out, purpose: Purpose, children, *, full_id: bool) -> int:
    book = xlsxwriter.Workbook(
        out,
        {
            # Row by row through temporary files; text is never a formula or link.
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(SHEET)
    for col, header in enumerate(purpose.columns):
        sheet.write_string(0, col, header, head)
        sheet.set_column(
            col, col, 22 if header in (ID_HEADER, "户籍地村（社区）") else 12
        )
    getters = [COLUMNS[h] for h in purpose.columns]
    row = 0
    for child in children.iterator(chunk_size=2000):
        row += 1
        for col, (header, getter) in enumerate(
            zip(purpose.columns, getters, strict=True)
        ):
            value = getter(child)
            if header == ID_HEADER and not full_id:
                value = mask_id_number(value)
            sheet.write_string(row, col, inert(value or ""), text)
    book.close()
    return row
