"""The monthly payment batch pages: the county's batches (generate one), a batch (the
totals by kind, the changes against the month before with their reasons, the lines,
approval by a second person), the bank file, and the bank's result file. Leaders see
the totals only; account and ID numbers are masked unless the viewer may reveal them
(the full bank file is audited as a reveal)."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts import access
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.web.refusals import add_refusal

from . import selectors_beneficiaries as sel
from . import services_payments as services
from .forms_beneficiaries import MonthForm, UploadForm, VersionForm
from .models import BatchStatus, PaymentBatch

NOT_ALLOWED = "只有民政干部和领导可以查看基本生活保障发放批次。"
LINES_PER_PAGE = 100
_LARGEST_ID = 2**63 - 1
RESULT_MAX_BYTES = 20 * 1024 * 1024


def _require_totals(request: HttpRequest) -> None:
    if not sel.may_see_totals(request.user):
        raise PermissionDenied(NOT_ALLOWED)


def _batch_or_404(user, pk: int) -> PaymentBatch:
    batch = (
        PaymentBatch.objects.select_related("county", "generated_by", "approved_by")
        .filter(pk=pk)
        .first()
        if 0 < pk <= _LARGEST_ID
        else None
    )
    if batch is None or not (
        sel.may_see_totals(user) and access.in_jurisdiction(user, batch.county_id)
    ):
        raise Http404(services.BATCH_NOT_FOUND)
    return batch


def _list(request: HttpRequest, *, generate=None, status=200) -> HttpResponse:
    batches = PaymentBatch.objects.filter(
        access.jurisdiction_q(request.user, "county_id")
    ).select_related("county")
    page = Paginator(batches.order_by("-month", "county_id"), 24).get_page(
        request.GET.get("page")
    )
    may_generate = sel.may_approve(request.user)
    if generate is None and may_generate:
        generate = MonthForm(
            initial={"month": f"{timezone.localdate():%Y-%m}"},
        )
    return render(
        request,
        "assistance/payments_list.html",
        {"page": page, "generate": generate if may_generate else None},
        status=status,
    )


def batch_list(request: HttpRequest) -> HttpResponse:
    """The batches of one's jurisdiction, newest month first, with their totals; the
    county's civil affairs generate the next month here."""
    _require_totals(request)
    return _list(request)


@require_POST
def batch_generate(request: HttpRequest) -> HttpResponse:
    """POST: generate the county's batch for a month."""
    if not sel.may_approve(request.user):
        raise PermissionDenied("只有县级民政干部可以生成发放批次。")
    form = MonthForm(request.POST)
    if form.is_valid():
        try:
            batch = services.payment_batch_generate(
                actor=request.user,
                county_code=request.user.area_id,
                month=form.cleaned_data["month"],
            )
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                f"已生成{services.month_label(batch.month)}发放批次：{batch.count} 名，"
                f"合计 {batch.total} 元，请由另一名民政干部审批。",
            )
            return redirect("assistance:batch-detail", pk=batch.pk)
    return _list(request, generate=form, status=400)


def _detail(request, batch: PaymentBatch, *, approve=None, results=None, plan=None):
    user = request.user
    reader = sel.may_read(user)
    by_kind = services.batch_by_kind(batch)
    change_counts = dict(
        batch.changes.values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    context = {
        "batch": batch,
        "by_kind": by_kind,
        "change_counts": change_counts,
        "reader": reader,
        "may_reveal": sel.may_reveal(user),
        "plan": plan,
    }
    if reader:
        lines = Paginator(
            batch.lines.order_by("village_code", "id"), LINES_PER_PAGE
        ).get_page(request.GET.get("page"))
        for line in lines:
            line.masked_account = sel.mask_account(line.account_number)
            line.masked_id = sel.mask_id(line.id_number)
        context |= {"lines": lines, "changes": batch.changes.order_by("kind", "id")}
    if sel.approves_for(user, batch.county_id):
        if batch.status == BatchStatus.GENERATED:
            context["approve"] = approve or VersionForm(
                initial={"expected_version": batch.version}
            )
        else:
            context["results"] = results or UploadForm()
    failed = approve is not None or results is not None
    return render(
        request,
        "assistance/payments_detail.html",
        context,
        status=400 if failed else 200,
    )


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One batch: totals by kind (all who may see it); the changes and the lines with
    masked numbers (civil affairs); approval and the bank files (the county)."""
    _require_totals(request)
    return _detail(request, _batch_or_404(request.user, pk))


@require_POST
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: approve the batch (someone other than who generated it)."""
    _require_totals(request)
    batch = _batch_or_404(request.user, pk)
    if not sel.may_approve(request.user):
        raise PermissionDenied("只有县级民政干部可以审批发放批次。")
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            services.payment_batch_approve(
                actor=request.user,
                pk=batch.pk,
                expected_version=form.cleaned_data["expected_version"],
            )
        except NotFound as error:
            raise Http404(str(error)) from None
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, "已审批，本批次已冻结，可以导出银行代发文件。")
            return redirect("assistance:batch-detail", pk=batch.pk)
    return _detail(request, batch, approve=form)


def batch_bank_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank file (xlsx) of an approved batch; ?full=1 with full numbers for those
    who may reveal them (audited), masked otherwise."""
    _require_totals(request)
    batch = _batch_or_404(request.user, pk)
    if not sel.may_read(request.user):
        raise PermissionDenied("领导只能查看发放合计，不能导出明细。")
    full = request.GET.get("full") == "1"
    if full and not sel.may_reveal(request.user):
        raise PermissionDenied("您没有查看完整号码的权限：请导出隐去中间位数的文件。")
    try:
        data = services.bank_file_bytes(actor=request.user, batch=batch, full=full)
    except NotFound as error:
        raise Http404(str(error)) from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("assistance:batch-detail", pk=batch.pk)
    name = f"{batch.county.name}{batch.month:%Y-%m}代发明细{'' if full else '（隐去号码）'}.xlsx"
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def batch_results(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: import the bank's result file; every row known and of the batch's amount,
    or nothing recorded and every problem listed by row and column."""
    _require_totals(request)
    batch = _batch_or_404(request.user, pk)
    if not sel.may_approve(request.user):
        raise PermissionDenied("只有县级民政干部可以导入银行回盘文件。")
    form = UploadForm(request.POST, request.FILES)
    plan = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > RESULT_MAX_BYTES:
            form.add_error("file", "文件超过 20 MB：请确认是本批次的回盘文件。")
        else:
            try:
                plan = services.bank_result_import(
                    actor=request.user,
                    pk=batch.pk,
                    data=upload.read(),
                    filename=upload.name or "",
                )
            except NotFound as error:
                raise Http404(str(error)) from None
            except DomainError as error:
                add_refusal(form, error)
            else:
                if plan.ok:
                    unlisted = (
                        f"，{plan.unlisted} 人不在回盘文件中" if plan.unlisted else ""
                    )
                    messages.success(
                        request,
                        f"已导入回盘结果：成功 {plan.paid} 人，失败 {plan.failed} 人"
                        f"{unlisted}。失败的将随下月批次补发。",
                    )
                    return redirect("assistance:batch-detail", pk=batch.pk)
    return _detail(request, batch, results=form, plan=plan)


urlpatterns = [
    path("payments/", batch_list, name="batch-list"),
    path("payments/generate/", batch_generate, name="batch-generate"),
    path("payments/<int:pk>/", batch_detail, name="batch-detail"),
    path("payments/<int:pk>/approve/", batch_approve, name="batch-approve"),
    path("payments/<int:pk>/bank-file/", batch_bank_file, name="batch-bank-file"),
    path("payments/<int:pk>/results/", batch_results, name="batch-results"),
]
