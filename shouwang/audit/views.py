from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shouwang.accounts.access import Perm, require

from .forms import AuditFilterForm, RefusalDayForm
from .models import AuditAction
from .selectors import audit_event_list_for, refused_users_for


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
    context = {"form": form, "page": page, "partial": partial}
    if not partial:
        context["refused_today"] = len(
            refused_users_for(
                viewer=request.user,
                day=timezone.localdate(),
                threshold=settings.AUDIT_REFUSAL_ALERT_THRESHOLD,
            )
        )
    return render(
        request, "audit/_rows.html" if partial else "audit/list.html", context
    )


def refused_users(request: HttpRequest) -> HttpResponse:
    """Users of the jurisdiction refused many times on a day (records outside their
    own jurisdiction asked for by address), with links to their refusals."""
    require(request.user, Perm.VIEW_AUDIT)
    form = RefusalDayForm(request.GET or None)
    day = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data["date"]:
        day = form.cleaned_data["date"]
    threshold = settings.AUDIT_REFUSAL_ALERT_THRESHOLD
    return render(
        request,
        "audit/refused_users.html",
        {
            "form": form,
            "day": day,
            "threshold": threshold,
            "users": refused_users_for(
                viewer=request.user, day=day, threshold=threshold
            ),
            "action": AuditAction.ACCESS_REFUSED.value,
        },
    )
