"""What the child history keeps: the fields of a record's snapshot, values as JSON,
before → after diffs, and the ChildChange row every write appends (who, when, the
changes, and the record as it then stood)."""

from datetime import date
from operator import attrgetter
from typing import Any

from ..models import FLAG_COLUMNS, Child, ChildChange

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
    "responsible_director_id",
    "liaison_cadre_name",
    "liaison_cadre_phone",
    "notes",
)
STATUS_FIELDS = ("status", "exit_reason", "exit_date", "merged_into_id")
# Facts kept by protection's services from the child's open cases, not edited by hand.
PROTECTION_FIELDS = ("open_mandatory_report", "open_abuse_case")
CLASSIFICATION_FIELDS = (
    *FLAG_COLUMNS,
    "weakness_type",
    "risk_level",
    "visit_interval_days",
    # An orphan of 18 or more kept while in full-time school (policy), not ticked.
    "in_school_after_18",
    "classification_reasons",
    "classified_on",
)
SNAPSHOT_FIELDS = (
    FACT_FIELDS + STATUS_FIELDS + PROTECTION_FIELDS + CLASSIFICATION_FIELDS[:-1]
)
# Derived from the visits, kept out of the history (the visits are their record).
SCHEDULE_FIELDS = ("last_visit_date", "visit_followup_due", "next_visit_due")


def to_json(value: Any) -> Any:
    """A field's value as the history stores it (dates as ISO text, sets sorted)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return value


_SNAPSHOT_VALUES = attrgetter(*SNAPSHOT_FIELDS)
_AS_JSON = frozenset({str, int, bool, type(None)})  # to_json returns these unchanged


def snapshot(child: Child) -> dict[str, Any]:
    """The record's facts, status and classification as JSON-ready values."""
    # Bulk writes take one per child: to_json is called only for what it converts.
    return dict(
        zip(
            SNAPSHOT_FIELDS,
            [
                value if type(value) in _AS_JSON else to_json(value)
                for value in _SNAPSHOT_VALUES(child)
            ],
            strict=True,
        )
    )


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
