"""Writes to the child ledger: register, edit, exit, re-admit, merge, reclassify.

Every write runs in one transaction, recomputes the classification, appends a
ChildChange (who, when, before → after, and the record as it then stood) and an audit
row. Edits carry the version they started from; a newer version on disk raises
StaleEdit and nothing is written.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from pypinyin import lazy_pinyin

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound

from . import policy
from .models import (
    FLAG_COLUMNS,
    AgingOutReason,
    ChangeAction,
    Child,
    ChildChange,
    ChildStatus,
    DuplicateDecision,
    ExitReview,
    ExitReviewResolution,
    VisitPolicy,
)
from .vocab import ExitReason, Health

FACT_FIELDS = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "hukou_registered",
    "id_number",
    "hukou_nature",
    "village_id",
    "address",
    "health",
    "disability_category",
    "disability_grade",
    "serious_illness",
    "schooling",
    "school",
    "boarding",
    "father_name",
    "father_id_number",
    "father_status",
    "father_work_place",
    "father_phone",
    "mother_name",
    "mother_id_number",
    "mother_status",
    "mother_work_place",
    "mother_phone",
    "guardian_name",
    "guardian_relation",
    "guardian_id_number",
    "guardian_phone",
    "guardian_capacity",
    "family_assistance",
    "confirmation_signed",
    "confirmation_date",
    "lives_alone",
    "in_school_after_18",
    "responsible_director_id",
    "liaison_cadre_name",
    "liaison_cadre_phone",
    "notes",
)
STATUS_FIELDS = ("status", "exit_reason", "exit_date", "merged_into_id")
CLASSIFICATION_FIELDS = (
    *FLAG_COLUMNS,
    "weakness_type",
    "risk_level",
    "visit_interval_days",
    "classification_reasons",
    "classified_on",
)
SNAPSHOT_FIELDS = FACT_FIELDS + STATUS_FIELDS + CLASSIFICATION_FIELDS[:-1]
# Derived from the visits, kept out of the history (the visits are their record).
SCHEDULE_FIELDS = ("last_visit_date", "visit_followup_due", "next_visit_due")


class StaleEdit(DomainError):
    """The record changed since the edit began; `current` is the record as it is now."""

    def __init__(self, current: Child) -> None:
        super().__init__(
            f"保存失败：在您编辑期间，该记录已被他人修改（当前为第{current.version}版）。"
            "您填写的内容没有丢失，请对照后重新提交。"
        )
        self.current = current


def policy_settings(village_id: str | None = None) -> policy.PolicySettings:
    """The classification settings in force for a village's county: the rural-hukou
    condition (a setting) and the county's visit intervals (VisitPolicy, else the
    defaults)."""
    intervals = policy.DEFAULT_INTERVALS
    if village_id:
        county = VisitPolicy.objects.filter(county_id=codes.pad(village_id[:6])).first()
        if county is not None:
            intervals = county.intervals
    return policy.PolicySettings(
        require_rural_hukou=getattr(
            django_settings, "LEFT_BEHIND_REQUIRE_RURAL_HUKOU", True
        ),
        intervals=intervals,
    )


class CountySettings:
    """policy_settings for each county, read once each: for bulk paths."""

    def __init__(self) -> None:
        self._by_county: dict[str, policy.PolicySettings] = {}

    def __call__(self, village_id: str) -> policy.PolicySettings:
        county = village_id[:6]
        if county not in self._by_county:
            self._by_county[county] = policy_settings(village_id)
        return self._by_county[county]


def facts_of(child: Child) -> policy.Facts:
    """The facts the policy reads, taken from a child's record."""
    return policy.Facts(
        birth_date=child.birth_date,
        father_status=child.father_status,
        mother_status=child.mother_status,
        hukou_nature=child.hukou_nature,
        guardian_name=child.guardian_name,
        guardian_relation=child.guardian_relation,
        guardian_capacity=child.guardian_capacity,
        assistance=frozenset(child.family_assistance or ()),
        disabled=child.health == Health.DISABLED,
        disability_category=child.disability_category,
        disability_grade=child.disability_grade,
        serious_illness=child.serious_illness,
        lives_alone=child.lives_alone,
        confirmation_signed=child.confirmation_signed,
        in_school_after_18=child.in_school_after_18,
    )


def apply_classification(
    child: Child, *, as_of: date, settings: policy.PolicySettings | None = None
) -> bool:
    """Set the stored classification and next due date of a child for as_of; True
    when the classification changed."""
    result = policy.classify(
        facts_of(child), as_of, settings or policy_settings(child.village_id)
    )
    values = {
        "is_orphan": result.is_orphan,
        "is_de_facto_unsupported": result.is_de_facto_unsupported,
        "is_left_behind": result.is_left_behind,
        "is_in_difficulty": result.is_in_difficulty,
        "difficulty_living": "生活困境" in result.difficulty_kinds,
        "difficulty_self": "自身困境" in result.difficulty_kinds,
        "difficulty_guardianship": "监护困境" in result.difficulty_kinds,
        "weakness_type": result.weakness_type,
        "risk_level": result.risk_level,
        "visit_interval_days": result.visit_interval_days,
        "classification_reasons": list(result.reasons),
    }
    changed = any(getattr(child, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(child, key, value)
    child.classified_on = as_of
    schedule_next_visit(child, as_of=as_of)
    return changed


def schedule_next_visit(child: Child, *, as_of: date) -> bool:
    """Set the child's next visit due date from its interval, last visit and follow-up
    (policy.next_visit_due); True when it moved."""
    registered_on = (
        timezone.localtime(child.created_at).date() if child.created_at else as_of
    )
    due = policy.next_visit_due(
        interval_days=child.visit_interval_days,
        last_visit=child.last_visit_date,
        follow_up=child.visit_followup_due,
        registered_on=registered_on,
    )
    moved = due != child.next_visit_due
    child.next_visit_due = due
    return moved


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


def to_json(value: Any) -> Any:
    """A field's value as the history stores it (dates as ISO text, sets sorted)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return value


def snapshot(child: Child) -> dict[str, Any]:
    """The record's facts, status and classification as JSON-ready values."""
    return {field: to_json(getattr(child, field)) for field in SNAPSHOT_FIELDS}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """The fields whose value changed, each as [before, after]."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _record(
    child: Child, *, actor, action: str, changes: dict, note: str = ""
) -> ChildChange:
    return ChildChange.objects.create(
        child=child,
        version=child.version,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor.get_username()
        if getattr(actor, "is_authenticated", False)
        else "",
        action=action,
        changes=changes,
        snapshot=snapshot(child),
        note=note,
    )


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


def children_reclassify(
    *, as_of: date, children: Iterable[Child] | None = None, batch_size: int = 2000
) -> int:
    """Recompute the stored classification for as_of (children age out); returns how
    many changed. Each change is kept in the history; facts and versions are untouched."""
    settings_for = CountySettings()
    queryset = (
        children
        if children is not None
        else (
            Child.objects.filter(status=ChildStatus.ACTIVE)
            .order_by("pk")
            .iterator(chunk_size=batch_size)
        )
    )
    changed_total = 0
    pending: list[Child] = []

    def flush() -> None:
        nonlocal changed_total
        with transaction.atomic():
            # A worker's save since the read has classified the child itself, from
            # newer facts: keep it (the version tells), and lock the rest meanwhile.
            # A visit recorded meanwhile moved the schedule: recompute from it.
            current = {
                pk: rest
                for pk, *rest in Child.objects.select_for_update()
                .filter(pk__in=[c.pk for c in pending])
                .values_list("pk", "version", "last_visit_date", "visit_followup_due")
            }
            fresh = []
            for child in pending:
                version, last_visit, follow_up = current.get(child.pk, (None,) * 3)
                if version != child.version:
                    continue
                child.last_visit_date, child.visit_followup_due = last_visit, follow_up
                schedule_next_visit(child, as_of=as_of)
                fresh.append(child)
            Child.objects.bulk_update(
                fresh, [*CLASSIFICATION_FIELDS, "next_visit_due", "updated_at"]
            )
            reclassified = [c for c in fresh if c._classification_diff]
            ChildChange.objects.bulk_create(
                [
                    ChildChange(
                        child=c,
                        version=c.version,
                        action=ChangeAction.RECLASSIFY,
                        changes=c._classification_diff,
                        snapshot=snapshot(c),
                        note=f"按 {as_of:%Y-%m-%d} 重新认定",
                    )
                    for c in reclassified
                ]
            )
        changed_total += len(reclassified)
        pending.clear()

    now = timezone.now()
    for child in queryset:
        before = snapshot(child)
        due_before = child.next_visit_due
        settings = settings_for(child.village_id)
        classified = apply_classification(child, as_of=as_of, settings=settings)
        if classified or child.next_visit_due != due_before:
            child._classification_diff = (
                diff(before, snapshot(child)) if classified else {}
            )
            child.updated_at = now
            pending.append(child)
            if len(pending) >= batch_size:
                flush()
    if pending:
        flush()
    if children is None:
        # Every active record has now been judged for as_of, changed or not.
        Child.objects.filter(status=ChildStatus.ACTIVE).update(classified_on=as_of)
    return changed_total


# --- aging out: the exit-review worklist (年满16周岁 / 年满18周岁) ---------------------

AGING_OUT_AGES = {AgingOutReason.AGE_16: 16, AgingOutReason.AGE_18: 18}


def birthday(birth_date: date, years: int) -> date:
    """The day a child born on birth_date turns `years` (29 February: 1 March in a
    common year, as policy.age_on counts it)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def _born_by(as_of: date, years: int) -> date:
    """The latest birth date of a child who is `years` or older on as_of."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # as_of is 29 February: born on 28 February or before
        return date(as_of.year - years, 2, 28)


def _aging_out_reasons(child: Child, *, as_of: date, settings) -> list[str]:
    """Why the child is due for an exit review on as_of: 18 once 18; 16 while 16 or 17
    when the facts, the day before the 16th birthday, made the child left-behind."""
    age = policy.age_on(child.birth_date, as_of)
    if age >= 18:
        return [AgingOutReason.AGE_18]
    if age < 16:
        return []
    eve = birthday(child.birth_date, 16) - timedelta(days=1)
    if policy.classify(facts_of(child), eve, settings).is_left_behind:
        return [AgingOutReason.AGE_16]
    return []


def exit_reviews_detect(*, as_of: date, batch_size: int = 2000) -> int:
    """Put on the exit-review worklist every active child who turned 16 (and would be
    left-behind but for the age) or 18 on or before as_of and has no item for it yet;
    returns how many items were added. Classifications and statuses are untouched."""
    # Only the children of 16 to 18 on as_of: an indexed birth-date range. A child
    # already 18 gets the 18 item alone (the 16 one would say less); a missed day is
    # caught up the next, as the birthday stays on or before as_of.
    oldest = _born_by(as_of, 19) + timedelta(days=1)
    youngest = _born_by(as_of, 16)
    children = (
        Child.objects.filter(
            status=ChildStatus.ACTIVE, birth_date__range=(oldest, youngest)
        )
        .annotate(
            **{
                f"has_{reason}": Exists(
                    ExitReview.objects.filter(child=OuterRef("pk"), reason=reason)
                )
                for reason in AGING_OUT_AGES
            }
        )
        .order_by("pk")
    )
    settings_for = CountySettings()
    added = 0
    pending: list[ExitReview] = []

    def flush() -> None:
        nonlocal added
        # ignore_conflicts: a run in parallel may have added the same item meanwhile.
        ExitReview.objects.bulk_create(pending, ignore_conflicts=True)
        added += len(pending)
        pending.clear()

    for child in children.iterator(chunk_size=batch_size):
        for reason in _aging_out_reasons(
            child, as_of=as_of, settings=settings_for(child.village_id)
        ):
            if getattr(child, f"has_{reason}"):
                continue
            pending.append(
                ExitReview(
                    child=child,
                    reason=reason,
                    due_on=birthday(child.birth_date, AGING_OUT_AGES[reason]),
                )
            )
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    return added


def exit_reviews_resolve(*, child: Child, actor) -> int:
    """Mark the child's open exit-review items as resolved by the exit (called inside
    child_exit's transaction); returns how many."""
    return ExitReview.objects.filter(child=child, resolution="").update(
        resolution=ExitReviewResolution.EXITED,
        resolved_at=timezone.now(),
        resolved_by=actor if getattr(actor, "is_authenticated", False) else None,
        updated_at=timezone.now(),
    )


@transaction.atomic
def exit_review_keep(*, actor, review_id: int, note: str) -> ExitReview:
    """Resolve an aging-out item by keeping the child on the ledger, with the reason;
    audited. The item never returns to the worklist."""
    if not access.has_perm(actor, access.Perm.EDIT_CHILDREN):
        raise DomainError("您没有登记或修改儿童信息的权限。")
    review = (
        ExitReview.objects.select_for_update()
        .select_related("child")
        .filter(pk=review_id)
        .first()
    )
    if review is None or not access.in_jurisdiction(actor, review.child.village_id):
        raise NotFound()
    if review.resolution:
        raise DomainError(
            f"该事项已处理（{review.get_resolution_display()}），无需再处理。"
        )
    if review.child.status != ChildStatus.ACTIVE:
        raise DomainError("该儿童已不在册，无需复核。")
    note = (note or "").strip()
    if not note:
        raise DomainError("请说明保留在册的理由。", field="note")
    if len(note) > 500:
        raise DomainError(
            f"保留在册的理由最多500个字符，当前{len(note)}个。", field="note"
        )
    review.resolution = ExitReviewResolution.KEPT
    review.resolved_at = timezone.now()
    review.resolved_by = actor
    review.note = note
    review.save()
    audit_record(
        actor=actor,
        action=AuditAction.CHILD_EXIT_REVIEW_KEEP,
        obj=review.child,
        area_code=review.child.village_id,
        details={"review": review.pk, "reason": review.reason, "note": note},
    )
    return review


# Responsibility and guardianship confirmations (visits, R4) --------------------------


def _common_area(village_codes: Iterable[str]) -> str:
    """The smallest area (village, township or county code) holding every village."""
    village_codes = sorted(set(village_codes))
    for digits in (12, 9, 6, 4, 2):
        if len({code[:digits] for code in village_codes}) == 1:
            return codes.pad(village_codes[0][:digits])
    return ""


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
    from .rules import check_person_name, check_phone

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
