"""The worklist (三比对 results) and the dropout register pages. Each view parses,
checks access (schooling.access: not yours looks like not found), calls one service or
comparison, and redirects with a message; a refused form comes back with its messages
by field and everything typed kept."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts.access import (
    Perm,
    has_perm,
    in_jurisdiction,
    jurisdiction_prefix,
)
from shouwang.areas.models import Area
from shouwang.registry.models import Child
from shouwang.registry.vocab import Assistance
from shouwang.web.refusals import run_on_form

from . import access, services
from .comparison import compare
from .forms_dropout import (
    DropoutCloseForm,
    DropoutPlanForm,
    DropoutRegisterForm,
    DropoutReopenForm,
    PersuasionForm,
    SuspectClearForm,
)
from .models import DropoutCase
from .vocab import DropoutStatus

NOT_ALLOWED = "只有民政、督导员、儿童主任和教育部门人员可以办理控辍保学。"
CASES_PER_PAGE = 30
_LARGEST_ID = 2**63 - 1
# The household assistance that makes a dropout a priority (建档立卡 etc.).
PRIORITY_ASSISTANCE = (
    (Assistance.REGISTERED_POOR, "建档立卡户"),
    (Assistance.POVERTY_MONITORING, "防返贫监测户"),
    (Assistance.DIBAO, "低保户"),
)


def _require_worker(request: HttpRequest) -> None:
    if not access.may_work(request.user):
        raise PermissionDenied(NOT_ALLOWED)


def _child_or_404(user, child_id: int) -> Child:
    child = (
        Child.objects.select_related("village").filter(pk=child_id).first()
        if 0 < child_id <= _LARGEST_ID
        else None
    )
    if child is None or not access.covers(user, child.village_id):
        raise Http404(services.CHILD_NOT_FOUND)
    return child


def _case_or_404(user, pk: int) -> DropoutCase:
    case = (
        DropoutCase.objects.select_related("child", "village").filter(pk=pk).first()
        if 0 < pk <= _LARGEST_ID
        else None
    )
    if case is None or not access.covers(user, case.village_id):
        raise Http404(services.CASE_NOT_FOUND)
    return case


# ---- the worklist -------------------------------------------------------------


WORKLIST_PER_PAGE = 50


def _worklist(request: HttpRequest, *, failed=None, failed_child=None, status=200):
    """The three lists of the comparison, each paged (page, dpage, upage), narrowed to
    one village with ?village=CODE."""
    user = request.user
    result = compare(prefix=jurisdiction_prefix(user), as_of=timezone.localdate())
    villages = {s.village_id for s in result.suspected}
    villages |= {d.village_id for d in result.discrepancies}
    villages |= {v for _, _, v in result.unnumbered}
    places = {
        area.code: area
        for area in Area.objects.filter(code__in=villages).select_related("parent")
    }
    village = request.GET.get("village", "")
    if village not in places:
        village = ""

    def paged(items, param, village_of):
        items = [
            (item, places.get(village_of(item)))
            for item in items
            if not village or village_of(item) == village
        ]
        paginator = Paginator(items, WORKLIST_PER_PAGE)
        return paginator.get_page(request.GET.get(param))

    return render(
        request,
        "schooling/worklist.html",
        {
            "result": result,
            "suspected": paged(result.suspected, "page", lambda s: s.village_id),
            "discrepancies": paged(
                result.discrepancies, "dpage", lambda d: d.village_id
            ),
            "unnumbered": paged(result.unnumbered, "upage", lambda u: u[2]),
            "villages": sorted(places.values(), key=lambda a: a.code),
            "village": village,
            "clear_form": SuspectClearForm(),
            "failed": failed,
            "failed_child": failed_child,
        },
        status=status,
    )


def worklist(request: HttpRequest) -> HttpResponse:
    """The children of one's area the comparison suspects, with the discrepancies and
    the children to check by hand."""
    _require_worker(request)
    return _worklist(request)


@require_POST
def suspect_clear(request: HttpRequest, child_id: int) -> HttpResponse:
    """POST: clear a suspected child with a reason (在外地就读 …)."""
    _require_worker(request)
    child = _child_or_404(request.user, child_id)
    form = SuspectClearForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = run_on_form(
            form,
            lambda: services.suspect_clear(
                actor=request.user,
                child_id=child.pk,
                list_id=data["list_id"],
                reason=data["reason"],
                note=data["note"],
            ),
        )
        if done is not None:
            messages.success(request, f"已排除{child.name}的疑似辍学：{done.reason}。")
            return redirect("schooling:worklist")
    return _worklist(request, failed=form, failed_child=child.pk, status=400)


# ---- the dropout register ------------------------------------------------------


def dropout_list(request: HttpRequest) -> HttpResponse:
    """The dropout cases of one's area, open ones first; ?status=open|closed."""
    _require_worker(request)
    status = request.GET.get("status", "")
    cases = DropoutCase.objects.filter(access.village_q(request.user)).select_related(
        "child", "village"
    )
    if status in DropoutStatus.values:
        cases = cases.filter(status=status)
    else:
        status = ""
    cases = cases.order_by("-status", "-left_on", "-id")  # "open" after "closed"
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "schooling/dropout_list.html",
        {"page": page, "status": status, "statuses": DropoutStatus.choices},
    )


def _priority_flags(child: Child) -> list[str]:
    flags = [
        label
        for flag, label in (
            (child.is_left_behind, "农村留守儿童"),
            (child.is_orphan, "孤儿"),
            (child.is_de_facto_unsupported, "事实无人抚养儿童"),
            (bool(child.disability_category), "残疾儿童"),
        )
        if flag
    ]
    held = set(child.family_assistance or ())
    flags += [label for kind, label in PRIORITY_ASSISTANCE if kind in held]
    return flags


def _plan_form(case: DropoutCase, data=None) -> DropoutPlanForm:
    initial = {"expected_version": case.version, "plan": case.plan}
    for i, person in enumerate(case.responsibles.filter(removed_at=None)[:4], 1):
        initial |= {
            f"role_{i}": person.role,
            f"name_{i}": person.name,
            f"phone_{i}": person.phone,
        }
    return DropoutPlanForm(data, initial=initial)


def _detail(request: HttpRequest, case: DropoutCase, *, failed=None, step=""):
    if case.status == DropoutStatus.OPEN:
        forms = {
            "plan": _plan_form(case),
            "persuasion": PersuasionForm(),
            "close": DropoutCloseForm(),
        }
    else:
        forms = {"reopen": DropoutReopenForm()}
    if failed is not None:
        forms[step] = failed
    return render(
        request,
        "schooling/dropout_detail.html",
        {
            "case": case,
            "child": case.child,
            # Part of the dropout case (the priority groups), shown to everyone who
            # works on it, the education unit included; the rest of the ledger is not.
            "flags": _priority_flags(case.child),
            # The child's record, for those who may read the ledger (not education).
            "child_url": (
                reverse("registry:child-detail", args=[case.child_id])
                if has_perm(request.user, Perm.VIEW_CHILDREN)
                and in_jurisdiction(request.user, case.child.village_id)
                else ""
            ),
            "responsibles": case.responsibles.filter(removed_at=None),
            "persuasions": case.persuasions.all(),
            "events": case.events.all(),
            "forms": forms,
            "failed_step": step if failed is not None else "",
        },
        status=400 if failed is not None else 200,
    )


def dropout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One dropout case: the child's priority flags, the plan, the persuasion
    attempts, the timeline and the forms of the next steps."""
    _require_worker(request)
    return _detail(request, _case_or_404(request.user, pk))


def dropout_register(request: HttpRequest, child_id: int) -> HttpResponse:
    """GET the register form for a child; POST registers the dropout."""
    _require_worker(request)
    child = _child_or_404(request.user, child_id)
    form = DropoutRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = run_on_form(
            form,
            lambda: services.dropout_register(
                actor=request.user, child_id=child.pk, values=form.values()
            ),
        )
        if case is not None:
            messages.success(request, f"已登记{child.name}辍学，请跟进劝返。")
            return redirect("schooling:dropout-detail", pk=case.pk)
    return render(
        request,
        "schooling/dropout_register.html",
        {"child": child, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _step(name: str, form_class, call, done: str):
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        _require_worker(request)
        case = _case_or_404(request.user, pk)
        form = form_class(request.POST)
        if (
            form.is_valid()
            and run_on_form(form, lambda: call(request.user, case, form)) is not None
        ):
            messages.success(request, done)
            return redirect("schooling:dropout-detail", pk=case.pk)
        return _detail(request, case, failed=form, step=name)

    view.__name__ = f"dropout_{name}"
    view.__doc__ = f"POST: {done}"
    return view


dropout_plan = _step(
    "plan",
    DropoutPlanForm,
    lambda user, case, form: services.dropout_plan_set(
        actor=user,
        case_id=case.pk,
        expected_version=form.cleaned_data["expected_version"],
        plan=form.cleaned_data["plan"],
        responsibles=form.responsibles(),
    ),
    "已保存劝返方案和包保责任人。",
)
dropout_persuasion = _step(
    "persuasion",
    PersuasionForm,
    lambda user, case, form: services.persuasion_record(
        actor=user, case_id=case.pk, values=form.cleaned_data
    ),
    "已记录劝返情况。",
)
dropout_close = _step(
    "close",
    DropoutCloseForm,
    lambda user, case, form: services.dropout_close(
        actor=user, case_id=case.pk, values=form.cleaned_data
    ),
    "已销号。",
)
dropout_reopen = _step(
    "reopen",
    DropoutReopenForm,
    lambda user, case, form: services.dropout_reopen(
        actor=user, case_id=case.pk, reason=form.cleaned_data["reason"]
    ),
    "已重新开启，继续劝返。",
)

urlpatterns = [
    path("worklist/", worklist, name="worklist"),
    path("children/<int:child_id>/clear/", suspect_clear, name="dropout-clear"),
    path("children/<int:child_id>/dropout/", dropout_register, name="dropout-register"),
    path("dropouts/", dropout_list, name="dropout-list"),
    path("dropouts/<int:pk>/", dropout_detail, name="dropout-detail"),
    path("dropouts/<int:pk>/plan/", dropout_plan, name="dropout-plan"),
    path(
        "dropouts/<int:pk>/persuasion/", dropout_persuasion, name="dropout-persuasion"
    ),
    path("dropouts/<int:pk>/close/", dropout_close, name="dropout-close"),
    path("dropouts/<int:pk>/reopen/", dropout_reopen, name="dropout-reopen"),
]
