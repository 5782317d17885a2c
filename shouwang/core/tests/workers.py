"""Worker identities for tests: this process, a process that has ended, a process of
another machine."""

import subprocess
import sys
from dataclasses import replace

from shouwang.core.jobs import WorkerIdentity


def ended_worker() -> str:
    """The key of a worker on this machine whose process has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return replace(WorkerIdentity.current(), pid=process.pid, started="").key


def elsewhere_worker() -> str:
    """The key of a worker on another machine: only its heartbeat tells."""
    return replace(WorkerIdentity.current(), host="worker-2", node="other:1").key
