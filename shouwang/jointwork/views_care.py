"""The community care pages: the overview (totals, and a tab per kind for those who
read it), a create form per kind, voiding a row, the volunteer's notice of a
pairing (志愿者告知单: the child's given name and village unless a director granted
more) and the director's grant. Each view parses, checks access (not yours looks
like not found), calls one service or selector, and renders or redirects."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.web.refusals import run_on_form

from . import selectors_care as sel
from . import services_care as services
from .forms_care import FORMS, NEEDS_USER, CareVoidForm
from .vocab import PUBLICITY_UNITS

NOT_ALLOWED = "您没有查看社会关爱的权限。"
PER_PAGE = 50
RECORD = {
    sel.DONATIONS: services.donation_record,
    sel.VOLUNTEERS: services.volunteer_record,
    sel.PAIRINGS: services.pairing_record,
    sel.ACTIVITIES: services.activity_record,
    sel.PUBLICITY: services.publicity_record,
}
TITLES = {
    sel.DONATIONS: "登记社会捐赠",
    sel.VOLUNTEERS: "登记志愿者",
    sel.PAIRINGS: "登记结对关爱",
    sel.ACTIVITIES: "登记关爱活动",
    sel.PUBLICITY: "登记宣传品",
}
CREATE_NAMES = {
    sel.DONATIONS: "jointwork:donation-create",
    sel.VOLUNTEERS: "jointwork:volunteer-create",
    sel.PAIRINGS: "jointwork:pairing-create",
    sel.ACTIVITIES: "jointwork:activity-create",
    sel.PUBLICITY: "jointwork:publicity-create",
}
SAVED = {
    sel.DONATIONS: "已登记社会捐赠。",
    sel.VOLUNTEERS: "已登记志愿者。",
    sel.PAIRINGS: "已登记结对关爱，可打印志愿者告知单交给志愿者。",
    sel.ACTIVITIES: "已登记关爱活动。",
    sel.PUBLICITY: "已登记宣传品。",
}


def _page_user(request: HttpRequest):
    if not sel.may_see_page(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    return request.user


def care(request: HttpRequest) -> HttpResponse:
    """Totals of one's jurisdiction, and the list of one kind (?tab=) for those
    who read it; leaders read the totals only."""
    user = _page_user(request)
    tabs = [
        (kind, sel.KINDS[kind][1]) for kind in sel.KINDS if sel.may_read(user, kind)
    ]
    tab = request.GET.get("tab") or (tabs[0][0] if tabs else "")
    if tab not in dict(tabs):
        tab = tabs[0][0] if tabs else ""
    page = None
    if tab:
        page = Paginator(
            sel.LISTS[tab](viewer=user).select_related("created_by"), PER_PAGE
        ).get_page(request.GET.get("page"))
        for row in page:
            row.voidable = sel.may_void(user, tab, row)
    totals = sel.totals_for(viewer=user)
    return render(
        request,
        "jointwork/care.html",
        {
            "tabs": tabs,
            "tab": tab,
            "page": page,
            "totals": totals,
            "publicity_totals": [
                (kind, total, PUBLICITY_UNITS.get(kind, "件"))
                for kind, total in totals.publicity
            ],
            "creatable": [
                (CREATE_NAMES[kind], TITLES[kind])
                for kind in sel.KINDS
                if sel.may_record(user, kind)
            ],
            "void_form": CareVoidForm(),
            "user_area": user.area_id,
            "is_director": user.role == sel.DIR,
        },
    )


def care_create(request: HttpRequest, kind: str) -> HttpResponse:
    """GET the form of one kind; POST records it."""
    user = _page_user(request)
    if not sel.may_record(user, kind):
        raise PermissionDenied(f"您没有登记{sel.KINDS[kind][1]}的权限。")
    form_class = FORMS[kind]
    extra = {"user": user} if kind in NEEDS_USER else {}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        saved = run_on_form(
            form, lambda: RECORD[kind](actor=user, values=form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, SAVED[kind])
            return redirect(f"{_care_url()}?tab={kind}")
    return render(
        request,
        "jointwork/care_form.html",
        {"form": form, "title": TITLES[kind], "kind": kind},
        status=400 if request.method == "POST" else 200,
    )


def _care_url() -> str:
    return reverse("jointwork:care")


@require_POST
def care_void(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """POST: void one row with a reason."""
    user = _page_user(request)
    if kind not in sel.KINDS:
        raise Http404("记录不存在或不在您的管辖范围内。")
    sel.row_get_for(viewer=user, kind=kind, pk=pk)
    if not sel.may_record(user, kind):
        raise PermissionDenied(f"您没有作废{sel.KINDS[kind][1]}的权限。")
    form = CareVoidForm(request.POST)
    done = None
    if form.is_valid():
        done = run_on_form(
            form,
            lambda: services.care_void(
                actor=user, kind=kind, pk=pk, reason=form.cleaned_data["reason"]
            ),
        )
    if done is None:
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(request, errors[0] if errors else "作废失败。")
    else:
        messages.success(request, f"已作废该{sel.KINDS[kind][1]}记录，不再计入统计。")
    return redirect(f"{_care_url()}?tab={kind}")


def pairing_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer's notice (志愿者告知单), printable: the child's given name and
    village, the kind and dates; the full name, address and guardian's phone only
    when a director granted more."""
    user = _page_user(request)
    pairing = sel.pairing_get_for(viewer=user, pk=pk)
    if pairing.voided_at is not None:
        raise Http404("该结对已作废，不再打印告知单。")
    child = pairing.child
    return render(
        request,
        "jointwork/care_card.html",
        {
            "pairing": pairing,
            "given_name": sel.given_name(child.name),
            "village": child.village.name,
            "more": pairing.disclose_more,
            "child": child if pairing.disclose_more else None,
            "printed_at": timezone.now(),
        },
    )


@require_POST
def pairing_disclose(request: HttpRequest, pk: int) -> HttpResponse:
    """POST (grant=1 or 0): a director of the child's village lets the card show
    more of the child, or withdraws it; audited."""
    user = _page_user(request)
    pairing = sel.pairing_get_for(viewer=user, pk=pk)
    if not sel.may_disclose(user, pairing):
        raise PermissionDenied("只有儿童所在村的儿童主任可以授权向志愿者告知更多信息。")
    grant = request.POST.get("grant") == "1"
    services.pairing_disclose(actor=user, pk=pairing.pk, grant=grant)
    messages.success(
        request,
        "已授权：告知单将显示儿童全名、住址和监护人电话。"
        if grant
        else "已撤回授权：告知单只显示儿童的名和所在村。",
    )
    return redirect(f"{_care_url()}?tab={sel.PAIRINGS}")
