"""Writes of responsibility letters (责任书): record one (year, the government party,
exactly one other party, signed date, scan) and void one with a reason. Civil
affairs of a city or county record their government's letters and, at a county,
each township's letters with its villages. One transaction, an audit row
(LETTER_SAVE); nothing is deleted."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound, Problems
from shouwang.visits.attachments import check_uploads, sniff
from shouwang.visits.models import (
    ATTACHMENT_SUFFIXES,
    attachment_path,
    attachment_storage,
)

from . import selectors_letters as sel
from .models import ResponsibilityLetter
from .vocab import UNIT_LABELS

FIRST_YEAR = 2000
NOT_RECORDER = "只有市、县级民政干部（联席会议办公室）可以登记责任书。"


def _duplicate(year: int, government: Area, party: str) -> str:
    return (
        f"{year}年度{government.name}与{party}的责任书已经登记：请勿重复登记；"
        "如原登记有误，请先作废原责任书再重新登记。"
    )


def scan_keep(upload: UploadedFile, folder: str) -> tuple[str, str]:
    """Keep a checked scan under VISIT_UPLOAD_DIR/jointwork/<folder>/; returns the
    stored name and the original file name."""
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    suffix = ATTACHMENT_SUFFIXES.get(kind or "", "")
    name = f"jointwork/{folder}/" + attachment_path(None, f"scan{suffix}")
    stored = attachment_storage().save(name, upload)
    return stored, (upload.name or "扫描件")[:255]


def letter_record(
    *,
    actor: User,
    values: Mapping[str, Any],
    scan: UploadedFile | None = None,
) -> ResponsibilityLetter:
    """Record a signed letter of a government the actor records for with exactly one
    party below it (an area directly below, or one of its member units); refuses a
    party outside the actor's jurisdiction and a second letter of the same year and
    parties."""
    if not sel.may_record(actor):
        raise PermissionDenied(NOT_RECORDER)
    problems = Problems()
    today = timezone.localdate()
    year = values.get("year")
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year + 1:
        problems.add("year", f"年度应在 {FIRST_YEAR} 至 {today.year + 1} 之间。")
    governments = {a.code: a for a in sel.government_areas_for(actor)}
    government = governments.get(values.get("area") or "")
    if government is None:
        problems.add(
            "area",
            "签订方（政府）不在您可登记的范围内：请选择本级政府或本县所辖乡镇。",
        )
    party_code = (values.get("party_area") or "").strip()
    party_unit = (values.get("party_unit") or "").strip()
    party_area = None
    party_name = ""
    if bool(party_code) == bool(party_unit):
        problems.add(
            "party_area",
            "请选择一个责任方：乡镇（村）或成员单位，二者选其一。",
        )
    elif party_code:
        party_area = Area.objects.filter(code=party_code).first()
        if (
            party_area is None
            or not actor.area_id
            or not party_code.startswith(actor.area.prefix)
        ):
            problems.add(
                "party_area",
                f"责任方“{party_code}”不在您的管辖范围内：请选择"
                f"{actor.area.name}所辖的乡镇或村（社区）。",
            )
            party_area = None
        elif government is not None and party_area.parent_id != government.code:
            problems.add(
                "party_area",
                f"责任方“{party_area.name}”不是{government.name}的下一级区划：乡镇"
                "与县（市、区）签订，村（社区）与乡镇签订。",
            )
        else:
            party_name = party_area.name
    elif government is not None:
        label = UNIT_LABELS.get(party_unit, party_unit)
        if party_unit not in sel.member_units_of(government.code):
            problems.add(
                "party_unit",
                f"“{label}”不是{government.name}联席会议的成员单位：请先在成员单位中"
                "添加，或选择其他责任方。",
            )
        party_name = label
    signed_on = values.get("signed_on")
    if not isinstance(signed_on, date):
        problems.add("signed_on", "请填写签订日期。")
    elif signed_on > today:
        problems.add("signed_on", "签订日期不能晚于今天。")
    if scan is not None:
        for message in check_uploads([scan]):
            problems.add("scan", message.replace("附件", "扫描件"))
    problems.raise_any()
    duplicate = _duplicate(year, government, party_name)
    same = ResponsibilityLetter.objects.filter(
        year=year, area=government, voided_at__isnull=True
    )
    if (party_area and same.filter(party_area=party_area).exists()) or (
        not party_area and same.filter(party_area=None, party_unit=party_unit).exists()
    ):
        raise DomainError(duplicate, field="party_area")
    letter = ResponsibilityLetter(
        year=year,
        area=government,
        party_area=party_area,
        party_unit="" if party_area else party_unit,
        signed_on=signed_on,
        created_by=actor,
    )
    if scan is not None:
        letter.scan_name, letter.scan_original = scan_keep(scan, "letters")
    try:
        with transaction.atomic():
            letter.save()
            audit_record(
                actor=actor,
                action=AuditAction.LETTER_SAVE,
                obj=letter,
                area=government,
                details={"year": year, "party": party_name, "op": "record"},
            )
    except IntegrityError:
        # Two people recorded the same letter at once: the same answer as the check.
        raise DomainError(duplicate, field="party_area") from None
    return letter


def letter_void(*, actor: User, pk: int, reason: str) -> ResponsibilityLetter:
    """Void a letter of the actor's jurisdiction with a reason; it is no longer
    counted and a new one may be recorded for the same parties."""
    if not sel.may_record(actor):
        raise PermissionDenied(NOT_RECORDER)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写作废原因。", field="reason")
    with transaction.atomic():
        try:
            letter = (
                sel.letters_for(viewer=actor).select_for_update(of=("self",)).get(pk=pk)
            )
        except ResponsibilityLetter.DoesNotExist:
            raise NotFound("责任书不存在或不在您的管辖范围内。") from None
        if letter.voided_at is not None:
            raise DomainError("该责任书已经作废。", field="reason")
        letter.voided_at = timezone.now()
        letter.void_reason = reason[:200]
        letter.save(update_fields=["voided_at", "void_reason", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.LETTER_SAVE,
            obj=letter,
            area_code=letter.area_id,
            details={"op": "void", "reason": letter.void_reason},
        )
    return letter
