"""The child page's visit panel: schedule, recent visits, the button to record one."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def child_visits_panel(context, child) -> str:
    return ""
