"""Reads of the quarterly review cycle, always cut to the viewer's jurisdiction: the
cycles a viewer takes part in, a cycle's progress by township, a village's checklist
and its history, and the frozen snapshot of a closed cycle."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.audit.refusals import not_found
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.vocab import WeaknessType

from ..models import (
    ChildReview,
    CycleSnapshot,
    ReviewCycle,
    VillageReview,
    VillageReviewStatus,
)
from ..services.cycle import (
    CYCLE_NOT_FOUND,
    REVIEW_NOT_FOUND,
    changed_since,
    children_to_confirm,
    confirmed_q,
    cycle_prefix,
)

CYCLE_PERMS = (
    access.Perm.RUN_CYCLES,
    access.Perm.REVIEW_CYCLE,
    access.Perm.CONFIRM_CYCLE,
)
TOWNSHIP_DIGITS = codes.LEVEL_DIGITS[codes.Level.TOWNSHIP]
SNAPSHOT_FIELDS = [
    f.name
    for f in CycleSnapshot._meta.concrete_fields
    if f.get_internal_type() == "PositiveIntegerField"
]
HISTORY_ACTIONS = {
    AuditAction.CYCLE_VILLAGE_SUBMIT: "提交",
    AuditAction.CYCLE_VILLAGE_APPROVE: "审核通过",
    AuditAction.CYCLE_VILLAGE_RETURN: "退回",
}


def can_see_cycles(viewer) -> bool:
    """True for the roles that run, review or confirm cycles."""
    return any(access.has_perm(viewer, perm) for perm in CYCLE_PERMS)


def cycle_list_for(*, viewer) -> QuerySet[ReviewCycle]:
    """Cycles whose area covers the viewer's jurisdiction or lies within it (a
    director sees the county's cycles); nothing for other roles."""
    if not can_see_cycles(viewer):
        return ReviewCycle.objects.none()
    prefix = access.jurisdiction_prefix(viewer)
    if prefix == "":
        return ReviewCycle.objects.all()
    home = codes.pad(prefix)
    covering = [*codes.ancestors(home), home]
    return ReviewCycle.objects.filter(
        Q(area_id__in=covering) | access.jurisdiction_q(viewer, "area_id")
    ).select_related("area")


def cycle_get_for(*, viewer, pk) -> ReviewCycle:
    """One cycle the viewer takes part in; 404 for missing and not-yours alike."""
    try:
        return (
            cycle_list_for(viewer=viewer)
            .select_related("area", "opened_by", "closed_by")
            .get(pk=int(pk))
        )
    except (ReviewCycle.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer, model=ReviewCycle, pk=pk, message=CYCLE_NOT_FOUND
        ) from None


def _in_view(viewer, field: str) -> Q:
    return access.jurisdiction_q(viewer, field)


# Progress -----------------------------------------------------------------------------


@dataclass
class ProgressRow:
    """Villages by status and children confirmed, for a township or the total."""

    code: str
    name: str
    villages: int = 0
    pending: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    children: int = 0
    confirmed: int = 0

    @property
    def to_confirm(self) -> int:
        return self.children - self.confirmed

    @property
    def approved_percent(self) -> int:
        return round(100 * self.approved / self.villages) if self.villages else 0

    @property
    def confirmed_percent(self) -> int:
        return round(100 * self.confirmed / self.children) if self.children else 100

    def add(self, other: "ProgressRow") -> None:
        for name in (
            "villages",
            "pending",
            "submitted",
            "approved",
            "returned",
            "children",
            "confirmed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Progress:
    rows: list[ProgressRow]
    total: ProgressRow


def _township_names(townships) -> dict[str, str]:
    return dict(
        Area.objects.filter(code__in=[codes.pad(t) for t in townships]).values_list(
            "code", "name"
        )
    )


def cycle_progress_for(*, viewer, cycle: ReviewCycle) -> Progress:
    """The cycle's progress per township and in total, cut to the viewer's
    jurisdiction: villages by status, children confirmed and still to confirm."""
    township = Substr("village_id", 1, TOWNSHIP_DIGITS)
    reviews = VillageReview.objects.filter(cycle=cycle).filter(
        _in_view(viewer, "village_id")
    )
    by_status = {
        row["township"]: row
        for row in reviews.annotate(township=township)
        .values("township")
        .order_by("township")
        .annotate(
            villages=Count("pk"),
            **{
                status: Count("pk", filter=Q(status=status))
                for status in VillageReviewStatus.values
            },
        )
    }
    children = {
        row["township"]: row
        for row in children_to_confirm(cycle, _in_view(viewer, "village_id"))
        .filter(village_id__in=reviews.values("village_id"))
        .annotate(township=township, is_confirmed=confirmed_q(cycle))
        .values("township")
        .order_by("township")
        .annotate(
            children=Count("pk"), confirmed=Count("pk", filter=Q(is_confirmed=True))
        )
    }
    names = _township_names(by_status)
    rows, total = [], ProgressRow(code="", name="合计")
    for code, counts in by_status.items():
        row = ProgressRow(
            code=codes.pad(code),
            name=names.get(codes.pad(code), codes.pad(code)),
            villages=counts["villages"],
            **{status: counts[status] for status in VillageReviewStatus.values},
            children=children.get(code, {}).get("children", 0),
            confirmed=children.get(code, {}).get("confirmed", 0),
        )
        rows.append(row)
        total.add(row)
    return Progress(rows=rows, total=total)


def cycle_villages_for(*, viewer, cycle: ReviewCycle) -> list[VillageReview]:
    """The village reviews that ask something of the viewer: a director's or a
    township's own villages (submitted first), the submitted villages for a county or
    city."""
    reviews = (
        VillageReview.objects.filter(cycle=cycle)
        .filter(_in_view(viewer, "village_id"))
        .select_related("village__parent")
    )
    area = access.jurisdiction_area(viewer)
    if area is not None and area.level in (codes.Level.VILLAGE, codes.Level.TOWNSHIP):
        order = {"submitted": 0, "returned": 1, "pending": 2, "approved": 3}
        return sorted(reviews, key=lambda r: (order[r.status], r.village_id))
    if not access.has_perm(viewer, access.Perm.REVIEW_CYCLE):
        return []
    return list(reviews.filter(status=VillageReviewStatus.SUBMITTED)[:200])


# A village's checklist ----------------------------------------------------------------


def village_review_get_for(*, viewer, pk) -> VillageReview:
    """One village review in the viewer's jurisdiction; 404 for missing and not-yours."""
    if not can_see_cycles(viewer):
        raise not_found(
            viewer=viewer, model=VillageReview, pk=pk, message=REVIEW_NOT_FOUND
        )
    try:
        return (
            VillageReview.objects.filter(_in_view(viewer, "village_id"))
            .select_related(
                "cycle", "cycle__area", "village", "submitted_by", "reviewed_by"
            )
            .get(pk=int(pk))
        )
    except (VillageReview.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer, model=VillageReview, pk=pk, message=REVIEW_NOT_FOUND
        ) from None


@dataclass
class ChildRow:
    """A child of the village's checklist and the director's word on it."""

    child: Child
    confirmation: ChildReview | None
    changed: bool  # the record was edited since the cycle opened

    @property
    def confirmed(self) -> bool:
        """Confirmed on the record as it now stands."""
        return (
            self.confirmation is not None
            and self.confirmation.child_version == self.child.version
        )

    @property
    def outdated(self) -> bool:
        """Confirmed once, but the record changed afterwards."""
        return self.confirmation is not None and not self.confirmed

    @property
    def exited(self) -> bool:
        return self.child.status == ChildStatus.EXITED


def village_review_rows(
    *, viewer, review: VillageReview, child_id: int | None = None
) -> list[ChildRow]:
    """The children the village must confirm (active, and exited in this cycle), each
    with its confirmation; one child's row when child_id is given."""
    children = (
        children_to_confirm(review.cycle, Q(village_id=review.village_id))
        .filter(_in_view(viewer, "village_id"))
        .annotate(changed=changed_since(review.cycle))
        .only(
            "pk",
            "name",
            "sex",
            "birth_date",
            "status",
            "version",
            "village_id",
            "is_orphan",
            "is_de_facto_unsupported",
            "is_left_behind",
            "is_in_difficulty",
            "risk_level",
            "exit_reason",
        )
        .order_by("name_pinyin", "pk")
    )
    if child_id is not None:
        children = children.filter(pk=child_id)
    children = list(children)
    confirmations = {
        r.child_id: r
        for r in ChildReview.objects.filter(
            village_review=review, child_id__in=[c.pk for c in children]
        ).select_related("confirmed_by")
    }
    return [
        ChildRow(child=c, confirmation=confirmations.get(c.pk), changed=c.changed)
        for c in children
    ]


@dataclass
class HistoryEntry:
    at: Any
    action: str
    actor: str
    comment: str = ""


def village_review_history(*, viewer, review: VillageReview) -> list[HistoryEntry]:
    """Submissions, approvals and returns of the village review (who, when, the
    comment), oldest first, from the audit trail the services wrote."""
    events = (
        AuditEvent.objects.filter(
            object_type="villagereview",
            object_id=str(review.pk),
            action__in=list(HISTORY_ACTIONS),
        )
        .filter(_in_view(viewer, "area_id"))
        .select_related("actor")
        .order_by("at", "pk")
    )
    return [
        HistoryEntry(
            at=event.at,
            action=HISTORY_ACTIONS[event.action],
            actor=event.actor.display_name if event.actor else event.actor_name,
            comment=event.details.get("comment", ""),
        )
        for event in events
    ]


# Snapshot -----------------------------------------------------------------------------


@dataclass
class SnapshotRow:
    code: str
    name: str
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(SNAPSHOT_FIELDS, 0)
    )
    weakness_types: dict[str, int] = field(default_factory=dict)

    def add(self, counts: dict[str, int], weakness: dict[str, int]) -> None:
        for name in SNAPSHOT_FIELDS:
            self.counts[name] += counts[name]
        for kind, n in weakness.items():
            self.weakness_types[kind] = self.weakness_types.get(kind, 0) + n

    @property
    def weakness_list(self) -> list[tuple[str, int]]:
        return [
            (kind, self.weakness_types[kind])
            for kind in WeaknessType.values
            if self.weakness_types.get(kind)
        ]


@dataclass
class Snapshot:
    rows: list[SnapshotRow]
    total: SnapshotRow


def cycle_snapshot_for(*, viewer, cycle: ReviewCycle) -> Snapshot:
    """The counts frozen when the cycle closed, summed per township and in total,
    cut to the viewer's jurisdiction."""
    rows: dict[str, SnapshotRow] = {}
    total = SnapshotRow(code="", name="合计")
    snapshot = (
        CycleSnapshot.objects.filter(cycle=cycle)
        .filter(_in_view(viewer, "village_id"))
        .filter(access.prefix_q("village_id", cycle_prefix(cycle)))
        .order_by("village_id")
        .values("village_id", "weakness_types", *SNAPSHOT_FIELDS)
    )
    for values in snapshot:
        township = codes.pad(values["village_id"][:TOWNSHIP_DIGITS])
        row = rows.setdefault(township, SnapshotRow(code=township, name=township))
        row.add(values, values["weakness_types"] or {})
        total.add(values, values["weakness_types"] or {})
    names = _township_names(rows)
    for row in rows.values():
        row.name = names.get(row.code, row.code)
    return Snapshot(rows=list(rows.values()), total=total)
