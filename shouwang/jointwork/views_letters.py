"""The responsibility letter pages: coverage of a year with the letters behind it,
one letter, recording one, voiding one, and its scan (access-checked, audited).
Each view parses, checks access (not yours looks like not found), calls one
service or selector, and renders or redirects with a message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts import access
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.visits.attachments import sniff
from shouwang.visits.models import attachment_storage
from shouwang.web.refusals import run_on_form

from . import selectors_letters as sel
from . import services_letters as services
from .forms_letters import LetterForm, VoidForm

NOT_ALLOWED = "只有民政干部和领导可以查看责任书签订情况。"
PER_PAGE = 50


def _reader(request: HttpRequest) -> None:
    if not sel.may_read(request.user):
        raise PermissionDenied(NOT_ALLOWED)


def _recorder(request: HttpRequest) -> None:
    if not sel.may_record(request.user):
        raise PermissionDenied(services.NOT_RECORDER)


def letters(request: HttpRequest) -> HttpResponse:
    """Coverage of a year for an area (townships, member units, villages of each
    township) and the letters of that year; from 1 December it opens at next year
    and lists who has no letter yet."""
    _reader(request)
    user = request.user
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or sel.coverage_year(today))
    except ValueError:
        year = sel.coverage_year(today)
    year = min(max(year, services.FIRST_YEAR), today.year + 1)
    choices = sel.areas_to_choose(user)
    area = choices.filter(code=request.GET.get("area") or "").first() or user.area
    coverage = sel.coverage_for(viewer=user, area=area, year=year)
    rows = (
        sel.letters_for(viewer=user)
        .filter(access.prefix_q("area_id", area.prefix), year=year)
        .order_by("area_id", "party_area_id", "party_unit", "-id")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "jointwork/letters.html",
        {
            "coverage": coverage,
            "year": year,
            "years": list(range(today.year + 1, today.year - 5, -1)),
            "area": area,
            "areas": choices,
            "page": page,
            "rows": [(letter, sel.party_label(letter)) for letter in page],
            "reminder": sel.is_reminder(year, today),
            "may_record": sel.may_record(user),
        },
    )


def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """One letter: parties, year, signed date, scan, and the form to void it."""
    _reader(request)
    found = sel.letter_get_for(viewer=request.user, pk=pk)
    return _detail(request, found, VoidForm())


def _detail(request, found, void_form, status=200):
    return render(
        request,
        "jointwork/letter_detail.html",
        {
            "letter": found,
            "party": sel.party_label(found),
            "void_form": void_form,
            "may_record": sel.may_record(request.user),
        },
        status=status,
    )


def letter_create(request: HttpRequest) -> HttpResponse:
    """GET the form of a signed letter; POST records it."""
    _recorder(request)
    user = request.user
    initial = {"year": sel.coverage_year(timezone.localdate()), "area": user.area_id}
    form = LetterForm(
        request.POST or None, request.FILES or None, initial=initial, user=user
    )
    if request.method == "POST" and form.is_valid():
        saved = run_on_form(
            form,
            lambda: services.letter_record(
                actor=user, values=form.values(), scan=form.cleaned_data.get("scan")
            ),
        )
        if saved is not None:
            messages.success(
                request,
                f"已登记{saved.year}年度{saved.area.name}与{sel.party_label(saved)}"
                "的责任书。",
            )
            return redirect("jointwork:letter", pk=saved.pk)
    return render(
        request,
        "jointwork/letter_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def letter_void(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: void the letter with a reason."""
    _reader(request)
    found = sel.letter_get_for(viewer=request.user, pk=pk)
    _recorder(request)
    form = VoidForm(request.POST)
    if form.is_valid():
        done = run_on_form(
            form,
            lambda: services.letter_void(
                actor=request.user, pk=found.pk, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "责任书已作废，不再计入签订情况。")
            return redirect("jointwork:letter", pk=found.pk)
    return _detail(request, found, form, status=400)


def letter_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter's scan, shown in the browser (recorders only); audited."""
    _reader(request)
    found = sel.letter_get_for(viewer=request.user, pk=pk)
    _recorder(request)
    if not found.scan_name:
        raise Http404("该责任书没有上传扫描件。")
    storage = attachment_storage()
    with storage.open(found.scan_name, "rb") as handle:
        kind = sniff(handle.read(16))
    audit_record(
        actor=request.user,
        action=AuditAction.ATTACHMENT_DOWNLOAD,
        obj=found,
        area_code=found.area_id,
        details={"name": found.scan_original},
    )
    response = FileResponse(
        storage.open(found.scan_name, "rb"),
        content_type=kind or "application/octet-stream",
        as_attachment=kind is None,
        filename=found.scan_original or "责任书",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
