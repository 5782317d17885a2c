"""School registration list pages: upload (checked and written at once) and history."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from shouwang.core.idnumber import mask_id_number

from .enrolment import (
    NOT_ALLOWED,
    EnrolmentRefused,
    enrolment_check,
    enrolment_commit,
    enrolment_list_for,
    may_import_enrolment,
)
from .forms import EnrolmentUploadForm

LISTS_PER_PAGE = 30
ERRORS_SHOWN = 200


def _require_importer(request: HttpRequest) -> None:
    if not may_import_enrolment(request.user):
        raise PermissionDenied(NOT_ALLOWED)


def _page(request, form, *, plan=None, saved=None, status: int = 200):
    lists = enrolment_list_for(viewer=request.user)
    page = Paginator(lists, LISTS_PER_PAGE).get_page(request.GET.get("page"))
    errors = []
    if plan is not None:
        for error in plan.errors[:ERRORS_SHOWN]:
            value = (
                mask_id_number(error.value)
                if error.field == "id_number"
                else error.value
            )
            errors.append(
                {
                    "row": error.row,
                    "column": error.column,
                    "value": value,
                    "message": error.message,
                }
            )
    return render(
        request,
        "schooling/enrolment_lists.html",
        {
            "form": form,
            "page": page,
            "plan": plan,
            "errors": errors,
            "errors_cut": plan.error_count - len(errors) if plan is not None else 0,
            "saved": saved,
            "default_area": request.user.area,
        },
        status=status,
    )


def enrolment_lists(request: HttpRequest) -> HttpResponse:
    """The upload form and the lists of the user's jurisdiction, newest first."""
    _require_importer(request)
    return _page(request, EnrolmentUploadForm())


@require_POST
def enrolment_upload(request: HttpRequest) -> HttpResponse:
    """Check an uploaded list and, when every row passes, keep it; show the result."""
    _require_importer(request)
    form = EnrolmentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        plan = enrolment_check(
            actor=request.user,
            data=upload.read(),
            filename=upload.name,
            area=form.cleaned_data["area"] or None,
        )
    except EnrolmentRefused as error:
        form.add_error("area", error.message)
        return _page(request, form, status=400)
    if plan.unusable:
        form.add_error("file", plan.unusable)
        return _page(request, form, plan=plan, status=400)
    if plan.error_count:
        return _page(request, form, plan=plan, status=400)
    try:
        saved = enrolment_commit(actor=request.user, plan=plan)
    except EnrolmentRefused as error:
        form.add_error("file", error.message)
        return _page(request, form, plan=plan, status=400)
    return _page(request, EnrolmentUploadForm(), plan=plan, saved=saved)
