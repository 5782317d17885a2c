"""Pages of the quarterly review cycle (季度摸排): the list and the open form, a cycle's
progress and its close, a village's checklist with submit, approve and return."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from shouwang.accounts import access
from shouwang.accounts.access import Perm, has_perm, require
from shouwang.core.exceptions import DomainError

from ..forms_cycle import ConfirmForm, CycleOpenForm, ReturnForm, VersionForm
from ..models import CycleStatus, VillageReviewStatus
from ..selectors.cycle import (
    can_see_cycles,
    cycle_get_for,
    cycle_list_for,
    cycle_progress_for,
    cycle_snapshot_for,
    cycle_villages_for,
    village_review_get_for,
    village_review_history,
    village_review_rows,
)
from ..services import cycle as services


def _require_cycles(user) -> None:
    if not can_see_cycles(user):
        raise PermissionDenied("您没有此项操作的权限。")


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def cycle_list(request: HttpRequest) -> HttpResponse:
    """The cycles the user takes part in; civil-affairs staff open one here."""
    _require_cycles(request.user)
    # Cycles are opened by a county or city (a province's staff follow them only).
    can_open = (
        has_perm(request.user, Perm.RUN_CYCLES)
        and request.user.area is not None
        and request.user.area.level in services.CYCLE_LEVELS
    )
    form = CycleOpenForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Perm.RUN_CYCLES)
        if form.is_valid():
            try:
                cycle = services.cycle_open(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    quarter=form.cleaned_data["quarter"],
                )
            except DomainError as error:
                if not can_open:  # the form is not shown: say it above the list
                    messages.error(request, error.message)
                form.add_error(
                    error.field if error.field in form.fields else None, error.message
                )
            else:
                messages.success(
                    request,
                    f"已发起{cycle.area.name}{cycle.name}的摸排，"
                    "请各村儿童主任逐一确认本村儿童并提交。",
                )
                return redirect("visits:cycle-detail", pk=cycle.pk)
    return render(
        request,
        "visits/cycle_list.html",
        {
            "cycles": cycle_list_for(viewer=request.user)[:100],
            "form": form,
            "can_open": can_open,
        },
    )


def _can_close(user, cycle) -> bool:
    return (
        cycle.status == CycleStatus.OPEN
        and has_perm(user, Perm.RUN_CYCLES)
        and access.in_jurisdiction(user, cycle.area_id)
    )


def _detail(request, cycle, *, force_remaining: int = 0, status: int = 200):
    closed = cycle.status == CycleStatus.CLOSED
    return render(
        request,
        "visits/cycle_detail.html",
        {
            "cycle": cycle,
            "progress": cycle_progress_for(viewer=request.user, cycle=cycle),
            "villages": cycle_villages_for(viewer=request.user, cycle=cycle),
            "snapshot": cycle_snapshot_for(viewer=request.user, cycle=cycle)
            if closed
            else None,
            "can_close": _can_close(request.user, cycle),
            "force_remaining": force_remaining,
        },
        status=status,
    )


def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A cycle's progress by township, the villages needing the user, the snapshot."""
    _require_cycles(request.user)
    return _detail(request, cycle_get_for(viewer=request.user, pk=pk))


@require_POST
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the cycle; with villages unapproved, ask once more (force)."""
    require(request.user, Perm.RUN_CYCLES)
    cycle = cycle_get_for(viewer=request.user, pk=pk)
    try:
        services.cycle_close(
            actor=request.user,
            cycle_id=cycle.pk,
            force=request.POST.get("force") == "1",
        )
    except services.CloseNeedsForce as needs:
        return _detail(request, cycle, force_remaining=needs.remaining)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"{cycle.name}的摸排已结束，各村的统计数已冻结为快照。"
        )
    return redirect("visits:cycle-detail", pk=cycle.pk)


def _review_page(request, review, *, return_form=None, status: int = 200):
    user, cycle = request.user, review.cycle
    open_ = cycle.status == CycleStatus.OPEN
    rows = village_review_rows(viewer=user, review=review)
    return render(
        request,
        "visits/cycle_village_review.html",
        {
            "review": review,
            "cycle": cycle,
            "rows": rows,
            "remaining": sum(1 for row in rows if not row.confirmed),
            "history": village_review_history(viewer=user, review=review),
            "can_confirm": open_
            and has_perm(user, Perm.CONFIRM_CYCLE)
            and review.status
            in (VillageReviewStatus.PENDING, VillageReviewStatus.RETURNED),
            "can_review": open_
            and has_perm(user, Perm.REVIEW_CYCLE)
            and review.status == VillageReviewStatus.SUBMITTED,
            "return_form": return_form
            or ReturnForm(initial={"version": review.version}),
        },
        status=status,
    )


def village_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A village's checklist: confirm each child, submit; approve or return."""
    _require_cycles(request.user)
    review = village_review_get_for(viewer=request.user, pk=pk)
    services.village_review_read(actor=request.user, review=review)
    return _review_page(request, review)


@require_POST
def village_review_confirm(
    request: HttpRequest, pk: int, child_id: int
) -> HttpResponse:
    """Confirm one child (an htmx row: the row re-renders, with the message if refused)."""
    require(request.user, Perm.CONFIRM_CYCLE)
    review = village_review_get_for(viewer=request.user, pk=pk)
    form = ConfirmForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _first_error(form)
    else:
        try:
            services.child_confirm(
                actor=request.user,
                village_review_id=review.pk,
                child_id=child_id,
                outcome=form.cleaned_data["outcome"],
            )
        except DomainError as refused:
            error = refused.message
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("visits:village-review", pk=review.pk)
    rows = village_review_rows(viewer=request.user, review=review, child_id=child_id)
    if not rows:
        raise Http404("该儿童不在本村的摸排名单中。")
    return render(
        request,
        "visits/_cycle_child_row.html",
        {
            "row": rows[0],
            "review": review,
            "can_confirm": True,
            "error": error,
            "remaining": services.unconfirmed_count(review),
            "oob": True,
        },
    )


@require_POST
def village_review_confirm_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm as unchanged every child shown on the page not yet confirmed."""
    require(request.user, Perm.CONFIRM_CYCLE)
    review = village_review_get_for(viewer=request.user, pk=pk)
    ids = [int(v) for v in request.POST.getlist("child") if v.isdigit()]
    try:
        count = services.children_confirm_unchanged(
            actor=request.user, village_review_id=review.pk, child_ids=ids
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已确认 {count} 名儿童无变化。")
    return redirect("visits:village-review", pk=review.pk)


def _versioned(request, pk: int, perm: Perm, write, success: str) -> HttpResponse:
    require(request.user, perm)
    review = village_review_get_for(viewer=request.user, pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("visits:village-review", pk=review.pk)
    try:
        write(
            actor=request.user,
            village_review_id=review.pk,
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success.format(village=review.village.name))
    return redirect("visits:village-review", pk=review.pk)


@require_POST
def village_review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the village for the township's review."""
    return _versioned(
        request,
        pk,
        Perm.CONFIRM_CYCLE,
        services.village_submit,
        "{village}的摸排已提交，等待乡镇审核。",
    )


@require_POST
def village_review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a submitted village."""
    return _versioned(
        request,
        pk,
        Perm.REVIEW_CYCLE,
        services.village_approve,
        "{village}的摸排已审核通过。",
    )


@require_POST
def village_review_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Return a submitted village to its director with a comment."""
    require(request.user, Perm.REVIEW_CYCLE)
    review = village_review_get_for(viewer=request.user, pk=pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.village_return(
                actor=request.user,
                village_review_id=review.pk,
                expected_version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except services.StaleReview as stale:
            messages.error(request, stale.message)
        except DomainError as error:
            form.add_error(
                "comment" if error.field == "comment" else None, error.message
            )
            return _review_page(request, review, return_form=form, status=400)
        else:
            messages.success(
                request,
                f"已退回{review.village.name}的摸排，儿童主任将按意见核实后重新提交。",
            )
        return redirect("visits:village-review", pk=review.pk)
    return _review_page(request, review, return_form=form, status=400)


urlpatterns = [
    path("cycles/", cycle_list, name="cycle-list"),
    path("cycles/<int:pk>/", cycle_detail, name="cycle-detail"),
    path("cycles/<int:pk>/close/", cycle_close, name="cycle-close"),
    path("cycles/reviews/<int:pk>/", village_review, name="village-review"),
    path(
        "cycles/reviews/<int:pk>/children/<int:child_id>/",
        village_review_confirm,
        name="village-review-confirm",
    ),
    path(
        "cycles/reviews/<int:pk>/confirm-all/",
        village_review_confirm_all,
        name="village-review-confirm-all",
    ),
    path(
        "cycles/reviews/<int:pk>/submit/",
        village_review_submit,
        name="village-review-submit",
    ),
    path(
        "cycles/reviews/<int:pk>/approve/",
        village_review_approve,
        name="village-review-approve",
    ),
    path(
        "cycles/reviews/<int:pk>/return/",
        village_review_return,
        name="village-review-return",
    ),
]
