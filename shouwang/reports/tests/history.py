"""Helpers that move recorded history into the past, for as-of tests: the services
stamp every change with the current time."""

from datetime import timedelta

from django.utils import timezone

from shouwang.registry.models import Child, ChildChange
from shouwang.visits.models import Visit


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def registered_days_ago(child: Child, days: int) -> None:
    """The child and its first change (registration) dated `days` days back."""
    at = days_ago(days)
    Child.objects.filter(pk=child.pk).update(created_at=at)
    first = ChildChange.objects.filter(child=child).order_by("at", "id").first()
    ChildChange.objects.filter(pk=first.pk).update(at=at)


def last_change_days_ago(child: Child, days: int) -> None:
    """The child's latest change dated `days` days back."""
    last = ChildChange.objects.filter(child=child).order_by("-at", "-id").first()
    ChildChange.objects.filter(pk=last.pk).update(at=days_ago(days))


def visit_on(child: Child, day, *, by) -> Visit:
    """A plain visit to the child on a day (everything found normal), recorded now."""
    return Visit.objects.create(
        child=child,
        village_id=child.village_id,
        visit_date=day,
        mode="入户",
        visitors="主任张",
        met="祖母",
        guardianship="正常",
        living="正常",
        study="正常",
        safety="正常",
        emotion="正常",
        recorded_by=by,
    )
