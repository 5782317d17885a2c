"""The import tasks: run inline in tests, and by a database worker as in production."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shouwang.registry.models import Child
from shouwang.roster import services
from shouwang.roster.models import ImportStage, ImportStatus
from shouwang.roster.tasks import check_roster_import, commit_roster_import

from .test_services import place, run_on_commit, two_children, upload, upload_dir

pytestmark = pytest.mark.django_db
__all__ = ["place", "run_on_commit", "upload_dir"]  # fixtures shared with services


def test_the_check_task_returns_the_status_and_runs_once(place, run_on_commit):
    job = upload(run_on_commit, place.director, two_children(place.village))
    assert job.status == ImportStatus.CHECKED

    # A task delivered twice (or a job already checked) changes nothing.
    again = check_roster_import.enqueue(job.pk)
    assert (again.status, again.return_value) == (TaskResultStatus.SUCCESSFUL, "")
    assert commit_roster_import.enqueue(job.pk).return_value == ""
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert not Child.objects.exists()


# As in production the worker runs in autocommit, each task in its own transactions
# (inside a test's transaction it would close the connection, as it does between tasks).
@pytest.mark.django_db(transaction=True)
def test_a_database_worker_runs_the_check_and_the_commit(
    place, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_upload(
            actor=place.director,
            upload=SimpleUploadedFile("a.xlsx", two_children(place.village)),
        )
    job.refresh_from_db()
    # Queued, not run: the page shows "waiting" until a worker takes it.
    assert (job.status, job.stage) == (ImportStatus.UPLOADED, ImportStage.QUEUED)
    queued = DBTaskResult.objects.get(id=job.task_id)
    assert queued.status == "READY"
    assert queued.args_kwargs["args"] == [job.pk]

    call_command("db_worker", batch=True, interval=0, startup_delay=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"

    with django_capture_on_commit_callbacks(execute=True):
        services.import_commit_request(actor=place.director, job=job, partial=False)
    job.refresh_from_db()
    assert (job.status, job.stage) == (ImportStatus.COMMITTING, ImportStage.QUEUED)
    call_command("db_worker", batch=True, interval=0, startup_delay=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    assert Child.objects.count() == 2


def _outside(sql: str, params: list) -> tuple:
    """One row read through a connection of its own (what the page's request sees)."""
    default = connections[DEFAULT_DB_ALIAS]
    other = type(default)({**default.settings_dict}, alias="test-outside")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_the_writing_progress_shows_while_the_commit_is_still_open(
    place, run_on_commit, monkeypatch
):
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        # SQLite: the open write transaction locks the database; no figures.
        assert services.WritingProgress(1, "").side is None
        return
    job = upload(run_on_commit, place.director, two_children(place.village))
    seen = []
    write_progress = services.WritingProgress.__call__

    def and_look(self, done, total):
        write_progress(self, done, total)
        seen.append(
            _outside(
                "SELECT j.stage, j.progress_done, j.progress_total, "
                "(SELECT count(*) FROM registry_child) "
                "FROM roster_importjob j WHERE j.id = %s",
                [job.pk],
            )
        )

    monkeypatch.setattr(services.WritingProgress, "__call__", and_look)
    with run_on_commit():
        services.import_commit_request(actor=place.director, job=job, partial=False)
    # Outside the commit's transaction: the figures, and not yet the children.
    assert seen == [("writing", 2, 2, 0)]
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    assert Child.objects.count() == 2
