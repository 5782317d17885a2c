"""Pages for responsibility and guardianship confirmations: set children's responsible
director and 包联干部 by village, 我负责的儿童, a township's 包片 leaders, record a
confirmation, and coverage per area with the children missing one."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from shouwang.accounts import access
from shouwang.accounts.access import Perm, require
from shouwang.areas import codes
from shouwang.areas.selectors import area_path
from shouwang.core.exceptions import DomainError
from shouwang.core.paging import page_of
from shouwang.registry.policy import needs_confirmation
from shouwang.registry.selectors import child_get_for
from shouwang.registry.services import children_responsibility_set

from ..forms_care import (
    ConfirmationForm,
    PatchLeaderEndForm,
    PatchLeaderForm,
    ResponsibilityForm,
    UnassignedForm,
)
from ..selectors import care as selectors
from ..services import care as services
from ..services.confirmation_form import confirmation_form_render

PAGE_SIZE = 50


def _add_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _page(request: HttpRequest, items, size: int = PAGE_SIZE):
    return page_of(request, items, size=size)


# Responsibility -------------------------------------------------------------------------


def responsibility(request: HttpRequest) -> HttpResponse:
    """Pick a village, select its children, give them a director of the village
    and/or a 包联干部; or give every child without a director to one director."""
    require(request.user, Perm.ASSIGN_RESPONSIBILITY)
    villages = selectors.responsibility_villages_for(viewer=request.user)
    code = request.POST.get("village") or request.GET.get("village", "")
    if not code and villages.count() == 1:
        code = villages.first().code
    context = {"villages": villages, "village": None}
    if not code:
        return render(request, "visits/care_responsibility.html", context)
    village = selectors.responsibility_village_get_for(viewer=request.user, code=code)
    children = list(
        selectors.village_children_for(viewer=request.user, village=village)
    )
    directors = selectors.village_directors(village)
    posted = request.method == "POST"
    action = request.POST.get("action", "assign")
    form = ResponsibilityForm(
        request.POST if posted and action == "assign" else None,
        children=children,
        directors=directors,
    )
    unassigned_form = UnassignedForm(
        request.POST if posted and action == "unassigned" else None,
        directors=directors,
    )
    here = f"{reverse('visits:responsibility')}?{urlencode({'village': village.code})}"
    if posted and action == "unassigned" and unassigned_form.is_valid():
        director = unassigned_form.cleaned_data["director"]
        ids = [c.pk for c in children if c.responsible_director_id is None]
        if not ids:
            messages.info(request, "本村没有未指定责任人的在册儿童。")
            return redirect(here)
        try:
            changed = children_responsibility_set(
                actor=request.user, child_ids=ids, director_id=director.pk
            )
        except DomainError as error:
            _add_error(unassigned_form, error)
        else:
            messages.success(
                request,
                f"已把本村 {len(changed)} 名未指定责任人的儿童指定给"
                f"{director.display_name}。",
            )
            return redirect(here)
    if posted and action == "assign" and form.is_valid():
        try:
            changed = children_responsibility_set(
                actor=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            _add_error(form, error)
        else:
            if changed:
                messages.success(request, f"已调整 {len(changed)} 名儿童的责任人。")
            else:
                messages.info(request, "所选儿童的责任人与所填相同，无需调整。")
            return redirect(here)
    selected = set(form["children"].value() or []) if posted else set()
    context.update(
        village=village,
        children=children,
        selected={str(pk) for pk in selected},
        directors=directors,
        form=form,
        unassigned_form=unassigned_form,
        unassigned=sum(1 for c in children if c.responsible_director_id is None),
    )
    return render(request, "visits/care_responsibility.html", context)


def my_children(request: HttpRequest) -> HttpResponse:
    """我负责的儿童: the children whose responsible director is the viewer."""
    require(request.user, Perm.VIEW_CHILDREN)
    children = selectors.my_children_for(viewer=request.user)
    page = _page(request, children, size=100)
    today = timezone.localdate()
    for child in page:
        child.needs_confirmation = needs_confirmation(
            left_behind=child.is_left_behind, guardian_relation=child.guardian_relation
        )
        child.overdue = (
            child.next_visit_due is not None and child.next_visit_due < today
        )
    return render(
        request,
        "visits/care_my_children.html",
        {
            "page": page,
            "counts": selectors.category_counts(children),
            "today": today,
        },
    )


# 包片 leaders ----------------------------------------------------------------------------


def patch_leaders(request: HttpRequest) -> HttpResponse:
    """A township's villages with their current 包片 leader, a form to set or end one,
    and the history (supervisors: their township; civil affairs: choose one)."""
    require(request.user, Perm.ASSIGN_RESPONSIBILITY)
    townships = selectors.patch_townships_for(viewer=request.user)
    posted = request.method == "POST"
    action = request.POST.get("action", "set")
    area = None
    if posted and request.POST.get("area"):
        area = selectors.patch_area_get_for(
            viewer=request.user, code=request.POST["area"]
        )
        code = codes.pad(area.code[:9])
    else:
        code = request.GET.get("township") or request.POST.get("township", "")
    if not code and townships.count() == 1:
        code = townships.first().code
    context = {"townships": townships, "township": None}
    if not code:
        return render(request, "visits/care_patch_leaders.html", context)
    township = selectors.patch_township_get_for(viewer=request.user, code=code)
    rows, history = selectors.patch_leaders_for(viewer=request.user, township=township)
    areas = [row.area for row in rows]
    form = PatchLeaderForm(
        request.POST if posted and action == "set" else None, areas=areas
    )
    end_form = PatchLeaderEndForm(request.POST if posted and action == "end" else None)
    here = f"{reverse('visits:patch-leaders')}?{urlencode({'township': township.code})}"
    if posted and action == "set" and form.is_valid():
        data = form.cleaned_data
        try:
            leader = services.patch_leader_set(
                actor=request.user,
                area_code=data["area"],
                name=data["name"],
                title=data["title"],
                phone=data["phone"],
                started_on=data["started_on"],
            )
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, f"已指定{leader.name}为{leader.area.name}的包片领导。"
            )
            return redirect(here)
    if posted and action == "end":
        if end_form.is_valid():
            try:
                leader = services.patch_leader_end(
                    actor=request.user,
                    area_code=end_form.cleaned_data["area"],
                    ended_on=end_form.cleaned_data["ended_on"],
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, f"{leader.area.name}的包片领导{leader.name}已卸任。"
                )
                return redirect(here)
        else:
            for errors in end_form.errors.values():
                for error in errors:
                    messages.error(request, f"卸任未完成：{error}")
    context.update(
        township=township,
        rows=rows,
        history=history,
        form=form,
        today=timezone.localdate(),
    )
    return render(request, "visits/care_patch_leaders.html", context)


# Confirmations --------------------------------------------------------------------------


def confirmation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a signed 委托监护责任确认书 (or its renewal) with the scanned document."""
    require(request.user, Perm.RECORD_VISITS)
    child = child_get_for(viewer=request.user, pk=pk)
    current = selectors.current_confirmation(child)
    initial = {
        "entrusting_parties": "、".join(
            f"{who}{name}"
            for who, name in (("父亲", child.father_name), ("母亲", child.mother_name))
            if name
        ),
        "entrusted_guardian": child.guardian_name,
    }
    form = ConfirmationForm(
        request.POST or None,
        request.FILES or None,
        child=child,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            confirmation = services.confirmation_record(
                actor=request.user,
                child_id=child.pk,
                signed_on=data["signed_on"],
                valid_until=data["valid_until"],
                entrusting_parties=data["entrusting_parties"],
                entrusted_guardian=data["entrusted_guardian"],
                committee_signatory=data["committee_signatory"],
                note=data["note"],
                uploads=data["attachments"],
            )
        except DomainError as error:
            _add_error(form, error)
        else:
            verb = "续签" if current else "记录"
            messages.success(
                request,
                f"已{verb} {child.name} 的委托监护责任确认书"
                f"（签订日期 {confirmation.signed_on:%Y-%m-%d}）。",
            )
            return redirect("registry:child-detail", pk=child.pk)
    title = f"续签 {child.name} 的确认书" if current else f"记录 {child.name} 的确认书"
    return render(
        request,
        "visits/care_confirmation_form.html",
        {
            "form": form,
            "child": child,
            "current": current,
            "title": title,
            "can_reveal": access.has_perm(request.user, Perm.REVEAL_ID),
        },
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def confirmation_form_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's 委托监护责任确认书 filled in for signing (.docx), ID numbers masked;
    ?ids=full gives them in full to roles that may reveal them (audited)."""
    require(request.user, Perm.RECORD_VISITS)
    full_ids = request.GET.get("ids") == "full"
    if full_ids:
        require(request.user, Perm.REVEAL_ID)
    child = child_get_for(viewer=request.user, pk=pk)
    document = confirmation_form_render(
        actor=request.user, child=child, full_ids=full_ids
    )
    return HttpResponse(
        document,
        content_type=DOCX,
        headers={
            "Content-Disposition": content_disposition_header(
                True, f"委托监护责任确认书_{child.name}.docx"
            )
        },
    )


def coverage(request: HttpRequest) -> HttpResponse:
    """Confirmation coverage per area one level below (drill down by ?area=), and the
    children missing one."""
    require(request.user, Perm.VIEW_CHILDREN)
    area = selectors.coverage_area_for(
        viewer=request.user, code=request.GET.get("area", "")
    )
    result = selectors.coverage_for(viewer=request.user, area=area)
    missing = _page(
        request, selectors.missing_confirmations_for(viewer=request.user, area=area)
    )
    for child in missing:
        child.needs_confirmation = True
    crumbs = [
        a for a in area_path(area) if access.in_jurisdiction(request.user, a.code)
    ]
    return render(
        request,
        "visits/care_coverage.html",
        {
            "coverage": result,
            "area": area,
            "crumbs": crumbs,
            "missing": missing,
            "can_record": access.has_perm(request.user, Perm.RECORD_VISITS),
        },
    )


urlpatterns = [
    path("responsibility/", responsibility, name="responsibility"),
    path("mine/", my_children, name="my-children"),
    path("patch-leaders/", patch_leaders, name="patch-leaders"),
    path(
        "children/<int:pk>/confirmation/new/",
        confirmation_create,
        name="confirmation-create",
    ),
    path(
        "children/<int:pk>/confirmation/form.docx",
        confirmation_form_download,
        name="confirmation-form",
    ),
    path("confirmations/", coverage, name="coverage"),
]
