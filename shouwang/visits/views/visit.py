"""Visit pages: the phone-first form, a visit's record, a child's visits.

The form posts the usual way and also through visit_form.js (fetch): then a refusal
answers with the form alone (status 422) and a success with the address to go to
(HX-Redirect), so that a failed request never empties the page.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from shouwang.accounts.access import Perm, has_perm, require
from shouwang.areas.selectors import area_path
from shouwang.core.exceptions import DomainError
from shouwang.core.paging import page_of
from shouwang.registry.models import ChildStatus
from shouwang.registry.selectors import child_get_for

from ..forms import VisitForm
from ..selectors.visit import child_schedule, visit_get_for, visit_list_for
from ..services.visit import (
    InvalidVisit,
    closed_to_visits,
    visit_list_read,
    visit_record,
    visit_record_read,
)

PAGE_SIZE = 20


def _is_script(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _recorded_message(child) -> str:
    if child.next_visit_due:
        return f"已记录走访。下次走访日期：{child.next_visit_due.isoformat()}"
    return "已记录走访。该儿童目前不属于任何类别，没有下次走访日期。"


def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit to a child (phone-first form); typed values survive a refusal."""
    require(request.user, Perm.RECORD_VISITS)
    child = child_get_for(viewer=request.user, pk=pk)
    refusal = closed_to_visits(child)
    if refusal and request.method != "POST":
        messages.error(request, refusal)
        return redirect("registry:child-detail", pk=child.pk)
    form = VisitForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        child=child,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = visit_record(
                actor=request.user,
                child_id=child.pk,
                data=form.service_data(),
                uploads=form.uploads,
            )
        except InvalidVisit as invalid:
            for field, problems in invalid.problems.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except DomainError as error:
            form.add_error(
                error.field if error.field in form.fields else None, error.message
            )
        else:
            messages.success(request, _recorded_message(visit.child))
            target = reverse("registry:child-detail", kwargs={"pk": child.pk})
            if _is_script(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    context = {
        "form": form,
        "child": child,
        "schedule": child_schedule(child, as_of=timezone.localdate()),
        "files_dropped": request.method == "POST" and bool(form.uploads),
    }
    if _is_script(request):
        status = 422 if form.is_bound else 200
        return render(request, "visits/_visit_form.html", context, status=status)
    return render(request, "visits/visit_form.html", context)


def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit: findings, problems and measures, follow-up, files."""
    require(request.user, Perm.VIEW_CHILDREN)
    visit = visit_get_for(viewer=request.user, pk=pk)
    visit_record_read(actor=request.user, visit=visit)
    return render(
        request,
        "visits/visit_detail.html",
        {"visit": visit, "child": visit.child, "attachments": visit.attachments.all()},
    )


def visit_print(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit on a print-friendly page, read as the visit's page reads it (audited)."""
    require(request.user, Perm.VIEW_CHILDREN)
    visit = visit_get_for(viewer=request.user, pk=pk)
    visit_record_read(actor=request.user, visit=visit)
    return render(
        request,
        "visits/visit_print.html",
        {
            "visit": visit,
            "child": visit.child,
            "attachments": visit.attachments.all(),
            "place": "".join(a.name for a in area_path(visit.child.village)[-3:]),
            "printed_at": timezone.localtime(),
        },
    )


def child_visits(request: HttpRequest, pk: int) -> HttpResponse:
    """All of a child's visits, newest first, a page at a time."""
    require(request.user, Perm.VIEW_CHILDREN)
    child = child_get_for(viewer=request.user, pk=pk)
    visit_list_read(actor=request.user, child=child)
    page = page_of(
        request, visit_list_for(viewer=request.user, child=child), size=PAGE_SIZE
    )
    return render(
        request,
        "visits/visit_list.html",
        {
            "child": child,
            "page": page,
            "schedule": child_schedule(child, as_of=timezone.localdate()),
            "can_record": has_perm(request.user, Perm.RECORD_VISITS)
            and child.status == ChildStatus.ACTIVE,
        },
    )


urlpatterns = [
    path("children/<int:pk>/", child_visits, name="child-visits"),
    path("children/<int:pk>/new/", visit_create, name="visit-create"),
    path("<int:pk>/", visit_detail, name="visit-detail"),
    path("<int:pk>/print/", visit_print, name="visit-print"),
]
