"""Aging out: the exit-review worklist (年满16周岁 / 年满18周岁).

Items are added for active children who turned 16 (and would be left-behind but for
the age) or 18 (unless they stay orphans while in full-time school); each is resolved
by the child's exit or by keeping the child, with a reason. Classifications and
statuses are untouched by the worklist itself.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shouwang.accounts import access
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound

from .. import policy
from ..models import (
    AgingOutReason,
    Child,
    ChildStatus,
    ExitReview,
    ExitReviewResolution,
)
from .classification import CountySettings, facts_of

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
    """Why the child is due for an exit review on as_of: 18 once 18, unless still an
    orphan in full-time school (INTERPRET_ORPHAN_AFTER_18); 16 while 16 or 17 when the
    facts, the day before the 16th birthday, made the child left-behind."""
    age = policy.age_on(child.birth_date, as_of)
    if age >= 18:
        if policy.classify(facts_of(child), as_of, settings).in_school_after_18:
            return []
        return [AgingOutReason.AGE_18]
    if age < 16:
        return []
    eve = birthday(child.birth_date, 16) - timedelta(days=1)
    if policy.classify(facts_of(child), eve, settings).is_left_behind:
        return [AgingOutReason.AGE_16]
    return []


def exit_reviews_detect(*, as_of: date, batch_size: int = 2000) -> int:
    """Put on the exit-review worklist every active child who turned 16 (and would be
    left-behind but for the age) or 18 (and is not an orphan still in full-time school)
    on or before as_of and has no item for it yet; returns how many items were added.
    Classifications and statuses are untouched."""
    # Only the children of 16 to 18 on as_of: an indexed birth-date range. A child
    # already 18 gets the 18 item alone (the 16 one would say less); a missed day is
    # caught up the next, as the birthday stays on or before as_of. An orphan kept in
    # full-time school cannot leave school later on the ledger: the record checks
    # refuse an adult who is not one, so the child is exited instead.
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
