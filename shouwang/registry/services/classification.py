"""The stored classification of a child: the settings in force for a county, the facts
the policy reads, and the categories, risk and next visit due recomputed from them,
for one record on every write or for the whole ledger as children age out."""

from collections.abc import Iterable, Mapping
from datetime import date
from operator import attrgetter
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from shouwang.areas import codes

from .. import policy
from ..models import ChangeAction, Child, ChildChange, ChildStatus, VisitPolicy
from ..vocab import DifficultyKind, Health
from .history import CLASSIFICATION_FIELDS, diff, snapshot


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


FACTS_READ = (
    "birth_date",
    "father_status",
    "mother_status",
    "hukou_nature",
    "guardian_name",
    "guardian_relation",
    "guardian_capacity",
    "family_assistance",
    "health",
    "disability_category",
    "disability_grade",
    "serious_illness",
    "lives_alone",
    "confirmation_signed",
    "schooling",
    "open_mandatory_report",
    "open_abuse_case",
)


def facts_from_values(values: Mapping[str, Any]) -> policy.Facts:
    """The facts the policy reads, from a record's values: a row, or a history
    snapshot (whose dates are ISO text)."""
    birth = values["birth_date"]
    return policy.Facts(
        birth_date=date.fromisoformat(birth) if isinstance(birth, str) else birth,
        father_status=values["father_status"],
        mother_status=values["mother_status"],
        hukou_nature=values["hukou_nature"],
        guardian_name=values["guardian_name"],
        guardian_relation=values["guardian_relation"],
        guardian_capacity=values["guardian_capacity"],
        assistance=frozenset(values["family_assistance"] or ()),
        disabled=values["health"] == Health.DISABLED,
        disability_category=values["disability_category"],
        disability_grade=values["disability_grade"],
        serious_illness=values["serious_illness"],
        lives_alone=values["lives_alone"],
        confirmation_signed=values["confirmation_signed"],
        in_full_time_school=policy.in_full_time_school(values["schooling"]),
        # Snapshots from before protection cases existed have neither.
        open_mandatory_report=values.get("open_mandatory_report", False),
        open_abuse_case=values.get("open_abuse_case", False),
    )


_READ = attrgetter(*FACTS_READ)


def facts_of(child: Child) -> policy.Facts:
    """The facts the policy reads, taken from a child's record."""
    return facts_from_values(dict(zip(FACTS_READ, _READ(child), strict=True)))


def classification_values(result: policy.Classification) -> dict[str, Any]:
    """A classification as the stored columns of a child's row."""
    return {
        "is_orphan": result.is_orphan,
        "is_de_facto_unsupported": result.is_de_facto_unsupported,
        "is_left_behind": result.is_left_behind,
        "is_in_difficulty": result.is_in_difficulty,
        "difficulty_living": DifficultyKind.LIVING in result.difficulty_kinds,
        "difficulty_self": DifficultyKind.SELF in result.difficulty_kinds,
        "difficulty_guardianship": DifficultyKind.GUARDIANSHIP
        in result.difficulty_kinds,
        "weakness_type": result.weakness_type,
        "risk_level": result.risk_level,
        "visit_interval_days": result.visit_interval_days,
        "in_school_after_18": result.in_school_after_18,
        "classification_reasons": list(result.reasons),
    }


def apply_classification(
    child: Child, *, as_of: date, settings: policy.PolicySettings | None = None
) -> bool:
    """Set the stored classification and next due date of a child for as_of; True
    when the classification changed."""
    result = policy.classify(
        facts_of(child), as_of, settings or policy_settings(child.village_id)
    )
    return _store(child, classification_values(result), as_of=as_of)


def _store(child: Child, values: dict[str, Any], *, as_of: date) -> bool:
    changed = any(getattr(child, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(child, key, value)
    child.classified_on = as_of
    schedule_next_visit(child, as_of=as_of)
    return changed


class Classifier:
    """apply_classification for the many children of a bulk write, on one as-of
    date: each county's settings read once, and policy.classify run once for each
    distinct set of what it reads (policy.classify_key); same results."""

    def __init__(self, *, as_of: date) -> None:
        self.as_of = as_of
        self.settings_for = CountySettings()
        self._known: dict[tuple, dict[str, Any]] = {}

    def __call__(self, child: Child) -> bool:
        """apply_classification(child, as_of=self.as_of) with the county's settings."""
        facts = facts_of(child)
        key = (child.village_id[:6], policy.classify_key(facts, self.as_of))
        known = self._known.get(key)
        if known is None:
            result = policy.classify(
                facts, self.as_of, self.settings_for(child.village_id)
            )
            known = self._known[key] = classification_values(result)
        # Each child its own list of reasons, as classification_values gives it.
        values = {**known, "classification_reasons": [*known["classification_reasons"]]}
        return _store(child, values, as_of=self.as_of)


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
