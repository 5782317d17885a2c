"""A real `manage.py db_worker` killed (SIGKILL) in the middle of an import: the page
marks the job failed with nothing imported, the uploader retries it on the same
stored file, a new worker imports it, and the ledger holds every row exactly once.

The worker is another process, so this test runs on a database of its own that both
share (a file on SQLite, a database made for it on PostgreSQL), migrated by
`manage.py migrate` in a subprocess; for its duration this process's default
connection points there too."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client

from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_place, years_ago
from shouwang.roster import services
from shouwang.roster.models import ImportJob, ImportStatus

from . import files

ROWS = 4000
DEADLINE_SECONDS = 120  # generous: a loaded machine; the test usually takes ~20 s
INTERRUPTED = (
    "处理该文件的后台进程意外中断，未导入任何数据。您可以点击“重新导入”再试一次。"
)


def _worker_url(default) -> tuple[dict, str]:
    """The connection parameters and DATABASE_URL of the shared database."""
    params = {**default.settings_dict}
    if default.vendor == "sqlite":
        params["NAME"] = str(Path(django_settings.VAR_DIR) / "worker-kill.sqlite3")
        return params, f"sqlite:///{params['NAME']}"
    url = os.environ["DATABASE_URL"]
    name = f"{dj_database_url.parse(url)['NAME']}_jobkill"
    params["NAME"] = name
    return params, url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def shared_database(django_db_blocker, settings, tmp_path):
    """A migrated database the test and its workers share; the environment a worker
    runs with."""
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.ROSTER_UPLOAD_DIR = tmp_path / "uploads"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_db_blocker.unblock():
        original = connections["default"]
        params, url = _worker_url(original)
        if original.vendor == "postgresql":
            with original.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{params["NAME"]}"')
                cursor.execute(f'CREATE DATABASE "{params["NAME"]}"')
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SHOUWANG_VAR_DIR": str(settings.VAR_DIR),
            "ROSTER_UPLOAD_DIR": str(settings.ROSTER_UPLOAD_DIR),
            "JOB_HEARTBEAT_SECONDS": "0.5",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "DEBUG": "0",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=django_settings.BASE_DIR,
            env=env,
            check=True,
            timeout=DEADLINE_SECONDS,
        )
        connections["default"] = type(original)(params, alias="default")
        try:
            yield env
        finally:
            connections["default"].close()
            connections["default"] = original
            if original.vendor == "postgresql":
                with original.cursor() as cursor:
                    cursor.execute(
                        f'DROP DATABASE IF EXISTS "{params["NAME"]}" WITH (FORCE)'
                    )


class Worker:
    """`manage.py db_worker` as production runs it, its output in a log file."""

    def __init__(self, env: dict, log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--interval",
                    "0.1",
                    "--no-startup-delay",
                    "--no-reload",
                ],
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _wait_for(what: str, look, log: Path):
    """Poll look() until it answers something true; fail after the deadline."""
    started = time.monotonic()
    while time.monotonic() < started + DEADLINE_SECONDS:
        if found := look():
            print(f"{what}: {time.monotonic() - started:.1f} s")
            return found
        time.sleep(0.05)
    jobs = list(ImportJob.objects.values("status", "stage", "message", "worker"))
    pytest.fail(
        f"waited {DEADLINE_SECONDS} s for {what}; jobs: {jobs}; worker log:\n"
        + log.read_text()
    )


def _roster(village) -> bytes:
    born = years_ago(9, days=40)
    return files.xlsx(
        files.roster_row(
            village, 出生日期=born - timedelta(days=i % 1499), 性别="男女"[i % 2]
        )
        for i in range(ROWS)
    )


def test_a_killed_workers_import_is_retried_from_the_page_and_written_once(
    shared_database, tmp_path
):
    log = tmp_path / "worker.log"
    place = make_place()
    client = Client()
    client.force_login(place.director)
    job = services.import_upload(
        actor=place.director,
        upload=SimpleUploadedFile("大花名册.xlsx", _roster(place.village)),
    )
    detail = f"/roster/imports/{job.pk}/"
    progress = f"/roster/imports/{job.pk}/progress/"

    worker = Worker(shared_database, log)
    try:
        _wait_for(
            "the check",
            lambda: "已检查，待导入" in client.get(detail).content.decode(),
            log,
        )
        job.refresh_from_db()
        assert job.counts["new"] == ROWS
        response = client.post(f"/roster/imports/{job.pk}/commit/")
        assert response.status_code == 302
        # PostgreSQL shows the write's figures: kill between two batches. On SQLite
        # the write shows none and takes a fraction of a second for this file, too
        # short to aim at: kill while the commit checks the file again.
        mid_job = (
            "正在写入儿童信息库：第 2000 / "
            if connections["default"].vendor == "postgresql"
            else "导入前重新核对"
        )
        _wait_for(
            "the job in progress",
            lambda: mid_job in client.get(progress).content.decode(),
            log,
        )
        os.kill(worker.process.pid, signal.SIGKILL)
        # The page looks before the worker is reaped: a zombie is dead all the same.
        page = _wait_for(
            "the page to see the worker gone",
            lambda: (
                (text := client.get(detail).content.decode()) * ("处理出错" in text)
            ),
            log,
        )
        worker.process.wait(timeout=30)
    finally:
        worker.stop()
    assert INTERRUPTED in page and "处理出错" in page
    assert 'data-testid="import-retry">重新导入</button>' in page
    assert Child.objects.count() == 0

    response = client.post(f"/roster/imports/{job.pk}/retry/")
    assert response.status_code == 302
    worker = Worker(shared_database, log)
    try:
        _wait_for(
            "the retried import",
            lambda: "处理完成" in client.get(progress).content.decode(),
            log,
        )
    finally:
        worker.stop()
    job.refresh_from_db()
    assert (job.status, job.message) == (
        ImportStatus.COMMITTED,
        f"已导入：新增 {ROWS} 名，更新 0 名。",
    )
    assert Child.objects.count() == ROWS
    assert Child.objects.values("id_number").distinct().count() == ROWS
    assert AuditEvent.objects.filter(action=AuditAction.ROSTER_IMPORT).count() == 1
