"""Waiting on a batch over the REST API, for e2e tests."""

from __future__ import annotations

import time
from typing import Any

import httpx


def wait_finished(client: httpx.Client, batch_id: str, timeout: float = 120) -> dict[str, Any]:
    """The batch's status once it is finished; AssertionError with the last one if it is not
    within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    report: dict[str, Any] = {}
    while time.monotonic() < deadline:
        report = client.get(f"/api/batches/{batch_id}").json()
        if report["status"] == "finished":
            return report
        time.sleep(0.3)
    raise AssertionError(f"batch not finished: {report}")
