"""Flower, started the way users start it, shows the workers, agent tasks and queues."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from settings import PROJECT_ROOT

AUTH = ("ops", "flower-test-pass")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def flower_url(servers, worker):
    port = _free_port()
    env = {**os.environ, **servers.env, "SALES_AGENT_FLOWER_BASIC_AUTH": ":".join(AUTH)}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "flower", "--port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
        yield url
    finally:
        process.terminate()
        process.wait(15)


def test_flower_lists_workers_agent_tasks_and_queues(flower_url, worker):
    # Given Flower running beside a live worker
    # When its API is read without credentials, then it refuses
    assert httpx.get(f"{flower_url}/api/workers", timeout=5).status_code == 401

    # When read with the configured credentials
    workers: dict[str, Any] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not workers:
        workers = httpx.get(
            f"{flower_url}/api/workers", params={"refresh": "true"}, auth=AUTH, timeout=10
        ).json()
        time.sleep(0.5)

    # Then it shows our worker, the five agent tasks and every queue it consumes
    name = next(n for n in workers if n.startswith(worker.name))
    info = workers[name]
    registered = set(info["registered"])
    assert {"qualification.run", "enrichment.run", "growth.run", "marketing.run", "bdr.run",
            "pipeline.dispatch_batch"} <= registered
    queues = {q["name"] for q in info["active_queues"]}
    assert {"qualification", "enrichment", "growth", "marketing", "bdr", "pipeline"} <= queues
