"""The joint-meeting figures of the report catalogue (issue R11 item 6), counted at
the area of the meeting (a county's count for the county and, summed, its city):

- MeetingsSource (a flow): meetings held in the period (not voided), tasks of those
  meetings, and tasks closed in the period on or before their deadline;
- OverdueTasksSource (a stock): tasks not closed at the end of the day whose deadline
  is before it (a task closed later counts as open on the days before).
"""

from django.db.models import Count, F, Q

from shouwang.accounts import access
from shouwang.reports.catalogue import (
    ByArea,
    Figure,
    Kind,
    add_value,
    declare,
    declare_source,
)

from .models import Meeting, Task
from .vocab import TaskState

MEETINGS = "jointwork.meetings"
TASKS_ASSIGNED = "jointwork.tasks_assigned"
TASKS_ON_TIME = "jointwork.tasks_on_time"
TASKS_OVERDUE = "jointwork.tasks_overdue"


def _tasks(prefix: str):
    return Task.objects.filter(
        access.prefix_q("area_id", prefix), decision__meeting__voided_at__isnull=True
    )


class MeetingsSource:
    """Meetings held in the period, the tasks they assigned, tasks closed on time."""

    name = "jointwork_meetings"
    kind = Kind.FLOW

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        result: ByArea = {}
        meetings = (
            Meeting.objects.filter(
                access.prefix_q("area_id", prefix),
                voided_at__isnull=True,
                held_on__gte=start,
                held_on__lte=end,
            )
            .values("area_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in meetings:
            add_value(result, row["area_id"], MEETINGS, row["n"])
        assigned = (
            _tasks(prefix)
            .filter(
                decision__meeting__held_on__gte=start,
                decision__meeting__held_on__lte=end,
            )
            .values("area_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in assigned:
            add_value(result, row["area_id"], TASKS_ASSIGNED, row["n"])
        on_time = (
            _tasks(prefix)
            .filter(
                state=TaskState.CLOSED,
                closed_on__gte=start,
                closed_on__lte=end,
            )
            .filter(closed_on__lte=F("deadline"))
            .values("area_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in on_time:
            add_value(result, row["area_id"], TASKS_ON_TIME, row["n"])
        return result

    def entered_since(self, *, prefix, period, since) -> bool:
        return (
            Meeting.objects.filter(access.prefix_q("area_id", prefix))
            .filter(updated_at__gt=since)
            .exists()
            or Task.objects.filter(access.prefix_q("area_id", prefix))
            .filter(updated_at__gt=since)
            .exists()
        )


class OverdueTasksSource:
    """Tasks of meetings held by the day, not closed by its end (closed later counts
    as open then), whose deadline is before it."""

    name = "jointwork_overdue"
    kind = Kind.STOCK

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        rows = (
            _tasks(prefix)
            .filter(decision__meeting__held_on__lte=day, deadline__lt=day)
            .filter(~Q(state=TaskState.CLOSED) | Q(closed_on__gt=day))
            .values("area_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        result: ByArea = {}
        for row in rows:
            add_value(result, row["area_id"], TASKS_OVERDUE, row["n"])
        return result


meetings = MeetingsSource()
overdue = OverdueTasksSource()
for source in (meetings, overdue):
    declare_source(source)

GROUP = "联席会议"


def _figure(key, label, unit, definition, source, kind=Kind.FLOW):
    return Figure(
        key=key,
        label=label,
        unit=unit,
        definition=definition,
        kind=kind,
        group=GROUP,
        source=source.name,
        counted_at="county",
        list_view="",
    )


declare(
    _figure(
        MEETINGS,
        "召开联席会议",
        "次",
        "召开日期在期内的联席会议次数（作废的不计），按召开会议的区划计。",
        meetings,
    ),
    _figure(
        TASKS_ASSIGNED,
        "联席会议分配任务",
        "项",
        "召开日期在期内的联席会议议定事项分配给成员单位的任务数（作废会议的不计）。",
        meetings,
    ),
    _figure(
        TASKS_ON_TIME,
        "按期办结的任务",
        "项",
        "办结日期在期内、且不晚于办理期限的任务数（以联席会议办公室确认办结为准）。",
        meetings,
    ),
    _figure(
        TASKS_OVERDUE,
        "逾期未办结的任务",
        "项",
        "期末（当天为此刻）仍未办结、办理期限早于期末当天的任务数。",
        overdue,
        Kind.STOCK,
    ),
)
