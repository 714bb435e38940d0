"""Migrations run once, from `sales-agent migrate`; the other commands wait for them.

Processes are started the way a Procfile or compose starts them: all at once, each a
`sales-agent` subprocess against configured servers.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.schema import head_revision
from db.scratch import scratch_database
from settings import PROJECT_ROOT
from tests.support.servers import claim_redis_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Started:
    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log_path = logs / f"{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args], cwd=PROJECT_ROOT, env=env,
            stdout=self.log_path.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@pytest.fixture
def fresh_env(servers: Any, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The test servers' environment, pointed at an empty database and a Redis db of its
    own (so the beat and worker started here touch nothing of the session's)."""
    cleanups: list[Any] = []
    with scratch_database(servers.database_url) as url:
        redis_url = claim_redis_db(servers.redis_url, cleanups)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SALES_AGENT_")}
        env.update(servers.env)
        env.update({
            "SALES_AGENT_DATABASE_URL": url,
            "SALES_AGENT_REDIS_URL": redis_url,
            "SALES_AGENT_BROKER_URL": redis_url,
            "SALES_AGENT_DATA_DIR": str(tmp_path / "data"),
        })
        try:
            yield env
        finally:
            for cleanup in reversed(cleanups):
                cleanup()


def _wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _api_answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_processes_started_with_racing_migrations_migrate_once(fresh_env, tmp_path):
    # Given an empty database, and a deployment starting everything at once: three
    # release steps racing (as when several deploys overlap), an API, a worker and beat
    port = _free_port()
    env = {**fresh_env, "SALES_AGENT_SCHEMA_WAIT_S": "90"}
    with ExitStack() as stack:
        started = [
            Started("api", ["api", "--port", str(port)], env, tmp_path),
            Started("worker", ["worker", "--queues", "migrate-once-test", "-c", "1",
                               "--name", "migrate-once"], env, tmp_path),
            Started("beat", ["beat"], env, tmp_path),
            *(Started(f"migrate{i}", ["migrate"], env, tmp_path) for i in range(3)),
        ]
        for process in started:
            stack.callback(process.stop)
        by_name = {p.name: p for p in started}

        # When the release steps finish
        migrations = [p for p in started if p.name.startswith("migrate")]
        for process in migrations:
            process.process.wait(120)

        # Then each succeeded, and exactly one of them ran the migrations
        for process in migrations:
            assert process.process.returncode == 0, process.log()
        ran = [p for p in migrations if "migrated the database from empty to" in p.log()]
        assert len(ran) == 1, [p.log() for p in migrations]
        assert f"to {head_revision()}" in ran[0].log()

        # And the API, the worker and beat start and stay up, none of them migrating
        _wait_until(lambda: _api_answers(f"http://127.0.0.1:{port}"), 90, "the API")
        _wait_until(lambda: " ready." in by_name["worker"].log(), 90, "the worker")
        _wait_until(lambda: "beat: Starting" in by_name["beat"].log(), 90, "beat")
        for name in ("api", "worker", "beat"):
            process = by_name[name]
            assert process.process.poll() is None, process.log()
            assert "migrated the database" not in process.log()
            assert "UniqueViolation" not in process.log()


@pytest.mark.parametrize("command", [
    ["api", "--port", "0"],
    ["worker", "--queues", "migrate-once-test"],
    ["beat"],
    ["flower", "--port", "0"],
])
def test_a_process_on_an_unmigrated_database_refuses_naming_the_release_step(
    fresh_env, tmp_path, command
):
    # Given an empty database and a short schema wait
    env = {**fresh_env, "SALES_AGENT_SCHEMA_WAIT_S": "1",
           "SALES_AGENT_FLOWER_BASIC_AUTH": "ops:a-real-test-password"}
    # When a process starts on it
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", *command], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=60,
    )
    # Then it refuses soon after the wait, saying what to run
    assert result.returncode == 1, result.stdout + result.stderr
    output = " ".join((result.stdout + result.stderr).split())
    assert "sales-agent migrate" in output
    assert "not at the latest migration" in output
    assert time.monotonic() - started < 30
    # And it changed nothing
    from sqlalchemy import create_engine, inspect

    engine = create_engine(env["SALES_AGENT_DATABASE_URL"])
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
