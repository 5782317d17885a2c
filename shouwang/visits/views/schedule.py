"""Pages for schedules: 我的待走访, overdue rates by area (with a village's overdue
children), and a county's visit policy."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

from shouwang.accounts.access import Perm, has_perm, in_jurisdiction, require
from shouwang.areas.selectors import area_path
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.core.paging import page_of

from ..forms_schedule import VisitPolicyForm
from ..selectors.schedule import (
    DEFAULTS,
    DUE_SOON_DAYS,
    county_policy_for,
    due_label,
    due_worklist_for,
    followups_for,
    overdue_children_for,
    overdue_rates_for,
    policy_counties_for,
)
from ..services.schedule import visit_policy_set

PAGE_SIZE = 50


def visit_form_url(pk: int) -> str:
    """The visit form of a child (visits:visit-create; its path until it exists)."""
    try:
        return reverse("visits:visit-create", kwargs={"pk": pk})
    except NoReverseMatch:
        return f"/visits/children/{pk}/new/"


def _rows(page, as_of) -> None:
    for child in page:
        child.due_kind, child.due_text = due_label(child.next_visit_due, as_of)
        child.visit_url = visit_form_url(child.pk)


def my_due(request: HttpRequest) -> HttpResponse:
    """我的待走访: overdue first, then due today, then due within 7 days."""
    require(request.user, Perm.VIEW_CHILDREN)
    worklist = due_worklist_for(viewer=request.user)
    page = page_of(request, worklist.children, size=PAGE_SIZE)
    _rows(page, worklist.as_of)
    return render(
        request,
        "visits/due_list.html",
        {
            "worklist": worklist,
            "counts": worklist.counts,
            "page": page,
            "soon_days": DUE_SOON_DAYS,
            "can_record": has_perm(request.user, Perm.RECORD_VISITS),
        },
    )


def followups(request: HttpRequest) -> HttpResponse:
    """待跟进: children whose latest visit asked for a follow-up, earliest deadline
    first (past deadlines marked)."""
    require(request.user, Perm.VIEW_CHILDREN)
    today = timezone.localdate()
    page = Paginator(followups_for(viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for child in page:
        child.due_kind, child.due_text = due_label(child.visit_followup_due, today)
        child.visit_url = visit_form_url(child.pk)
    return render(
        request,
        "visits/followup_list.html",
        {
            "page": page,
            "as_of": today,
            "can_record": has_perm(request.user, Perm.RECORD_VISITS),
        },
    )


def overdue(request: HttpRequest) -> HttpResponse:
    """Overdue rates one level below an area (the user's own, or ?area=CODE inside it)."""
    require(request.user, Perm.VIEW_CHILD_STATS)
    rates = overdue_rates_for(
        viewer=request.user, area_code=request.GET.get("area", "")
    )
    chart = {
        "labels": [row.name for row in rates.rows],
        "values": [row.rate or 0 for row in rates.rows],
    }
    return render(
        request,
        "visits/overdue_rates.html",
        {
            "rates": rates,
            "path": [
                (a, in_jurisdiction(request.user, a.code))
                for a in (area_path(rates.area) if rates.area else [])
            ],
            "chart": chart,
            "soon_days": DUE_SOON_DAYS,
            "can_list": has_perm(request.user, Perm.VIEW_CHILDREN),
        },
    )


def overdue_children(request: HttpRequest) -> HttpResponse:
    """The overdue children of an area (?area=CODE; the user's own by default)."""
    require(request.user, Perm.VIEW_CHILDREN)
    area, children = overdue_children_for(
        viewer=request.user, area_code=request.GET.get("area", "")
    )
    page = page_of(request, children, size=PAGE_SIZE)
    _rows(page, timezone.localdate())
    return render(
        request,
        "visits/overdue_children.html",
        {
            "area": area,
            "page": page,
            "can_record": has_perm(request.user, Perm.RECORD_VISITS),
        },
    )


def policy(request: HttpRequest) -> HttpResponse:
    """A county's visit intervals: the defaults, the county's own, and (for
    civil-affairs staff) the form that sets them."""
    require(request.user, Perm.VIEW_CHILD_STATS)
    if request.method == "POST":
        require(request.user, Perm.SET_VISIT_POLICY)
    counties = policy_counties_for(viewer=request.user)
    chosen = request.POST.get("county") or request.GET.get("county") or ""
    if not chosen and counties:
        chosen = counties[0].code
    current = (
        county_policy_for(viewer=request.user, county_code=chosen)
        if chosen or counties
        else None
    )
    form = None
    if current is not None and has_perm(request.user, Perm.SET_VISIT_POLICY):
        form = VisitPolicyForm(
            request.POST or None,
            counties=counties,
            initial={
                "county": current.county.code,
                "high_days": current.high_days,
                "medium_days": current.medium_days,
                "low_days": current.low_days,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                visit_policy_set(
                    actor=request.user,
                    county_code=form.cleaned_data["county"],
                    high_days=form.cleaned_data["high_days"],
                    medium_days=form.cleaned_data["medium_days"],
                    low_days=form.cleaned_data["low_days"],
                )
            except NotFound as error:
                form.add_error("county", error.message)
            except DomainError as error:
                form.add_error(
                    error.field if error.field in form.fields else None, error.message
                )
            else:
                messages.success(
                    request,
                    f"已保存{current.county.name}的走访间隔。各儿童的走访间隔和下次走访日期"
                    "正在后台重新计算，稍后刷新即可看到。",
                )
                return redirect(f"{reverse('visits:policy')}?county={chosen}")
    return render(
        request,
        "visits/policy_form.html",
        {"counties": counties, "current": current, "defaults": DEFAULTS, "form": form},
    )


urlpatterns = [
    path("due/", my_due, name="my-due"),
    path("followups/", followups, name="followups"),
    path("overdue/", overdue, name="overdue"),
    path("overdue/children/", overdue_children, name="overdue-children"),
    path("policy/", policy, name="policy"),
]
