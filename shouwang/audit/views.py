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
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list_for(
        viewer=request.user, **{k: v for k, v in filters.items() if v}
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = (
        "audit/_rows.html"
        if request.headers.get("HX-Target") == "audit-results"
        else "audit/list.html"
    )
    return render(request, template, {"form": form, "page": page})
