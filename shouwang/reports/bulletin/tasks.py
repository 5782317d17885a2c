"""Background work of the bulletin, run by `manage.py db_worker` (inline in tests)."""

from django_tasks import task

from ..services.bulletins import bulletin_generate


@task()
def generate_bulletin(bulletin_id: int) -> str:
    """Generate a queued bulletin; returns its status."""
    bulletin = bulletin_generate(bulletin_id=bulletin_id)
    return bulletin.status if bulletin else ""
