"""Writes for responsibility and guardianship confirmations: record a signed
委托监护责任确认书 (a renewal supersedes the current one), and set or end a township's
包片 leader for an area (the old row is ended and kept).

A child's responsible director and 包联干部 are registry facts: their bulk setting is
registry.services.children_responsibility_set, called by the pages and API directly.
"""

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.rules import (
    check_person_name,
    check_phone,
    normal_person_name,
)
from shouwang.registry.services import child_confirmation_set

from ..attachments import attachments_save, check_uploads
from ..models import ConfirmationStatus, GuardianshipConfirmation, PatchLeader

CHILD_NOT_FOUND = "儿童记录不存在或不在您的管辖范围内。"
AREA_NOT_FOUND = "区划不存在或不在您的管辖范围内。"
PATCH_LEVELS = ("township", "village")


def _text(value: str | None, *, label: str, limit: int, field: str) -> str:
    """The trimmed text, refused when empty or longer than the column."""
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise DomainError(f"{label}最多{limit}个字，当前{len(value)}个。", field=field)
    return value


def _optional(value: str | None, *, label: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(f"{label}最多{limit}个字，当前{len(value)}个。", field=field)
    return value


@transaction.atomic
def confirmation_record(
    *,
    actor,
    child_id: int,
    signed_on: date,
    valid_until: date | None = None,
    entrusting_parties: str,
    entrusted_guardian: str,
    committee_signatory: str,
    note: str = "",
    uploads: list[UploadedFile] | None = None,
) -> GuardianshipConfirmation:
    """Record a signed 委托监护责任确认书 with its scanned document; when one is current
    it becomes 已续签 (renewed_by the new one). The child's confirmation facts follow
    (and its risk, through the registry). Audited; nothing written on any refusal."""
    if not access.has_perm(actor, Perm.RECORD_VISITS):
        raise DomainError("您没有记录委托监护责任确认书的权限。")
    child = (
        access.scope(actor, Child.objects.filter(pk=child_id), "village_id")
        .select_for_update()
        .first()
    )
    if child is None:
        raise NotFound(CHILD_NOT_FOUND)
    if child.status != ChildStatus.ACTIVE:
        raise DomainError("该儿童已不在册，不能记录确认书。")
    today = timezone.localdate()
    if signed_on > today:
        raise DomainError("签订日期不能晚于今天。", field="signed_on")
    if signed_on < child.birth_date:
        raise DomainError(
            f"签订日期不能早于儿童的出生日期（{child.birth_date:%Y-%m-%d}）。",
            field="signed_on",
        )
    if valid_until is not None and valid_until <= signed_on:
        raise DomainError("有效期至应晚于签订日期。", field="valid_until")
    parties = _text(
        entrusting_parties,
        label="委托方（父母）",
        limit=100,
        field="entrusting_parties",
    )
    guardian = _text(
        entrusted_guardian,
        label="受委托监护人",
        limit=60,
        field="entrusted_guardian",
    )
    signatory = _text(
        committee_signatory,
        label="村（居）委会经办人",
        limit=60,
        field="committee_signatory",
    )
    note = _optional(note, label="备注", limit=500, field="note")
    uploads = list(uploads or [])
    if problems := check_uploads(uploads):
        raise DomainError(problems[0], field="attachments")
    current = (
        GuardianshipConfirmation.objects.select_for_update()
        .filter(child=child, status=ConfirmationStatus.CURRENT)
        .first()
    )
    if current is not None and signed_on < current.signed_on:
        raise DomainError(
            "续签的签订日期不能早于现有确认书的签订日期"
            f"（{current.signed_on:%Y-%m-%d}）。",
            field="signed_on",
        )
    if current is not None:
        current.status = ConfirmationStatus.RENEWED
        current.save(update_fields=["status", "updated_at"])
    confirmation = GuardianshipConfirmation.objects.create(
        child=child,
        village_id=child.village_id,
        signed_on=signed_on,
        valid_until=valid_until,
        entrusting_parties=parties,
        entrusted_guardian=guardian,
        committee_signatory=signatory,
        note=note,
        recorded_by=actor,
    )
    if current is not None:
        current.renewed_by = confirmation
        current.save(update_fields=["renewed_by", "updated_at"])
    child_confirmation_set(actor=actor, child_id=child.pk, signed_on=signed_on)
    saved = attachments_save(actor=actor, uploads=uploads, confirmation=confirmation)
    audit_record(
        actor=actor,
        action=AuditAction.CONFIRMATION_RECORD,
        obj=confirmation,
        area_code=child.village_id,
        details={
            "child": child.pk,
            "renewal_of": current.pk if current else None,
            "attachments": len(saved),
        },
    )
    return confirmation


def _patch_area(actor, area_code: str) -> Area:
    if not access.has_perm(actor, Perm.ASSIGN_RESPONSIBILITY):
        raise DomainError("您没有指定包片领导的权限。")
    area = Area.objects.filter(code=area_code or "").first()
    if area is None or not access.in_jurisdiction(actor, area.code):
        raise NotFound(AREA_NOT_FOUND)
    if area.level not in PATCH_LEVELS:
        raise DomainError("包片区域须为乡镇（街道）或村（社区）。", field="area")
    return area


@transaction.atomic
def patch_leader_set(
    *,
    actor,
    area_code: str,
    name: str,
    title: str = "",
    phone: str = "",
    started_on: date,
) -> PatchLeader:
    """Make someone the 包片 leader of a township or village from started_on; the
    current one is ended on that day and kept. Audited."""
    area = _patch_area(actor, area_code)
    name = normal_person_name(name)  # trimmed; ・ • ． → ·
    if problem := check_person_name(name, "包片领导姓名"):
        raise DomainError(f"{problem}。", field="name")
    title = _optional(title, label="职务", limit=60, field="title")
    phone = (phone or "").strip()
    if problem := check_phone(phone):
        raise DomainError(f"包片领导{problem}。", field="phone")
    if started_on > timezone.localdate():
        raise DomainError("起始日期不能晚于今天。", field="started_on")
    current = (
        PatchLeader.objects.select_for_update()
        .filter(area=area, ended_on__isnull=True)
        .first()
    )
    if current is not None:
        if (current.name, current.title, current.phone) == (name, title, phone):
            raise DomainError(
                f"{area.name}的包片领导已是{name}，无需重新指定。", field="name"
            )
        if started_on < current.started_on:
            raise DomainError(
                f"起始日期不能早于现任包片领导{current.name}的起始日期"
                f"（{current.started_on:%Y-%m-%d}）。",
                field="started_on",
            )
        current.ended_on = started_on
        current.save(update_fields=["ended_on", "updated_at"])
    leader = PatchLeader.objects.create(
        area=area,
        name=name,
        title=title,
        phone=phone,
        started_on=started_on,
        assigned_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PATCH_LEADER_SET,
        obj=leader,
        area_code=area.code,
        details={"name": name, "replaced": current.pk if current else None},
    )
    return leader


@transaction.atomic
def patch_leader_end(*, actor, area_code: str, ended_on: date) -> PatchLeader:
    """End the area's current 包片 leader on ended_on (the row is kept). Audited."""
    area = _patch_area(actor, area_code)
    current = (
        PatchLeader.objects.select_for_update()
        .filter(area=area, ended_on__isnull=True)
        .first()
    )
    if current is None:
        raise DomainError(f"{area.name}目前没有包片领导。", field="area")
    if ended_on > timezone.localdate():
        raise DomainError("结束日期不能晚于今天。", field="ended_on")
    if ended_on < current.started_on:
        raise DomainError(
            f"结束日期不能早于{current.name}的起始日期"
            f"（{current.started_on:%Y-%m-%d}）。",
            field="ended_on",
        )
    current.ended_on = ended_on
    current.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PATCH_LEADER_SET,
        obj=current,
        area_code=area.code,
        details={"name": current.name, "ended_on": ended_on.isoformat()},
    )
    return current
