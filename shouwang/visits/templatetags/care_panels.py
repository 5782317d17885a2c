"""The child page's care panel: responsible director, 包联干部, confirmations."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def child_care_panel(context, child) -> str:
    return ""
