"""The local stack with its real servers: it serves, it stops, and it never leaves orphans.

These tests start their own stacks in temporary folders, whatever URLs are configured:
what they check is the stack itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis
import sqlalchemy as sa

from api.local_stack import (
    STATE_FILE,
    LocalStack,
    LocalStackError,
    port_is_free,
    process_is_running,
    process_started_at,
    read_state,
    resolve_urls,
)
from settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.integration

# A `sales-agent` command in miniature: start a stack, say where it is, then live on.
OWNER_SCRIPT = """
import json, sys, time
from pathlib import Path
from api.local_stack import LocalStack

stack = LocalStack(Path(sys.argv[1]), fast=True)
stack.start()
print(json.dumps({"pids": stack.pids, "ports": stack.ports}), flush=True)
time.sleep(600)
"""


def start_owner(data_dir: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """A separate Python process owning a stack, in its own session like a terminal job."""
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(data_dir)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert owner.stdout is not None
    line = owner.stdout.readline()
    assert line, f"the owner process exited with {owner.wait()} before its stack was up"
    info = json.loads(line)
    info["started_at"] = {name: process_started_at(pid) for name, pid in info["pids"].items()}
    return owner, info


def servers_gone(info: dict[str, Any], within: float = 0.0) -> bool:
    """True once every server of ``info`` has exited and its port accepts nothing."""
    deadline = time.monotonic() + within
    while True:
        running = [
            name
            for name, pid in info["pids"].items()
            if process_is_running(pid, info["started_at"][name])
        ]
        if not running:
            return all(port_is_free(port) for port in info["ports"].values())
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def test_stack_serves_both_servers_and_stops_without_leftovers(tmp_path):
    # Given a local stack started in an empty folder
    stack = LocalStack(tmp_path / "stack", fast=True)
    with stack:
        info = {
            "pids": stack.pids,
            "ports": stack.ports,
            "started_at": {name: process_started_at(pid) for name, pid in stack.pids.items()},
        }
        engine = sa.create_engine(stack.urls.database_url)

        # When the application writes a row and a key
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE greetings (word text)"))
            conn.execute(sa.text("INSERT INTO greetings VALUES ('héllo')"))
        cache = redis.Redis.from_url(stack.urls.redis_url)
        cache.set("lead:1", "qualified")

        # Then it reads them back, from the application database
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT upper(word) FROM greetings")) == "HÉLLO"
            assert conn.scalar(sa.text("SELECT current_database()")) == "sales_agent"
        assert cache.get("lead:1") == b"qualified"
        recorded = read_state(stack.data_dir)
        assert recorded is not None
        assert recorded.servers["postgres"].pid == stack.pids["postgres"]
        cache.close()
        engine.dispose()

    # And after the stack stops, its processes, ports and state file are gone
    assert servers_gone(info)
    assert not (stack.data_dir / STATE_FILE).exists()


def test_data_survives_a_restart_and_the_warm_start_skips_initdb(tmp_path):
    # Given a durable stack (as the CLI runs it) holding a row
    with LocalStack(tmp_path) as first:
        engine = sa.create_engine(first.urls.database_url)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE leads (name text)"))
            conn.execute(sa.text("INSERT INTO leads VALUES ('Acme Solar')"))
        engine.dispose()
    assert first.timings.cold

    # When the stack starts again in the same folder
    with LocalStack(tmp_path) as second:
        engine = sa.create_engine(second.urls.database_url)
        with engine.connect() as conn:
            names = conn.scalars(sa.text("SELECT name FROM leads")).all()
        engine.dispose()

    # Then the row is still there, and no initdb ran
    assert names == ["Acme Solar"]
    assert not second.timings.cold
    assert second.timings.initdb == 0.0


def test_only_the_unconfigured_server_starts(tmp_path):
    # Given Postgres configured elsewhere and no Redis URL
    settings = Settings(
        database_url="postgresql+psycopg://app@db.internal/app", redis_url="", data_dir=tmp_path
    )

    # When the URLs are resolved
    urls, stack = resolve_urls(settings, fast=True)
    try:
        # Then only Valkey runs locally, next to the configured database
        assert stack is not None
        assert set(stack.pids) == {"valkey"}
        assert urls.database_url == settings.database_url
        assert redis.Redis.from_url(urls.redis_url).ping()
        assert not (tmp_path / "pg").exists()
    finally:
        assert stack is not None
        stack.stop()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_owner_interrupted_stops_its_servers_cleanly(tmp_path, sig):
    # Given a command owning a stack, and a second command attached to it
    owner, info = start_owner(tmp_path)
    try:
        attached = LocalStack(tmp_path, fast=True)
        urls, owned = attached.attach_or_start()
        assert not owned
        assert redis.Redis.from_url(urls.redis_url).ping()

        # When the user presses Ctrl-C (the terminal signals the owner's process group)
        # or a supervisor sends SIGTERM
        os.killpg(owner.pid, sig)
        owner.wait(timeout=30)

        # Then the servers stopped before the owner exited: a clean stop, not a death signal
        assert servers_gone(info)
        assert not (tmp_path / STATE_FILE).exists()
        assert "database system is shut down" in (tmp_path / "logs/postgres.log").read_text()
    finally:
        owner.kill()
        owner.wait()


def test_servers_die_with_an_owner_killed_by_sigkill(tmp_path):
    # Given a command owning a stack
    owner, info = start_owner(tmp_path)

    # When it is killed outright, with no chance to clean up
    owner.kill()
    owner.wait()

    # Then the kernel's parent-death signal takes its servers down too
    assert servers_gone(info, within=15)

    # And the next command clears the stale record and starts a fresh stack there
    stack = LocalStack(tmp_path, fast=True)
    try:
        urls, owned = stack.attach_or_start()
        assert owned
        assert redis.Redis.from_url(urls.redis_url).ping()
        engine = sa.create_engine(urls.database_url)
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT 1")) == 1
        engine.dispose()
    finally:
        stack.stop()


def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path):
    # Given a Postgres still running on the data folder while its stack.json is lost
    with LocalStack(tmp_path, fast=True) as running:
        (tmp_path / STATE_FILE).unlink()
        second = LocalStack(tmp_path, fast=True)
        # (the session's own servers and workers may be children of this process too)
        before = _live_children()

        # When another stack tries to start there
        with pytest.raises(LocalStackError, match="postgres exited") as failure:
            second.start()

        # Then the error quotes Postgres's own reason, and the half-started stack left nothing
        assert "postmaster.pid" in str(failure.value)
        assert _live_children() == before
        assert set(running.pids.values()) <= before


def _live_children() -> set[int]:
    return {c.pid for c in psutil.Process().children() if c.status() != psutil.STATUS_ZOMBIE}
