"""The alert pages: the worklist (比对提示), one alert with its decision forms, and a
county's deadline."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shouwang.accounts.access import Perm, require
from shouwang.areas.models import Area
from shouwang.web.refusals import run_on_form

from . import alerts as service
from .forms import AlertAcceptForm, AlertFilterForm, AlertPolicyForm, AlertRejectForm
from .lists import may_send
from .vocab import AlertState

ALERTS_PER_PAGE = 30


def alert_list(request: HttpRequest) -> HttpResponse:
    """The alerts of one's villages, the overdue first; open ones unless asked."""
    require(request.user, Perm.VIEW_CHILDREN)
    villages = (
        Area.objects.filter(
            code__in=service.alert_list_for(viewer=request.user).values("village_id")
        )
        .select_related("parent")
        .order_by("code")
    )
    query = request.GET.copy()
    query.setdefault("state", AlertState.OPEN)
    form = AlertFilterForm(query, villages=villages)
    chosen = form.cleaned_data if form.is_valid() else {"state": AlertState.OPEN}
    alerts = service.alert_list_for(
        viewer=request.user,
        state=chosen.get("state") or None,
        overdue=True if chosen.get("overdue") else None,
    )
    if chosen.get("village"):
        alerts = alerts.filter(village_id=chosen["village"])
    page = Paginator(alerts, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/alert_list.html",
        {
            "page": page,
            "form": form,
            "counts": service.alert_counts_for(viewer=request.user),
            "many_villages": len(villages) > 1,
            "may_set_policy": service.may_set_policy(request.user),
        },
    )


def _detail(request, alert, *, accept=None, reject=None, status: int = 200):
    handle = alert.state == AlertState.OPEN and service.may_handle(request.user, alert)
    initial = {"expected_version": alert.version}
    failed = accept or reject
    refusals = (
        [*failed.non_field_errors(), *failed.errors.get("expected_version", [])]
        if failed
        else []
    )
    return render(
        request,
        "exchange/alert_detail.html",
        {
            "alert": alert,
            "outlook": service.outlook(alert) if alert.state == AlertState.OPEN else "",
            "handle": handle,
            "accept_form": accept or AlertAcceptForm(initial=initial),
            "reject_form": reject or AlertRejectForm(initial=initial),
            "refusals": refusals,
            "list_url": reverse(
                "exchange:list-detail", kwargs={"pk": alert.department_list_id}
            )
            if may_send(request.user)
            else "",
        },
        status=status,
    )


def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert: what the list says, the change, what would follow now, and (for
    whoever may handle it) the accept and reject forms."""
    require(request.user, Perm.VIEW_CHILDREN)
    return _detail(request, service.alert_get_for(viewer=request.user, pk=pk))


def _decide(form_class, call, done: str):
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        require(request.user, Perm.EDIT_CHILDREN)
        alert = service.alert_get_for(viewer=request.user, pk=pk)
        if not service.may_handle(request.user, alert):
            raise PermissionDenied(service.HANDLE_DENIED)
        form = form_class(request.POST)
        if form.is_valid():
            decided = run_on_form(form, lambda: call(request.user, alert, form))
            if decided is not None:
                messages.success(request, done.format(name=alert.child.name))
                return redirect("exchange:alert", pk=alert.pk)
            alert = service.alert_get_for(viewer=request.user, pk=pk)  # as it is now
        failed = {"accept" if form_class is AlertAcceptForm else "reject": form}
        return _detail(request, alert, status=400, **failed)

    return view


alert_accept = _decide(
    AlertAcceptForm,
    lambda user, alert, form: service.alert_accept(
        actor=user,
        alert_id=alert.pk,
        expected_version=form.cleaned_data["expected_version"],
    ),
    "已采纳：{name}的记录已按名单修改，变更记录中注明了名单来源。",
)
alert_accept.__doc__ = "POST: accept the alert (the fact changes, citing the list)."
alert_reject = _decide(
    AlertRejectForm,
    lambda user, alert, form: service.alert_reject(
        actor=user,
        alert_id=alert.pk,
        expected_version=form.cleaned_data["expected_version"],
        reason=form.cleaned_data["reason"],
    ),
    "已记录不采纳：{name}的记录未修改。",
)
alert_reject.__doc__ = "POST: reject the alert with a reason (the record stays)."


def alert_policy(request: HttpRequest) -> HttpResponse:
    """A county's deadline for alerts: civil-affairs staff read and set it."""
    if not service.may_set_policy(request.user):
        raise PermissionDenied(service.POLICY_DENIED)
    counties = list(service.policy_counties_for(viewer=request.user))
    chosen = request.POST.get("county") or request.GET.get("county") or ""
    if chosen not in {county.code for county in counties}:
        chosen = counties[0].code if counties else ""
    form = AlertPolicyForm(
        request.POST or None,
        counties=counties,
        initial={"county": chosen, "days": service.alert_days(chosen)},
    )
    if request.method == "POST" and form.is_valid():
        saved = run_on_form(
            form,
            lambda: service.alert_policy_set(
                actor=request.user,
                county=form.cleaned_data["county"],
                days=form.cleaned_data["days"],
            ),
        )
        if saved is not None:
            messages.success(
                request,
                f"已设置{saved.county.name}比对提示的核实时限为 {saved.days} 天。",
            )
            return redirect(f"{reverse('exchange:alert-policy')}?county={chosen}")
    rows = [(county, service.alert_days(county.code)) for county in counties]
    return render(
        request,
        "exchange/alert_policy.html",
        {"form": form, "rows": rows, "default_days": settings.EXCHANGE_ALERT_DAYS},
        status=400 if request.method == "POST" else 200,
    )
