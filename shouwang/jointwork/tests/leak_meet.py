"""Leak-walker samples of member units, meetings and tasks: in each county a member
unit, a meeting with a decision, an overdue education task with a report and a
supervision notice. The foreign texts are leak markers."""

from datetime import timedelta

from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.jointwork.models import (
    Decision,
    Meeting,
    MemberUnit,
    SupervisionNotice,
    Task,
    TaskReport,
)


def seed(world):
    today = timezone.localdate()
    for side in ("home", "foreign"):
        where = getattr(world, side)
        office = where.users[Role.CIVIL_AFFAIRS]
        MemberUnit.objects.create(
            area=where.county, unit=Unit.EDUCATION, duties=f"{side}职责分工标记"
        )
        meeting = Meeting.objects.create(
            area=where.county,
            title=f"{side}联席会议标记",
            held_on=today - timedelta(days=40),
            attendees=[Unit.EDUCATION],
            created_by=office,
        )
        decision = Decision.objects.create(
            meeting=meeting, number=1, text=f"{side}议定事项标记"
        )
        task = Task.objects.create(
            decision=decision,
            area=where.county,
            unit=Unit.EDUCATION,
            title=f"{side}督办任务标记",
            deadline=today - timedelta(days=5),
        )
        TaskReport.objects.create(
            task=task,
            by=where.users[Role.DEPARTMENT],
            text=f"{side}办理情况标记",
            percent=30,
        )
        notice = SupervisionNotice.objects.create(
            task=task,
            number=f"{side}督〔{today.year}〕1号",
            issued_on=today,
            issued_by=office,
            new_deadline=today + timedelta(days=7),
            text=f"{side}督办事项标记",
        )
        world.records[f"{side}_meeting"] = meeting
        world.records[f"{side}_task"] = task
        world.records[f"{side}_notice"] = notice
    world.mark(
        "foreign职责分工标记",
        "foreign联席会议标记",
        "foreign议定事项标记",
        "foreign督办任务标记",
        "foreign办理情况标记",
        "foreign督办事项标记",
    )


def _meeting(world):
    return {"pk": world.records["foreign_meeting"].pk}


def _task(world):
    return {"pk": world.records["foreign_task"].pk}


FOREIGN_KWARGS: dict = {
    "jointwork:unit-edit": lambda world: {
        "code": world.foreign.county.code,
        "unit": Unit.EDUCATION.value,
    },
    "jointwork:meeting": _meeting,
    "jointwork:meeting-minutes": _meeting,
    "jointwork:meeting-void": _meeting,
    "jointwork:task": _task,
    "jointwork:task-report": _task,
    "jointwork:task-close": _task,
    "jointwork:task-return": _task,
    "jointwork:task-notice": _task,
    "jointwork:task-attachment": lambda world: {
        "pk": world.records["foreign_task"].pk,
        "index": 0,
    },
    "jointwork:notice-download": lambda world: {
        "pk": world.records["foreign_notice"].pk
    },
}
