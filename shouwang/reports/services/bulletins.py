"""Writes of the status bulletin (工作情况通报): request one (stored, audited, queued),
generate it (the background task), record a download, upload and retire a county's
template. Keyword-only, given the acting user; each write is one transaction with
its audit row inside."""

import hashlib
import logging
from datetime import date
from functools import partial as bind
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.areas.models import Area, AreaLevel
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.core.jobs import (
    Heartbeat,
    JobTakenOver,
    WorkerIdentity,
    fail_stale,
    still_ours,
)

from ..bulletin import generate as generation
from ..bulletin import validate
from ..bulletin.context import default_reference
from ..models import Bulletin, BulletinStatus, BulletinTemplate
from ..periods import Period

logger = logging.getLogger(__name__)

NOT_ALLOWED = "您没有生成工作情况通报、管理通报模板的权限。"
AREA_NOT_FOUND = "区划不存在或不在您的管辖范围内。"
TEMPLATE_NOT_FOUND = "模板不存在或不在您的管辖范围内。"
REFERENCE_FUTURE = (
    "对比基准日 {day:%Y-%m-%d} 在今天（{today:%Y-%m-%d}）之后：请选择今天或以前的日期。"
)
TEMPLATE_LEVELS = (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY)
TEMPLATE_LEVEL = (
    "通报模板只能按省、市、县（区）上传：请选择您所在的县（区）或以上区划。"
)
ALREADY_RETIRED = "该模板已停用。"
NO_LONGER_ALLOWED = "生成人的账号已停用，或已不再有生成通报的权限：未生成。请由有权限的工作人员重新生成。"
UNEXPECTED = "生成时出现意外错误，未生成通报。请把通报编号 #{pk} 告诉系统管理员。"
DONE = (100, "已完成")
INTERRUPTED = "生成该通报的后台进程意外中断，未生成通报。您可以点击“重新生成”再试一次。"
NOT_RETRYABLE = "该通报当前的状态是“{status}”，不需要重新生成。"


def _require(actor) -> None:
    if not access.has_perm(actor, Perm.GENERATE_BULLETINS):
        raise DomainError(NOT_ALLOWED)


def _require_area(actor, area: Area) -> None:
    if not access.in_jurisdiction(actor, area.code):
        raise NotFound(AREA_NOT_FOUND)


def reference_for(period: Period, reference: date | None, *, today: date) -> date:
    """The reference date asked for (default: 31 Dec of the year before the end);
    DomainError for a date after today."""
    day = reference or default_reference(period)
    if day > today:
        raise DomainError(
            REFERENCE_FUTURE.format(day=day, today=today), field="reference"
        )
    return day


def bulletin_request(
    *,
    actor,
    area: Area,
    period: Period,
    reference: date | None = None,
    use_default: bool = False,
) -> Bulletin:
    """Store a queued bulletin of an area in the actor's jurisdiction and queue its
    generation; the template (the area's newest active one, from the nearest area
    up, unless use_default) is checked first: a bad one stores nothing."""
    _require(actor)
    _require_area(actor, area)
    today = timezone.localdate()
    reference = reference_for(period, reference, today=today)
    template = None if use_default else generation.template_in_use(area)
    name = template.name if template else generation.DEFAULT_NAME
    validate.check_template(generation.template_bytes(template), name=name)
    with transaction.atomic():
        bulletin = Bulletin.objects.create(
            area=area,
            start=period.start,
            end=period.end,
            reference_date=reference,
            template=template,
            template_name=name,
            requested_by=actor,
            stage=BulletinStatus.QUEUED.label,
        )
        _audit_generate(actor, bulletin)
        transaction.on_commit(bind(_enqueue, bulletin.pk))
    return bulletin


def bulletin_retry(*, actor, bulletin: Bulletin) -> Bulletin:
    """Queue a failed bulletin's generation again (same area, period, reference date
    and template), audited as a generation is."""
    _require(actor)
    _require_area(actor, bulletin.area)
    with transaction.atomic():
        bulletin = (
            Bulletin.objects.select_for_update()
            .select_related("area")
            .get(pk=bulletin.pk)
        )
        if bulletin.status != BulletinStatus.FAILED:
            raise DomainError(
                NOT_RETRYABLE.format(status=bulletin.get_status_display())
            )
        bulletin.status = BulletinStatus.QUEUED
        bulletin.progress, bulletin.stage = 0, BulletinStatus.QUEUED.label
        bulletin.error = ""
        bulletin.finished_at = None
        bulletin.worker, bulletin.heartbeat_at = "", None
        bulletin.save()
        _audit_generate(actor, bulletin, retry=True)
        transaction.on_commit(bind(_enqueue, bulletin.pk))
    return bulletin


def bulletins_fail_stale(bulletins=None) -> int:
    """Mark failed the bulletins (default: all) being generated whose worker died or
    stopped beating; returns how many."""
    bulletins = Bulletin.objects.all() if bulletins is None else bulletins
    return len(
        fail_stale(
            bulletins.filter(status=BulletinStatus.RUNNING),
            status=BulletinStatus.FAILED,
            error=INTERRUPTED,
            stage=BulletinStatus.FAILED.label,
            finished_at=timezone.now(),
        )
    )


def _audit_generate(actor, bulletin: Bulletin, **more) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.BULLETIN_GENERATE,
        obj=bulletin,
        area=bulletin.area,
        details={
            "start": bulletin.start.isoformat(),
            "end": bulletin.end.isoformat(),
            "reference": bulletin.reference_date.isoformat(),
            "template": bulletin.template_name,
            "template_id": bulletin.template_id,
            **more,
        },
    )


def _enqueue(bulletin_id: int) -> None:
    from ..bulletin import tasks  # tasks import this module

    result = tasks.generate_bulletin.enqueue(bulletin_id)
    Bulletin.objects.filter(pk=bulletin_id).update(task_id=str(result.id))


def _progress(bulletin: Bulletin, percent: int, stage: str) -> None:
    Bulletin.objects.filter(pk=bulletin.pk, worker=bulletin.worker).update(
        progress=percent, stage=stage, updated_at=timezone.now()
    )


def _save_if_ours(bulletin: Bulletin) -> None:
    """Save unless this run lost the bulletin (marked failed after its heartbeat
    stopped, or queued again): then JobTakenOver."""
    running = Bulletin.objects.filter(status=BulletinStatus.RUNNING)
    with transaction.atomic():
        if not still_ours(bulletin, running):
            raise JobTakenOver(bulletin.pk)
        bulletin.save()


def _fail(bulletin: Bulletin, message: str) -> Bulletin:
    bulletin.status = BulletinStatus.FAILED
    bulletin.error = message[:500]
    bulletin.stage = BulletinStatus.FAILED.label
    bulletin.finished_at = timezone.now()
    _save_if_ours(bulletin)
    return bulletin


def bulletin_generate(*, bulletin_id: int) -> Bulletin | None:
    """Compute and fill a queued bulletin, keeping its progress on the row; it ends
    done (with its file and numbers) or failed (with the reason). None when the
    bulletin was not waiting (a task run twice)."""
    now = timezone.now()
    taken = Bulletin.objects.filter(
        pk=bulletin_id, status=BulletinStatus.QUEUED
    ).update(
        status=BulletinStatus.RUNNING,
        progress=5,
        stage="正在准备",
        updated_at=now,
        worker=WorkerIdentity.current().key,
        heartbeat_at=now,
    )
    if not taken:
        return None
    bulletin = Bulletin.objects.select_related("area", "template", "requested_by").get(
        pk=bulletin_id
    )
    with Heartbeat(Bulletin, bulletin.pk, bulletin.worker):
        try:
            return _generate(bulletin)
        except JobTakenOver:
            logger.warning("bulletin #%s: taken over; result dropped", bulletin.pk)
            if bulletin.file:
                bulletin.file.delete(save=False)
            return None


def _generate(bulletin: Bulletin) -> Bulletin:
    try:
        actor = bulletin.requested_by
        if actor is None or not access.has_perm(actor, Perm.GENERATE_BULLETINS):
            return _fail(bulletin, NO_LONGER_ALLOWED)
        result = generation.generate(
            area=bulletin.area,
            period=Period(bulletin.start, bulletin.end),
            reference=bulletin.reference_date,
            template=generation.template_bytes(bulletin.template),
            template_name=bulletin.template_name,
            progress=bind(_progress, bulletin),
        )
        bulletin.file.save("bulletin.docx", ContentFile(result.document), save=False)
    except JobTakenOver:
        raise
    except DomainError as error:
        return _fail(bulletin, error.message)
    except Exception:
        logger.exception("bulletin #%s: generation failed", bulletin.pk)
        return _fail(bulletin, UNEXPECTED.format(pk=bulletin.pk))
    bulletin.figures = {
        **result.figures.as_json(),
        "pending_used": result.pending_used,
    }
    bulletin.status = BulletinStatus.DONE
    bulletin.progress, bulletin.stage = DONE
    bulletin.finished_at = timezone.now()
    _save_if_ours(bulletin)
    return bulletin


def bulletin_download(*, actor, bulletin: Bulletin) -> None:
    """Record that the actor downloaded a generated bulletin."""
    audit_record(
        actor=actor,
        action=AuditAction.BULLETIN_DOWNLOAD,
        obj=bulletin,
        area_code=bulletin.area_id,
        details={"start": bulletin.start.isoformat(), "end": bulletin.end.isoformat()},
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(upload: UploadedFile, name: str) -> bytes:
    if (upload.size or 0) > validate.MAX_BYTES:
        raise validate.TemplateRejected(validate.TOO_LARGE.format(name=name))
    upload.seek(0)
    return upload.read()


def template_upload(
    *, actor, area: Area, upload: UploadedFile, name: str = ""
) -> BulletinTemplate:
    """Check and store a county's (or city's, province's) own bulletin template,
    which the area's bulletins then use; a template that fails the check stores
    nothing."""
    _require(actor)
    _require_area(actor, area)
    if area.level not in TEMPLATE_LEVELS:
        raise DomainError(TEMPLATE_LEVEL, field="area")
    original = (
        PurePath((upload.name or "").replace("\\", "/")).name[:200] or "模板.docx"
    )
    name = (name or "").strip()[:100] or PurePath(original).stem[:100]
    data = _read(upload, original)
    validate.check_template(data, name=original)
    template = BulletinTemplate(
        area=area,
        name=name,
        original_name=original,
        sha256=_sha256(data),
        uploaded_by=actor,
    )
    template.file.save(original, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            template.save()
            audit_record(
                actor=actor,
                action=AuditAction.BULLETIN_TEMPLATE_UPLOAD,
                obj=template,
                area=area,
                details={"name": name, "file": original, "sha256": template.sha256},
            )
    except Exception:
        template.file.delete(save=False)
        raise
    return template


def template_retire(*, actor, template: BulletinTemplate) -> BulletinTemplate:
    """Stop using a template (kept, never deleted); later bulletins fall back to the
    next newest one, or to the area above, or to the default."""
    _require(actor)
    if not access.in_jurisdiction(actor, template.area_id):
        raise NotFound(TEMPLATE_NOT_FOUND)
    with transaction.atomic():
        template = BulletinTemplate.objects.select_for_update().get(pk=template.pk)
        if not template.is_active:
            raise DomainError(ALREADY_RETIRED)
        template.is_active = False
        template.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.BULLETIN_TEMPLATE_RETIRE,
            obj=template,
            area_code=template.area_id,
            details={"name": template.name},
        )
    return template
