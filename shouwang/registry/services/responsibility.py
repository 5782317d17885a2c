"""Responsibility and guardianship confirmations (visits, R4): the responsible
director and 包联干部 of many children at once, and a signed guardianship confirmation
on a child's record; both are facts of the record, with history rows and versions."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError

from ..models import ChangeAction, Child, ChildStatus
from ..rules import normal_person_name
from .classification import apply_classification
from .history import _record, diff, snapshot


def _common_area(village_codes: Iterable[str]) -> str:
    """The smallest area (village, township or county code) holding every village."""
    village_codes = sorted(set(village_codes))
    for digits in (12, 9, 6, 4, 2):
        if len({code[:digits] for code in village_codes}) == 1:
            return codes.pad(village_codes[0][:digits])
    return ""


def village_sole_directors(village_codes: Iterable[str]) -> dict[str, int]:
    """The id of each given village's only active director, by village code; a village
    with no director or with several is left out (nobody is chosen for it)."""
    from shouwang.accounts.models import Role, User

    wanted = sorted({code for code in village_codes if code})
    sole: dict[str, int] = {}
    for start in range(0, len(wanted), 2000):  # within SQLite's parameter limit
        rows = (
            User.objects.filter(
                role=Role.DIRECTOR,
                is_active=True,
                area_id__in=wanted[start : start + 2000],
            )
            .values("area_id")
            .annotate(directors=Count("id"), director=Min("id"))
            .filter(directors=1)
            .order_by()
        )
        sole.update((row["area_id"], row["director"]) for row in rows)
    return sole


def _assignable_director(actor, director_id: int):
    from shouwang.accounts.models import Role, User

    return (
        access.scope(
            actor,
            User.objects.filter(pk=director_id, role=Role.DIRECTOR, is_active=True),
            "area_id",
        )
        .select_related("area")
        .first()
    )


def _check_cadre(cadre_name: str | None, cadre_phone: str | None) -> None:
    from ..rules import check_person_name, check_phone

    if cadre_name is None:
        if cadre_phone:
            raise DomainError(
                "填写包联干部电话时请同时填写包联干部姓名。", field="cadre_name"
            )
        return
    name, phone = cadre_name.strip(), (cadre_phone or "").strip()
    if name and (problem := check_person_name(name, "包联干部姓名")):
        raise DomainError(f"{problem}。", field="cadre_name")
    if phone and not name:
        raise DomainError(
            "填写包联干部电话时请同时填写包联干部姓名。", field="cadre_name"
        )
    if problem := check_phone(phone):
        raise DomainError(f"包联干部{problem}。", field="cadre_phone")


@transaction.atomic
def children_responsibility_set(
    *,
    actor,
    child_ids: Iterable[int],
    director_id: int | None,
    cadre_name: str | None = None,
    cadre_phone: str | None = None,
    note: str = "",
) -> list[Child]:
    """Set the responsible director (one of the child's own village) and/or the 包联干部
    of many children at once; a history row per changed child, one audit row, nothing
    written when any child or the director does not qualify. Returns the changed ones.
    `cadre_name=None` leaves the cadre as it is; "" clears it."""
    if not access.has_perm(actor, access.Perm.ASSIGN_RESPONSIBILITY):
        raise DomainError("您没有调整责任人的权限。")
    ids = sorted({int(pk) for pk in child_ids})
    if not ids:
        raise DomainError("请选择要调整责任人的儿童。", field="children")
    if director_id is None and cadre_name is None:
        raise DomainError("请选择责任儿童主任或填写包联干部。", field="director")
    if len(note) > 500:
        raise DomainError(f"说明最多500字，当前{len(note)}个。", field="note")
    _check_cadre(cadre_name, cadre_phone)
    if cadre_name is not None:
        cadre_name = normal_person_name(cadre_name)  # ・ • ． → ·
    director = None
    if director_id is not None:
        director = _assignable_director(actor, director_id)
        if director is None:
            raise DomainError(
                "责任儿童主任须为您管辖范围内在岗的儿童主任。", field="director"
            )
    children = list(
        access.scope(actor, Child.objects.filter(pk__in=ids), "village_id")
        .select_for_update(of=("self",))
        .select_related("village", "responsible_director")
        .order_by("pk")
    )
    if len(children) != len(ids):
        raise DomainError(
            "所选儿童中有记录不存在或不在您的管辖范围内：请刷新页面后重新选择。",
            field="children",
        )
    for child in children:
        if child.status != ChildStatus.ACTIVE:
            raise DomainError(
                f"{child.name}已不在册，不能调整责任人。", field="children"
            )
        if director is not None and director.area_id != child.village_id:
            raise DomainError(
                f"{director.display_name}是{director.area.name}的儿童主任，不能负责"
                f"{child.village.name}的{child.name}：请选择该村的儿童主任。",
                field="director",
            )
    changed = []
    for child in children:
        before = snapshot(child)
        parts = []
        if director is not None and child.responsible_director_id != director.pk:
            old = child.responsible_director
            parts.append(
                f"责任儿童主任 {old.display_name if old else '（无）'} → "
                f"{director.display_name}"
            )
            child.responsible_director = director
        if cadre_name is not None:
            name, phone = cadre_name.strip(), (cadre_phone or "").strip()
            if (name, phone) != (child.liaison_cadre_name, child.liaison_cadre_phone):
                parts.append(
                    f"包联干部 {child.liaison_cadre_name or '（无）'} → {name or '（无）'}"
                    + (f"（{phone}）" if phone else "")
                )
                child.liaison_cadre_name, child.liaison_cadre_phone = name, phone
        changes = diff(before, snapshot(child))
        if not changes:
            continue
        child.version += 1
        child.save()
        text = f"调整责任人：{'；'.join(parts)}" + (f"（{note}）" if note else "")
        _record(
            child, actor=actor, action=ChangeAction.UPDATE, changes=changes, note=text
        )
        changed.append(child)
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.RESPONSIBILITY_ASSIGN,
            object_type="child",
            object_id=str(changed[0].pk) if len(changed) == 1 else "",
            area_code=_common_area(c.village_id for c in changed) or None,
            details={
                "children": [c.pk for c in changed],
                "director": director.pk if director else None,
                "cadre": cadre_name,
                "note": note,
            },
        )
    return changed


@transaction.atomic
def child_confirmation_set(
    *, actor, child_id: int, signed_on: date, as_of: date | None = None
) -> Child:
    """Mark the child's guardianship confirmation signed on signed_on and reclassify
    (a signed confirmation takes a de facto unsupported child or scattered orphan off
    高 risk); a history row and a new version. The caller's act is the audited one
    (visits' confirmation_record writes confirmation.record)."""
    if not access.has_perm(actor, access.Perm.RECORD_VISITS):
        raise DomainError("您没有记录委托监护责任确认书的权限。")
    child = (
        access.scope(actor, Child.objects.filter(pk=child_id), "village_id")
        .select_for_update()
        .first()
    )
    if child is None:
        raise DomainError("儿童记录不存在或不在您的管辖范围内。")
    if child.status != ChildStatus.ACTIVE:
        raise DomainError("该儿童已不在册，不能记录确认书。")
    today = as_of or timezone.localdate()
    if signed_on > today:
        raise DomainError("签订日期不能晚于今天。", field="signed_on")
    if signed_on < child.birth_date:
        raise DomainError(
            f"签订日期不能早于儿童的出生日期（{child.birth_date:%Y-%m-%d}）。",
            field="signed_on",
        )
    before = snapshot(child)
    child.confirmation_signed, child.confirmation_date = True, signed_on
    apply_classification(child, as_of=today)
    changes = diff(before, snapshot(child))
    if not changes:
        return child
    child.version += 1
    child.save()
    _record(
        child,
        actor=actor,
        action=ChangeAction.UPDATE,
        changes=changes,
        note=f"记录委托监护责任确认书（签订日期 {signed_on:%Y-%m-%d}）",
    )
    return child
