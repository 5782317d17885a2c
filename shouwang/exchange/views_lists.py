"""Department list pages: the upload (checked, then received at once) with the lists
of one's jurisdiction, and one list with its alerts and measures."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.core.idnumber import mask_id_number

from . import alerts as alert_service
from .forms import ListUploadForm
from .lists import (
    COLUMNS,
    NOT_ALLOWED,
    ExchangeRefused,
    exchange_check,
    exchange_commit,
    kinds_for,
    list_for,
    list_get_for,
)
from .models import Measure
from .vocab import ListKind

LISTS_PER_PAGE = 30
ROWS_PER_PAGE = 30
ERRORS_SHOWN = 200
ID_FIELDS = frozenset({"id_number", "head_id", "father_id", "mother_id"})


def _require_sender(request: HttpRequest) -> list[str]:
    kinds = kinds_for(request.user)
    if not kinds:
        raise PermissionDenied(NOT_ALLOWED)
    return kinds


def _errors(plan) -> list[dict]:
    """The plan's first errors as the page shows them (ID numbers masked)."""
    return [
        {
            "row": error.row,
            "column": error.column,
            "value": mask_id_number(error.value)
            if error.field in ID_FIELDS
            else error.value,
            "message": error.message,
        }
        for error in plan.errors[:ERRORS_SHOWN]
    ]


ENROLMENT_HEADERS = (
    "姓名、公民身份号码、学籍号、学校名称、年级、学籍状态（同学籍名单导入）"
)


def _headers(kinds: list[str]) -> list[tuple[str, str]]:
    """Each kind the user sends, with the headers its file needs (顺序不限)."""
    return [
        (
            ListKind(kind).label,
            "、".join(
                column.header + ("" if column.required else "（可空）")
                for column in COLUMNS[kind]
            )
            if kind in COLUMNS
            else ENROLMENT_HEADERS,
        )
        for kind in kinds
    ]


def _page(request, form, *, plan=None, saved=None, status: int = 200):
    page = Paginator(list_for(viewer=request.user), LISTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    errors = _errors(plan) if plan is not None else []
    return render(
        request,
        "exchange/lists.html",
        {
            "form": form,
            "page": page,
            "plan": plan,
            "errors": errors,
            "errors_cut": plan.error_count - len(errors) if plan is not None else 0,
            "saved": saved,
            "default_area": request.user.area,
            "headers": _headers(kinds_for(request.user)),
        },
        status=status,
    )


def lists(request: HttpRequest) -> HttpResponse:
    """GET the upload form and the lists of one's jurisdiction, newest first; POST a
    list: every row checked, received (and matched) only when all pass."""
    kinds = _require_sender(request)
    if request.method != "POST":
        return _page(request, ListUploadForm(kinds=kinds))
    form = ListUploadForm(request.POST, request.FILES, kinds=kinds)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        plan = exchange_check(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            data=upload.read(),
            filename=upload.name,
            area=form.cleaned_data["area"] or None,
        )
    except ExchangeRefused as error:
        form.add_error(error.field if error.field in form.fields else "area", error)
        return _page(request, form, status=400)
    if plan.unusable:
        form.add_error("file", plan.unusable)
        return _page(request, form, plan=plan, status=400)
    if plan.error_count:
        return _page(request, form, plan=plan, status=400)
    try:
        saved = exchange_commit(actor=request.user, plan=plan)
    except ExchangeRefused as error:
        form.add_error("file", error.message)
        return _page(request, form, plan=plan, status=400)
    return _page(request, ListUploadForm(kinds=kinds), plan=plan, saved=saved)


def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One list: its counts, the alerts it raised in one's villages (for those who
    read children) and the measures it recorded there."""
    _require_sender(request)
    sent = list_get_for(viewer=request.user, pk=pk)
    reads_children = access.has_perm(request.user, Perm.VIEW_CHILDREN)
    alerts = alert_service.alert_list_for(viewer=request.user).filter(
        department_list=sent
    )
    alert_page = Paginator(alerts, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    measures = access.scope(
        request.user, Measure.objects.filter(department_list=sent), "village_id"
    ).select_related("child", "village", "village__parent")
    measure_page = Paginator(measures, ROWS_PER_PAGE).get_page(request.GET.get("mpage"))
    for measure in measure_page:
        measure.household_masked = mask_id_number(measure.household)
    return render(
        request,
        "exchange/list_detail.html",
        {
            "sent": sent,
            "alerts": alert_page,
            "measures": measure_page,
            "reads_children": reads_children,
        },
    )
