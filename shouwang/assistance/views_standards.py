"""The allowance standards page: what is in force in the viewer's area for each kind
(the area's own standard, or the one above it that applies), how it changed, the
standards of the areas below, and — for civil-affairs staff of a province, city or
county — the form that raises a standard."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts.access import scope
from shouwang.areas.models import Area, AreaLevel
from shouwang.core.exceptions import DomainError, NotFound

from . import access
from .forms_standards import StandardForm
from .models import AllowanceStandard
from .selectors import history_in, standards_through
from .services import allowance_standard_set
from .vocab import AllowanceKind

NOT_ALLOWED = "只有民政干部和领导可以查看基本生活保障标准。"
SET_NOT_ALLOWED = "只有省、市、县级民政干部可以设置基本生活保障标准。"
ROWS_SHOWN = 100


def _page(request: HttpRequest, form: StandardForm, *, status: int = 200):
    user = request.user
    area = user.area
    today = timezone.localdate()
    units = list(
        Area.objects.filter(parent=area).order_by("code")
        if area.level in (AreaLevel.PROVINCE, AreaLevel.CITY)
        else []
    )
    # Every standard set, those to take effect later too (shown as announced).
    table = standards_through([area.code, *(u.code for u in units)], date.max)
    histories = {kind: history_in(table, area.code, kind) for kind in AllowanceKind}
    in_force = {
        unit.code: [table.in_force(unit.code, kind, today) for kind in AllowanceKind]
        for unit in units
    }
    used = {e.area_id for h in histories.values() for e in h.entries}
    used |= {f.area_id for found in in_force.values() for f in found if f}
    names = dict(Area.objects.filter(code__in=used).values_list("code", "name"))

    def said(entry) -> dict:
        return {
            "amount": entry.amount,
            "since": entry.effective_from,
            "area": names.get(entry.area_id, entry.area_id),
            "kind": entry.kind,
        }

    kinds = []
    for kind, history in histories.items():
        steps = [
            said(entry) for entry in history.entries if entry.effective_from <= today
        ]
        later = [
            said(entry) for entry in history.entries if entry.effective_from > today
        ]
        kinds.append(
            {
                "kind": kind,
                "current": steps[-1] if steps else None,
                "steps": list(reversed(steps)),
                "later": later,
                "years": history.consecutive_years_raised(today.year)
                or history.consecutive_years_raised(today.year - 1),
            }
        )
    unit_rows = [
        (unit, [said(f) if f else None for f in in_force[unit.code]]) for unit in units
    ]
    rows = scope(user, AllowanceStandard.objects.all()).select_related(
        "area", "created_by"
    )
    return render(
        request,
        "assistance/standards.html",
        {
            "area": area,
            "kinds": kinds,
            "kind_names": AllowanceKind.labels,
            "units": unit_rows,
            "rows": rows.order_by("-effective_from", "-id")[:ROWS_SHOWN],
            "form": form if access.may_set_standards(user) else None,
        },
        status=status,
    )


def standards(request: HttpRequest) -> HttpResponse:
    if not access.may_read_standards(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    return _page(request, StandardForm())


@require_POST
def standard_set(request: HttpRequest) -> HttpResponse:
    if not access.may_set_standards(request.user):
        raise PermissionDenied(SET_NOT_ALLOWED)
    form = StandardForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            standard = allowance_standard_set(
                actor=request.user,
                area_code=data["area"].strip() or request.user.area_id,
                kind=data["kind"],
                amount=data["amount"],
                effective_from=data["effective_from"],
            )
        except NotFound as error:
            form.add_refusal("area", error.message)
        except DomainError as error:
            form.add_refusal(error.field, error.message)
        else:
            messages.success(
                request,
                f"已设置{standard.area.name}{standard.kind}标准：每人每月 "
                f"{standard.amount} 元，{standard.effective_from:%Y-%m-%d} 起执行。",
            )
            return redirect("assistance:standards")
    return _page(request, form, status=400)


urlpatterns = [
    path("standards/", standards, name="standards"),
    path("standards/set/", standard_set, name="standard-set"),
]
