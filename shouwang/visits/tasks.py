"""Background work of the visits app, run by `manage.py db_worker` (inline in tests)."""

from datetime import date

from django_tasks import task

from .services.schedule import county_schedule_recompute


@task()
def recompute_county_schedule(county_code: str, as_of: str = "") -> int:
    """Reschedule a county's active children after its visit policy changed (as_of:
    ISO date, default today); returns how many children's classification changed."""
    return county_schedule_recompute(
        county_code=county_code,
        as_of=date.fromisoformat(as_of) if as_of else None,
    )
