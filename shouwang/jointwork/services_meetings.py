"""Writes of member units, meetings, tasks and supervision notices: keyword-only,
given the acting user, one transaction each with its audit row. Rules refused here
come back by field (InvalidValues) or as one DomainError; nothing is half saved."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from shouwang.accounts.models import Role, User
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound, Problems, read_text
from shouwang.visits.attachments import check_uploads, sniff
from shouwang.visits.models import ATTACHMENT_SUFFIXES, attachment_storage

from . import selectors_meetings as sel
from .models import Decision, Meeting, MemberUnit, SupervisionNotice, Task, TaskReport
from .vocab import CIVIL_AFFAIRS, UNIT_LABELS, TaskState

STALE = "该记录已被他人修改：请刷新页面后重新填写。"
NOT_OFFICE = "只有本级联席会议办公室（民政干部）可以办理。"
CLOSED_REPORT = "该任务已办结，不能再报告办理情况。"


def keep_file(upload: UploadedFile, folder: str) -> dict:
    """Keep a checked upload under VISIT_UPLOAD_DIR/jointwork/<folder>, named by us;
    returns its stored name, original name and content type."""
    upload.seek(0)
    content_type = sniff(upload.read(16)) or "application/octet-stream"
    upload.seek(0)
    suffix = ATTACHMENT_SUFFIXES.get(content_type, "")
    wanted = f"jointwork/{folder}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}"
    name = attachment_storage().save(wanted + suffix, upload)
    return {
        "name": name,
        "original": PurePath(upload.name or "附件").name[:200],
        "type": content_type,
        "size": upload.size,
    }


def _check_files(problems: Problems, field_name: str, uploads, label: str) -> None:
    for message in check_uploads(list(uploads)):
        problems.add(field_name, message.replace("附件", label))


def _require_office_of(actor: User, area_code: str) -> None:
    if not sel.is_office(actor) or actor.area_id != area_code:
        raise DomainError(NOT_OFFICE)


# ---- member units ------------------------------------------------------------------


def member_unit_save(
    *,
    actor: User,
    unit: str,
    duties: str,
    is_office: bool,
    contact_ids: list[int],
    expected_version: int,
) -> MemberUnit:
    """Set a unit of the actor's area: duties, office mark (one per area) and
    contacts (accounts of that unit and area), at the version read."""
    if not sel.is_office(actor):
        raise DomainError(NOT_OFFICE)
    if unit not in UNIT_LABELS:
        raise NotFound("成员单位不存在。")
    problems = Problems()
    duties = read_text(problems, {"duties": duties}, "duties", "职责分工", limit=2000)
    allowed = set(
        contact_candidates(area_code=actor.area_id, unit=unit).values_list(
            "pk", flat=True
        )
    )
    if set(contact_ids) - allowed:
        problems.add("contacts", "联络人须是本级该单位的在用账号，请从列表中选择。")
    problems.raise_any()
    with transaction.atomic():
        row = (
            MemberUnit.objects.select_for_update()
            .filter(area_id=actor.area_id, unit=unit)
            .first()
        )
        if row is None:
            if expected_version not in (0, 1):
                raise DomainError(STALE)
            row = MemberUnit(area_id=actor.area_id, unit=unit, version=0)
        elif row.version != expected_version:
            raise DomainError(STALE)
        if is_office:
            # One office per area: the mark moves here (cleared first, the
            # constraint checks every row).
            MemberUnit.objects.filter(area_id=actor.area_id, is_office=True).exclude(
                unit=unit
            ).update(is_office=False)
        row.duties = duties
        row.is_office = is_office
        row.version += 1
        row.save()
        row.contacts.set(contact_ids)
        audit_record(
            actor=actor,
            action=AuditAction.JOINT_UNIT_UPDATE,
            obj=row,
            area_code=actor.area_id,
            details={
                "unit": unit,
                "office": is_office,
                "contacts": sorted(contact_ids),
            },
        )
    return row


def contact_candidates(*, area_code: str, unit: str):
    """The accounts that may be a unit's contacts: active staff of that unit at the
    area (civil affairs: the area's civil-affairs staff)."""
    users = User.objects.filter(area_id=area_code, is_active=True)
    if unit == CIVIL_AFFAIRS:
        return users.filter(role=Role.CIVIL_AFFAIRS).order_by("username")
    return users.filter(role=Role.DEPARTMENT, unit=unit).order_by("username")


# ---- meetings ----------------------------------------------------------------------


@dataclass
class TaskEntry:
    slot: str  # the form's prefix of this task's fields ("d2_t1")
    unit: str
    title: str
    deadline: date | None


@dataclass
class DecisionEntry:
    slot: str  # the form's prefix of the decision ("d2")
    text: str
    tasks: list[TaskEntry] = field(default_factory=list)


def meeting_record(
    *,
    actor: User,
    title: str,
    held_on: date,
    attendees: list[str],
    notes: str,
    decisions: list[DecisionEntry],
    minutes: UploadedFile | None,
) -> Meeting:
    """Record a meeting of the actor's area with its decisions and their tasks; every
    problem by field (a deadline before the meeting on its task), nothing saved."""
    if not sel.is_office(actor):
        raise DomainError(NOT_OFFICE)
    today = timezone.localdate()
    problems = Problems()
    title = read_text(
        problems, {"title": title}, "title", "会议名称", required=True, limit=100
    )
    notes = read_text(problems, {"notes": notes}, "notes", "会议情况", limit=2000)
    if held_on > today:
        problems.add("held_on", "召开日期不能晚于今天：会议开过后再登记。")
    unknown = [a for a in attendees if a not in UNIT_LABELS]
    if unknown:
        problems.add("attendees", "参会单位须从成员单位中选择。")
    if minutes is not None:
        _check_files(problems, "minutes", [minutes], "会议纪要")
    if not decisions:
        problems.add("d1_text", "请至少填写一项议定事项，并为它分配任务。")
    for decision in decisions:
        if not decision.text:
            problems.add(f"{decision.slot}_text", "请填写议定事项的内容。")
        elif len(decision.text) > 2000:
            problems.add(f"{decision.slot}_text", "议定事项最多2000个字。")
        if not decision.tasks:
            problems.add(
                f"{decision.slot}_t1_unit",
                "每项议定事项至少分配一项任务：请填写承办单位、任务和办理期限。",
            )
        for task in decision.tasks:
            if task.unit not in UNIT_LABELS:
                problems.add(f"{task.slot}_unit", "请选择承办单位。")
            if not task.title:
                problems.add(f"{task.slot}_title", "请填写任务内容。")
            elif len(task.title) > 200:
                problems.add(f"{task.slot}_title", "任务内容最多200个字。")
            if task.deadline is None:
                problems.add(f"{task.slot}_deadline", "请填写办理期限（年-月-日）。")
            elif task.deadline < held_on:
                problems.add(
                    f"{task.slot}_deadline",
                    f"办理期限（{task.deadline:%Y-%m-%d}）不能早于会议召开日期"
                    f"（{held_on:%Y-%m-%d}）。",
                )
    problems.raise_any()
    with transaction.atomic():
        meeting = Meeting(
            area_id=actor.area_id,
            title=title,
            held_on=held_on,
            attendees=[a for a, _ in UNIT_LABELS.items() if a in set(attendees)],
            notes=notes,
            created_by=actor,
        )
        if minutes is not None:
            kept = keep_file(minutes, "minutes")
            meeting.minutes_name = kept["name"]
            meeting.minutes_original = kept["original"]
        meeting.save()
        count = 0
        for number, entry in enumerate(decisions, start=1):
            decision = Decision.objects.create(
                meeting=meeting, number=number, text=entry.text
            )
            Task.objects.bulk_create(
                Task(
                    decision=decision,
                    area_id=actor.area_id,
                    unit=task.unit,
                    title=task.title,
                    deadline=task.deadline,
                )
                for task in entry.tasks
            )
            count += len(entry.tasks)
        audit_record(
            actor=actor,
            action=AuditAction.MEETING_SAVE,
            obj=meeting,
            area_code=actor.area_id,
            details={"op": "record", "decisions": len(decisions), "tasks": count},
        )
    return meeting


def meeting_void(*, actor: User, meeting_id: int, reason: str) -> Meeting:
    """Void a meeting entered by mistake (with a reason): it and its tasks are no
    longer listed or counted."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写作废原因。", field="reason")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None:
            raise NotFound()
        _require_office_of(actor, meeting.area_id)
        if meeting.voided_at is not None:
            raise DomainError("该会议已作废。")
        meeting.voided_at = timezone.now()
        meeting.void_reason = reason[:200]
        meeting.save(update_fields=["voided_at", "void_reason", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.MEETING_SAVE,
            obj=meeting,
            area_code=meeting.area_id,
            details={"op": "void", "reason": meeting.void_reason},
        )
    return meeting


# ---- tasks -------------------------------------------------------------------------


def _locked_task(actor: User, task_id: int, expected_version: int | None) -> Task:
    task = (
        Task.objects.select_for_update()
        .filter(pk=task_id, decision__meeting__voided_at__isnull=True)
        .first()
    )
    if task is None or not sel.task_list_for(actor).filter(pk=task_id).exists():
        raise NotFound(sel.MISSING_TASK)
    if expected_version is not None and task.version != expected_version:
        raise DomainError(STALE)
    return task


def _audit_task(actor: User, task: Task, op: str, **details) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.TASK_UPDATE,
        obj=task,
        area_code=task.area_id,
        details={"op": op, "state": task.state, **details},
    )


def task_report(
    *,
    actor: User,
    task_id: int,
    text: str,
    percent: int,
    done: bool,
    uploads: list[UploadedFile],
    expected_version: int | None = None,
) -> TaskReport:
    """A unit's progress report: text, attachments, percent, or done (→ reported,
    awaiting the office); refused on a closed task."""
    today = timezone.localdate()
    with transaction.atomic():
        task = _locked_task(actor, task_id, None)
        if not sel.may_report(actor, task):
            raise DomainError("只有承办单位可以报告办理情况。")
        if task.state == TaskState.CLOSED:
            raise DomainError(CLOSED_REPORT)
        if expected_version is not None and task.version != expected_version:
            raise DomainError(STALE)
        problems = Problems()
        text = read_text(
            problems, {"text": text}, "text", "办理情况", required=True, limit=2000
        )
        if done:
            percent = 100
        elif not 0 <= percent <= 100:
            problems.add("percent", "进度须在0到100之间。")
        elif percent == 100:
            problems.add("percent", "进度100%请勾选“已办结，报办公室确认”。")
        _check_files(problems, "attachments", uploads, "附件")
        problems.raise_any()
        report = TaskReport.objects.create(
            task=task,
            by=actor,
            text=text,
            percent=percent,
            done=done,
            attachments=[keep_file(u, f"tasks/{task.pk}") for u in uploads],
        )
        task.percent = percent
        if done:
            task.state = TaskState.REPORTED
            task.reported_on = today
        task.version += 1
        task.save()
        _audit_task(actor, task, "report", percent=percent, done=done)
    return report


def task_close(*, actor: User, task_id: int, expected_version: int) -> Task:
    """The office confirms a task the unit reported done: closed today."""
    with transaction.atomic():
        task = _locked_task(actor, task_id, expected_version)
        _require_office_of(actor, task.area_id)
        if task.state == TaskState.CLOSED:
            raise DomainError("该任务已办结。")
        if task.state != TaskState.REPORTED:
            raise DomainError("承办单位尚未报办结，不能确认办结。")
        task.state = TaskState.CLOSED
        task.closed_on = timezone.localdate()
        task.closed_by = actor
        task.version += 1
        task.save()
        _audit_task(actor, task, "close")
    return task


def task_return(
    *, actor: User, task_id: int, reason: str, expected_version: int
) -> Task:
    """The office sends a reported task back to the unit (open again) with a reason
    the unit reads among the task's reports."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回原因。", field="reason")
    if len(reason) > 500:
        raise DomainError("退回原因最多500个字。", field="reason")
    with transaction.atomic():
        task = _locked_task(actor, task_id, expected_version)
        _require_office_of(actor, task.area_id)
        if task.state != TaskState.REPORTED:
            raise DomainError("只能退回承办单位已报办结的任务。")
        task.state = TaskState.OPEN
        task.reported_on = None
        task.version += 1
        task.save()
        TaskReport.objects.create(
            task=task, by=actor, text=f"【退回】{reason}", percent=task.percent
        )
        _audit_task(actor, task, "return", reason=reason)
    return task


def notice_number_prefix(area: Area) -> str:
    """The first character of the area's name: 隆回县 → 隆."""
    return (area.name or "督")[:1]


def notice_issue(
    *, actor: User, task_id: int, new_deadline: date, text: str
) -> SupervisionNotice:
    """A 督办通知 on an overdue task, numbered per area and year (隆督〔2026〕3号)."""
    today = timezone.localdate()
    problems = Problems()
    text = read_text(problems, {"text": text}, "text", "督办事项", limit=2000)
    if new_deadline is None:
        problems.add("new_deadline", "请填写新的办理期限（年-月-日）。")
    elif new_deadline <= today:
        problems.add("new_deadline", "新的办理期限须晚于今天。")
    with transaction.atomic():
        task = _locked_task(actor, task_id, None)
        _require_office_of(actor, task.area_id)
        if not sel.is_overdue(task, today):
            raise DomainError("该任务未逾期，不能发出督办通知。")
        problems.raise_any()
        # The area row serialises numbering: two notices never share a number.
        area = Area.objects.select_for_update().get(pk=task.area_id)
        issued = SupervisionNotice.objects.filter(
            task__area_id=area.pk, issued_on__year=today.year
        ).count()
        notice = SupervisionNotice.objects.create(
            task=task,
            number=f"{notice_number_prefix(area)}督〔{today.year}〕{issued + 1}号",
            issued_on=today,
            issued_by=actor,
            new_deadline=new_deadline,
            text=text,
        )
        audit_record(
            actor=actor,
            action=AuditAction.SUPERVISION_NOTICE,
            obj=notice,
            area_code=task.area_id,
            details={"task": task.pk, "number": notice.number},
        )
    return notice
