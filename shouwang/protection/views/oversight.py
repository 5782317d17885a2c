"""Oversight of protection work: the supervision (督办) list of overdue items,
break-the-glass and the county's review of it, and a county's deadlines and
protection desk. Who may do what is protection.access; these views parse, call one
service or selector, and render."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts.access import Perm, require
from shouwang.areas.models import Area, AreaLevel
from shouwang.areas.selectors import area_choices_for
from shouwang.audit.refusals import not_found
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.core.paging import page_of

from .. import access, selectors, services
from ..access import Do
from ..forms_oversight import DEADLINE_FIELDS, BreakGlassForm, DeadlinesForm
from ..models import BreakGlass, DeadlinePolicy
from ..tasks import ESCALATION_MINUTES
from ..timing import due_words

PAGE_SIZE = 50
FORBIDDEN = "您没有此项操作的权限。"
GLASS_NOT_FOUND = "记录不存在或不在您的管辖范围内。"


def _require_civil(user) -> None:
    if not (access.is_civil(user) and user.area_id):
        raise PermissionDenied(FORBIDDEN)


def _counties(user) -> list[Area]:
    """The counties of the viewer's jurisdiction (a county worker: the own one)."""
    return list(
        area_choices_for(viewer=user, levels={AreaLevel.COUNTY}).order_by("code")
    )


# Supervision (督办) ---------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    """One line of the supervision list as the page shows it."""

    case_id: int
    number: str
    county: str
    what: str
    owed_by: str
    due_at: datetime
    late: str  # 逾期2天3小时


def supervision(request: HttpRequest) -> HttpResponse:
    """督办: every overdue item in the jurisdiction (one county with ?county=CODE),
    the most overdue first."""
    _require_civil(request.user)
    counties = _counties(request.user)
    chosen = request.GET.get("county", "").strip()
    county_error = ""
    if chosen and chosen not in {c.code for c in counties}:
        county_error = (
            f"“{chosen[:20]}”不是您管辖范围内的县（市、区），已显示全部逾期事项。"
        )
        chosen = ""
    now = timezone.now()
    limit = 500
    items = selectors.supervision_for(
        request.user, now=now, limit=limit, county_id=chosen or None
    )
    rows = [
        OverdueRow(
            case_id=item.case.pk,
            number=item.case.number,
            county=item.case.county.name,
            what=item.what,
            owed_by=item.owed_by,
            due_at=item.due_at,
            late=due_words(item.due_at, now)[1],
        )
        for item in items
    ]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "protection/oversight_supervision.html",
        {
            "page": page,
            "total": len(rows),
            "capped": len(rows) >= limit,
            "limit": limit,
            "counties": counties,
            "chosen": chosen,
            "county_error": county_error,
            "show_county": len(counties) > 1,
            "every": ESCALATION_MINUTES,
        },
    )


# Break the glass -------------------------------------------------------------------------


def break_glass(request: HttpRequest) -> HttpResponse:
    """紧急查看: open a case one cannot see, for 24 hours, with a reason."""
    require(request.user, Perm.HANDLE_CASES)
    initial = {"number": request.GET.get("number", "")[:24]}
    form = BreakGlassForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            glass = services.break_glass(
                actor=request.user,
                number=form.cleaned_data["number"],
                reason=form.cleaned_data["reason"],
            )
        except services.InvalidInput as invalid:
            for field, problems in invalid.problems.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except DomainError as error:
            form.add_error(
                error.field if error.field in form.fields else None, error.message
            )
        else:
            messages.success(
                request,
                f"已开通紧急查看：案件 {glass.case.number}，有效至 "
                f"{timezone.localtime(glass.expires_at):%Y-%m-%d %H:%M}。"
                "本次查看已记入审计日志，并将由本县民政部门复核。",
            )
            return redirect(
                reverse("protection:case-detail", kwargs={"pk": glass.case_id})
            )
    return render(
        request,
        "protection/oversight_break_glass.html",
        {"form": form, "hours": services.GLASS_HOURS},
    )


def _glass_page(
    request: HttpRequest,
    *,
    failed: int | None = None,
    error: str = "",
    note: str = "",
) -> HttpResponse:
    """The review list, unreviewed grants first; a refused review is shown on its own
    grant with the note as typed."""
    grants = selectors.glass_list_for(request.user)
    page = page_of(request, grants, size=PAGE_SIZE)
    now = timezone.now()
    visible = set(
        selectors.case_list_for(request.user)
        .filter(pk__in=[g.case_id for g in page])
        .values_list("pk", flat=True)
    )
    for glass in page:
        glass.active = glass.expires_at > now
        glass.case_visible = glass.case_id in visible
        glass.own = glass.user_id == request.user.pk
        glass.error = error if glass.pk == failed else ""
        glass.typed = note if glass.pk == failed else ""
    shown = failed is not None and any(glass.pk == failed for glass in page)
    return render(
        request,
        "protection/oversight_glass_list.html",
        {
            "page": page,
            "error_elsewhere": "" if shown else error,
            "unreviewed": grants.filter(reviewed_at=None).count(),
            "hours": services.GLASS_HOURS,
        },
    )


def glass_list(request: HttpRequest) -> HttpResponse:
    """复核紧急查看: the grants on cases in the jurisdiction, unreviewed first."""
    if not access.can(request.user, Do.REVIEW_GLASS):
        raise PermissionDenied(FORBIDDEN)
    return _glass_page(request)


@require_POST
def glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the review of one grant (a note is required)."""
    if not access.can(request.user, Do.REVIEW_GLASS):
        raise PermissionDenied(FORBIDDEN)
    glass = selectors.glass_list_for(request.user).filter(pk=pk).first()
    if glass is None:
        raise not_found(
            viewer=request.user, model=BreakGlass, pk=pk, message=GLASS_NOT_FOUND
        )
    note = request.POST.get("note", "")
    try:
        services.glass_review(actor=request.user, glass_id=glass.pk, note=note)
    except NotFound:
        raise not_found(
            viewer=request.user, model=BreakGlass, pk=pk, message=GLASS_NOT_FOUND
        ) from None
    except DomainError as error:
        return _glass_page(request, failed=glass.pk, error=error.message, note=note)
    messages.success(
        request,
        f"已复核 {glass.user.display_name} 对案件 {glass.case.number} 的紧急查看。",
    )
    return redirect("protection:glass-list")


# Settings: deadlines and the protection desk --------------------------------------------


def settings_page(request: HttpRequest) -> HttpResponse:
    """保护工作设置: a county's deadlines (the defaults beside them) and the civil-affairs
    workers named on its protection desk."""
    _require_civil(request.user)
    counties = _counties(request.user)
    chosen = (request.POST.get("county") or request.GET.get("county") or "").strip()
    if not chosen and counties:
        chosen = counties[0].code
    county = next((c for c in counties if c.code == chosen), None)
    if county is None:
        if not counties:
            return render(
                request, "protection/oversight_settings.html", {"counties": []}
            )
        raise not_found(
            viewer=request.user,
            model=Area,
            lookup={"code": chosen},
            message="区划不存在或不在您的管辖范围内。",
        )
    here = f"{reverse('protection:settings')}?county={county.code}"
    action = request.POST.get("action", "") if request.method == "POST" else ""
    current = selectors.county_deadlines_for(request.user, county_id=county.code)
    form = DeadlinesForm(
        request.POST if action == "deadlines" else None,
        counties=counties,
        initial={
            "county": county.code,
            **{name: getattr(current, name) for name, _, _ in DEADLINE_FIELDS},
        },
    )
    desk_error = ""
    if action == "deadlines" and form.is_valid():
        try:
            services.deadlines_set(
                actor=request.user, county_id=county.code, values=form.values()
            )
        except DomainError as error:
            form.add_error(
                error.field if error.field in form.fields else None, error.message
            )
        else:
            messages.success(
                request,
                f"已保存{county.name}的办理时限。新的时限用于此后提交的报告和此后的受理；"
                "已经在办的期限不变。",
            )
            return redirect(here)
    elif action == "desk":
        member = (
            selectors.desk_for(request.user, county_id=county.code)
            .filter(pk=_int(request.POST.get("user")))
            .first()
        )
        active = request.POST.get("active") == "1"
        if member is None:
            desk_error = "只能指定本辖区县级民政干部为保护专岗人员。"
        else:
            try:
                services.desk_member_set(actor=request.user, user=member, active=active)
            except DomainError as error:
                desk_error = error.message
            else:
                messages.success(
                    request,
                    f"已{'指定' if active else '取消'} {member.display_name} "
                    f"{'为' if active else '的'}{county.name}保护专岗"
                    f"{'人员' if active else '身份'}。",
                )
                return redirect(here)
    elif request.method == "POST":
        desk_error = "请通过页面上的按钮提交。"
    desk = list(selectors.desk_for(request.user, county_id=county.code))
    return render(
        request,
        "protection/oversight_settings.html",
        {
            "counties": counties,
            "county": county,
            "current": current,
            "defaults": DeadlinePolicy.DEFAULTS,
            "form": form,
            "desk": desk,
            "desk_named": any(u.on_desk for u in desk),
            "desk_error": desk_error,
        },
    )


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


urlpatterns = [
    path("supervision/", supervision, name="supervision"),
    path("break-glass/", break_glass, name="break-glass"),
    path("break-glass/review/", glass_list, name="glass-list"),
    path("break-glass/<int:pk>/review/", glass_review, name="glass-review"),
    path("settings/", settings_page, name="settings"),
]
