"""Two closed quarterly review cycles (季度摸排) for the demo county, the two quarters
before this one, run through the same services a county uses: opened by civil affairs,
every village confirmed and submitted by its director, approved by its supervisor,
closed with a snapshot. This quarter's is left open for the demo logins to work on."""

from django.db import transaction
from django.utils import timezone

from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.registry.models import Child, ChildStatus
from shouwang.visits.models import ReviewCycle, VillageReview
from shouwang.visits.services import cycle as cycles

from .city import COUNTY_CODES


def closed_quarters(year: int, quarter: int) -> list[tuple[int, int]]:
    """The two quarters before (year, quarter), oldest first."""
    earlier = []
    for _ in range(2):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        earlier.append((year, quarter))
    return earlier[::-1]


def _staff(role: str) -> dict[str, User]:
    """The active user of `role` for each area (the earliest made, which is the demo
    login where there is one)."""
    staff: dict[str, User] = {}
    for user in User.objects.filter(role=role, is_active=True).order_by("id"):
        staff.setdefault(user.area_id, user)
    return staff


def _run(cycle: ReviewCycle, directors: dict, supervisors: dict, closer: User) -> None:
    for review in VillageReview.objects.filter(cycle=cycle).order_by("village_id"):
        director = directors.get(review.village_id)
        supervisor = supervisors.get(codes.pad(review.village_id[:9]))
        if director is None or supervisor is None:
            continue
        children = Child.objects.filter(
            village_id=review.village_id, status=ChildStatus.ACTIVE
        ).values_list("pk", flat=True)
        cycles.children_confirm_unchanged(
            actor=director, village_review_id=review.pk, child_ids=list(children)
        )
        cycles.village_submit(
            actor=director, village_review_id=review.pk, expected_version=review.version
        )
        cycles.village_approve(
            actor=supervisor,
            village_review_id=review.pk,
            expected_version=review.version + 1,
        )
    cycles.cycle_close(actor=closer, cycle_id=cycle.pk, force=True)


@transaction.atomic
def demo_cycles_load() -> int:
    """Run the closed demo cycles once (and open this quarter's); returns how many
    cycles were closed."""
    county = COUNTY_CODES[0]
    closer = (
        User.objects.filter(role=Role.CIVIL_AFFAIRS, area_id=county, is_active=True)
        .order_by("id")
        .first()
    )
    if closer is None or ReviewCycle.objects.filter(area_id=county).exists():
        return 0
    directors, supervisors = _staff(Role.DIRECTOR), _staff(Role.SUPERVISOR)
    year, quarter = cycles.current_quarter(timezone.localdate())
    earlier = closed_quarters(year, quarter)
    # Run today (the record says so), named after the two quarters before this one.
    for past_year, past_quarter in earlier:
        cycle = cycles.cycle_open(actor=closer, year=past_year, quarter=past_quarter)
        _run(cycle, directors, supervisors, closer)
    cycles.cycle_open(actor=closer, year=year, quarter=quarter)
    return len(earlier)
