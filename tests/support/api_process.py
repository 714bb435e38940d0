"""The API as a uvicorn subprocess, for tests that watch the server process itself
(its memory, its disk writes), which an in-thread server would mix with the test's own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from settings import PROJECT_ROOT


@dataclass(frozen=True)
class ApiProcess:
    url: str
    pid: int

    def status_kb(self, field: str) -> int:
        """A ``/proc/<pid>/status`` figure in kB (``VmRSS``, ``VmHWM``: peak RSS)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise KeyError(field)

    def written_bytes(self) -> int:
        """Bytes the process has written to files and sockets (``wchar`` of /proc/<pid>/io)."""
        for line in Path(f"/proc/{self.pid}/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
        raise KeyError("wchar")


@contextmanager
def api_process(env: dict[str, str], start_timeout: float = 30) -> Iterator[ApiProcess]:
    """``uvicorn api.app:create_app`` on a free loopback port with ``env`` on top of ours."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=PROJECT_ROOT, env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the API exited with {process.returncode}")
            try:
                if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start on port {port}")
            time.sleep(0.1)
        yield ApiProcess(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
