"""Visits for the visits tests, written straight to the table (the service has its own
tests) with the child's schedule refreshed as the service would."""

from datetime import date

from shouwang.registry.models import Child
from shouwang.visits.models import Visit
from shouwang.visits.services.visit import child_schedule_refresh

NORMAL_FINDINGS = {
    "guardianship": "正常",
    "living": "正常",
    "study": "正常",
    "safety": "正常",
    "emotion": "正常",
}


def make_visit(child: Child, *, visit_date: date, recorded_by, **overrides) -> Visit:
    """A home visit with normal findings on visit_date; the child's schedule follows."""
    values = {
        "mode": "入户",
        "visitors": recorded_by.display_name or recorded_by.username,
        "met": child.guardian_name or "儿童本人",
        **NORMAL_FINDINGS,
        **overrides,
    }
    visit = Visit.objects.create(
        child=child,
        village_id=child.village_id,
        visit_date=visit_date,
        recorded_by=recorded_by,
        **values,
    )
    child_schedule_refresh(child=child)
    return visit
