"""`sales-agent api` stops within a bound on SIGTERM, even with a request still open."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from settings import PROJECT_ROOT
from tests.support.servers import API_KEY_HEADER

GRACE_S = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_sigterm_exits_within_the_grace_period_despite_an_open_upload(servers):
    # Given `sales-agent api` with a short grace period
    port = free_port()
    env = {**os.environ, **servers.env, "SALES_AGENT_API_GRACEFUL_SHUTDOWN_S": str(GRACE_S)}
    api = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "api", "--port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the API did not start"
            time.sleep(0.1)
        # And an upload whose body never finishes arriving (a request the server is inside)
        stalled = socket.create_connection(("127.0.0.1", port))
        stalled.sendall(
            b"POST /api/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: "
            + API_KEY_HEADER["X-API-Key"].encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            + b'{"leads": ['
        )
        time.sleep(0.5)

        # When it is told to stop
        started = time.monotonic()
        api.send_signal(signal.SIGTERM)

        # Then it exits after the grace period, not when the client chooses to finish
        api.wait(GRACE_S + 10)
        assert time.monotonic() - started < GRACE_S + 10
        stalled.close()
    finally:
        if api.poll() is None:
            api.kill()
            api.wait(10)
