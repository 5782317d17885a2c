"""Roster imports through the web: upload, check, commit (writes of roster/).

The upload stores the file and queues a check; the check (a task) runs roster_check
with progress and keeps what the preview shows; the commit (a task) reads the stored
file again, checks it again against the ledger as it is now, and runs roster_commit.
The same code runs inline in tests and in `manage.py db_worker` in production.
"""

import hashlib
import io
import logging
from functools import partial as bind
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError
from shouwang.core.jobs import (
    Heartbeat,
    JobTakenOver,
    WorkerIdentity,
    fail_stale,
    still_ours,
)
from shouwang.registry.services import to_json

from .importer import ImportPlan, NothingToCommit, roster_check, roster_commit
from .models import ACTIVE_STATUSES, ImportJob, ImportStage, ImportStatus

logger = logging.getLogger(__name__)

ERRORS_KEPT = 2000  # errors stored for the page; the error report has them all
SAMPLE_CHANGED = 20
SAMPLE_NEW = 20
SAMPLE_DUPLICATES = 50
SAMPLE_FIELDS = ("name", "sex", "birth_date", "village_id")

UNEXPECTED = (
    "处理时出现意外错误，未导入任何数据。请把导入记录编号 #{pk} 告诉系统管理员。"
)
NO_LONGER_ALLOWED = "上传人的账号已停用，或已不再有登记儿童的权限：未导入任何数据。请由有权限的工作人员重新上传。"
INTERRUPTED = {
    "check": "处理该文件的后台进程意外中断，检查没有完成，未导入任何数据。您可以点击“重新检查”再试一次。",
    "commit": "处理该文件的后台进程意外中断，未导入任何数据。您可以点击“重新导入”再试一次。",
}
NOT_RETRYABLE = "该文件当前的状态是“{status}”，不需要重试。"
RETRY_NOT_YOURS = "只有上传该文件的人可以重试：如需导入，请您自己上传该文件。"


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def import_upload(*, actor, upload: UploadedFile) -> ImportJob:
    """Store an uploaded roster and queue its check; nothing reaches the ledger yet."""
    if not access.has_perm(actor, access.Perm.EDIT_CHILDREN):
        raise DomainError("您没有导入花名册的权限。")
    if not actor.area_id:
        raise DomainError("您的账号没有管辖区划，不能导入花名册：请联系管理员设置。")
    name = PurePath((upload.name or "").replace("\\", "/")).name[:200] or "花名册"
    job = ImportJob(
        user=actor,
        area_id=actor.area_id,
        original_name=name,
        size=upload.size or 0,
        sha256=_sha256(upload),
    )
    job.file.save(name, upload, save=False)
    with transaction.atomic():
        job.save()
        audit_record(
            actor=actor,
            action=AuditAction.ROSTER_UPLOAD,
            obj=job,
            area_code=job.area_id,
            details={"file": name, "size": job.size, "sha256": job.sha256},
        )
        transaction.on_commit(bind(_enqueue, "check", job.pk))
    return job


def _enqueue(step: str, job_id: int) -> None:
    from . import tasks  # tasks import this module

    task = tasks.check_roster_import if step == "check" else tasks.commit_roster_import
    result = task.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id).update(task_id=result.id)


def _save_progress(job: ImportJob, done: int, total: int) -> None:
    ImportJob.objects.filter(pk=job.pk, worker=job.worker).update(
        progress_done=done, progress_total=total, updated_at=timezone.now()
    )


def _claim(job_id: int, waiting: str, stage: str, **changes) -> ImportJob | None:
    """Mark the job as taken by this task (this process, a new run token, a first
    heartbeat); None when it is not waiting for it (a task run twice, a job another
    worker took, or one marked failed and queued again meanwhile)."""
    now = timezone.now()
    taken = ImportJob.objects.filter(
        pk=job_id, status=waiting, stage=ImportStage.QUEUED
    ).update(
        stage=stage,
        progress_done=0,
        progress_total=0,
        updated_at=now,
        worker=WorkerIdentity.current().key,
        heartbeat_at=now,
        **changes,
    )
    return ImportJob.objects.select_related("user").get(pk=job_id) if taken else None


def _read(job: ImportJob) -> bytes:
    with job.file.open("rb") as stored:
        return stored.read()


def _may_import(user) -> bool:
    return access.has_perm(user, access.Perm.EDIT_CHILDREN) and bool(user.area_id)


def import_check(*, job_id: int) -> ImportJob | None:
    """Check a queued upload and keep its plan's summary for the preview (no writes
    to the ledger); None when the job was not waiting for a check."""
    job = _claim(
        job_id,
        ImportStatus.UPLOADED,
        ImportStage.READING,
        status=ImportStatus.CHECKING,
        started_at=timezone.now(),
    )
    if job is None:
        return None
    with Heartbeat(ImportJob, job.pk, job.worker):
        try:
            return _check(job)
        except JobTakenOver:
            logger.warning("roster import #%s: taken over; check dropped", job.pk)
            return None


def _check(job: ImportJob) -> ImportJob:
    try:
        if not _may_import(job.user):
            return _finish(job, ImportStatus.FAILED, message=NO_LONGER_ALLOWED)
        plan = roster_check(
            _read(job),
            job.original_name,
            actor=job.user,
            progress=bind(_save_progress, job),
        )
        _keep_plan(job, plan)
        job.notes.extend(_same_file_notes(job))
        if plan.unusable:
            return _finish(job, ImportStatus.UNUSABLE, message=plan.unusable)
        job.checked_at = timezone.now()
        return _finish(job, ImportStatus.CHECKED)
    except JobTakenOver:
        raise
    except Exception:
        logger.exception("roster import #%s: the check failed", job.pk)
        return _finish(job, ImportStatus.FAILED, message=UNEXPECTED.format(pk=job.pk))


def import_commit_request(*, actor, job: ImportJob, partial: bool) -> ImportJob:
    """Queue the commit of a checked upload by the person who uploaded it; refuses a
    job that is not waiting to be imported, or has errors unless `partial`."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.user_id != actor.pk:
            raise DomainError(
                "只有上传该文件的人可以导入它：如需导入，请您自己上传该文件。"
            )
        if job.status != ImportStatus.CHECKED:
            raise DomainError(
                f"该文件当前的状态是“{job.get_status_display()}”，不能再次导入。"
            )
        if not job.importable_rows:
            raise DomainError("没有需要导入的新增或更新的儿童，未导入。")
        if job.counts.get("rejected") and not partial:
            raise DomainError(
                "文件中有错误的行：请改正后重新上传，或选择“只导入无误的行”。"
            )
        job.status = ImportStatus.COMMITTING
        job.stage = ImportStage.QUEUED
        job.partial = partial
        job.committed_by = actor
        job.progress_done = job.progress_total = 0
        job.save()
        transaction.on_commit(bind(_enqueue, "commit", job.pk))
    return job


class WritingProgress:
    """The commit's progress, written through a connection of its own: the commit's
    transaction stays open until every row is written, and what it writes (its own
    progress included) is invisible to the page until then. PostgreSQL only: on
    SQLite the open write transaction locks the whole database, so the page shows
    the writing stage without figures there."""

    def __init__(self, job_id: int, worker: str) -> None:
        self.job_id = job_id
        self.worker = worker
        self.side = None
        default = connections[DEFAULT_DB_ALIAS]
        if default.vendor == "postgresql":
            self.side = type(default)(
                {**default.settings_dict}, alias="roster-progress"
            )

    def __enter__(self) -> "WritingProgress":
        return self

    def __exit__(self, *exc) -> None:
        if self.side is not None:
            self.side.close()

    def __call__(self, done: int, total: int) -> None:
        if self.side is None:
            return
        # The job's row is not touched by the commit's transaction before every
        # row is written, so this never waits for it.
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} "
                "SET progress_done = %s, progress_total = %s "
                "WHERE id = %s AND worker = %s",
                [done, total, self.job_id, self.worker],
            )


def import_commit(*, job_id: int) -> ImportJob | None:
    """Read the stored file again, check it against the ledger as it is now and write
    it (all rows, or only the good ones when the job is partial); the job's status
    is saved in the same transaction as the children. None when not queued."""
    job = _claim(job_id, ImportStatus.COMMITTING, ImportStage.READING)
    if job is None:
        return None
    with Heartbeat(ImportJob, job.pk, job.worker) as heartbeat:
        try:
            return _commit(job, heartbeat)
        except JobTakenOver:
            # Raised inside the write transaction too: nothing reached the ledger.
            logger.warning("roster import #%s: taken over; commit dropped", job.pk)
            return None


def _commit(job: ImportJob, heartbeat: Heartbeat) -> ImportJob:
    actor = job.committed_by or job.user
    try:
        if not _may_import(actor):
            return _finish(job, ImportStatus.FAILED, message=NO_LONGER_ALLOWED)
        preview = dict(job.counts)
        plan = roster_check(
            _read(job),
            job.original_name,
            actor=actor,
            progress=bind(_save_progress, job),
        )
        _keep_plan(job, plan)
        job.notes.extend(_drift_notes(preview, job.counts))
        if plan.unusable or (plan.count("rejected") and not job.partial):
            return _finish(job, ImportStatus.REJECTED, message=_refusal(plan))
        job.stage = ImportStage.WRITING
        job.progress_done, job.progress_total = 0, job.importable_rows
        _save_if_ours(job)
        with (
            WritingProgress(job.pk, job.worker) as progress,
            heartbeat.writing(),
            transaction.atomic(),
        ):
            counts = roster_commit(
                plan,
                actor=actor,
                partial=job.partial,
                source=f"#{job.pk} {job.original_name}",
                progress=progress,
            )
            job.counts = {**job.counts, **counts}
            job.progress_done = job.progress_total
            message = f"已导入：新增 {counts['new']} 名，更新 {counts['changed']} 名。"
            return _finish(job, ImportStatus.COMMITTED, message=message)
    except JobTakenOver:
        raise
    except NothingToCommit as refused:  # the checks above make this unlikely
        return _finish(job, ImportStatus.REJECTED, message=str(refused))
    except IntegrityError:
        logger.warning("roster import #%s: a unique index refused the commit", job.pk)
        return _finish(
            job,
            ImportStatus.FAILED,
            message="导入时有身份号码刚被其他人登记，未导入任何数据：请重新上传该文件再试。",
        )
    except Exception:
        logger.exception("roster import #%s: the commit failed", job.pk)
        return _finish(job, ImportStatus.FAILED, message=UNEXPECTED.format(pk=job.pk))


def _refusal(plan: ImportPlan) -> str:
    if plan.unusable:
        return plan.unusable
    return (
        f"导入前重新核对时发现 {plan.count('rejected')} 行有错误，"
        "按您的选择未导入任何数据：请改正后重新上传。"
    )


def _save_if_ours(job: ImportJob) -> None:
    """Save the job unless this run lost it (marked failed after its heartbeat
    stopped, or queued again); then JobTakenOver, which inside the commit's
    transaction rolls the ledger back."""
    with transaction.atomic():
        if not still_ours(job, ImportJob.objects.filter(status__in=ACTIVE_STATUSES)):
            raise JobTakenOver(job.pk)
        job.save()


def _finish(job: ImportJob, status: str, *, message: str = "") -> ImportJob:
    job.status = status
    job.stage = ImportStage.DONE
    job.message = message
    job.finished_at = timezone.now()
    _save_if_ours(job)
    return job


def import_jobs_fail_stale(jobs=None) -> int:
    """Mark failed the jobs (default: all) being checked or imported whose worker
    died or stopped beating; nothing was written to the ledger for them (the commit
    is one transaction). Returns how many were marked."""
    jobs = ImportJob.objects.all() if jobs is None else jobs
    claimed = jobs.filter(
        status__in=(ImportStatus.CHECKING, ImportStatus.COMMITTING)
    ).exclude(stage=ImportStage.QUEUED)
    marked = 0
    for status, step in (
        (ImportStatus.CHECKING, "check"),
        (ImportStatus.COMMITTING, "commit"),
    ):
        marked += len(
            fail_stale(
                claimed.filter(status=status),
                status=ImportStatus.FAILED,
                stage=ImportStage.DONE,
                message=INTERRUPTED[step],
                finished_at=timezone.now(),
            )
        )
    return marked


def import_retry_step(job: ImportJob) -> str:
    """The step a failed job would run again: "commit" once its import was asked
    for, else "check"; "" for a job that has not failed."""
    if job.status != ImportStatus.FAILED:
        return ""
    return "commit" if job.committed_by_id else "check"


def import_retry(*, actor, job: ImportJob) -> ImportJob:
    """Queue the failed step of a job again on the same stored file, by the person
    who uploaded it: its check (audited as an upload is), or its import (audited
    when it writes, as every import is)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        step = import_retry_step(job)
        if not step:
            raise DomainError(NOT_RETRYABLE.format(status=job.get_status_display()))
        if job.user_id != actor.pk or not _may_import(actor):
            raise DomainError(RETRY_NOT_YOURS)
        job.status = (
            ImportStatus.COMMITTING if step == "commit" else ImportStatus.UPLOADED
        )
        job.stage = ImportStage.QUEUED
        job.message = ""
        job.finished_at = None
        job.progress_done = job.progress_total = 0
        job.worker, job.heartbeat_at = "", None
        job.save()
        if step == "check":
            audit_record(
                actor=actor,
                action=AuditAction.ROSTER_UPLOAD,
                obj=job,
                area_code=job.area_id,
                details={
                    "file": job.original_name,
                    "size": job.size,
                    "sha256": job.sha256,
                    "retry": True,
                },
            )
        transaction.on_commit(bind(_enqueue, step, job.pk))
    return job


def _keep_plan(job: ImportJob, plan: ImportPlan) -> None:
    """What the job page shows of a plan: counts, the first errors, notes, samples;
    and the error report (every error, with the rows as uploaded) when there are any."""
    job.total_rows = plan.total_rows
    job.progress_done = job.progress_total = plan.total_rows
    job.counts = {**plan.counts, "total": len(plan.rows)} if not plan.unusable else {}
    job.error_count = len(plan.errors)
    job.errors = [error.as_dict() for error in plan.errors[:ERRORS_KEPT]]
    job.notes = list(plan.notes)
    job.samples = _samples(plan)
    job.error_report = _error_report(job, plan) if plan.errors else ""


def _row_facts(data: dict[str, Any]) -> dict[str, Any]:
    return {name: to_json(data.get(name)) for name in SAMPLE_FIELDS}


def _samples(plan: ImportPlan) -> dict[str, list]:
    """The first new, changed and possibly duplicate rows, JSON-ready."""
    samples: dict[str, list] = {"new": [], "changed": [], "duplicates": []}
    for row in plan.rows:
        if row.action == "new" and len(samples["new"]) < SAMPLE_NEW:
            samples["new"].append({"row": row.row, **_row_facts(row.data)})
        elif row.action == "changed" and len(samples["changed"]) < SAMPLE_CHANGED:
            samples["changed"].append(
                {
                    "row": row.row,
                    "child_id": row.child_id,
                    "name": row.data.get("name", ""),
                    "changes": row.changes,
                }
            )
        elif (
            row.action == "duplicate" and len(samples["duplicates"]) < SAMPLE_DUPLICATES
        ):
            samples["duplicates"].append(
                {
                    "row": row.row,
                    **_row_facts(row.data),
                    "candidates": list(row.candidates),
                }
            )
    return samples


def _error_report(job: ImportJob, plan: ImportPlan):
    """The name of the stored error report; "" when it cannot be made (the page
    lists the errors all the same)."""
    out = io.BytesIO()
    try:
        from . import workbook  # the spreadsheet writer, needed only here

        workbook.write_error_report(out, plan)
    except Exception:
        logger.exception("roster import #%s: the error report failed", job.pk)
        return ""
    return job.error_report.storage.save(
        job.error_report.field.generate_filename(job, "report.xlsx"),
        ContentFile(out.getvalue()),
    )


def _same_file_notes(job: ImportJob) -> list[str]:
    earlier = (
        ImportJob.objects.filter(
            sha256=job.sha256, area_id=job.area_id, status=ImportStatus.COMMITTED
        )
        .exclude(pk=job.pk)
        .order_by("-finished_at")
        .first()
    )
    if earlier is None:
        return []
    when = timezone.localtime(earlier.finished_at or earlier.created_at)
    return [
        f"这个文件与 {when:%Y-%m-%d %H:%M} 已导入的文件（导入记录 #{earlier.pk}）内容完全相同："
        "再次导入只会更新之后在系统中被改动过的记录。"
    ]


def _drift_notes(preview: dict, now: dict) -> list[str]:
    keys = (("new", "新增"), ("changed", "更新"), ("rejected", "有错误"))
    if all(preview.get(key, 0) == now.get(key, 0) for key, _ in keys):
        return []

    def show(counts):
        return "、".join(f"{label} {counts.get(key, 0)} 行" for key, label in keys)

    return [
        f"导入前重新核对的结果与预览不同（预览：{show(preview)}；导入时：{show(now)}），"
        "可能是期间有人修改了儿童信息库。以导入时的结果为准。"
    ]


def import_file_read(*, actor, job: ImportJob, kind: str) -> None:
    """Record that actor downloaded the job's uploaded file or its error report (both
    hold full ID numbers): an audited read."""
    audit_record(
        actor=actor,
        action=AuditAction.ROSTER_DOWNLOAD,
        obj=job,
        area_code=job.area_id,
        details={"kind": kind, "file": job.original_name},
    )
