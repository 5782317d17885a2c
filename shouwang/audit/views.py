from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shouwang.accounts.access import Perm, require

from .forms import AuditFilterForm
from .selectors import audit_event_list_for


def audit_list(request: HttpRequest) -> HttpResponse:
    """Browse and filter the audit events of the user's jurisdiction."""
    require(request.user, Perm.VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    events = audit_event_list_for(
        viewer=request.user, **{k: v for k, v in filters.items() if v}
    )
    if not valid:
        # A filter that cannot be read selects nothing, never the whole trail.
        events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    partial = request.headers.get("HX-Target") == "audit-results"
    return render(
        request,
        "audit/_rows.html" if partial else "audit/list.html",
        {"form": form, "page": page, "partial": partial},
    )
