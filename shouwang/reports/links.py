"""The list behind a number: where a figure's count can be opened, for whom."""

from urllib.parse import urlencode

from django.urls import reverse

from shouwang.accounts import access
from shouwang.accounts.access import Perm

from .catalogue import Figure

# Who may open each kind of list: the child list names children; the overdue rates
# are aggregates that leaders read too.
LIST_PERMS = {
    "registry:child-list": Perm.VIEW_CHILDREN,
    "visits:overdue": Perm.VIEW_CHILD_STATS,
}


def figure_list_url(figure: Figure, *, viewer, area_code: str = "") -> str | None:
    """The URL of the list behind the figure's number in an area, or None when the
    figure has none or the viewer may not open it (leaders see numbers only)."""
    if figure.child_filter is None:
        return None
    perm = LIST_PERMS.get(figure.list_view)
    if perm is None or not access.has_perm(viewer, perm):
        return None
    params = dict(figure.child_filter)
    if area_code and area_code != (viewer.area_id or ""):
        params["area"] = area_code
    query = urlencode(params)
    return reverse(figure.list_view) + (f"?{query}" if query else "")
