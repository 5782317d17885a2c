"""Writes for visits: record a visit (with its files) and keep the child's schedule.

`check_visit` holds every rule a visit's values must meet, as Chinese messages by
field; the page's form, the API's edge and `visit_record` all call it, so a person
hears the same words wherever they type.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, InvalidValues, NotFound
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.services import schedule_next_visit

from ..attachments import attachments_save, check_uploads
from ..models import FINDING_ASPECTS, Finding, Visit, VisitMode

RECORD_DENIED = "您没有记录走访的权限。"
CHILD_NOT_FOUND = "儿童记录不存在或不在您的管辖范围内。"
EXITED = "该儿童已退出儿童信息库，不能记录走访：如需走访，请先重新纳入。"
MAX_TEXT = 2000
MAX_NOTE = 500
MAX_NAMES = 200

# The values of a visit, in the order the form shows them (and problems are listed).
VISIT_FIELDS = (
    "visit_date",
    "mode",
    "visitors",
    "met",
    *(f for name, _ in FINDING_ASPECTS for f in (name, f"{name}_note")),
    "problems",
    "measures",
    "followup_needed",
    "followup_due",
)
LABELS = {field.name: str(field.verbose_name) for field in Visit._meta.fields}
LABELS["attachments"] = "附件"
CONCERNS = (Finding.WATCH, Finding.PROBLEM)


class InvalidVisit(InvalidValues):
    """The visit's values break a rule; `problems` has every message by field."""


def _text_problem(field: str, value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"{LABELS[field]}最多{limit}个字，当前{len(value)}个。"
    return None


def check_visit(
    values: Mapping[str, Any], *, birth_date: date | None, today: date
) -> dict[str, list[str]]:
    """Every problem with a visit's values, as Chinese messages by field (in form
    order); empty when the visit may be kept. Missing keys count as not filled."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str | None) -> None:
        if message:
            problems.setdefault(field, []).append(message)

    visit_date = values.get("visit_date")
    if visit_date is None:
        add("visit_date", "请填写走访日期。")
    elif visit_date > today:
        add(
            "visit_date",
            f"走访日期不能晚于今天（{today.isoformat()}）：请填写实际走访的日期。",
        )
    elif birth_date is not None and visit_date < birth_date:
        add(
            "visit_date",
            f"走访日期不能早于儿童的出生日期（{birth_date.isoformat()}）。",
        )
    mode = values.get("mode") or ""
    if not mode:
        add("mode", "请选择走访方式。")
    elif mode not in VisitMode.values:
        add(
            "mode",
            f"走访方式“{mode}”不是可选的值，应为：{'、'.join(VisitMode.values)}。",
        )
    for field in ("visitors", "met"):
        value = (values.get(field) or "").strip()
        if not value:
            add(field, f"请填写{LABELS[field]}。")
        add(field, _text_problem(field, value, MAX_NAMES))
    for name, label in FINDING_ASPECTS:
        finding = values.get(name) or ""
        note = (values.get(f"{name}_note") or "").strip()
        if not finding:
            add(name, f"请选择{label}情况：正常、需关注或有问题。")
        elif finding not in Finding.values:
            add(
                name,
                f"{label}情况“{finding}”不是可选的值，应为：正常、需关注、有问题。",
            )
        elif finding in CONCERNS and not note:
            add(
                f"{name}_note",
                f"{label}情况为“{finding}”：请在“{label}情况说明”中写明具体情况。",
            )
        add(f"{name}_note", _text_problem(f"{name}_note", note, MAX_NOTE))
    for field in ("problems", "measures"):
        add(field, _text_problem(field, values.get(field) or "", MAX_TEXT))
    followup_due = values.get("followup_due")
    if values.get("followup_needed"):
        if followup_due is None:
            add("followup_due", "已选择需要跟进：请填写跟进期限。")
        elif visit_date is not None and followup_due < visit_date:
            add(
                "followup_due",
                f"跟进期限不能早于走访日期（{visit_date.isoformat()}）。",
            )
    return {field: problems[field] for field in VISIT_FIELDS if field in problems}


def closed_to_visits(child: Child) -> str | None:
    """Why no visit may be recorded for the child (exited or merged), or None."""
    if child.status == ChildStatus.MERGED:
        return (
            f"该记录已合并到记录 #{child.merged_into_id}，请在合并后的记录上记录走访。"
        )
    if child.status != ChildStatus.ACTIVE:
        return EXITED
    return None


def _active_child_for(actor, child_id: int) -> Child:
    if not access.has_perm(actor, access.Perm.RECORD_VISITS):
        raise DomainError(RECORD_DENIED)
    child = (
        access.scope(actor, Child.objects.select_for_update(), "village_id")
        .filter(pk=child_id)
        .first()
    )
    if child is None:
        raise NotFound(CHILD_NOT_FOUND)
    if refusal := closed_to_visits(child):
        raise DomainError(refusal)
    return child


def visit_record(
    *,
    actor,
    child_id: int,
    data: Mapping[str, Any],
    uploads: Iterable[UploadedFile] = (),
) -> Visit:
    """Record a visit to an active child in the actor's jurisdiction, with its files;
    the child's schedule moves and the record is audited, all or nothing."""
    uploads = list(uploads)
    saved = []
    try:
        with transaction.atomic():
            child = _active_child_for(actor, child_id)
            values = {field: data.get(field) for field in VISIT_FIELDS}
            problems = check_visit(
                values, birth_date=child.birth_date, today=timezone.localdate()
            )
            if upload_problems := check_uploads(uploads):
                problems["attachments"] = upload_problems
            if problems:
                raise InvalidVisit(problems)
            for field in (
                "visitors",
                "met",
                *(f"{n}_note" for n, _ in FINDING_ASPECTS),
            ):
                values[field] = (values[field] or "").strip()
            values["problems"] = values["problems"] or ""
            values["measures"] = values["measures"] or ""
            values["followup_needed"] = bool(values["followup_needed"])
            if not values["followup_needed"]:
                values["followup_due"] = None
            visit = Visit.objects.create(
                child=child, village_id=child.village_id, recorded_by=actor, **values
            )
            saved = attachments_save(actor=actor, uploads=uploads, visit=visit)
            child_schedule_refresh(child=child)
            audit_record(
                actor=actor,
                action=AuditAction.VISIT_RECORD,
                obj=visit,
                area_code=child.village_id,
                details={
                    "child": child.pk,
                    "visit_date": visit.visit_date.isoformat(),
                    "attachments": len(saved),
                    "next_visit_due": child.next_visit_due.isoformat()
                    if child.next_visit_due
                    else None,
                },
            )
    except BaseException:
        # The rows are rolled back; the files written meanwhile must go with them.
        for attachment in saved:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return visit


def visit_record_read(*, actor, visit: Visit) -> None:
    """Audit a read of one visit's record (a sensitive read)."""
    audit_record(
        actor=actor,
        action=AuditAction.VISIT_VIEW,
        obj=visit,
        area_code=visit.child.village_id,
        details={"child": visit.child_id},
    )


def visit_list_read(*, actor, child: Child) -> None:
    """Audit a read of a child's list of visits (a sensitive read)."""
    audit_record(
        actor=actor,
        action=AuditAction.VISIT_LIST,
        obj=child,
        area_code=child.village_id,
    )


def child_schedule_refresh(*, child: Child, as_of: date | None = None) -> Child:
    """Set the child's last visit, follow-up and next due date from its latest visit
    (by visit date); derived fields, so no version bump and no history row."""
    latest = (
        Visit.objects.filter(child_id=child.pk)
        .order_by("-visit_date", "-id")
        .values("visit_date", "followup_needed", "followup_due")
        .first()
    )
    child.last_visit_date = latest["visit_date"] if latest else None
    child.visit_followup_due = (
        latest["followup_due"] if latest and latest["followup_needed"] else None
    )
    schedule_next_visit(child, as_of=as_of or timezone.localdate())
    Child.objects.filter(pk=child.pk).update(
        last_visit_date=child.last_visit_date,
        visit_followup_due=child.visit_followup_due,
        next_visit_due=child.next_visit_due,
    )
    return child
