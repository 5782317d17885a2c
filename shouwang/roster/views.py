"""Roster import pages: upload, the check's preview, commit with progress, history."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shouwang.accounts.access import Perm, require
from shouwang.core.exceptions import DomainError
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.selectors import child_list_for
from shouwang.registry.views import FIELD_LABELS, ValueNames

from . import services
from .columns import BY_FIELD
from .forms import CommitForm, UploadForm
from .models import ImportJob, ImportStatus
from .selectors import HEAVY_FIELDS, import_job_get_for, import_job_list_for

ERRORS_PER_PAGE = 100
JOBS_PER_PAGE = 30
ID_COLUMNS = {
    column.header for column in BY_FIELD.values() if column.kind in ("id", "parent_id")
}


def _settle(request: HttpRequest, pk: int | None = None) -> None:
    """Mark failed the viewer's jobs (or the one job) whose worker died, so that the
    page says so and offers the retry instead of "正在检查" forever."""
    jobs = import_job_list_for(viewer=request.user)
    services.import_jobs_fail_stale(jobs if pk is None else jobs.filter(pk=pk))


def _list_page(request: HttpRequest, form: UploadForm, status: int = 200):
    _settle(request)
    jobs = import_job_list_for(viewer=request.user).defer(*HEAVY_FIELDS)
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "roster/import_list.html", {"form": form, "page": page}, status=status
    )


def import_list(request: HttpRequest) -> HttpResponse:
    """The upload form and the imports of the user's jurisdiction, newest first."""
    require(request.user, Perm.EDIT_CHILDREN)
    return _list_page(request, UploadForm())


@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    """Store an uploaded roster and queue its check; then show its page."""
    require(request.user, Perm.EDIT_CHILDREN)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = services.import_upload(
                actor=request.user, upload=form.cleaned_data["file"]
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            return redirect("roster:import-detail", pk=job.pk)
    return _list_page(request, form, status=400)


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its progress, or the check's preview (counts, errors, sample
    changes, possible duplicates, notes) and the commit button, or its result."""
    require(request.user, Perm.EDIT_CHILDREN)
    _settle(request, pk)
    job = import_job_get_for(viewer=request.user, pk=pk)
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    for error in errors:
        if error["column"] in ID_COLUMNS:
            error["value"] = mask_id_number(error["value"])
    counts = job.counts
    return render(
        request,
        "roster/import_detail.html",
        {
            "job": job,
            "counts": counts,
            "errors": errors,
            "errors_cut": job.error_count - len(job.errors),
            "changed": _changed_rows(job.samples.get("changed", [])),
            "new_rows": _new_rows(job.samples.get("new", [])),
            "duplicates": _duplicate_rows(
                request.user, job.samples.get("duplicates", [])
            ),
            "can_commit": job.status == ImportStatus.CHECKED
            and job.user_id == request.user.pk
            and job.importable_rows > 0,
            "retry_step": services.import_retry_step(job)
            if job.user_id == request.user.pk
            else "",
        },
    )


def _changed_rows(samples: list[dict]) -> list[dict]:
    """Changed rows as people read them: Chinese labels, names for codes, masked IDs."""
    names = ValueNames(sample["changes"] for sample in samples)
    return [
        {
            **sample,
            "fields": [
                (
                    FIELD_LABELS.get(name, name),
                    names.show(name, before),
                    names.show(name, after),
                )
                for name, (before, after) in sample["changes"].items()
            ],
        }
        for sample in samples
    ]


def _new_rows(samples: list[dict]) -> list[dict]:
    names = ValueNames([{"village_id": [s["village_id"] for s in samples]}])
    return [
        {**sample, "village": names.show("village_id", sample["village_id"])}
        for sample in samples
    ]


def _duplicate_rows(viewer, samples: list[dict]) -> list[dict]:
    """Possible duplicates with the records they resemble (those the viewer sees)."""
    ids = {pk for sample in samples for pk in sample["candidates"]}
    found = {
        child.pk: child
        for child in child_list_for(viewer=viewer)
        .filter(pk__in=ids)
        .select_related("village")
        .only("pk", "name", "village__name")
    }
    rows = _new_rows(samples)
    for row in rows:
        row["matches"] = [found[pk] for pk in row["candidates"] if pk in found]
    return rows


def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar (an htmx fragment polled every second); once the task has
    finished it tells htmx to reload the page, which then shows the result."""
    require(request.user, Perm.EDIT_CHILDREN)
    _settle(request, pk)
    job = import_job_get_for(viewer=request.user, pk=pk, light=True)
    response = render(request, "roster/_progress.html", {"job": job})
    if not job.active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the import of a checked file (all rows, or only the good ones)."""
    require(request.user, Perm.EDIT_CHILDREN)
    job = import_job_get_for(viewer=request.user, pk=pk, light=True)
    form = CommitForm(request.POST)
    partial = form.is_valid() and form.cleaned_data["partial"]
    try:
        services.import_commit_request(actor=request.user, job=job, partial=partial)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("roster:import-detail", pk=job.pk)


@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the failed step (check or import) of a job again on its stored file."""
    require(request.user, Perm.EDIT_CHILDREN)
    job = import_job_get_for(viewer=request.user, pk=pk, light=True)
    try:
        job = services.import_retry(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        again = "导入" if job.status == ImportStatus.COMMITTING else "检查"
        messages.success(request, f"已重新排队{again}该文件。")
    return redirect("roster:import-detail", pk=job.pk)


def _stored_file(request: HttpRequest, job: ImportJob, kind: str, filename: str):
    field = job.file if kind == "file" else job.error_report
    if not field:
        raise Http404("该导入记录没有这个文件。")
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不在服务器上：请联系系统管理员。") from None
    services.import_file_read(actor=request.user, job=job, kind=kind)
    return FileResponse(handle, as_attachment=True, filename=filename)


def import_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file as uploaded (it holds full ID numbers: an audited read)."""
    require(request.user, Perm.EDIT_CHILDREN)
    require(request.user, Perm.REVEAL_ID)
    job = import_job_get_for(viewer=request.user, pk=pk, light=True)
    return _stored_file(request, job, "file", job.original_name)


def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The error report: the rows with errors as uploaded, each error beside its cell."""
    require(request.user, Perm.EDIT_CHILDREN)
    require(request.user, Perm.REVEAL_ID)
    job = import_job_get_for(viewer=request.user, pk=pk, light=True)
    stem = job.original_name.rsplit(".", 1)[0]
    return _stored_file(request, job, "report", f"错误报告-{stem}.xlsx")
