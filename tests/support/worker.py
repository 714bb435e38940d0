"""A real Celery worker in a subprocess, as users run it (`celery worker`), never eager."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from settings import PROJECT_ROOT
from workers.celery_app import app
from workers.queues import Queue

ALL_QUEUES = ",".join(q.value for q in Queue)


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 20) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), like a lost machine."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def start_worker_process(
    env: dict[str, str],
    *,
    name: str,
    queues: str = ALL_QUEUES,
    concurrency: int = 2,
    extra_env: dict[str, str] | None = None,
    ready_timeout: float = 60,
) -> WorkerProcess:
    log_fd, log_name = tempfile.mkstemp(prefix=f"worker-{name}-", suffix=".log")
    full_env = {**os.environ, **env, **(extra_env or {})}
    nodename = f"{name}@%h"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker",
            "-Q", queues, "-c", str(concurrency), "-n", nodename, "-l", "INFO",
            "--without-gossip", "--without-mingle",
        ],
        cwd=PROJECT_ROOT,
        env=full_env,
        stdout=log_fd,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so kill() takes the pool children too
    )
    os.close(log_fd)
    worker = WorkerProcess(name, process, Path(log_name))
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"worker {name} exited at start:\n{worker.log()[-3000:]}")
        replies = app.control.ping(timeout=0.5) or []
        if any(name in next(iter(reply)) for reply in replies):
            return worker
    worker.kill()
    raise RuntimeError(f"worker {name} not ready in {ready_timeout}s:\n{worker.log()[-3000:]}")
