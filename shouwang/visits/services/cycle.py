"""Writes for the quarterly review cycle (季度摸排): open a cycle for a county or city,
confirm each child of a village, submit the village, approve or return it at the
township, and close the cycle, freezing a snapshot of counts per village.

Each write runs in one transaction with its audit row. A village review carries a
version: submit, approve and return name the version they were made on, and a newer
one on disk raises StaleReview. A closed cycle refuses every write.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.models import ChangeAction, Child, ChildChange, ChildStatus
from shouwang.reports.compute import count_children_by
from shouwang.reports.figures.ledger import WEAKNESS_KEYS

from ..models import (
    ChildReview,
    CycleSnapshot,
    CycleStatus,
    ReviewCycle,
    ReviewOutcome,
    VillageReview,
    VillageReviewStatus,
)

REVIEW_NOT_FOUND = "村摸排记录不存在或不在您的管辖范围内。"
CYCLE_NOT_FOUND = "季度摸排不存在或不在您的管辖范围内。"
CHILD_NOT_IN_VILLAGE = "该儿童不是本村在册的儿童，不能在本村的摸排中确认。"
CYCLE_CLOSED = "{name}的摸排已结束，不能再修改。"
COMMENT_MAX = 500
# Changes that say a person changed the record (the nightly reclassification is not
# an edit of the record: it follows the calendar).
EDIT_ACTIONS = [a for a in ChangeAction.values if a != ChangeAction.RECLASSIFY]
CYCLE_LEVELS = (codes.Level.COUNTY, codes.Level.CITY)


class StaleReview(DomainError):
    """The village review changed since the page was read; `current` is how it is now."""

    def __init__(self, current: VillageReview) -> None:
        super().__init__(
            f"操作未完成：在您打开页面之后，该村的摸排状态已变为“{current.get_status_display()}”。"
            "请刷新页面后再操作。"
        )
        self.current = current


class CloseNeedsForce(DomainError):
    """Villages remain unapproved; closing needs the caller's explicit confirmation."""

    def __init__(self, remaining: int) -> None:
        super().__init__(
            f"还有 {remaining} 个村未审核通过；确认要结束吗？", field="force"
        )
        self.remaining = remaining


# Shared reads -------------------------------------------------------------------------


def current_quarter(on: date) -> tuple[int, int]:
    return on.year, (on.month - 1) // 3 + 1


def cycle_prefix(cycle: ReviewCycle) -> str:
    return codes.prefix_of(cycle.area_id)


def exited_since(cycle: ReviewCycle) -> Exists:
    """The child left the ledger after the cycle opened (its exit is in the history)."""
    return Exists(
        ChildChange.objects.filter(
            child=OuterRef("pk"), action=ChangeAction.EXIT, at__gte=cycle.created_at
        )
    )


def children_to_confirm(cycle: ReviewCycle, area_q: Q | None = None) -> QuerySet[Child]:
    """The children a cycle's villages must confirm: every active child, and every child
    who exited since the cycle opened (its exit to be confirmed), cut by area_q."""
    children = Child.objects.filter(
        access.prefix_q("village_id", cycle_prefix(cycle))
    ).filter(
        Q(status=ChildStatus.ACTIVE)
        | Q(Q(status=ChildStatus.EXITED) & exited_since(cycle))
    )
    return children.filter(area_q) if area_q is not None else children


def confirmed_q(cycle: ReviewCycle) -> Exists:
    """The child has a confirmation in its village's review of this cycle made on its
    current version (a later edit asks for the child to be confirmed again)."""
    return Exists(
        ChildReview.objects.filter(
            village_review__cycle=cycle,
            village_review__village_id=OuterRef("village_id"),
            child=OuterRef("pk"),
            child_version=OuterRef("version"),
        )
    )


def changed_since(cycle: ReviewCycle) -> Exists:
    """Someone changed the child's record after the cycle opened."""
    return Exists(
        ChildChange.objects.filter(
            child=OuterRef("pk"), action__in=EDIT_ACTIONS, at__gt=cycle.created_at
        )
    )


def _review_locked(actor, village_review_id: int) -> VillageReview:
    """The village review, locked, when it lies in the actor's jurisdiction."""
    review = (
        VillageReview.objects.select_for_update()
        .filter(pk=village_review_id)
        .filter(access.jurisdiction_q(actor, "village_id"))
        .first()
    )
    if review is None:
        raise NotFound(REVIEW_NOT_FOUND)
    cycle = ReviewCycle.objects.get(pk=review.cycle_id)
    review.cycle = cycle
    if cycle.status != CycleStatus.OPEN:
        raise DomainError(CYCLE_CLOSED.format(name=cycle.name))
    return review


def _require(actor, perm: access.Perm, message: str) -> None:
    if not access.has_perm(actor, perm):
        raise DomainError(message)


def _confirmable(review: VillageReview) -> None:
    if review.status == VillageReviewStatus.SUBMITTED:
        raise DomainError("该村已提交，等待乡镇审核，不能再修改确认结果。")
    if review.status == VillageReviewStatus.APPROVED:
        raise DomainError("该村已审核通过，不能再修改确认结果。")


def _checked_version(review: VillageReview, expected_version: int) -> None:
    if review.version != expected_version:
        raise StaleReview(review)


# Open ---------------------------------------------------------------------------------


@transaction.atomic
def cycle_open(*, actor, year: int, quarter: int) -> ReviewCycle:
    """Open the quarter's cycle for the actor's county or city, with a pending review
    for every village in it; audited."""
    _require(actor, access.Perm.RUN_CYCLES, "您没有发起季度摸排的权限。")
    area = access.jurisdiction_area(actor)
    if area is None or area.level not in CYCLE_LEVELS:
        raise DomainError("季度摸排由县级或市级民政部门发起：您的账号不属于县或市。")
    if quarter not in (1, 2, 3, 4):
        raise DomainError("季度应为 1、2、3 或 4。", field="quarter")
    this_year, this_quarter = current_quarter(timezone.localdate())
    if year < 2000 or year > this_year:
        raise DomainError(f"年度应在 2000 到 {this_year} 之间。", field="year")
    if (year, quarter) > (this_year, this_quarter):
        raise DomainError(
            f"{year}年第{quarter}季度尚未开始，不能发起摸排"
            f"（当前为{this_year}年第{this_quarter}季度）。",
            field="quarter",
        )
    name = f"{year}年第{quarter}季度"
    # Lock the area's row so that two clicks cannot both pass the check below.
    Area.objects.select_for_update().filter(code=area.code).first()
    same_quarter = ReviewCycle.objects.filter(year=year, quarter=quarter)
    if same_quarter.filter(area=area).exists():
        raise DomainError(f"{name}的摸排已经发起，不能重复发起。", field="quarter")
    prefix = codes.prefix_of(area.code)
    overlapping = same_quarter.filter(
        Q(area_id__in=[*codes.ancestors(area.code)])
        | access.prefix_q("area_id", prefix)
    ).select_related("area")
    if other := overlapping.first():
        raise DomainError(
            f"{other.area.name}已发起{name}的摸排（包含本区划的村），不能重复发起。",
            field="quarter",
        )
    cycle = ReviewCycle.objects.create(
        area=area, year=year, quarter=quarter, opened_by=actor
    )
    villages = Area.objects.filter(
        access.prefix_q("code", prefix), level=codes.Level.VILLAGE
    ).values_list("code", flat=True)
    VillageReview.objects.bulk_create(
        [VillageReview(cycle=cycle, village_id=code) for code in villages],
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CYCLE_OPEN,
        obj=cycle,
        area=area,
        details={"year": year, "quarter": quarter, "villages": len(villages)},
    )
    return cycle


# Confirm ------------------------------------------------------------------------------


def _child_for_review(review: VillageReview, child_id: int) -> Child:
    child = (
        Child.objects.select_for_update()
        .filter(pk=child_id, village_id=review.village_id)
        .first()
    )
    if child is None or child.status == ChildStatus.MERGED:
        raise DomainError(CHILD_NOT_IN_VILLAGE, field="child")
    if (
        child.status == ChildStatus.EXITED
        and not Child.objects.filter(pk=child.pk)
        .filter(exited_since(review.cycle))
        .exists()
    ):
        raise DomainError(
            "该儿童在本次摸排开始前已退出儿童信息库，无需确认。", field="child"
        )
    return child


def _check_outcome(review: VillageReview, child: Child, outcome: str) -> None:
    if outcome not in ReviewOutcome.values:
        raise DomainError("摸排结果应为：无变化、已更新或已退出。", field="outcome")
    if child.status == ChildStatus.EXITED:
        if outcome != ReviewOutcome.EXITED:
            raise DomainError(
                f"{child.name} 已退出儿童信息库：请确认为“已退出”。", field="outcome"
            )
        return
    if outcome == ReviewOutcome.EXITED:
        raise DomainError(
            f"{child.name} 仍在册：如已不符合条件，请先在儿童信息库中为其办理退出，"
            "再确认为“已退出”。",
            field="outcome",
        )
    if outcome == ReviewOutcome.UPDATED:
        changed = (
            Child.objects.filter(pk=child.pk)
            .filter(changed_since(review.cycle))
            .exists()
        )
        if not changed:
            raise DomainError(
                f"本次摸排开始后，{child.name} 的信息没有修改记录：如有变化，"
                "请先在儿童信息库中修改其信息，再确认为“已更新”；没有变化请选“无变化”。",
                field="outcome",
            )


@transaction.atomic
def child_confirm(
    *, actor, village_review_id: int, child_id: int, outcome: str
) -> ChildReview:
    """Record (or replace) the director's word on one child of the village: unchanged,
    updated (the record was edited in this cycle) or exited (the child has left);
    audited."""
    _require(actor, access.Perm.CONFIRM_CYCLE, "您没有确认摸排结果的权限。")
    review = _review_locked(actor, village_review_id)
    _confirmable(review)
    child = _child_for_review(review, child_id)
    _check_outcome(review, child, outcome)
    confirmation, _ = ChildReview.objects.update_or_create(
        village_review=review,
        child=child,
        defaults={
            "outcome": outcome,
            "child_version": child.version,
            "confirmed_at": timezone.now(),
            "confirmed_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.CYCLE_CHILD_CONFIRM,
        obj=review,
        area_code=review.village_id,
        details={"child": child.pk, "outcome": outcome},
    )
    return confirmation


@transaction.atomic
def children_confirm_unchanged(
    *, actor, village_review_id: int, child_ids: Iterable[int]
) -> int:
    """Confirm as unchanged those of child_ids (the rows the director saw) that are in
    the village, in the ledger and not yet confirmed; returns how many; audited."""
    _require(actor, access.Perm.CONFIRM_CYCLE, "您没有确认摸排结果的权限。")
    review = _review_locked(actor, village_review_id)
    _confirmable(review)
    children = list(
        Child.objects.select_for_update()
        .filter(
            pk__in=list(child_ids),
            village_id=review.village_id,
            status=ChildStatus.ACTIVE,
        )
        .exclude(confirmed_q(review.cycle))
        .only("pk", "version")
    )
    now = timezone.now()
    existing = {
        r.child_id: r
        for r in ChildReview.objects.filter(
            village_review=review, child_id__in=[c.pk for c in children]
        )
    }
    fresh, stale = [], []
    for child in children:
        row = existing.get(child.pk) or ChildReview(village_review=review, child=child)
        row.outcome = ReviewOutcome.UNCHANGED
        row.child_version = child.version
        row.confirmed_at, row.confirmed_by = now, actor
        (stale if row.pk else fresh).append(row)
    ChildReview.objects.bulk_create(fresh)
    ChildReview.objects.bulk_update(
        stale,
        ["outcome", "child_version", "confirmed_at", "confirmed_by", "updated_at"],
    )
    if children:
        audit_record(
            actor=actor,
            action=AuditAction.CYCLE_CHILD_CONFIRM,
            obj=review,
            area_code=review.village_id,
            details={"children": len(children), "outcome": ReviewOutcome.UNCHANGED},
        )
    return len(children)


def unconfirmed_count(review: VillageReview) -> int:
    """How many of the village's children still await a (current) confirmation."""
    return (
        children_to_confirm(review.cycle, Q(village_id=review.village_id))
        .exclude(confirmed_q(review.cycle))
        .count()
    )


# Submit, approve, return ----------------------------------------------------------------


def village_review_read(*, actor, review: VillageReview) -> None:
    """Audit a read of a village's review checklist (a sensitive read)."""
    audit_record(
        actor=actor,
        action=AuditAction.CYCLE_REVIEW_VIEW,
        obj=review,
        area_code=review.village_id,
        details={"cycle": review.cycle_id},
    )


@transaction.atomic
def village_submit(
    *, actor, village_review_id: int, expected_version: int
) -> VillageReview:
    """Submit the village for the township's review once every child is confirmed;
    audited."""
    _require(actor, access.Perm.CONFIRM_CYCLE, "您没有提交村摸排的权限。")
    review = _review_locked(actor, village_review_id)
    if review.status == VillageReviewStatus.SUBMITTED:
        raise DomainError("该村已提交，等待乡镇审核，请勿重复提交。")
    if review.status == VillageReviewStatus.APPROVED:
        raise DomainError("该村已审核通过，无需再次提交。")
    _checked_version(review, expected_version)
    if remaining := unconfirmed_count(review):
        raise DomainError(
            f"还有 {remaining} 名儿童未确认：请逐一确认（无变化、已更新或已退出）后再提交。"
        )
    review.status = VillageReviewStatus.SUBMITTED
    review.submitted_at, review.submitted_by = timezone.now(), actor
    review.version += 1
    review.save()
    audit_record(
        actor=actor,
        action=AuditAction.CYCLE_VILLAGE_SUBMIT,
        obj=review,
        area_code=review.village_id,
        details={"cycle": review.cycle_id},
    )
    return review


def _reviewable(actor, village_review_id: int, expected_version: int) -> VillageReview:
    _require(actor, access.Perm.REVIEW_CYCLE, "您没有审核村摸排的权限。")
    review = _review_locked(actor, village_review_id)
    if review.status == VillageReviewStatus.PENDING:
        raise DomainError("该村尚未提交，不能审核。")
    if review.status == VillageReviewStatus.APPROVED:
        raise DomainError("该村已审核通过，请勿重复审核。")
    if review.status == VillageReviewStatus.RETURNED:
        raise DomainError("该村已退回，等待儿童主任重新提交。")
    _checked_version(review, expected_version)
    return review


@transaction.atomic
def village_approve(
    *, actor, village_review_id: int, expected_version: int
) -> VillageReview:
    """Approve a submitted village (the reviewer's jurisdiction only); audited."""
    review = _reviewable(actor, village_review_id, expected_version)
    review.status = VillageReviewStatus.APPROVED
    review.reviewed_at, review.reviewed_by = timezone.now(), actor
    review.comment = ""
    review.version += 1
    review.save()
    audit_record(
        actor=actor,
        action=AuditAction.CYCLE_VILLAGE_APPROVE,
        obj=review,
        area_code=review.village_id,
        details={"cycle": review.cycle_id},
    )
    return review


@transaction.atomic
def village_return(
    *, actor, village_review_id: int, expected_version: int, comment: str
) -> VillageReview:
    """Return a submitted village to its director with a comment saying what to fix;
    audited."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("请填写退回意见，说明需要核实或修改什么。", field="comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(
            f"退回意见最多{COMMENT_MAX}个字，当前{len(comment)}个。", field="comment"
        )
    review = _reviewable(actor, village_review_id, expected_version)
    review.status = VillageReviewStatus.RETURNED
    review.reviewed_at, review.reviewed_by = timezone.now(), actor
    review.comment = comment
    review.version += 1
    review.save()
    audit_record(
        actor=actor,
        action=AuditAction.CYCLE_VILLAGE_RETURN,
        obj=review,
        area_code=review.village_id,
        details={"cycle": review.cycle_id, "comment": comment},
    )
    return review


# Close --------------------------------------------------------------------------------


# CycleSnapshot's columns and the catalogue figures they freeze.
SNAPSHOT_FIGURES = {
    "children": "children.total",
    "orphans": "children.orphan",
    "de_facto_unsupported": "children.de_facto_unsupported",
    "left_behind": "children.left_behind",
    "in_difficulty": "children.difficulty",
    "difficulty_living": "children.difficulty_living",
    "difficulty_self": "children.difficulty_self",
    "difficulty_guardianship": "children.difficulty_guardianship",
    "risk_high": "risk.high",
    "risk_medium": "risk.medium",
    "risk_low": "risk.low",
    "needing_confirmation": "confirmations.needed",
    "confirmations_signed": "confirmations.signed",
    "overdue": "visits.overdue",
}


def snapshot_counts(prefix: str, *, on: date) -> dict[str, dict]:
    """Counts of the active children per village under prefix on a date, from the
    figure catalogue in one grouped query: categories, risk levels, confirmations,
    overdue visits, weakness types ({type: count})."""
    children = Child.objects.filter(
        access.prefix_q("village_id", prefix), status=ChildStatus.ACTIVE
    )
    keys = [*SNAPSHOT_FIGURES.values(), *WEAKNESS_KEYS.values()]
    counts = {}
    for village, values in count_children_by(
        children, "village_id", keys, as_of=on
    ).items():
        row = {column: values[key] for column, key in SNAPSHOT_FIGURES.items()}
        row["weakness_types"] = {
            value: values[key] for value, key in WEAKNESS_KEYS.items() if values[key]
        }
        counts[village] = row
    return counts


@transaction.atomic
def cycle_close(*, actor, cycle_id: int, force: bool = False) -> ReviewCycle:
    """Close the cycle and freeze a snapshot of counts for each of its villages;
    unapproved villages need force; audited."""
    _require(actor, access.Perm.RUN_CYCLES, "您没有结束季度摸排的权限。")
    cycle = ReviewCycle.objects.select_for_update().filter(pk=cycle_id).first()
    prefix = access.jurisdiction_prefix(actor)
    if cycle is None or not codes.prefix_of(cycle.area_id).startswith(prefix):
        raise NotFound(CYCLE_NOT_FOUND)
    if cycle.status == CycleStatus.CLOSED:
        raise DomainError(f"{cycle.name}的摸排已经结束，请勿重复操作。")
    remaining = (
        VillageReview.objects.filter(cycle=cycle)
        .exclude(status=VillageReviewStatus.APPROVED)
        .count()
    )
    if remaining and not force:
        raise CloseNeedsForce(remaining)
    today = timezone.localdate()
    counts = snapshot_counts(cycle_prefix(cycle), on=today)
    villages = VillageReview.objects.filter(cycle=cycle).values_list(
        "village_id", flat=True
    )
    CycleSnapshot.objects.bulk_create(
        [
            CycleSnapshot(cycle=cycle, village_id=code, **counts.get(code, {}))
            for code in villages
        ],
        batch_size=2000,
    )
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at, cycle.closed_by = timezone.now(), actor
    cycle.save()
    audit_record(
        actor=actor,
        action=AuditAction.CYCLE_CLOSE,
        obj=cycle,
        area_code=cycle.area_id,
        details={"unapproved": remaining, "forced": bool(remaining)},
    )
    return cycle
