import copy
from datetime import date

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts.access import Perm, has_perm, require
from shouwang.areas.selectors import area_list_for, area_path
from shouwang.core.exceptions import DomainError
from shouwang.core.idnumber import mask_id_number
from shouwang.core.paging import page_of

from . import services
from .forms import ChildFilterForm, ChildForm, ExitForm
from .models import AgingOutReason, Child, ChildStatus, ExitReview
from .selectors import (
    ChildFilters,
    age_of,
    child_as_of,
    child_filter,
    child_get_for,
    child_history,
    child_list_for,
    child_ordered,
    child_snapshot_of_version,
    duplicate_candidates,
    exit_review_get_for,
    exit_review_list_for,
    searched_id_number,
    value_names,
)
from .vocab import ExitReason

ID_FIELDS = ("id_number", "father_id_number", "mother_id_number", "guardian_id_number")


def _area_choices(user) -> list[tuple[str, str]]:
    areas = area_list_for(viewer=user).filter(
        level__in=["county", "township", "village"]
    )
    if user.area_id:
        areas = areas.exclude(code=user.area_id)
    return [
        (a.code, ("　" if a.level == "village" else "") + a.name)
        for a in areas.order_by("code").only("code", "name", "level")[:2000]
    ]


# The filters that fold behind the phone's 筛选和搜索 button, counted on it when chosen.
CHOSEN_FILTERS = (
    "q",
    "area",
    "category",
    "difficulty",
    "weakness",
    "risk",
    "age_band",
    "schooling",
)


def child_list(request: HttpRequest) -> HttpResponse:
    """The ledger of the user's jurisdiction: filters, search, sort, numbered pages."""
    require(request.user, Perm.VIEW_CHILDREN)
    form = ChildFilterForm(
        request.GET or None, area_choices=_area_choices(request.user)
    )
    data = form.cleaned_data if form.is_valid() else {}
    filters = ChildFilters(
        **{
            k: v
            for k, v in data.items()
            if v and k in ChildFilters.__dataclass_fields__
        }
    )
    if data.get("status") == "all":
        filters.status = ""
    today = timezone.localdate()
    children = child_filter(child_list_for(viewer=request.user), filters, as_of=today)
    total = children.count()
    if number := searched_id_number(filters.q):
        services.child_id_search_record(
            actor=request.user, id_number=number, found=total
        )
    page = page_of(request, child_ordered(children, filters.sort), count=total)
    for child in page:
        child.age = age_of(child, today)
        child.masked_id = mask_id_number(child.id_number)
    context = {
        "form": form,
        "page": page,
        "total": total,
        "today": today,
        "filters_chosen": sum(1 for key in CHOSEN_FILTERS if data.get(key))
        + (data.get("status") in ("exited", "all")),
        "can_export_full_id": has_perm(request.user, Perm.REVEAL_ID),
    }
    if request.headers.get("HX-Target") == "child-results":
        return render(request, "registry/_child_rows.html", context)
    return render(request, "registry/child_list.html", context)


AGING_OUT_SHOWN = 200  # items on the page at once, earliest birthday first
AGING_OUT_EXIT_REASONS = {
    AgingOutReason.AGE_16: ExitReason.AGED_16,
    AgingOutReason.AGE_18: ExitReason.AGED_18,
}


def child_review(request: HttpRequest) -> HttpResponse:
    """The exit-review worklist: children who turned 16 or 18 (each with the exit and
    keep forms), and active children who no longer meet any category."""
    require(request.user, Perm.VIEW_CHILDREN)
    today = timezone.localdate()
    reviews = exit_review_list_for(viewer=request.user)
    aging = list(reviews[:AGING_OUT_SHOWN])
    for review in aging:
        review.age = age_of(review.child, today)
        review.exit_form = ExitForm(
            initial={
                "version": review.child.version,
                "reason": AGING_OUT_EXIT_REASONS[review.reason],
                # A birthday after today (a run for a later date) cannot be an exit date.
                "exit_date": min(review.due_on, today),
            },
            auto_id=f"id_%s_{review.pk}",
        )
    # A child with an open aging-out item is listed above, with its exit form.
    children = child_filter(
        child_list_for(viewer=request.user),
        ChildFilters(category="无类别"),
        as_of=today,
    ).exclude(Exists(ExitReview.objects.filter(child=OuterRef("pk"), resolution="")))
    total = children.count()
    page = page_of(request, child_ordered(children, "village"), count=total)
    for child in page:
        child.age = age_of(child, today)
    return render(
        request,
        "registry/child_review.html",
        {
            "aging": aging,
            "aging_total": reviews.count(),
            "page": page,
            "total": total,
            "can_edit": has_perm(request.user, Perm.EDIT_CHILDREN),
        },
    )


@require_POST
def exit_review_exit(request: HttpRequest, pk: int) -> HttpResponse:
    """Exit a child from the aging-out worklist (the item is resolved with the exit)."""
    require(request.user, Perm.EDIT_CHILDREN)
    review = exit_review_get_for(viewer=request.user, pk=pk)
    form = ExitForm(request.POST)
    if form.is_valid():
        try:
            services.child_exit(
                actor=request.user,
                child_id=review.child_id,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                exit_date=form.cleaned_data["exit_date"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            messages.error(request, f"{review.child.name}：{error.message}")
        else:
            messages.success(
                request,
                f"{review.child.name} 已退出儿童信息库，记录和历史均保留，可随时重新纳入。",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{review.child.name} 退出未完成：{error}")
    return redirect("registry:child-review")


@require_POST
def exit_review_keep(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a child who turned 16 or 18 on the ledger, with the reason."""
    require(request.user, Perm.EDIT_CHILDREN)
    review = exit_review_get_for(viewer=request.user, pk=pk)
    try:
        services.exit_review_keep(
            actor=request.user,
            review_id=review.pk,
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, f"{review.child.name} 保留未完成：{error.message}")
    else:
        messages.success(
            request,
            f"已保留 {review.child.name} 在册（{review.get_reason_display()}），"
            "理由已记录，该事项不再列入清单。",
        )
    return redirect("registry:child-review")


def _masked(child) -> dict[str, str]:
    return {field: mask_id_number(getattr(child, field)) for field in ID_FIELDS}


def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's full record, classification with reasons and history (an audited read)."""
    require(request.user, Perm.VIEW_CHILDREN)
    child = child_get_for(viewer=request.user, pk=pk)
    services.child_record_read(actor=request.user, child=child)
    today = timezone.localdate()
    return render(
        request,
        "registry/child_detail.html",
        {
            "child": child,
            "age": age_of(child, today),
            "ids": _masked(child),
            "history": _timeline(child_history(child, viewer=request.user)[:200]),
            "duplicates": duplicate_candidates(viewer=request.user, child=child)
            if child.status == ChildStatus.ACTIVE
            else [],
            "can_edit": has_perm(request.user, Perm.EDIT_CHILDREN),
            "can_reveal": has_perm(request.user, Perm.REVEAL_ID),
            "exit_form": ExitForm(
                initial={"version": child.version, "exit_date": today}
            ),
        },
    )


def child_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's record on a print-friendly page, read as the detail page reads it
    (audited); ?ids=full prints the full ID numbers for roles that may reveal them."""
    require(request.user, Perm.VIEW_CHILDREN)
    full_ids = request.GET.get("ids") == "full"
    if full_ids:
        require(request.user, Perm.REVEAL_ID)
    child = child_get_for(viewer=request.user, pk=pk)
    services.child_record_read(actor=request.user, child=child)
    ids = (
        services.child_reveal_ids(actor=request.user, child=child)
        if full_ids
        else _masked(child)
    )
    return render(
        request,
        "registry/child_print.html",
        {
            "child": child,
            "age": age_of(child, timezone.localdate()),
            "ids": ids,
            "revealed": full_ids,
            "can_reveal": has_perm(request.user, Perm.REVEAL_ID),
            # County, township and village: village names repeat across townships.
            "place": "".join(area.name for area in area_path(child.village)[-3:]),
            "printed_at": timezone.localtime(),
        },
    )


@require_POST
def child_reveal_ids(request: HttpRequest, pk: int) -> HttpResponse:
    """The full ID numbers, for roles allowed to see them (audited); an htmx fragment."""
    require(request.user, Perm.REVEAL_ID)
    child = child_get_for(viewer=request.user, pk=pk)
    ids = services.child_reveal_ids(actor=request.user, child=child)
    return render(
        request, "registry/_ids.html", {"child": child, "ids": ids, "revealed": True}
    )


def child_create(request: HttpRequest) -> HttpResponse:
    """Register a child."""
    require(request.user, Perm.EDIT_CHILDREN)
    form = ChildForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_register(
                actor=request.user, data=form.service_data()
            )
        except DomainError as error:
            form.add_error(
                error.field if error.field in form.fields else None, error.message
            )
        else:
            messages.success(request, f"已登记 {child.name}。")
            return redirect("registry:child-detail", pk=child.pk)
    return render(
        request, "registry/child_form.html", {"form": form, "title": "登记儿童"}
    )


def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a child's facts; an edit made on an older version shows the conflict."""
    require(request.user, Perm.EDIT_CHILDREN)
    require(request.user, Perm.REVEAL_ID)  # the form holds the full ID numbers
    child = child_get_for(viewer=request.user, pk=pk)
    current = child_get_for(viewer=request.user, pk=pk)  # the form mutates `child`
    form = ChildForm(request.POST or None, instance=child, actor=request.user)
    if request.method != "POST":
        # The form shows the full ID numbers, as revealing them would: audited alike.
        services.child_reveal_ids(actor=request.user, child=current)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.child_update(
                actor=request.user,
                child_id=current.pk,
                expected_version=form.cleaned_data.get("version") or 0,
                data=form.service_data(),
            )
        except services.StaleEdit as stale:
            return _conflict(request, form, stale.current, stale.message)
        except DomainError as error:
            form.add_error(
                error.field if error.field in form.fields else None, error.message
            )
        else:
            messages.success(
                request, f"已保存 {saved.name} 的信息（第{saved.version}版）。"
            )
            return redirect("registry:child-detail", pk=saved.pk)
    return render(
        request,
        "registry/child_form.html",
        {"form": form, "title": f"修改 {current.name} 的信息", "child": current},
    )


def _conflict(request, form: ChildForm, current, message: str) -> HttpResponse:
    """Both versions side by side, and a form holding both edits: the person's value
    where they changed a field, the newer record's where only the other edit did
    (three-way, against the version the person started from), so nothing is lost."""
    started = form.cleaned_data.get("version") or 0
    base = child_snapshot_of_version(current, started)
    mine = {k: services.to_json(v) for k, v in form.service_data().items()}
    theirs = services.snapshot(current)
    names = ValueNames([{k: [mine[k], theirs[k]] for k in mine}])
    combined = copy.copy(current)
    rows = []
    for name in form.Meta.fields:
        attname = Child._meta.get_field(name).attname
        if mine[attname] == theirs[attname]:
            continue
        keep_theirs = attname in base and mine[attname] == base[attname]
        if not keep_theirs:
            setattr(combined, name, form.cleaned_data[name])
        rows.append(
            {
                "label": form.fields[name].label,
                "mine": names.show(attname, mine[attname]),
                "theirs": names.show(attname, theirs[attname]),
                "kept": "theirs" if keep_theirs else "mine",
                "both_changed": not keep_theirs
                and attname in base
                and theirs[attname] != base[attname],
            }
        )
    resubmit = ChildForm(instance=combined, actor=request.user)
    services.child_reveal_ids(actor=request.user, child=current)  # as the edit page
    return render(
        request,
        "registry/child_conflict.html",
        {
            "form": resubmit,
            "child": current,
            "rows": rows,
            "message": message,
            "started": started,
        },
        status=409,
    )


FIELD_LABELS = {f.attname: str(f.verbose_name) for f in Child._meta.concrete_fields}
STATUS_LABELS = dict(ChildStatus.choices)


class ValueNames:
    """How stored values read on screen: Chinese status names, village and director
    names instead of codes and ids, masked ID numbers."""

    def __init__(self, snapshots) -> None:
        villages, directors = set(), set()
        for values in snapshots:
            villages.update(v for v in values.get("village_id", ()) if v)
            directors.update(v for v in values.get("responsible_director_id", ()) if v)
        self.villages, self.directors = value_names(
            village_codes=villages, director_ids=directors
        )

    def show(self, name: str, value) -> str:
        if value is None or value == "":
            return ""
        if name in ID_FIELDS:
            return mask_id_number(value)
        if name == "status":
            return str(STATUS_LABELS.get(value, value))
        if name == "village_id":
            return (
                f"{self.villages[value]}（{value}）"
                if value in self.villages
                else value
            )
        if name == "responsible_director_id":
            return self.directors.get(value, f"#{value}")
        if name == "merged_into_id":
            return f"记录 #{value}"
        return _display(value)


def _timeline(changes) -> list[dict]:
    """History entries with Chinese field labels and values, and masked ID numbers."""
    changes = list(changes)
    names = ValueNames(
        {k: v for k, v in change.changes.items() if isinstance(v, list)}
        for change in changes
        if change.action != "create"
    )
    entries = []
    for change in changes:
        rows = []
        if change.action != "create":
            for name, (before, after) in change.changes.items():
                if name == "classification_reasons":
                    continue
                rows.append(
                    (
                        FIELD_LABELS.get(name, name),
                        names.show(name, before),
                        names.show(name, after),
                    )
                )
        entries.append({"change": change, "rows": rows})
    return entries


def _display(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if hasattr(value, "name"):
        return str(value.name)
    return str(value)


@require_POST
def child_exit(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a child out of the ledger with a reason (the record is kept)."""
    require(request.user, Perm.EDIT_CHILDREN)
    child = child_get_for(viewer=request.user, pk=pk)
    form = ExitForm(request.POST)
    if form.is_valid():
        try:
            services.child_exit(
                actor=request.user,
                child_id=child.pk,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                exit_date=form.cleaned_data["exit_date"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{child.name} 已退出儿童信息库，记录和历史均保留，可随时重新纳入。",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"退出未完成：{error}")
    return redirect("registry:child-detail", pk=child.pk)


@require_POST
def child_readmit(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring an exited child back into the ledger."""
    require(request.user, Perm.EDIT_CHILDREN)
    child = child_get_for(viewer=request.user, pk=pk)
    try:
        version = int(request.POST.get("version", ""))
        services.child_readmit(
            actor=request.user, child_id=child.pk, expected_version=version
        )
    except ValueError:
        messages.error(request, "请求缺少版本号，请刷新页面后重试。")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{child.name} 已重新纳入儿童信息库。")
    return redirect("registry:child-detail", pk=child.pk)


def child_as_of_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The record as it stood at the end of a past date."""
    require(request.user, Perm.VIEW_CHILDREN)
    child = child_get_for(viewer=request.user, pk=pk)
    raw = request.GET.get("date", "")
    try:
        on = date.fromisoformat(raw)
    except ValueError:
        messages.error(request, f"日期“{raw}”格式不对，应为 2026-01-31。")
        return redirect("registry:child-detail", pk=child.pk)
    if on > timezone.localdate():
        messages.error(
            request, f"日期“{raw}”晚于今天：请选择今天或以前的日期查看当天的记录。"
        )
        return redirect("registry:child-detail", pk=child.pk)
    services.child_record_read(actor=request.user, child=child)
    snapshot = child_as_of(child, on) or {}
    names = ValueNames([{k: [v] for k, v in snapshot.items()}])
    fields = [
        (FIELD_LABELS.get(name, name), names.show(name, value))
        for name, value in snapshot.items()
    ]
    return render(
        request,
        "registry/child_as_of.html",
        {"child": child, "on": on, "fields": fields},
    )


@require_POST
def child_merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Merge the other (duplicate) record into this one; both histories are kept."""
    require(request.user, Perm.EDIT_CHILDREN)
    keep = child_get_for(viewer=request.user, pk=pk)
    merged = child_get_for(viewer=request.user, pk=other)
    try:
        services.child_merge(
            actor=request.user,
            keep_id=keep.pk,
            merge_id=merged.pk,
            keep_version=int(request.POST.get("keep_version", "")),
            merge_version=int(request.POST.get("merge_version", "")),
        )
    except ValueError:
        messages.error(request, "请求缺少版本号，请刷新页面后重试。")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"已把记录 #{merged.pk} 合并到本记录，两条记录的历史都已保留。"
        )
    return redirect("registry:child-detail", pk=keep.pk)


@require_POST
def child_not_duplicate(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Record that the two candidate records are different children."""
    require(request.user, Perm.EDIT_CHILDREN)
    child = child_get_for(viewer=request.user, pk=pk)
    second = child_get_for(viewer=request.user, pk=other)
    try:
        services.duplicate_dismiss(actor=request.user, first=child, second=second)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"已记录：{second.name}（#{second.pk}）与本记录不是同一名儿童。"
        )
    return redirect("registry:child-detail", pk=child.pk)
