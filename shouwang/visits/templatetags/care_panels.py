"""The child page's care panel: responsible director, 包联干部, the village's 包片
leader, the guardianship confirmation (current, renewals, scanned files), the history
of responsible people, and the buttons to record a confirmation or reassign."""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from shouwang.accounts.access import Perm, has_perm
from shouwang.registry.policy import needs_confirmation

from ..models import ConfirmationStatus
from ..selectors import care as selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def child_care_panel(context, child) -> str:
    """The panel for a child the page has already read through child_get_for."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    confirmations = list(selectors.confirmations_of(child))
    current = next(
        (c for c in confirmations if c.status == ConfirmationStatus.CURRENT), None
    )
    return render_to_string(
        "visits/_care_panel.html",
        {
            "child": child,
            "current": current,
            "renewed": [c for c in confirmations if c is not current],
            "needs": needs_confirmation(
                left_behind=child.is_left_behind,
                guardian_relation=child.guardian_relation,
            ),
            "leaders": selectors.area_patch_leaders(child.village_id),
            "history": selectors.responsibility_history(child),
            "can_record": has_perm(user, Perm.RECORD_VISITS),
            "can_reveal": has_perm(user, Perm.REVEAL_ID),
            "can_assign": has_perm(user, Perm.ASSIGN_RESPONSIBILITY),
            "today": timezone.localdate(),
        },
        request=request,
    )
