"""Flower started the way users start it (`sales-agent flower`), for e2e tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def flower_process(
    server_env: dict[str, str], auth: tuple[str, str]
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """(url, process) of `sales-agent flower` on a free port, up and answering; the
    process is in a session of its own and is terminated on exit."""
    port = free_port()
    env = {**os.environ, **server_env, "SALES_AGENT_FLOWER_BASIC_AUTH": ":".join(auth)}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "flower", "--port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthcheck", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield url, process
    finally:
        process.terminate()
        process.wait(15)
