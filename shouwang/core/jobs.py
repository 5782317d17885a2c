"""Background jobs whose worker may die: who works on a job, its heartbeat, and when
a job counts as abandoned.

A job row (a roster import, a bulletin) records the worker that claimed it (host,
process id, that process's start time, the machine it runs on, a token of the run)
and a heartbeat that a thread of the worker refreshes through a connection of its
own. A job is stale when its worker is known dead (a process of this machine that no
longer exists) or, when its worker runs elsewhere, when its heartbeat is older than
settings.JOB_HEARTBEAT_STALE_SECONDS. Stale jobs are marked failed by a conditional
update, so that a worker that is alive after all cannot finish them any more: every
write of a worker names its run token (see still_ours).
"""

import logging
import os
import socket
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, models
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class WorkedJob(models.Model):
    """The fields of a job a background worker claims: who works on it and when it
    last showed that it is alive."""

    worker = models.CharField(
        "处理的后台进程",
        max_length=255,
        blank=True,
        help_text="主机名、进程号等；为空表示还没有后台进程接手。",
    )
    heartbeat_at = models.DateTimeField("后台进程最近心跳", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def worker_label(self) -> str:
        """The worker as people read it: "host 进程 pid"."""
        identity = WorkerIdentity.parse(self.worker)
        return f"{identity.host} 进程 {identity.pid}" if identity else ""


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _node() -> str:
    """This machine and process namespace ("" when unknown): two processes see each
    other's process ids exactly when their nodes are equal."""
    boot = _read("/proc/sys/kernel/random/boot_id")
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""
    return f"{boot}:{namespace}" if boot else ""


def _process_state(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) of a process; None when there
    is no such process."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # after "pid (command) "
    return fields[0], fields[19]


@dataclass(frozen=True)
class WorkerIdentity:
    host: str
    pid: int
    node: str
    started: str
    run: str

    @classmethod
    def current(cls) -> "WorkerIdentity":
        """This process, with a new run token."""
        state = _process_state(os.getpid())
        return cls(
            host=socket.gethostname()[:100],
            pid=os.getpid(),
            node=_node(),
            started=state[1] if state else "",
            run=uuid.uuid4().hex[:16],
        )

    @property
    def key(self) -> str:
        return "|".join((self.host, str(self.pid), self.node, self.started, self.run))

    @classmethod
    def parse(cls, key: str) -> "WorkerIdentity | None":
        parts = (key or "").split("|")
        if len(parts) != 5 or not parts[1].isdigit():
            return None
        host, pid, node, started, run = parts
        return cls(host=host, pid=int(pid), node=node, started=started, run=run)


def worker_alive(key: str) -> bool | None:
    """True or False when the worker runs on this machine (its process exists, or
    does not: gone, a zombie, or its id reused by a later process); None when that
    cannot be known here (another machine, or no /proc)."""
    identity = WorkerIdentity.parse(key)
    if identity is None or not identity.node or identity.node != _node():
        return None
    state = _process_state(identity.pid)
    if state is None or state[0] in ("Z", "X"):
        return False
    return not identity.started or state[1] == identity.started


def is_stale(
    *, worker: str, heartbeat_at: datetime | None, since: datetime, now: datetime
) -> bool:
    """Whether a claimed job is abandoned: its worker is known dead, or (unknown
    here) its last sign of life (heartbeat, else `since`) is older than
    JOB_HEARTBEAT_STALE_SECONDS. A worker known alive is never stale: on SQLite its
    heartbeat waits while the job's own write transaction locks the database."""
    alive = worker_alive(worker)
    if alive is not None:
        return not alive
    limit = timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS)
    return now - (heartbeat_at or since) > limit


def fail_stale(claimed: models.QuerySet, **failed) -> list[int]:
    """Apply `failed` (the model's failed state) to the stale jobs of `claimed` (the
    jobs that workers are working on); returns their ids. Each update names the
    worker and heartbeat it judged, so a job claimed again, finished or beating
    meanwhile is left alone; a database locked by a writer (SQLite) leaves the
    jobs for the next look."""
    now = timezone.now()
    marked = []
    rows = claimed.values_list("pk", "worker", "heartbeat_at", "updated_at")
    try:
        for pk, worker, heartbeat_at, updated_at in list(rows):
            if not is_stale(
                worker=worker, heartbeat_at=heartbeat_at, since=updated_at, now=now
            ):
                continue
            if claimed.filter(pk=pk, worker=worker, heartbeat_at=heartbeat_at).update(
                **failed, updated_at=now
            ):
                logger.warning(
                    "%s #%s: worker %s stopped; marked failed",
                    claimed.model._meta.label,
                    pk,
                    worker,
                )
                marked.append(pk)
    except OperationalError as error:
        locked = connection.vendor == "sqlite" and "locked" in str(error)
        if not locked or connection.in_atomic_block:
            raise
        logger.info("stale jobs of %s: database busy", claimed.model._meta.label)
    return marked


def still_ours(job: WorkedJob, active: models.QuerySet) -> bool:
    """Lock the job's row (inside the caller's transaction) and tell whether this run
    still owns it: still active and still claimed by the same run."""
    return active.select_for_update().filter(pk=job.pk, worker=job.worker).exists()


class JobTakenOver(Exception):
    """The job was marked failed (its heartbeat had stopped) or claimed by another
    run while this run worked on it: this run must write nothing."""


class Heartbeat:
    """While the job runs, a thread refreshes its heartbeat every
    JOB_HEARTBEAT_SECONDS through the thread's own connection. Started inside a
    transaction (the inline tasks of tests) it does nothing: the claim is not
    visible to other connections then."""

    def __init__(self, model: type[WorkedJob], pk: int, worker: str) -> None:
        self.jobs = model._base_manager.filter(pk=pk, worker=worker)
        self.stop = threading.Event()
        self.paused = threading.Event()
        self.thread = None

    def __enter__(self) -> "Heartbeat":
        if not connection.in_atomic_block:
            self.thread = threading.Thread(
                target=self._beat, name="job-heartbeat", daemon=True
            )
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()

    @contextmanager
    def writing(self):
        """Around the job's write transaction: on SQLite that transaction locks the
        whole database, so the heartbeat waits for it (the worker's process being
        alive is what counts there); on PostgreSQL it goes on beating."""
        if connection.vendor == "sqlite":
            self.paused.set()
        try:
            yield
        finally:
            self.paused.clear()

    def _beat(self) -> None:
        from django.db import connection as own  # this thread's own connection

        try:
            while not self.stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                if self.paused.is_set():
                    continue
                try:
                    self.jobs.update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("job heartbeat failed", exc_info=True)
        finally:
            own.close()


# The sweep: each app with jobs registers how to fail its stale ones (AppConfig.ready),
# by dotted path, so that loading the apps does not import their services.
_SWEEPS: dict[str, str] = {}


def register_sweep(label: str, path: str) -> None:
    """Register a function (dotted path) that marks an app's stale jobs failed and
    returns how many it marked; label names those jobs for people ("花名册导入")."""
    _SWEEPS[label] = path


def sweep_all() -> dict[str, int]:
    """Mark every app's stale jobs failed; returns how many, by label."""
    return {label: import_string(path)() for label, path in _SWEEPS.items()}
