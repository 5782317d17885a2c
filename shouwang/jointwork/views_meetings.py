"""The pages of member units, meetings and tasks under supervision. Each view parses,
checks who may (selectors_meetings: not yours looks like not found), calls one
service or selector, and redirects with a message; a refused form comes back with
its messages by field and everything typed kept. Files (minutes, report attachments,
the 督办通知) are served only here, access-checked and audited."""

from urllib.parse import quote

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
from shouwang.visits.models import attachment_storage
from shouwang.web.refusals import run_on_form

from . import selectors_meetings as sel
from . import services_meetings as services
from .forms_meetings import (
    DECISION_SLOTS,
    MAX_DECISION_SLOTS,
    MeetingForm,
    MemberUnitForm,
    NoticeForm,
    ReportForm,
    ReturnForm,
    VersionForm,
    VoidForm,
)
from .models import Task
from .notices import notice_document, notice_filename
from .vocab import UNIT_CHOICES, UNIT_LABELS, TaskState

NOT_ALLOWED = "只有联席会议办公室（市、县民政干部）和成员单位可以查看联席会议工作。"
OFFICE_ONLY = "只有联席会议办公室（市、县民政干部）可以办理。"
PER_PAGE = 50


def _require_reader(request: HttpRequest) -> None:
    if not sel.may_read(request.user):
        raise PermissionDenied(NOT_ALLOWED)


def _require_office(request: HttpRequest) -> None:
    if not sel.is_office(request.user):
        raise PermissionDenied(OFFICE_ONLY)


def _serve(
    request, *, name: str, original: str, content_type: str, obj, area, **details
):
    audit_record(
        actor=request.user,
        action=AuditAction.ATTACHMENT_DOWNLOAD,
        obj=obj,
        area_code=area,
        details={"name": original, **details},
    )
    try:
        handle = attachment_storage().open(name, "rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=False, filename=original
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- member units ------------------------------------------------------------------


def unit_list(request: HttpRequest) -> HttpResponse:
    """The office: every unit of its area with duties, contacts and the office mark;
    a unit user: their own unit's entry."""
    _require_reader(request)
    user = request.user
    rows = sel.member_units_of(user.area_id)
    units = (
        UNIT_CHOICES if sel.is_office(user) else [(user.unit, UNIT_LABELS[user.unit])]
    )
    return render(
        request,
        "jointwork/units_list.html",
        {
            "rows": [(code, label, rows.get(code)) for code, label in units],
            "may_edit": sel.is_office(user),
            "area": user.area,
        },
    )


def unit_edit(request: HttpRequest, code: str, unit: str) -> HttpResponse:
    """GET a unit's form; POST saves duties, contacts and the office mark at the
    version read. Only the office of that very area."""
    _require_office(request)
    user = request.user
    if code != user.area_id or unit not in UNIT_LABELS:
        raise Http404("成员单位不存在或不在您的管辖范围内。")
    row = sel.member_units_of(code).get(unit)
    candidates = services.contact_candidates(area_code=code, unit=unit)
    initial = {"expected_version": row.version if row else 0}
    if row is not None:
        initial |= {
            "duties": row.duties,
            "is_office": row.is_office,
            "contacts": [c.pk for c in row.contacts.all()],
        }
    form = MemberUnitForm(request.POST or None, initial=initial, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_on_form(
            form,
            lambda: services.member_unit_save(
                actor=user,
                unit=unit,
                duties=data["duties"],
                is_office=data["is_office"],
                contact_ids=data["contacts"],
                expected_version=data["expected_version"] or 0,
            ),
        )
        if saved is not None:
            messages.success(request, f"已保存成员单位“{UNIT_LABELS[unit]}”。")
            return redirect("jointwork:units")
    return render(
        request,
        "jointwork/units_form.html",
        {"form": form, "label": UNIT_LABELS[unit], "area": user.area},
        status=400 if request.method == "POST" else 200,
    )


# ---- meetings ----------------------------------------------------------------------


def meeting_list(request: HttpRequest) -> HttpResponse:
    """The meetings of the office's jurisdiction, newest first."""
    _require_office(request)
    page = Paginator(sel.meeting_list_for(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "jointwork/meetings_list.html", {"page": page})


def meeting_create(request: HttpRequest) -> HttpResponse:
    """GET the form of a meeting (?slots=N decisions); POST records it with its
    decisions and tasks, or shows every problem by field."""
    _require_office(request)
    try:
        slots = int(request.GET.get("slots") or DECISION_SLOTS)
    except ValueError:
        slots = DECISION_SLOTS
    form = MeetingForm(request.POST or None, request.FILES or None, slots=slots)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = run_on_form(
            form,
            lambda: services.meeting_record(
                actor=request.user,
                title=data["title"],
                held_on=data["held_on"],
                attendees=data["attendees"],
                notes=data["notes"],
                decisions=form.decisions(),
                minutes=data.get("minutes"),
            ),
        )
        if meeting is not None:
            messages.success(request, f"已登记会议“{meeting.title}”。")
            return redirect("jointwork:meeting", pk=meeting.pk)
    return render(
        request,
        "jointwork/meeting_form.html",
        {
            "form": form,
            "more": min(form.n_slots + 5, MAX_DECISION_SLOTS),
            "can_add": form.n_slots < MAX_DECISION_SLOTS,
        },
        status=400 if request.method == "POST" else 200,
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting: attendees, minutes, decisions and the state of their tasks."""
    _require_office(request)
    meeting = sel.meeting_get_for(request.user, pk)
    today = timezone.localdate()
    decisions = [
        (d, [(t, sel.is_overdue(t, today)) for t in d.tasks.all()])
        for d in meeting.decisions.prefetch_related("tasks")
    ]
    return render(
        request,
        "jointwork/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": [UNIT_LABELS.get(a, a) for a in meeting.attendees],
            "decisions": decisions,
            "may_void": meeting.voided_at is None
            and meeting.area_id == request.user.area_id,
            "void_form": VoidForm(),
        },
    )


def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's minutes, shown in the browser; audited."""
    _require_office(request)
    meeting = sel.meeting_get_for(request.user, pk)
    if not meeting.minutes_name:
        raise Http404("该会议没有上传会议纪要。")
    name = meeting.minutes_name
    return _serve(
        request,
        name=name,
        original=meeting.minutes_original or "会议纪要",
        content_type="application/pdf" if name.endswith(".pdf") else _image(name),
        obj=meeting,
        area=meeting.area_id,
    )


def _image(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"


@require_POST
def meeting_void(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: void a meeting entered by mistake; its tasks leave every list."""
    _require_office(request)
    meeting = sel.meeting_get_for(request.user, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        done = run_on_form(
            form,
            lambda: services.meeting_void(
                actor=request.user,
                meeting_id=meeting.pk,
                reason=form.cleaned_data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, f"已作废会议“{meeting.title}”。")
            return redirect("jointwork:meetings")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("jointwork:meeting", pk=meeting.pk)


# ---- tasks -------------------------------------------------------------------------


def task_list(request: HttpRequest) -> HttpResponse:
    """A unit's inbox of tasks, or the office's tasks of its jurisdiction; filtered
    open / reported / overdue / closed; overdue ones marked."""
    _require_reader(request)
    today = timezone.localdate()
    key = request.GET.get("filter", "")
    if key not in sel.FILTERS:
        key = ""
    tasks = sel.task_filter(sel.task_list_for(request.user), key, today)
    page = Paginator(tasks.prefetch_related("notices"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [(t, sel.is_overdue(t, today), list(t.notices.all())) for t in page]
    return render(
        request,
        "jointwork/tasks_list.html",
        {
            "page": page,
            "rows": rows,
            "filter": key,
            "filters": sel.FILTERS.items(),
            "is_office": sel.is_office(request.user),
            "overdue_count": sel.overdue_count_for(request.user),
        },
    )


def _task_page(request, task: Task, *, failed=None, step="", status=200):
    user = request.user
    today = timezone.localdate()
    forms = {
        "report": ReportForm(initial={"expected_version": task.version}),
        "close": VersionForm(initial={"expected_version": task.version}),
        "return": ReturnForm(initial={"expected_version": task.version}),
        "notice": NoticeForm(),
    }
    if failed is not None:
        forms[step] = failed
    overdue = sel.is_overdue(task, today)
    handle = sel.may_handle(user, task)
    return render(
        request,
        "jointwork/task_detail.html",
        {
            "task": task,
            "meeting": task.decision.meeting,
            "overdue": overdue,
            "days_overdue": (today - task.deadline).days if overdue else 0,
            "reports": task.reports.select_related("by"),
            "notices": task.notices.all(),
            "forms": forms,
            "may_report": sel.may_report(user, task) and task.state != TaskState.CLOSED,
            "may_close": handle and task.state == TaskState.REPORTED,
            "may_notice": handle and overdue,
            "failed_step": step if failed is not None else "",
        },
        status=status,
    )


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task: its meeting and decision, its reports and notices, and the forms the
    viewer may use (report; close, return, supervise)."""
    _require_reader(request)
    return _task_page(request, sel.task_get_for(request.user, pk))


def _step(request, pk: int, form_class, step: str, call, done: str, *, files=False):
    _require_reader(request)
    task = sel.task_get_for(request.user, pk)
    form = form_class(request.POST, request.FILES if files else None)
    if form.is_valid():
        result = run_on_form(form, lambda: call(task, form.cleaned_data))
        if result is not None:
            messages.success(request, done)
            return redirect("jointwork:task", pk=task.pk)
    return _task_page(request, task, failed=form, step=step, status=400)


@require_POST
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the unit's progress report (text, percent, attachments, or done)."""
    return _step(
        request,
        pk,
        ReportForm,
        "report",
        lambda task, data: services.task_report(
            actor=request.user,
            task_id=task.pk,
            text=data["text"],
            percent=data["percent"] or 0,
            done=data["done"],
            uploads=data["attachments"],
            expected_version=data["expected_version"],
        ),
        "已报告办理情况。",
        files=True,
    )


@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the office confirms the task done."""
    _require_office(request)
    return _step(
        request,
        pk,
        VersionForm,
        "close",
        lambda task, data: services.task_close(
            actor=request.user,
            task_id=task.pk,
            expected_version=data["expected_version"] or 0,
        ),
        "已确认办结。",
    )


@require_POST
def task_return(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the office sends the task back to the unit with a reason."""
    _require_office(request)
    return _step(
        request,
        pk,
        ReturnForm,
        "return",
        lambda task, data: services.task_return(
            actor=request.user,
            task_id=task.pk,
            reason=data["reason"],
            expected_version=data["expected_version"] or 0,
        ),
        "已退回承办单位。",
    )


@require_POST
def task_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the office issues a 督办通知 on the overdue task."""
    _require_office(request)
    return _step(
        request,
        pk,
        NoticeForm,
        "notice",
        lambda task, data: services.notice_issue(
            actor=request.user,
            task_id=task.pk,
            new_deadline=data["new_deadline"],
            text=data["text"],
        ),
        "已发出督办通知。",
    )


def task_attachment(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """One attachment of a task's report, shown in the browser; audited."""
    _require_reader(request)
    task = sel.task_get_for(request.user, pk)
    report_id = request.GET.get("report", "")
    report = (
        task.reports.filter(pk=report_id).first()
        if report_id.isascii() and report_id.isdigit() and len(report_id) < 19
        else None
    )
    if report is None or not 0 <= index < len(report.attachments):
        raise Http404("附件不存在。")
    kept = report.attachments[index]
    return _serve(
        request,
        name=kept["name"],
        original=kept["original"],
        content_type=kept["type"],
        obj=task,
        area=task.area_id,
        report=report.pk,
    )


def notice_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The 督办通知 as a Word file, made from the record; audited."""
    _require_reader(request)
    notice = sel.notice_get_for(request.user, pk)
    document = notice_document(notice)
    audit_record(
        actor=request.user,
        action=AuditAction.ATTACHMENT_DOWNLOAD,
        obj=notice,
        area_code=notice.task.area_id,
        details={"name": notice_filename(notice), "task": notice.task_id},
    )
    response = HttpResponse(
        document,
        content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(notice_filename(notice))}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("units/", unit_list, name="units"),
    path("units/<str:code>/<str:unit>/", unit_edit, name="unit-edit"),
    path("meetings/", meeting_list, name="meetings"),
    path("meetings/new/", meeting_create, name="meeting-new"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/void/", meeting_void, name="meeting-void"),
    path("tasks/", task_list, name="tasks"),
    path("tasks/<int:pk>/", task_detail, name="task"),
    path("tasks/<int:pk>/report/", task_report, name="task-report"),
    path("tasks/<int:pk>/close/", task_close, name="task-close"),
    path("tasks/<int:pk>/return/", task_return, name="task-return"),
    path("tasks/<int:pk>/notice/", task_notice, name="task-notice"),
    path(
        "tasks/<int:pk>/attachments/<int:index>/",
        task_attachment,
        name="task-attachment",
    ),
    path("notices/<int:pk>/", notice_download, name="notice-download"),
]
