"""The foundling (弃婴) pages: the register with the year's count against last year's,
registering one, and one record with its edit form (the public notice, admission,
outcome). Leaders read the counts page only. Access: selectors_foundlings (not yours
looks like not found)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.core.exceptions import NotFound
from shouwang.web.refusals import run_on_form

from . import selectors_foundlings as sel
from . import services_foundlings as services
from .forms_foundlings import FoundlingForm
from .models import Foundling

NOT_ALLOWED = "弃婴登记由县级民政部门办理：只有民政干部可以查看。"
COUNTS_NOT_ALLOWED = "只有民政干部和领导可以查看弃婴数量。"
EDIT_NOT_ALLOWED = "只有县级民政干部可以登记和办理弃婴。"
PER_PAGE = 30


def _trend(request: HttpRequest):
    year = timezone.localdate().year
    return sel.foundling_trend_for(request.user, year)


def foundling_list(request: HttpRequest) -> HttpResponse:
    """The foundlings of one's jurisdiction, with this year's count against last."""
    if not sel.may_read(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    page = Paginator(sel.foundling_list_for(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assistance/foundlings_list.html",
        {
            "page": page,
            "trend": _trend(request),
            "may_edit": sel.may_edit(request.user),
        },
    )


def foundling_counts(request: HttpRequest) -> HttpResponse:
    """Foundlings registered this year and last, for one's jurisdiction and each
    county in it (civil affairs and leaders)."""
    if not sel.may_count(request.user):
        raise PermissionDenied(COUNTS_NOT_ALLOWED)
    year = timezone.localdate().year
    rows = sel.foundling_trends_by_county(
        access.jurisdiction_prefix(request.user), year
    )
    return render(
        request,
        "assistance/foundlings_counts.html",
        {
            "trend": _trend(request),
            "rows": rows
            if codes.level_of(request.user.area_id) != codes.Level.COUNTY
            else [],
            "may_read": sel.may_read(request.user),
        },
    )


def foundling_register(request: HttpRequest) -> HttpResponse:
    """GET the register form; POST registers a foundling in one's county."""
    if not sel.may_edit(request.user):
        raise PermissionDenied(EDIT_NOT_ALLOWED)
    form = FoundlingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        foundling = run_on_form(
            form,
            lambda: services.foundling_register(
                actor=request.user, values=form.values()
            ),
        )
        if foundling is not None:
            messages.success(request, "已登记弃婴，请按时发布寻亲公告。")
            return redirect("assistance:foundling-detail", pk=foundling.pk)
    return render(
        request,
        "assistance/foundlings_form.html",
        {"form": form, "foundling": None},
        status=400 if request.method == "POST" else 200,
    )


def _initial(foundling: Foundling) -> dict:
    return {f: getattr(foundling, f) for f in services.FIELDS} | {
        "expected_version": foundling.version
    }


def foundling_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET one foundling's record (with the edit form for county civil affairs);
    POST saves it at the version read."""
    if not sel.may_read(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    try:
        foundling = sel.foundling_get_for(request.user, pk)
    except NotFound as error:
        raise Http404(str(error)) from None
    may_edit = sel.may_edit(request.user)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied(EDIT_NOT_ALLOWED)
    form = FoundlingForm(request.POST or None, initial=_initial(foundling))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["expected_version"] is None:
            form.add_error(None, "页面已过期：请刷新后重新填写。")
        else:
            saved = run_on_form(
                form,
                lambda: services.foundling_update(
                    actor=request.user,
                    foundling_id=foundling.pk,
                    expected_version=form.cleaned_data["expected_version"],
                    values=form.values(),
                ),
            )
            if saved is not None:
                messages.success(request, "已保存弃婴登记。")
                return redirect("assistance:foundling-detail", pk=saved.pk)
    return render(
        request,
        "assistance/foundlings_detail.html",
        {"foundling": foundling, "form": form if may_edit else None},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("foundlings/", foundling_list, name="foundling-list"),
    path("foundlings/counts/", foundling_counts, name="foundling-counts"),
    path("foundlings/new/", foundling_register, name="foundling-register"),
    path("foundlings/<int:pk>/", foundling_detail, name="foundling-detail"),
]
