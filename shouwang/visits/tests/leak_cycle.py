"""Leak-walker samples: the quarterly review cycle."""

from django.utils import timezone

from shouwang.visits.services import cycle as services


def _previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def seed(world):
    """In each county: last quarter's cycle, closed (a snapshot), and this quarter's,
    open, whose village has its child confirmed and the village submitted; the foreign
    village is returned with a comment that is a leak marker."""
    year, quarter = services.current_quarter(timezone.localdate())
    for side_name in ("home", "foreign"):
        side = getattr(world, side_name)
        civil = side.users["civil_affairs"]
        director = side.users["director"]
        last_year, last_quarter = _previous_quarter(year, quarter)
        previous = services.cycle_open(
            actor=civil, year=last_year, quarter=last_quarter
        )
        services.cycle_close(actor=civil, cycle_id=previous.pk, force=True)
        cycle = services.cycle_open(actor=civil, year=year, quarter=quarter)
        review = cycle.villages.get(village=side.village)
        services.child_confirm(
            actor=director,
            village_review_id=review.pk,
            child_id=world.records[f"{side_name}_child"].pk,
            outcome="unchanged",
        )
        review = services.village_submit(
            actor=director, village_review_id=review.pk, expected_version=1
        )
        if side_name == "foreign":
            services.village_return(
                actor=side.users["supervisor"],
                village_review_id=review.pk,
                expected_version=review.version,
                comment="foreign摸排退回意见标记",
            )
        world.records[f"{side_name}_cycle"] = cycle
        world.records[f"{side_name}_closed_cycle"] = previous
        world.records[f"{side_name}_village_review"] = review
    world.mark("foreign摸排退回意见标记")


def _cycle(world):
    return {"pk": world.records["foreign_cycle"].pk}


def _review(world):
    return {"pk": world.records["foreign_village_review"].pk}


def _api_cycle(world):
    return {"cycle_id": world.records["foreign_cycle"].pk}


def _api_review(world):
    return {"review_id": world.records["foreign_village_review"].pk}


FOREIGN_KWARGS = {
    "visits:cycle-detail": _cycle,
    "visits:cycle-close": _cycle,
    "visits:village-review": _review,
    "visits:village-review-confirm": lambda w: {
        **_review(w),
        "child_id": w.records["foreign_child"].pk,
    },
    "visits:village-review-confirm-all": _review,
    "visits:village-review-submit": _review,
    "visits:village-review-approve": _review,
    "visits:village-review-return": _review,
    "api:cycle-progress": _api_cycle,
    "api:cycle-close": _api_cycle,
    "api:cycle-village-review": _api_review,
    "api:cycle-child-confirm": lambda w: {
        **_api_review(w),
        "child_id": w.records["foreign_child"].pk,
    },
    "api:cycle-children-confirm-unchanged": _api_review,
    "api:cycle-village-submit": _api_review,
    "api:cycle-village-approve": _api_review,
    "api:cycle-village-return": _api_review,
}
