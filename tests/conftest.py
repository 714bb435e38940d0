"""Shared fixtures: servers (configured or a local stack), a migrated database, a real worker.

With SALES_AGENT_DATABASE_URL and SALES_AGENT_REDIS_URL set, integration tests use those
servers (in a database and Redis db of their own); without them, the session starts a local
stack from the pip-installed servers, exactly as `sales-agent` does for users.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.provider_servers import ProviderServers, provider_servers
from tests.support.servers import TestServers, start_test_servers
from tests.support.worker import WorkerProcess, start_worker_process


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestServers]:
    started = start_test_servers(tmp_path_factory.mktemp("stack"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def worker(servers: TestServers) -> Iterator[WorkerProcess]:
    """One real Celery worker subprocess consuming every queue, for the whole session."""
    process = start_worker_process(servers.env, name=f"session-{uuid.uuid4().hex[:6]}")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def providers() -> Iterator[ProviderServers]:
    """Local Hunter, Apollo and Close servers (real HTTP, their wire formats), per module."""
    with provider_servers() as started:
        yield started


@pytest.fixture
def examples_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "examples"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Integration and e2e tests are marked by folder, so a file cannot forget its marker.
    for item in items:
        path = str(item.path)
        if f"{os.sep}integration{os.sep}" in path:
            item.add_marker(pytest.mark.integration)
        elif f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.e2e)
