"""Imports whose worker died: marked failed when the page, the progress poll or the
sweep looks at them, retried from the page on the same stored file, and a worker
that lost its job (marked failed, or queued again) writes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.core.tests.workers import elsewhere_worker, ended_worker
from shouwang.registry.models import Child
from shouwang.roster import services
from shouwang.roster.models import ImportJob, ImportStage, ImportStatus

from .test_services import place, run_on_commit, two_children, upload, upload_dir

pytestmark = pytest.mark.django_db
__all__ = ["place", "run_on_commit", "upload_dir"]  # fixtures shared with services

COMMIT_INTERRUPTED = (
    "处理该文件的后台进程意外中断，未导入任何数据。您可以点击“重新导入”再试一次。"
)
CHECK_INTERRUPTED = "处理该文件的后台进程意外中断，检查没有完成，未导入任何数据。您可以点击“重新检查”再试一次。"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queued(place) -> ImportJob:
    """An upload whose check was queued and not run (its transaction never ends)."""
    return services.import_upload(
        actor=place.director,
        upload=SimpleUploadedFile("花名册.xlsx", two_children(place.village)),
    )


def _left_by(job: ImportJob, worker: str, *, beat_ago=timedelta(0), **state) -> None:
    """The job as a worker leaves it when its process dies in the middle."""
    ImportJob.objects.filter(pk=job.pk).update(
        worker=worker, heartbeat_at=timezone.now() - beat_ago, **state
    )


def _writing(place, run_on_commit, worker: str) -> ImportJob:
    job = upload(run_on_commit, place.director, two_children(place.village))
    assert job.status == ImportStatus.CHECKED
    _left_by(
        job,
        worker,
        status=ImportStatus.COMMITTING,
        stage=ImportStage.WRITING,
        committed_by=place.director,
    )
    return job


def test_a_dead_workers_import_is_failed_on_its_page_and_imported_on_retry(
    place, run_on_commit
):
    job = _writing(place, run_on_commit, ended_worker())
    client = _client(place.director)

    page = client.get(f"/roster/imports/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert (job.status, job.stage) == (ImportStatus.FAILED, ImportStage.DONE)
    assert job.message == COMMIT_INTERRUPTED
    assert COMMIT_INTERRUPTED in page and "处理出错" in page
    assert 'data-testid="import-retry">重新导入</button>' in page
    assert not Child.objects.exists()

    with run_on_commit():
        response = client.post(f"/roster/imports/{job.pk}/retry/", follow=True)
    assert "已重新排队导入该文件。" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.message) == (
        ImportStatus.COMMITTED,
        "已导入：新增 2 名，更新 0 名。",
    )
    assert sorted(Child.objects.values_list("name", flat=True)) == ["李娜", "王强"]
    assert AuditEvent.objects.filter(action=AuditAction.ROSTER_IMPORT).count() == 1


def test_the_progress_poll_fails_a_check_whose_heartbeat_stopped_elsewhere(
    place, run_on_commit, settings
):
    settings.JOB_HEARTBEAT_STALE_SECONDS = 120
    stopped, beating = _queued(place), _queued(place)
    checking = {"status": ImportStatus.CHECKING, "stage": ImportStage.READING}
    _left_by(stopped, elsewhere_worker(), beat_ago=timedelta(minutes=3), **checking)
    _left_by(beating, elsewhere_worker(), beat_ago=timedelta(seconds=30), **checking)
    client = _client(place.director)

    polled = client.get(f"/roster/imports/{stopped.pk}/progress/", HTTP_HX_REQUEST="1")
    assert polled["HX-Refresh"] == "true"
    assert "处理完成：处理出错。" in polled.content.decode()
    polled = client.get(f"/roster/imports/{beating.pk}/progress/", HTTP_HX_REQUEST="1")
    assert "HX-Refresh" not in polled
    stopped.refresh_from_db(), beating.refresh_from_db()
    assert (stopped.status, stopped.message) == (ImportStatus.FAILED, CHECK_INTERRUPTED)
    assert beating.status == ImportStatus.CHECKING

    page = client.get(f"/roster/imports/{stopped.pk}/").content.decode()
    assert 'data-testid="import-retry">重新检查</button>' in page
    with run_on_commit():
        client.post(f"/roster/imports/{stopped.pk}/retry/")
    stopped.refresh_from_db()
    assert (stopped.status, stopped.counts["new"]) == (ImportStatus.CHECKED, 2)
    assert stopped.worker != "" and stopped.message == ""
    # Audited as the upload that queued the first check was.
    uploads = AuditEvent.objects.filter(
        action=AuditAction.ROSTER_UPLOAD, object_id=str(stopped.pk)
    )
    assert [event.details.get("retry", False) for event in uploads.order_by("pk")] == [
        False,
        True,
    ]


def test_queued_and_finished_jobs_are_left_alone(place, run_on_commit):
    queued = _queued(place)
    ImportJob.objects.filter(pk=queued.pk).update(
        updated_at=timezone.now() - timedelta(days=1)
    )
    checked = upload(run_on_commit, place.director, two_children(place.village))
    _left_by(checked, ended_worker())
    assert services.import_jobs_fail_stale() == 0
    assert ImportJob.objects.get(pk=queued.pk).status == ImportStatus.UPLOADED
    assert ImportJob.objects.get(pk=checked.pk).status == ImportStatus.CHECKED


def test_the_sweep_command_fails_every_abandoned_job(place, run_on_commit):
    writing = _writing(place, run_on_commit, ended_worker())
    printed = StringIO()
    call_command("jobs_sweep", stdout=printed)
    assert printed.getvalue() == (
        "已检查后台任务，标为处理出错的：花名册导入 1 项；工作情况通报 0 项。\n"
    )
    writing.refresh_from_db()
    assert (writing.status, writing.message) == (
        ImportStatus.FAILED,
        COMMIT_INTERRUPTED,
    )


def test_only_the_uploader_retries_and_only_a_failed_job(place, run_on_commit):
    job = _writing(place, run_on_commit, ended_worker())
    services.import_jobs_fail_stale()

    # The county officer sees the job but did not upload it: no button, a refusal.
    page = _client(place.civil).get(f"/roster/imports/{job.pk}/").content.decode()
    assert "import-retry" not in page
    response = _client(place.civil).post(
        f"/roster/imports/{job.pk}/retry/", follow=True
    )
    assert "只有上传该文件的人可以重试：如需导入，请您自己上传该文件。" in (
        response.content.decode()
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED

    checked = upload(run_on_commit, place.director, two_children(place.village))
    response = _client(place.director).post(
        f"/roster/imports/{checked.pk}/retry/", follow=True
    )
    assert (
        "该文件当前的状态是“已检查，待导入”，不需要重试。" in response.content.decode()
    )
    assert (
        _client(place.foreign_director)
        .post(f"/roster/imports/{job.pk}/retry/")
        .status_code
        == 404
    )
    assert (
        _client(place.leader).post(f"/roster/imports/{job.pk}/retry/").status_code
        == 403
    )
    assert not Child.objects.exists()


@pytest.mark.parametrize("when", ["checking", "writing"])
def test_a_worker_that_lost_its_job_writes_nothing(
    place, run_on_commit, monkeypatch, when
):
    """The sweep judged the worker gone (its heartbeat had stopped) while it went on
    checking or writing: nothing reaches the ledger, the job keeps the sweep's word.
    (Here the sweep's update shares the test's one transaction, so inside the
    commit's transaction it is rolled back with the children; in production it is
    another connection's, and stays.)"""
    job = upload(run_on_commit, place.director, two_children(place.village))
    services.import_commit_request(actor=place.director, job=job, partial=False)
    step = services.roster_check if when == "checking" else services.roster_commit

    def and_swept(*args, **kwargs):
        result = step(*args, **kwargs)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            stage=ImportStage.DONE,
            message=COMMIT_INTERRUPTED,
        )
        return result

    monkeypatch.setattr(services, step.__name__, and_swept)
    assert services.import_commit(job_id=job.pk) is None
    assert not Child.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ROSTER_IMPORT).exists()
    job.refresh_from_db()
    if when == "checking":
        assert (job.status, job.message) == (ImportStatus.FAILED, COMMIT_INTERRUPTED)
