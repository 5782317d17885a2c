"""The child page's visit panel: schedule, recent visits, the button to record one."""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from shouwang.accounts.access import Perm, has_perm
from shouwang.registry.models import ChildStatus

from ..selectors.visit import child_schedule, visit_list_for

register = template.Library()
RECENT = 3


@register.simple_tag(takes_context=True)
def child_visits_panel(context, child) -> str:
    """最近走访, 下次走访日期 with its badge, the three latest visits and 记录走访 (for
    those who may record on an active child); the page has already checked the
    viewer may read the child."""
    request = context["request"]
    visits = visit_list_for(viewer=request.user, child=child)
    return render_to_string(
        "visits/_visit_panel.html",
        {
            "child": child,
            "schedule": child_schedule(child, as_of=timezone.localdate()),
            "recent": list(visits[:RECENT]),
            "total": visits.count(),
            "can_record": has_perm(request.user, Perm.RECORD_VISITS)
            and child.status == ChildStatus.ACTIVE,
        },
        request=request,
    )
