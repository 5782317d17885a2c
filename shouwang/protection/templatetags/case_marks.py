"""Marks the case pages share: a deadline with the time left or overdue (red), and the
status of a case or a referral as a badge."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

STATUS_BADGE = {
    "reported": "text-bg-danger",
    "accepted": "text-bg-warning",
    "assessed": "text-bg-info",
    "referred": "text-bg-primary",
    "closed": "text-bg-secondary",
    # referrals
    "pending": "text-bg-warning",
    "rejected": "text-bg-dark",
    "done": "text-bg-success",
    "revoked": "text-bg-secondary",
}


def span_text(seconds: float) -> str:
    """A span of time in days and hours, as a list shows it."""
    hours = int(seconds // 3600)
    if hours < 1:
        return "不到1小时"
    days, hours = divmod(hours, 24)
    if not days:
        return f"{hours}小时"
    return f"{days}天{hours}小时" if hours else f"{days}天"


@register.simple_tag
def due(at: datetime | None, now: datetime | None = None):
    """A deadline: when, and how long is left, or how long overdue (in red)."""
    if at is None:
        return ""
    now = now or timezone.now()
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    left = (at - now).total_seconds()
    if left < 0:
        return format_html(
            '<span class="text-danger fw-semibold" data-testid="overdue">'
            "{} 前 · 已逾期{}</span>",
            when,
            span_text(-left),
        )
    soon = " text-warning-emphasis fw-semibold" if left < 6 * 3600 else ""
    return format_html(
        '<span class="text-nowrap{}" data-testid="due">{} 前 · 剩余{}</span>',
        soon,
        when,
        span_text(left),
    )


@register.simple_tag
def status_badge(obj):
    """A case's or a referral's status as a coloured badge."""
    return format_html(
        '<span class="badge {}" data-testid="status">{}</span>',
        STATUS_BADGE.get(obj.status, "text-bg-light"),
        obj.get_status_display(),
    )
