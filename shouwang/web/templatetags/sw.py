"""Template helpers shared by every page."""

from django import template
from django.forms import BoundField
from django.forms.widgets import CheckboxInput, RadioSelect, Select, SelectMultiple
from django.utils.html import format_html

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


@register.inclusion_tag("web/includes/pager.html", takes_context=True)
def pager(context, page, target: str = "", anchor: str = "", param: str = "page"):
    """Numbered page links for a Page: the first, the last and two either side of the
    current one with "…" between, every other query parameter kept; with a target
    (a CSS selector), the links swap that element through htmx and push the address.
    `param` names the page number's query parameter (pages with several lists)."""
    query = context["request"].GET.copy()
    query.pop(param, None)
    kept = query.urlencode()

    def href(number: int) -> str:
        page_of = f"{param}={number}{anchor}"
        return f"?{kept}&{page_of}" if kept else f"?{page_of}"

    links = [
        {"number": n, "href": href(n), "current": n == page.number}
        if isinstance(n, int)
        else {"ellipsis": True}
        for n in page.paginator.get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        )
    ]
    return {
        "page": page,
        "links": links,
        "previous": href(page.number - 1) if page.has_previous() else "",
        "next": href(page.number + 1) if page.has_next() else "",
        "target": target,
    }


@register.filter
def township_village(village) -> str:
    """A village as lists show it: its township beside it, since village names repeat
    across townships (select_related("village__parent") keeps this query-free)."""
    if village is None:
        return ""
    parent = village.parent if village.parent_id else None
    if parent is None:
        return village.name
    return format_html(
        '<span class="sw-township">{}</span> {}', parent.name, village.name
    )
