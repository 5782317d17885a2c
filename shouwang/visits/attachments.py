"""Photos and PDFs kept with visits and guardianship confirmations.

The type is judged by the file's first bytes, never by its name or the browser's word;
files live outside the web root (settings.VISIT_UPLOAD_DIR) and are served only by
`attachment_view`, which checks the viewer's jurisdiction over the child and audits.
"""

import hashlib

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse

from shouwang.accounts import access
from shouwang.accounts.access import Perm, require
from shouwang.audit.models import AuditAction
from shouwang.audit.refusals import not_found
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError

from .models import Attachment

# (leading bytes, content type) of what may be kept.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
MAX_ATTACHMENTS = 10
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"  # the picker; content decides


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of photos and scans (none included), as a list; check_uploads
    judges them by content."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        return [upload for upload in data or [] if upload]


def limits_help() -> str:
    """The form's help text on what may be attached."""
    return (
        f"可选。JPG、PNG 照片或 PDF 扫描件，每个不超过 "
        f"{settings.VISIT_MAX_ATTACHMENT_MB} MB，最多 {MAX_ATTACHMENTS} 个。"
    )


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes show, or None for anything else."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_uploads(uploads: list[UploadedFile]) -> list[str]:
    """Every problem with the files as Chinese messages naming the file (size, type,
    count); an empty list when all may be kept."""
    problems = []
    if len(uploads) > MAX_ATTACHMENTS:
        problems.append(
            f"一次最多上传 {MAX_ATTACHMENTS} 个附件，您选择了 {len(uploads)} 个。"
        )
    limit_mb = settings.VISIT_MAX_ATTACHMENT_MB
    for upload in uploads:
        name = upload.name or "（未命名）"
        if upload.size == 0:
            problems.append(f"附件“{name}”是空文件，请重新选择。")
            continue
        if upload.size > limit_mb * 1024 * 1024:
            problems.append(
                f"附件“{name}”有 {upload.size / 1024 / 1024:.1f} MB，超过 {limit_mb} MB"
                "的上限：请压缩照片或分页扫描后再上传。"
            )
            continue
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if sniff(head) is None:
            problems.append(
                f"附件“{name}”不是 JPG、PNG 图片或 PDF 文件（按文件内容判断）："
                "请上传照片或扫描件。"
            )
    return problems


def attachments_save(
    *, actor, uploads: list[UploadedFile], visit=None, confirmation=None
) -> list[Attachment]:
    """Keep checked uploads with their visit or confirmation (call inside the owner's
    transaction, after check_uploads found nothing)."""
    if problems := check_uploads(uploads):
        raise DomainError(problems[0], field="attachments")
    saved = []
    for upload in uploads:
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        content_type = sniff(upload.read(16))
        upload.seek(0)
        attachment = Attachment(
            visit=visit,
            confirmation=confirmation,
            original_name=(upload.name or "附件")[:200],
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(upload.name or "附件", upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def attachment_get_for(*, viewer, pk: int) -> Attachment:
    """An attachment whose child lies in the viewer's jurisdiction; 404 for missing and
    not-yours alike."""
    missing = "附件不存在或不在您的管辖范围内。"
    if not access.has_perm(viewer, Perm.VIEW_CHILDREN):
        raise not_found(viewer=viewer, model=Attachment, pk=pk, message=missing)
    attachment = (
        Attachment.objects.filter(
            access.jurisdiction_q(viewer, "visit__child__village_id")
            | access.jurisdiction_q(viewer, "confirmation__child__village_id")
        )
        .filter(Q(visit__isnull=False) | Q(confirmation__isnull=False))
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise not_found(viewer=viewer, model=Attachment, pk=pk, message=missing)
    return attachment


def attachment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An attachment shown in the browser (images and PDFs), access-checked, audited."""
    require(request.user, Perm.VIEW_CHILDREN)
    attachment = attachment_get_for(viewer=request.user, pk=pk)
    owner = attachment.visit or attachment.confirmation
    audit_record(
        actor=request.user,
        action=AuditAction.ATTACHMENT_DOWNLOAD,
        obj=attachment,
        area_code=owner.village_id,
        details={"child": owner.child_id, "name": attachment.original_name},
    )
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=False,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
