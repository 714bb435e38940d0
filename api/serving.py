"""Serve the REST API from a background thread on a free loopback port.

For the tests and benchmarks that talk to the API over real HTTP from the same process
(the CLI's `sales-agent api` runs uvicorn in the foreground instead).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from api.app import create_app
from settings import get_settings


@contextmanager
def serving_api(start_timeout: float = 15) -> Iterator[str]:
    """The base URL of a running API (``http://127.0.0.1:<port>``); stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(), host="127.0.0.1", port=port, log_level="warning",
            timeout_graceful_shutdown=get_settings().api_graceful_shutdown_s,
        )
    )
    thread = threading.Thread(target=server.run, name="api-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the API did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
