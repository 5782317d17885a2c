"""Reads of visits, always cut to the viewer's jurisdiction over the child, and the
child's visit schedule as a page shows it."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from shouwang.accounts import access
from shouwang.audit.refusals import not_found
from shouwang.registry.models import Child

from ..models import Visit

VISIT_NOT_FOUND = "走访记录不存在或不在您的管辖范围内。"


def _visits_for(viewer) -> QuerySet[Visit]:
    if not access.has_perm(viewer, access.Perm.VIEW_CHILDREN):
        return Visit.objects.none()
    # By the child's village now, not the one visited: a child who moves takes the
    # record along to the new village's workers.
    return access.scope(viewer, Visit.objects.all(), "child__village_id")


def visit_list_for(*, viewer, child: Child) -> QuerySet[Visit]:
    """The child's visits the viewer may read, newest first (nothing for other roles
    or a child outside the jurisdiction)."""
    return (
        _visits_for(viewer)
        .filter(child_id=child.pk)
        .select_related("recorded_by")
        .order_by("-visit_date", "-id")
    )


def visit_get_for(*, viewer, pk) -> Visit:
    """One visit the viewer may read, with its child and files; 404 for missing and
    not-yours alike."""
    try:
        return (
            _visits_for(viewer)
            .select_related("child", "child__village", "recorded_by")
            .prefetch_related("attachments")
            .get(pk=int(pk))
        )
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer, model=Visit, pk=pk, message=VISIT_NOT_FOUND
        ) from None


@dataclass(frozen=True)
class VisitSchedule:
    """A child's schedule on a day, as the pages show it."""

    last_visit: date | None
    next_due: date | None
    followup_due: date | None
    interval_days: int | None
    risk_level: str
    days_overdue: int  # 0 unless past due
    days_left: int  # 0 unless due later

    @property
    def due_today(self) -> bool:
        return (
            self.next_due is not None and not self.days_overdue and not self.days_left
        )

    @property
    def badge(self) -> str:
        """逾期N天 / 今天到期 / 还有N天, or "" when nothing is due."""
        if self.next_due is None:
            return ""
        if self.days_overdue:
            return f"逾期{self.days_overdue}天"
        if self.days_left:
            return f"还有{self.days_left}天"
        return "今天到期"

    @property
    def tone(self) -> str:
        """The Bootstrap colour of the badge."""
        if self.days_overdue:
            return "danger"
        if self.due_today or self.days_left <= 7:
            return "warning"
        return "success"


def child_schedule(child: Child, *, as_of: date) -> VisitSchedule:
    """The child's last visit, next due date and days overdue or left on as_of (from
    the derived columns services.visit.child_schedule_refresh keeps)."""
    due = child.next_visit_due
    delta = (due - as_of).days if due else 0
    return VisitSchedule(
        last_visit=child.last_visit_date,
        next_due=due,
        followup_due=child.visit_followup_due,
        interval_days=child.visit_interval_days,
        risk_level=child.risk_level or "",
        days_overdue=max(-delta, 0),
        days_left=max(delta, 0),
    )
