"""Writes to the child ledger: register, edit, exit, re-admit, merge, dismiss a
duplicate, and the audited reads of a record.

Every write runs in one transaction, recomputes the classification, appends a
ChildChange (who, when, before → after, and the record as it then stood) and an audit
row. Edits carry the version they started from; a newer version on disk raises
StaleEdit and nothing is written.
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from pypinyin import lazy_pinyin

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError
from shouwang.core.idnumber import mask_id_number

from ..models import ChangeAction, Child, ChildStatus, DuplicateDecision
from ..vocab import ExitReason
from .aging import exit_reviews_resolve
from .classification import apply_classification
from .history import FACT_FIELDS, _record, diff, snapshot
from .responsibility import village_sole_directors


class StaleEdit(DomainError):
    """The record changed since the edit began; `current` is the record as it is now."""

    def __init__(self, current: Child) -> None:
        super().__init__(
            f"保存失败：在您编辑期间，该记录已被他人修改（当前为第{current.version}版）。"
            "您填写的内容没有丢失，请对照后重新提交。"
        )
        self.current = current


# Surnames whose reading differs from the character's everyday one (曾 is zeng as a
# surname, ceng otherwise); only unambiguous ones: 乐 (yue/le), 盖 (ge/gai) and the
# like are left to the dictionary.
SURNAME_PINYIN = {
    "曾": "zeng",
    "单": "shan",
    "仇": "qiu",
    "解": "xie",
    "查": "zha",
    "区": "ou",
    "朴": "piao",
    "缪": "miao",
    "翟": "zhai",
    "种": "chong",
    "召": "shao",
    "隗": "wei",
    "员": "yun",
    "秘": "bi",
    "冼": "xian",
    "洗": "xian",
    "薄": "bo",
    "折": "she",
    "句": "gou",
}


def name_keys(name: str) -> tuple[str, str]:
    """The name's pinyin (lower case, no tones or spaces) and its initials, for search;
    the first character is read as a surname (曾小明: zengxiaoming, zxm)."""
    name = name.strip()
    syllables = lazy_pinyin(name, errors="ignore")
    if name and name[0] in SURNAME_PINYIN and syllables:
        syllables[0] = SURNAME_PINYIN[name[0]]
    initials = [syllable[0] for syllable in syllables if syllable]
    return "".join(syllables).lower()[:200], "".join(initials).lower()[:30]


def _require_editable(actor, village_id: str | None) -> Area:
    if not access.has_perm(actor, access.Perm.EDIT_CHILDREN):
        raise DomainError("您没有登记或修改儿童信息的权限。")
    village = Area.objects.filter(code=village_id or "").first()
    if (
        village is None
        or village.level != "village"
        or not access.in_jurisdiction(actor, village.code)
    ):
        raise DomainError("户籍地须为您管辖范围内的村（社区）。", field="village")
    return village


def id_number_clash(
    *, actor, id_number: str | None, exclude_pk: int | None = None
) -> str | None:
    """The message for an ID number already in the ledger, revealing only the county
    when the other record lies outside the actor's jurisdiction; None when free."""
    if not id_number:
        return None
    other = (
        Child.objects.filter(id_number=id_number)
        .exclude(pk=exclude_pk)
        .select_related("village")
        .only("pk", "name", "village_id", "village__name")
        .first()
    )
    if other is None:
        return None
    if access.in_jurisdiction(actor, other.village_id):
        return f"该身份号码已登记为 {other.name}（{other.village.name}），请勿重复登记：可打开该记录修改。"
    county = Area.objects.filter(code=codes.pad(other.village_id[:6])).first()
    return f"该身份号码已在{county.name if county else '其他县'}登记。"


def _save_numbered(child: Child, *, actor) -> None:
    """Save the child; an ID number taken meanwhile by another worker's save (the
    database's unique index) gives the same message as the check made before."""
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:
        message = id_number_clash(
            actor=actor, id_number=child.id_number, exclude_pk=child.pk
        )
        if message:
            raise DomainError(message, field="id_number") from None
        raise


@transaction.atomic
def child_register(*, actor, data: dict[str, Any], as_of: date | None = None) -> Child:
    """Register a new child (data already checked by rules.check_child); audited."""
    _require_editable(actor, data.get("village_id"))
    if message := id_number_clash(actor=actor, id_number=data.get("id_number")):
        raise DomainError(message, field="id_number")
    child = Child(**data)
    if child.responsible_director_id is None:
        # A village with exactly one director: that director is responsible.
        child.responsible_director_id = village_sole_directors([child.village_id]).get(
            child.village_id
        )
    child.name_pinyin, child.name_initials = name_keys(child.name)
    apply_classification(child, as_of=as_of or timezone.localdate())
    _save_numbered(child, actor=actor)
    _record(
        child,
        actor=actor,
        action=ChangeAction.CREATE,
        changes=diff({}, snapshot(child)),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_CREATE,
        obj=child,
        area_code=child.village_id,
    )
    return child


def _locked(child_id: int, expected_version: int) -> Child:
    child = Child.objects.select_for_update().get(pk=child_id)
    if child.version != expected_version:
        raise StaleEdit(child)
    return child


@transaction.atomic
def child_update(
    *,
    actor,
    child_id: int,
    expected_version: int,
    data: dict[str, Any],
    as_of: date | None = None,
) -> Child:
    """Save an edit made on version expected_version; StaleEdit when newer; audited."""
    child = _locked(child_id, expected_version)
    _require_editable(actor, child.village_id)
    if child.status == ChildStatus.MERGED:
        raise DomainError(
            f"该记录已合并到记录 #{child.merged_into_id}，请修改合并后的记录。"
        )
    if child.status == ChildStatus.EXITED:
        raise DomainError("该儿童已退出儿童信息库：如需修改，请先重新纳入。")
    _require_editable(actor, data.get("village_id", child.village_id))
    if message := id_number_clash(
        actor=actor, id_number=data.get("id_number"), exclude_pk=child.pk
    ):
        raise DomainError(message, field="id_number")
    before = snapshot(child)
    for key, value in data.items():
        setattr(child, key, value)
    child.name_pinyin, child.name_initials = name_keys(child.name)
    apply_classification(child, as_of=as_of or timezone.localdate())
    changes = diff(before, snapshot(child))
    if not changes:
        return child
    child.version += 1
    _save_numbered(child, actor=actor)
    _record(child, actor=actor, action=ChangeAction.UPDATE, changes=changes)
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_UPDATE,
        obj=child,
        area_code=child.village_id,
        details={"fields": sorted(changes)},
    )
    return child


@transaction.atomic
def child_exit(
    *,
    actor,
    child_id: int,
    expected_version: int,
    reason: str,
    exit_date: date,
    note: str = "",
) -> Child:
    """Take a child out of the ledger with a reason (never deleted); audited."""
    child = _locked(child_id, expected_version)
    _require_editable(actor, child.village_id)
    if child.status != ChildStatus.ACTIVE:
        raise DomainError("该儿童已不在册，无需退出。")
    if reason not in ExitReason.values:
        raise DomainError("请选择退出原因。", field="reason")
    if exit_date > timezone.localdate():
        raise DomainError("退出日期不能晚于今天。", field="exit_date")
    before = snapshot(child)
    child.status, child.exit_reason, child.exit_date = (
        ChildStatus.EXITED,
        reason,
        exit_date,
    )
    child.version += 1
    child.save()
    exit_reviews_resolve(child=child, actor=actor)
    _record(
        child,
        actor=actor,
        action=ChangeAction.EXIT,
        changes=diff(before, snapshot(child)),
        note=note,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_EXIT,
        obj=child,
        area_code=child.village_id,
        details={"reason": reason},
    )
    return child


@transaction.atomic
def child_readmit(
    *, actor, child_id: int, expected_version: int, note: str = ""
) -> Child:
    """Bring an exited child back into the ledger; audited."""
    child = _locked(child_id, expected_version)
    _require_editable(actor, child.village_id)
    if child.status != ChildStatus.EXITED:
        raise DomainError("只有已退出的儿童才能重新纳入。")
    before = snapshot(child)
    child.status, child.exit_reason, child.exit_date = ChildStatus.ACTIVE, "", None
    apply_classification(child, as_of=timezone.localdate())
    child.version += 1
    child.save()
    _record(
        child,
        actor=actor,
        action=ChangeAction.READMIT,
        changes=diff(before, snapshot(child)),
        note=note,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_READMIT,
        obj=child,
        area_code=child.village_id,
    )
    return child


def child_record_read(*, actor, child: Child) -> None:
    """Audit a read of a child's full record (a sensitive read)."""
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_VIEW,
        obj=child,
        area_code=child.village_id,
    )


def child_id_search_record(*, actor, id_number: str, found: int) -> None:
    """Audit a search of the ledger by a full ID number (a sensitive read); the row
    holds the number masked, never in clear."""
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_SEARCH_ID,
        object_type="child",
        area=actor.area,
        details={"id_number": mask_id_number(id_number), "found": found},
    )


def child_reveal_ids(*, actor, child: Child) -> dict[str, str]:
    """The full ID numbers of a child's record, for roles allowed to see them; audited."""
    if not access.has_perm(actor, access.Perm.REVEAL_ID):
        raise DomainError("您没有查看完整身份号码的权限。")
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_REVEAL_ID,
        obj=child,
        area_code=child.village_id,
    )
    return {
        "id_number": child.id_number or "",
        "father_id_number": child.father_id_number,
        "mother_id_number": child.mother_id_number,
        "guardian_id_number": child.guardian_id_number,
    }


@transaction.atomic
def child_merge(
    *, actor, keep_id: int, merge_id: int, keep_version: int, merge_version: int
) -> Child:
    """Merge a duplicate record into another: the duplicate is kept, marked merged, and
    both histories stay (the kept record's timeline shows the merged one's)."""
    if keep_id == merge_id:
        raise DomainError("不能把记录合并到它自己。")
    first, second = sorted((keep_id, merge_id))
    locked = {
        c.pk: c
        for c in Child.objects.select_for_update().filter(pk__in=[first, second])
    }
    keep, merged = locked.get(keep_id), locked.get(merge_id)
    if keep is None or merged is None:
        raise DomainError("记录不存在。")
    if keep.version != keep_version:
        raise StaleEdit(keep)
    if merged.version != merge_version:
        raise StaleEdit(merged)
    for child in (keep, merged):
        _require_editable(actor, child.village_id)
        if child.status != ChildStatus.ACTIVE:
            raise DomainError(f"{child.name} 的记录已不在册，不能合并。")
    before = snapshot(merged)
    merged.status, merged.merged_into = ChildStatus.MERGED, keep
    merged.version += 1
    merged.save()
    _record(
        merged,
        actor=actor,
        action=ChangeAction.MERGE,
        changes=diff(before, snapshot(merged)),
        note=f"合并到记录 #{keep.pk}",
    )
    keep.version += 1
    keep.save(update_fields=["version", "updated_at"])
    _record(
        keep,
        actor=actor,
        action=ChangeAction.MERGE,
        changes={},
        note=f"合并了记录 #{merged.pk}",
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_MERGE,
        obj=keep,
        area_code=keep.village_id,
        details={"merged": merged.pk},
    )
    return keep


@transaction.atomic
def duplicate_dismiss(*, actor, first: Child, second: Child) -> DuplicateDecision:
    """Record that two candidate records are different children; audited."""
    if first.pk == second.pk:
        raise DomainError("不能把记录与它自己比较。")
    for child in (first, second):
        _require_editable(actor, child.village_id)
    a, b = sorted((first, second), key=lambda c: c.pk)
    decision, _ = DuplicateDecision.objects.get_or_create(
        first=a, second=b, defaults={"decided_by": actor}
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_DUPLICATE_DISMISS,
        obj=a,
        area_code=a.village_id,
        details={"other": b.pk},
    )
    return decision


@transaction.atomic
def child_protection_set(
    *, actor, child_id: int, open_report: bool, open_abuse: bool, note: str
) -> bool:
    """Record whether the child has an open protection case (and one of abuse,
    abandonment or neglect) and reclassify; a history row when anything changed.
    Called by protection's services; the version is kept (no fact a person edits)."""
    child = Child.objects.select_for_update().get(pk=child_id)
    if (child.open_mandatory_report, child.open_abuse_case) == (
        open_report,
        open_abuse,
    ):
        return False
    before = snapshot(child)
    child.open_mandatory_report, child.open_abuse_case = open_report, open_abuse
    apply_classification(child, as_of=timezone.localdate())
    changes = diff(before, snapshot(child))
    child.save()
    _record(
        child, actor=actor, action=ChangeAction.RECLASSIFY, changes=changes, note=note
    )
    return True


def _facts_apply(child: Child, *, actor, values: dict[str, Any], note: str) -> bool:
    """Write values to the locked child, reclassify, bump the version, history with
    the note and an audit row; False (nothing written) when nothing changed."""
    before = snapshot(child)
    for key, value in values.items():
        setattr(child, key, value)
    if "name" in values:
        child.name_pinyin, child.name_initials = name_keys(child.name)
    apply_classification(child, as_of=timezone.localdate())
    changes = diff(before, snapshot(child))
    if not changes:
        return False
    child.version += 1
    _save_numbered(child, actor=actor)
    _record(child, actor=actor, action=ChangeAction.UPDATE, changes=changes, note=note)
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_UPDATE,
        obj=child,
        area_code=child.village_id,
        details={"fields": sorted(changes), "note": note},
    )
    return True


@transaction.atomic
def child_facts_set(*, actor, child_id: int, values: dict[str, Any], note: str) -> bool:
    """Set facts of an active child the actor may edit (and, for a move, the new
    village too): a new version with history citing `note` and an audit row; False
    when the record already said so."""
    unknown = sorted(set(values) - set(FACT_FIELDS))
    if unknown:
        raise ValueError(f"not facts of a child: {unknown}")
    child = Child.objects.select_for_update().get(pk=child_id)
    _require_editable(actor, child.village_id)
    if child.status == ChildStatus.MERGED:
        raise DomainError(
            f"该记录已合并到记录 #{child.merged_into_id}，请修改合并后的记录。"
        )
    if child.status == ChildStatus.EXITED:
        raise DomainError("该儿童已退出儿童信息库：如需修改，请先重新纳入。")
    if "village_id" in values:
        _require_editable(actor, values["village_id"])
    if message := id_number_clash(
        actor=actor, id_number=values.get("id_number"), exclude_pk=child.pk
    ):
        raise DomainError(message, field="id_number")
    return _facts_apply(child, actor=actor, values=values, note=note)


@transaction.atomic
def child_schooling_set(*, actor, child_id: int, schooling: str, note: str) -> bool:
    """Record the child's 就学状况 as dropout control found it (a new version, with
    history and an audit row); False when it already said so. Dropout control
    authorizes its own workers (the education unit edits no other fact), so the
    edit permission child_facts_set asks for is not asked here."""
    child = Child.objects.select_for_update().get(pk=child_id)
    return _facts_apply(child, actor=actor, values={"schooling": schooling}, note=note)
