"""The beneficiary pages: the list, the worklists 应保未保 and 应停未停, an application
(apply, correct, review, approve, return, stop, reveal the account, the 养育协议 scan)
and the import of a county's current list. Each view parses, checks who may (not
yours looks like not found), calls one service or selector and renders; a refused
form comes back with its messages by field and everything typed kept."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.web.refusals import run_on_form

from . import selectors_beneficiaries as sel
from . import services_beneficiaries as services
from .forms_beneficiaries import (
    ApplicationForm,
    ReturnForm,
    StopForm,
    UploadForm,
    VersionForm,
)
from .models import AllowanceApplication, ApplicationStatus
from .services_beneficiaries import IMPORT_COLUMNS, parse_month

NOT_ALLOWED = "只有乡镇督导员和民政干部可以办理基本生活保障。"
NOT_APPROVER = "只有县级民政干部可以导入保障对象名单。"
PER_PAGE = 50
IMPORT_MAX_BYTES = 20 * 1024 * 1024


def _require_reader(request: HttpRequest) -> None:
    if not sel.may_read(request.user):
        raise PermissionDenied(NOT_ALLOWED)


def _month(request: HttpRequest, default):
    return parse_month(request.GET.get("month", "")) or default


# ---- the list and the worklists -------------------------------------------------


def beneficiary_list(request: HttpRequest) -> HttpResponse:
    """Applications and beneficiaries of one's jurisdiction; ?status= one status."""
    _require_reader(request)
    status = request.GET.get("status", "")
    if status not in ApplicationStatus.values:
        status = ""
    rows = sel.application_list_for(viewer=request.user, status=status).order_by(
        "village_id", "-id"
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for app in page:
        app.masked_account = sel.mask_account(app.account_number)
    return render(
        request,
        "assistance/beneficiaries_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "may_import": sel.may_approve(request.user),
        },
    )


def unpaid(request: HttpRequest) -> HttpResponse:
    """应保未保: children eligible for the month (this month unless ?month=YYYY-MM)
    with no approved application."""
    _require_reader(request)
    month = _month(request, timezone.localdate().replace(day=1))
    rows = sel.unpaid_eligible(viewer=request.user, month=month)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/beneficiaries_worklist.html",
        {"page": page, "month": month, "mode": "unpaid", "count": len(rows)},
    )


def stop_due(request: HttpRequest) -> HttpResponse:
    """应停未停: beneficiaries no longer eligible for the month (next month unless
    ?month=YYYY-MM), with the policy's reason."""
    _require_reader(request)
    month = _month(request, sel.next_month(timezone.localdate()))
    rows = sel.stop_due(viewer=request.user, month=month)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/beneficiaries_worklist.html",
        {"page": page, "month": month, "mode": "stop", "count": len(rows)},
    )


# ---- one application ---------------------------------------------------------------


def application_new(request: HttpRequest, child_id: int) -> HttpResponse:
    """GET the application form for a child; POST submits it to the township's
    review."""
    if not sel.may_prepare(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    child = sel.child_get_for(viewer=request.user, pk=child_id)
    initial = {
        "guardian_name": child.guardian_name,
        "guardian_relation": child.guardian_relation,
    }
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        app = run_on_form(
            form,
            lambda: services.application_submit(
                actor=request.user,
                child_id=child.pk,
                values=form.values(),
                scan=form.cleaned_data.get("agreement_scan"),
            ),
        )
        if app is not None:
            messages.success(request, f"已提交{child.name}的申请，等待乡镇审核。")
            return redirect("assistance:application-detail", pk=app.pk)
    return render(
        request,
        "assistance/beneficiaries_form.html",
        {"child": child, "form": form, "app": None},
        status=400 if request.method == "POST" else 200,
    )


def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET the correction form; POST saves it (a returned application goes back to
    the township's review; a beneficiary's account changes from the next batch)."""
    if not sel.may_prepare(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    app = sel.application_get_for(viewer=request.user, pk=pk)
    initial = {
        "expected_version": app.version,
        "guardian_name": app.guardian_name,
        "guardian_relation": app.guardian_relation,
        "account_type": app.account_type,
        "account_number": app.account_number,
        "bank_name": app.bank_name,
        "agreement_signed_on": app.agreement_signed_on,
    }
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = run_on_form(
            form,
            lambda: services.application_update(
                actor=request.user,
                pk=app.pk,
                expected_version=form.cleaned_data["expected_version"] or 0,
                values=form.values(),
                scan=form.cleaned_data.get("agreement_scan"),
            ),
        )
        if saved is not None:
            messages.success(request, "已保存。")
            return redirect("assistance:application-detail", pk=app.pk)
    if request.method == "GET" and sel.may_reveal(request.user):
        # The form shows the full account number, as revealing it would: audited.
        services.account_reveal(actor=request.user, app=app)
    return render(
        request,
        "assistance/beneficiaries_form.html",
        {"child": app.child, "form": form, "app": app},
        status=400 if request.method == "POST" else 200,
    )


def _detail(request, app: AllowanceApplication, *, failed=None, step="", shown=None):
    user = request.user
    forms = {}
    if app.status == ApplicationStatus.SUBMITTED and sel.may_prepare(user):
        forms["review"] = VersionForm(initial={"expected_version": app.version})
        forms["return"] = ReturnForm(initial={"expected_version": app.version})
    if app.status == ApplicationStatus.REVIEWED and sel.approves_for(
        user, app.village_id
    ):
        forms["approve"] = VersionForm(initial={"expected_version": app.version})
        forms["return"] = ReturnForm(initial={"expected_version": app.version})
    if app.status == ApplicationStatus.APPROVED and sel.approves_for(
        user, app.village_id
    ):
        forms["stop"] = StopForm(initial={"expected_version": app.version})
    if failed is not None:
        forms[step] = failed
    return render(
        request,
        "assistance/beneficiaries_detail.html",
        {
            "app": app,
            "child": app.child,
            "forms": forms,
            "failed_step": step if failed is not None else "",
            "account": shown["account_number"]
            if shown
            else sel.mask_account(app.account_number),
            "id_number": shown["id_number"]
            if shown
            else sel.mask_id(app.child.id_number or ""),
            "revealed": shown is not None,
            "may_reveal": sel.may_reveal(user),
            "may_edit": sel.may_prepare(user)
            and app.status
            in (
                ApplicationStatus.SUBMITTED,
                ApplicationStatus.RETURNED,
                ApplicationStatus.APPROVED,
            ),
        },
        status=400 if failed is not None else 200,
    )


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: the child, the account (masked), the 养育协议, who did what,
    and the forms of the next steps the viewer may take."""
    _require_reader(request)
    return _detail(request, sel.application_get_for(viewer=request.user, pk=pk))


@require_POST
def application_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the page with the full account and ID numbers (audited)."""
    _require_reader(request)
    app = sel.application_get_for(viewer=request.user, pk=pk)
    if not sel.may_reveal(request.user):
        raise PermissionDenied("您没有查看完整账号的权限。")
    shown = services.account_reveal(actor=request.user, app=app)
    return _detail(request, app, shown=shown)


def application_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """The 养育协议 scan, shown in the browser; audited."""
    _require_reader(request)
    app = sel.application_get_for(viewer=request.user, pk=pk)
    if not app.agreement_scan:
        raise Http404("该申请没有上传养育协议扫描件。")
    audit_record(
        actor=request.user,
        action=AuditAction.ATTACHMENT_DOWNLOAD,
        obj=app,
        area_code=app.village_id,
        details={"child": app.child_id, "name": app.agreement_scan_name},
    )
    response = FileResponse(
        app.agreement_scan.open("rb"),
        content_type=app.agreement_scan_type or "application/octet-stream",
        as_attachment=False,
        filename=app.agreement_scan_name or "养育协议",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


def _step(name: str, form_class, call, done: str):
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        _require_reader(request)
        app = sel.application_get_for(viewer=request.user, pk=pk)
        form = form_class(request.POST)
        if form.is_valid():
            result = run_on_form(
                form, lambda: call(request.user, app, form.cleaned_data)
            )
            if result is not None:
                messages.success(request, done.format(name=app.child.name))
                return redirect("assistance:application-detail", pk=app.pk)
        return _detail(request, app, failed=form, step=name)

    view.__name__ = f"application_{name}"
    view.__doc__ = f"POST: {done}"
    return view


application_review = _step(
    "review",
    VersionForm,
    lambda user, app, data: services.application_review(
        actor=user, pk=app.pk, expected_version=data["expected_version"]
    ),
    "已审核{name}的申请，报县级审批。",
)
application_approve = _step(
    "approve",
    VersionForm,
    lambda user, app, data: services.application_approve(
        actor=user, pk=app.pk, expected_version=data["expected_version"]
    ),
    "已审批{name}的申请，自下月起发放。",
)
application_return = _step(
    "return",
    ReturnForm,
    lambda user, app, data: services.application_return(
        actor=user,
        pk=app.pk,
        expected_version=data["expected_version"],
        reason=data["reason"],
    ),
    "已退回{name}的申请。",
)
application_stop = _step(
    "stop",
    StopForm,
    lambda user, app, data: services.application_stop(
        actor=user,
        pk=app.pk,
        expected_version=data["expected_version"],
        reason=data["reason"],
        month=data["month"],
    ),
    "已为{name}停保。",
)


# ---- importing the county's current list ----------------------------------------


def beneficiary_import(request: HttpRequest) -> HttpResponse:
    """GET the upload form with the columns; POST checks the file and adds every row,
    or lists every problem by row and column and adds none."""
    if not sel.may_approve(request.user):
        raise PermissionDenied(NOT_APPROVER)
    form = UploadForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            form.add_error("file", "文件超过 20 MB：请拆分后分别导入。")
        else:
            plan = run_on_form(
                form,
                lambda: services.applications_import(
                    actor=request.user, data=upload.read(), filename=upload.name or ""
                ),
            )
            if plan is not None and plan.ok:
                messages.success(request, f"已导入 {len(plan.rows)} 名保障对象。")
                return redirect("assistance:beneficiary-list")
    return render(
        request,
        "assistance/beneficiaries_import.html",
        {"form": form, "plan": plan, "columns": [h for _, h in IMPORT_COLUMNS]},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("beneficiaries/", beneficiary_list, name="beneficiary-list"),
    path("beneficiaries/unpaid/", unpaid, name="beneficiary-unpaid"),
    path("beneficiaries/stop-due/", stop_due, name="beneficiary-stop-due"),
    path("beneficiaries/import/", beneficiary_import, name="beneficiary-import"),
    path(
        "beneficiaries/apply/<int:child_id>/", application_new, name="application-new"
    ),
    path("beneficiaries/<int:pk>/", application_detail, name="application-detail"),
    path("beneficiaries/<int:pk>/edit/", application_edit, name="application-edit"),
    path(
        "beneficiaries/<int:pk>/reveal/", application_reveal, name="application-reveal"
    ),
    path(
        "beneficiaries/<int:pk>/agreement/",
        application_agreement,
        name="application-agreement",
    ),
    path(
        "beneficiaries/<int:pk>/review/", application_review, name="application-review"
    ),
    path(
        "beneficiaries/<int:pk>/approve/",
        application_approve,
        name="application-approve",
    ),
    path(
        "beneficiaries/<int:pk>/return/", application_return, name="application-return"
    ),
    path("beneficiaries/<int:pk>/stop/", application_stop, name="application-stop"),
]
