"""The 委托监护责任确认书 filled in from a child's record for the parents, the entrusted
guardian and the village committee to sign: a Word file from the template that
scripts/build_confirmation_template.py builds (shouwang/visits/data/).

The file holds personal data, so producing it is audited as a read of the record;
ID numbers are masked unless the actor may reveal them and asked to, which is audited
as a reveal too. A value the record lacks is printed as a blank line to write on."""

import io
from datetime import date
from pathlib import Path

from django.utils import timezone
from docxtpl import DocxTemplate

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.areas.selectors import area_path
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.models import Child
from shouwang.registry.services import child_reveal_ids

TEMPLATE = (
    Path(__file__).resolve().parent.parent / "data" / "confirmation_template.docx"
)
BLANK = "＿＿＿＿＿＿＿＿"
ID_FIELDS = ("id_number", "father_id_number", "mother_id_number", "guardian_id_number")


def _filled(value) -> str:
    text = str(value or "").strip()
    return text or BLANK


def _person(**values) -> dict[str, str]:
    return {key: _filled(value) for key, value in values.items()}


def confirmation_form_context(
    child: Child, *, ids: dict[str, str], generated: str
) -> dict:
    """The template's values for the child (ids as they may be shown), blanks filled."""
    village = child.village
    director = child.responsible_director
    return {
        "number": f"{village.code}-{child.pk:06d}",
        "child": _person(
            name=child.name,
            sex=child.sex,
            birth_date=f"{child.birth_date:%Y年%m月%d日}",
            ethnicity=child.ethnicity,
            id_number=ids["id_number"],
            schooling=" ".join(v for v in (child.schooling, child.school) if v),
            address=child.address,
        ),
        "village": {
            "name": village.name,
            "full_name": "".join(area.name for area in area_path(village)),
        },
        "father": _person(
            name=child.father_name,
            phone=child.father_phone,
            id_number=ids["father_id_number"],
            status=child.father_status,
            work_place=child.father_work_place,
        ),
        "mother": _person(
            name=child.mother_name,
            phone=child.mother_phone,
            id_number=ids["mother_id_number"],
            status=child.mother_status,
            work_place=child.mother_work_place,
        ),
        "guardian": _person(
            name=child.guardian_name,
            relation=child.guardian_relation,
            id_number=ids["guardian_id_number"],
            phone=child.guardian_phone,
            # The entrusted guardian cares for the child where the child lives.
            address=child.address,
        ),
        "director": {"name": director.display_name if director else BLANK},
        "generated": generated,
    }


def confirmation_form_render(
    *, actor, child: Child, full_ids: bool = False, on: date | None = None
) -> bytes:
    """The child's confirmation form pre-filled for signing (.docx bytes); audited as a
    read of the record, and as a reveal when full ID numbers are asked for."""
    if not access.has_perm(actor, Perm.RECORD_VISITS):
        raise DomainError("您没有下载委托监护责任确认书的权限。")
    if full_ids:
        ids = child_reveal_ids(actor=actor, child=child)  # checks REVEAL_ID, audited
    else:
        ids = {field: mask_id_number(getattr(child, field)) for field in ID_FIELDS}
    audit_record(
        actor=actor,
        action=AuditAction.CONFIRMATION_FORM_DOWNLOAD,
        obj=child,
        area_code=child.village_id,
        details={"ids": "full" if full_ids else "masked"},
    )
    today = on or timezone.localdate()
    template = DocxTemplate(TEMPLATE)
    template.render(
        confirmation_form_context(
            child,
            ids=ids,
            generated=f"由守望平台于{today:%Y年%m月%d日}根据儿童信息库填写，"
            "请核对后签字；内容有误的请先更正儿童信息。",
        ),
        autoescape=True,
    )
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
