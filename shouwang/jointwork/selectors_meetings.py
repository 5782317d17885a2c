"""Reads of member units, meetings and tasks, always given the viewer.

Who sees what: the office (联席会议办公室) of an area is civil-affairs staff of a city
or county; it reads everything of its jurisdiction and writes for its own area only.
Member units' staff (department users with a unit) read the tasks of their unit in
their area and the areas above it, and their own unit's entry. Leaders read
aggregates only (the figures), nothing here. Not yours answers like not found."""

from datetime import date

from django.db.models import Case, Q, QuerySet, When
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.audit.refusals import not_found

from .models import Meeting, MemberUnit, SupervisionNotice, Task
from .vocab import CIVIL_AFFAIRS, TaskState

OFFICE_LEVELS = frozenset({codes.Level.CITY, codes.Level.COUNTY})
MISSING_MEETING = "会议不存在或不在您的管辖范围内。"
MISSING_TASK = "任务不存在或不在您的管辖范围内。"
MISSING_NOTICE = "督办通知不存在或不在您的管辖范围内。"

# Task filters of the inbox: key → (label, predicate on today).
FILTERS = {
    "open": "办理中",
    "reported": "已报办结",
    "overdue": "已逾期",
    "closed": "已办结",
}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_office(user) -> bool:
    """True for civil-affairs staff of a city or county: that area's office."""
    return (
        _active(user)
        and user.role == Role.CIVIL_AFFAIRS
        and bool(user.area_id)
        and codes.level_of(user.area_id) in OFFICE_LEVELS
    )


def is_unit_user(user) -> bool:
    """True for a member unit's staff: a department user with a unit and an area."""
    return (
        _active(user)
        and user.role == Role.DEPARTMENT
        and bool(user.unit)
        and bool(user.area_id)
    )


def may_read(user) -> bool:
    return is_office(user) or is_unit_user(user)


def unit_areas(user) -> list[str]:
    """The areas whose tasks a unit user receives: their own and those above it."""
    return [user.area_id, *codes.ancestors(user.area_id)]


def is_overdue(task: Task, today: date | None = None) -> bool:
    """Not closed and its deadline before today."""
    today = today or timezone.localdate()
    return task.state != TaskState.CLOSED and task.deadline < today


def overdue_q(today: date) -> Q:
    return ~Q(state=TaskState.CLOSED) & Q(deadline__lt=today)


# ---- member units ------------------------------------------------------------------


def member_units_of(area_code: str) -> dict[str, MemberUnit]:
    """The area's member-unit rows by unit (units never set up are missing)."""
    rows = MemberUnit.objects.filter(area_id=area_code).prefetch_related("contacts")
    return {row.unit: row for row in rows}


# ---- meetings ----------------------------------------------------------------------


def meeting_list_for(viewer) -> QuerySet[Meeting]:
    """The meetings of the office's jurisdiction (voided ones included, marked);
    nothing for anyone else."""
    if not is_office(viewer):
        return Meeting.objects.none()
    return access.scope(viewer, Meeting.objects.select_related("area"))


def meeting_get_for(viewer, pk: int) -> Meeting:
    """A meeting of the office's jurisdiction; 404 for missing and not-yours alike."""
    meeting = meeting_list_for(viewer).filter(pk=pk).first()
    if meeting is None:
        raise not_found(viewer=viewer, model=Meeting, pk=pk, message=MISSING_MEETING)
    return meeting


# ---- tasks -------------------------------------------------------------------------


def task_list_for(viewer) -> QuerySet[Task]:
    """The office: every task of its jurisdiction, and the tasks given to civil
    affairs (民政) by the areas above; a unit: its unit's tasks in its area and the
    areas above; never the tasks of a voided meeting."""
    tasks = Task.objects.filter(decision__meeting__voided_at__isnull=True)
    if is_office(viewer):
        tasks = tasks.filter(
            access.jurisdiction_q(viewer, "area_id")
            | Q(unit=CIVIL_AFFAIRS, area_id__in=unit_areas(viewer))
        )
    elif is_unit_user(viewer):
        tasks = tasks.filter(unit=viewer.unit, area_id__in=unit_areas(viewer))
    else:
        return Task.objects.none()
    # What still needs doing first, each by its deadline; the closed after them.
    closed_last = Case(When(state=TaskState.CLOSED, then=1), default=0)
    return tasks.select_related("area", "decision", "decision__meeting").order_by(
        closed_last, "deadline", "id"
    )


def task_filter(tasks: QuerySet[Task], key: str, today: date) -> QuerySet[Task]:
    """The tasks of one inbox filter (FILTERS); all for an unknown key."""
    if key == "overdue":
        return tasks.filter(overdue_q(today))
    if key == "open":
        return tasks.filter(state=TaskState.OPEN)
    if key == "reported":
        return tasks.filter(state=TaskState.REPORTED)
    if key == "closed":
        return tasks.filter(state=TaskState.CLOSED)
    return tasks


def overdue_count_for(viewer) -> int:
    """How many of the viewer's tasks are overdue today (for a home-page badge)."""
    return task_list_for(viewer).filter(overdue_q(timezone.localdate())).count()


def task_get_for(viewer, pk: int) -> Task:
    """A task the viewer may read; 404 for missing and not-yours alike."""
    task = task_list_for(viewer).filter(pk=pk).first()
    if task is None:
        raise not_found(viewer=viewer, model=Task, pk=pk, message=MISSING_TASK)
    return task


def may_handle(viewer, task: Task) -> bool:
    """The office of the task's own area closes, returns and supervises it."""
    return is_office(viewer) and viewer.area_id == task.area_id


def may_report(viewer, task: Task) -> bool:
    """A unit user of the task's unit, in its area or below, reports progress;
    civil-affairs staff report on the tasks given to civil affairs (民政)."""
    if task.unit == CIVIL_AFFAIRS:
        return is_office(viewer) and task.area_id in unit_areas(viewer)
    return (
        is_unit_user(viewer)
        and viewer.unit == task.unit
        and task.area_id in unit_areas(viewer)
    )


def notice_get_for(viewer, pk: int) -> SupervisionNotice:
    """A notice on a task the viewer may read; 404 for missing and not-yours alike."""
    notice = (
        SupervisionNotice.objects.filter(task__in=task_list_for(viewer))
        .select_related("task", "task__area", "task__decision__meeting")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise not_found(
            viewer=viewer, model=SupervisionNotice, pk=pk, message=MISSING_NOTICE
        )
    return notice
