"""Helpers that move recorded history into the past, for as-of tests: the services
stamp every change with the current time."""

from datetime import timedelta

from django.utils import timezone

from shouwang.registry.models import Child, ChildChange


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
