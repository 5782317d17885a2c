"""The aid programme pages: the list (leaders: totals only), setting a programme up
or editing it, and one programme's beneficiaries — choose them from the ledger,
approve or refuse them, record them as paid or delivered. Each view parses, checks
access (selectors_programmes: not yours looks like not found), calls one service or
selector, and redirects with a message; a refused form comes back with its messages
by field and everything typed kept."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.core.exceptions import NotFound
from shouwang.registry.vocab import Schooling
from shouwang.web.refusals import run_on_form

from . import selectors_programmes as sel
from . import services_programmes as services
from .forms_programmes import ChooseForm, DecideForm, DeliverForm, ProgrammeForm
from .models import AidProgramme, BeneficiaryStatus

NOT_ALLOWED = "只有民政干部、乡镇儿童督导员和领导可以查看救助项目。"
NAMES_NOT_ALLOWED = "领导查看救助项目的汇总数，不查看受助儿童名单。"
PER_PAGE = 50


def _programme_or_404(request: HttpRequest, pk: int) -> AidProgramme:
    if not sel.may_see_totals(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    try:
        return sel.programme_get_for(request.user, pk)
    except NotFound as error:
        raise Http404(str(error)) from None


def _worker_programme(request: HttpRequest, pk: int) -> AidProgramme:
    programme = _programme_or_404(request, pk)
    if not sel.may_prepare(request.user):
        raise PermissionDenied(NAMES_NOT_ALLOWED)
    return programme


def programme_list(request: HttpRequest) -> HttpResponse:
    """The programmes one sees, each with the totals of one's jurisdiction."""
    if not sel.may_see_totals(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    page = Paginator(sel.programme_list_for(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assistance/programmes_list.html",
        {
            "page": page,
            "may_manage": sel.may_manage(request.user),
            "may_open": sel.may_prepare(request.user),
        },
    )


def _programme_form(request: HttpRequest, programme: AidProgramme | None):
    user = request.user
    if not sel.may_manage(user):
        raise PermissionDenied("只有省、市、县级民政干部可以设置救助项目。")
    if programme is not None and not access.in_jurisdiction(user, programme.area_id):
        raise PermissionDenied("该项目由上级设置，您不能修改。")
    initial = {}
    if programme is not None:
        initial = {
            "name": programme.name,
            "area": programme.area_id,
            "starts_on": programme.starts_on,
            "ends_on": programme.ends_on,
            "form": programme.form,
            "amount": programme.amount or "",
            "item": programme.item,
            "eligibility_notes": programme.eligibility_notes,
            "budget": programme.budget,
            "expected_version": programme.version,
        }
    form = ProgrammeForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        saved = run_on_form(
            form,
            lambda: services.aid_programme_save(
                actor=user,
                values=form.values(),
                programme_id=programme.pk if programme else None,
                expected_version=form.cleaned_data["expected_version"],
            ),
        )
        if saved is not None:
            messages.success(request, f"已保存救助项目“{saved.name}”。")
            return redirect("assistance:programme-detail", pk=saved.pk)
    return render(
        request,
        "assistance/programmes_form.html",
        {"form": form, "programme": programme},
        status=400 if request.method == "POST" else 200,
    )


def programme_create(request: HttpRequest) -> HttpResponse:
    """GET the form of a new programme; POST sets it up."""
    return _programme_form(request, None)


def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET the programme's form; POST saves it at the version read."""
    programme = _programme_or_404(request, pk)
    return _programme_form(request, programme)


def _detail(request, programme, *, failed=None, step="", status=200):
    user = request.user
    status_filter = request.GET.get("status", "")
    rows = sel.beneficiaries_for(user, programme)
    if status_filter in BeneficiaryStatus.values:
        rows = rows.filter(status=status_filter)
    else:
        status_filter = ""
    forms = {"decide": DecideForm(), "deliver": DeliverForm()}
    if failed is not None:
        forms[step] = failed
    return render(
        request,
        "assistance/programmes_detail.html",
        {
            "programme": programme,
            "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
            "status": status_filter,
            "statuses": BeneficiaryStatus.choices,
            "forms": forms,
            "failed_step": step if failed is not None else "",
            "may_approve": sel.may_approve(user),
            "may_edit": sel.may_manage(user)
            and access.in_jurisdiction(user, programme.area_id),
            "today": timezone.localdate(),
        },
        status=status,
    )


def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One programme: its terms, its totals, and its beneficiaries of one's area with
    the forms to approve them and record delivery."""
    programme = _worker_programme(request, pk)
    return _detail(request, programme)


def programme_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """GET the ledger children one may choose (filtered by category, 就学状况 and
    village); POST chooses the ticked ones."""
    programme = _worker_programme(request, pk)
    user = request.user
    category = request.GET.get("category", "")
    schooling = request.GET.get("schooling", "")
    village = request.GET.get("village", "")
    if schooling not in Schooling.values:
        schooling = ""
    villages = Area.objects.filter(
        access.jurisdiction_q(user, "code"),
        access.prefix_q("code", codes.prefix_of(programme.area_id)),
        level="village",
    ).order_by("code")
    if village and not villages.filter(code=village).exists():
        village = ""
    form = ChooseForm(request.POST if request.method == "POST" else None)
    ticked: set[int] = set()
    if request.method == "POST" and form.is_valid():
        ticked = set(form.cleaned_data["children"])
        chosen = run_on_form(
            form,
            lambda: services.aid_beneficiaries_choose(
                actor=user,
                programme_id=programme.pk,
                child_ids=form.cleaned_data["children"],
                amount=form.cleaned_data["amount"] or None,
                reason=form.cleaned_data["reason"],
            ),
        )
        if chosen is not None:
            messages.success(
                request, f"已选定 {len(chosen)} 名受助对象，待民政干部审批。"
            )
            return redirect("assistance:programme-detail", pk=programme.pk)
    candidates = sel.candidates_for(
        user, programme, category=category, schooling=schooling, village=village
    )
    today = timezone.localdate()
    page = Paginator(candidates, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(child, sel.ledger_facts(child, on=today)) for child in page]
    return render(
        request,
        "assistance/programmes_choose.html",
        {
            "programme": programme,
            "form": form,
            "page": page,
            "rows": rows,
            "ticked": ticked,
            "category": category if category in sel.CATEGORY_FILTERS else "",
            "categories": [(k, v[0]) for k, v in sel.CATEGORY_FILTERS.items()],
            "schooling": schooling,
            "schoolings": Schooling.choices,
            "village": village,
            "villages": villages,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def programme_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: approve or refuse the ticked beneficiaries."""
    programme = _worker_programme(request, pk)
    if not sel.may_approve(request.user):
        raise PermissionDenied("只有民政干部可以审批受助对象。")
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = run_on_form(
            form,
            lambda: services.aid_beneficiaries_decide(
                actor=request.user,
                programme_id=programme.pk,
                beneficiary_ids=data["beneficiaries"],
                approve=data["decision"] == "approve",
                note=data["note"],
            ),
        )
        if done is not None:
            verb = "审批通过" if data["decision"] == "approve" else "退回"
            messages.success(request, f"已{verb} {len(done)} 名受助对象。")
            return redirect("assistance:programme-detail", pk=programme.pk)
    return _detail(request, programme, failed=form, step="decide", status=400)


@require_POST
def programme_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: record the ticked approved beneficiaries as paid or delivered."""
    programme = _worker_programme(request, pk)
    form = DeliverForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = run_on_form(
            form,
            lambda: services.aid_beneficiaries_deliver(
                actor=request.user,
                programme_id=programme.pk,
                beneficiary_ids=data["beneficiaries"],
                delivered_on=data["delivered_on"],
                note=data["delivery_note"],
            ),
        )
        if done is not None:
            messages.success(request, f"已登记 {len(done)} 名受助对象发放。")
            return redirect("assistance:programme-detail", pk=programme.pk)
    return _detail(request, programme, failed=form, step="deliver", status=400)


urlpatterns = [
    path("programmes/", programme_list, name="programme-list"),
    path("programmes/new/", programme_create, name="programme-create"),
    path("programmes/<int:pk>/", programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/choose/", programme_choose, name="programme-choose"),
    path("programmes/<int:pk>/decide/", programme_decide, name="programme-decide"),
    path("programmes/<int:pk>/deliver/", programme_deliver, name="programme-deliver"),
]
