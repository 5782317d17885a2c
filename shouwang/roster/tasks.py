"""Background work of roster imports, run by `manage.py db_worker` (inline in tests)."""

from django_tasks import task

from .services import import_check, import_commit


@task()
def check_roster_import(job_id: int) -> str:
    """Check an uploaded roster and keep its preview; returns the job's status."""
    job = import_check(job_id=job_id)
    return job.status if job else ""


@task()
def commit_roster_import(job_id: int) -> str:
    """Check a roster again and write it to the ledger; returns the job's status."""
    job = import_commit(job_id=job_id)
    return job.status if job else ""
