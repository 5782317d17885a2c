"""core.jobs: whether a worker is alive, when a job is stale, the heartbeat thread."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.core import jobs
from shouwang.core.jobs import WorkerIdentity, is_stale, worker_alive

from .workers import elsewhere_worker, ended_worker

NOW = timezone.now()


def test_this_process_is_alive_and_its_key_reads_back():
    me = WorkerIdentity.current()
    assert WorkerIdentity.parse(me.key) == me
    assert (me.pid, me.node != "", me.started != "") == (os.getpid(), True, True)
    assert worker_alive(me.key) is True
    assert me.run != WorkerIdentity.current().run  # every claim has its own run


def test_an_ended_a_killed_and_a_reused_process_are_dead():
    assert worker_alive(ended_worker()) is False
    # Killed but not yet reaped by its parent: a zombie is dead all the same.
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = WorkerIdentity.current()
    alive = replace(started, pid=process.pid, started="")
    assert worker_alive(alive.key) is True
    os.kill(process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while worker_alive(alive.key) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker_alive(alive.key) is False
    process.wait()
    # The same process id, started at another time: a later process reused it.
    assert worker_alive(replace(started, started="1").key) is False


def test_a_worker_of_another_machine_or_an_unreadable_key_is_unknown():
    assert worker_alive(elsewhere_worker()) is None
    assert worker_alive("") is None
    assert worker_alive("no key") is None


@pytest.mark.parametrize(
    ("worker", "beat_seconds_ago", "stale"),
    [
        ("ended", 1, True),  # dead: at once, whatever the heartbeat says
        ("me", 10_000, False),  # alive here (on SQLite the write lock stops beats)
        ("elsewhere", 119, False),
        ("elsewhere", 121, True),
    ],
)
def test_staleness_by_liveness_here_and_by_heartbeat_elsewhere(
    settings, worker, beat_seconds_ago, stale
):
    settings.JOB_HEARTBEAT_STALE_SECONDS = 120
    key = {
        "ended": ended_worker,
        "me": lambda: WorkerIdentity.current().key,
        "elsewhere": elsewhere_worker,
    }[worker]()
    beat = NOW - timedelta(seconds=beat_seconds_ago)
    assert is_stale(worker=key, heartbeat_at=beat, since=NOW, now=NOW) is stale


def test_without_a_heartbeat_the_last_change_counts(settings):
    settings.JOB_HEARTBEAT_STALE_SECONDS = 120
    old = NOW - timedelta(minutes=5)
    key = elsewhere_worker()
    assert is_stale(worker=key, heartbeat_at=None, since=old, now=NOW)
    assert not is_stale(worker=key, heartbeat_at=None, since=NOW, now=NOW)


def test_the_sweep_runs_every_registered_sweep(monkeypatch):
    monkeypatch.setattr(
        jobs, "_SWEEPS", {"甲": "os.getpid", "乙": "shouwang.core.tests.test_jobs.two"}
    )
    assert jobs.sweep_all() == {"甲": os.getpid(), "乙": 2}


def two() -> int:
    return 2
