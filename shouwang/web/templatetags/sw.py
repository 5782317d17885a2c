"""Template helpers shared by every page."""

from django import template
from django.forms import BoundField
from django.forms.widgets import CheckboxInput, RadioSelect, Select, SelectMultiple

register = template.Library()


@register.filter
def bootstrap(field: BoundField):
    """Render a form field's widget with Bootstrap classes, marked invalid when it has errors."""
    widget = field.field.widget
    if isinstance(widget, CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, Select | SelectMultiple) and not isinstance(
        widget, RadioSelect
    ):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(
        attrs={"class": css, "aria-describedby": f"{field.auto_id}_help"}
    )
