"""The local stack's bookkeeping, without servers: ports, stack.json, attaching, URL choice."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from api.local_stack import (
    STATE_FILE,
    LocalStack,
    LocalStackError,
    ServerName,
    ServerRecord,
    StackState,
    StackUrls,
    export_env,
    find_free_port,
    live_state,
    port_is_free,
    postgres_url,
    process_is_running,
    process_started_at,
    read_state,
    redis_url,
    resolve_urls,
    stop_running_stack,
    write_state,
)
from settings import Settings

URLS = StackUrls(database_url=postgres_url(5999), redis_url=redis_url(6999))


def this_process() -> ServerRecord:
    """A record that is certainly alive: the test process itself (never signalled)."""
    return ServerRecord(pid=os.getpid(), port=1, started_at=process_started_at(os.getpid()))


def finished_process() -> ServerRecord:
    process = subprocess.Popen([sys.executable, "-c", ""])
    started_at = process_started_at(process.pid)
    process.wait()
    return ServerRecord(pid=process.pid, port=2, started_at=started_at)


def state(
    owner: ServerRecord,
    servers: dict[ServerName, ServerRecord],
    *,
    urls: StackUrls = URLS,
    stopping: bool = False,
) -> StackState:
    return StackState(
        owner_pid=owner.pid,
        owner_started_at=owner.started_at,
        urls=urls,
        servers=servers,
        stopping=stopping,
    )


def live_stack_state(
    postgres: ServerRecord | None = None, valkey: ServerRecord | None = None
) -> StackState:
    """A stack whose owner and servers all look alive (they are this test process).

    Without arguments it runs both servers; otherwise only those given.
    """
    if postgres is None and valkey is None:
        postgres = valkey = this_process()
    servers: dict[ServerName, ServerRecord] = {}
    if postgres is not None:
        servers["postgres"] = postgres
    if valkey is not None:
        servers["valkey"] = valkey
    return state(this_process(), servers)


# --------------------------------------------------------------------------- ports


def test_free_port_is_bindable_on_loopback():
    # Given a port the stack would choose
    port = find_free_port()

    # When a server binds it, then nothing was in the way
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert not port_is_free(port)
    assert port_is_free(port)


# --------------------------------------------------------------------------- stack.json


def test_state_file_round_trips(tmp_path):
    # Given a recorded stack
    recorded = live_stack_state()

    # When it is written and read back
    write_state(tmp_path, recorded)

    # Then a second command sees exactly the same stack
    assert read_state(tmp_path) == recorded
    assert URLS.database_url == "postgresql+psycopg://postgres@127.0.0.1:5999/sales_agent"
    assert URLS.redis_url == "redis://127.0.0.1:6999/0"


@pytest.mark.parametrize("content", [None, "", "{not json", '{"owner_pid": 1}', "[]"])
def test_missing_or_damaged_state_file_means_no_stack(tmp_path, content):
    # Given no stack.json, or one that a crash left damaged
    if content is not None:
        (tmp_path / STATE_FILE).write_text(content)

    # Then nothing is running as far as the stack is concerned
    assert read_state(tmp_path) is None


def test_state_naming_dead_processes_is_cleared(tmp_path):
    # Given a stack.json left by a stack whose processes are all gone
    dead = finished_process()
    write_state(tmp_path, state(dead, {"postgres": dead, "valkey": dead}))

    # When a command looks for a running stack
    found = live_state(tmp_path)

    # Then there is none and the stale file is gone, so a fresh stack can start
    assert found is None
    assert not (tmp_path / STATE_FILE).exists()


def test_a_recycled_pid_is_neither_attached_to_nor_signalled(tmp_path):
    # Given a record whose pids now belong to other processes (here: this test process)
    impostor = ServerRecord(pid=os.getpid(), port=3, started_at=12345.0)
    write_state(tmp_path, state(impostor, {"postgres": impostor}))

    # When a command looks for a running stack
    found = live_state(tmp_path, timeout=0.5)

    # Then the record is stale, and the process behind the pid was left alone
    assert not process_is_running(impostor.pid, impostor.started_at)
    assert found is None
    assert process_is_running(os.getpid(), process_started_at(os.getpid()))


def test_servers_that_outlived_their_owner_are_stopped(tmp_path):
    # Given a server process still running after its owner died (no death signal)
    orphan = subprocess.Popen(["sleep", "60"])
    try:
        record = ServerRecord(orphan.pid, 4, process_started_at(orphan.pid))
        write_state(tmp_path, state(finished_process(), {"valkey": record}))

        # When a command looks for a running stack
        found = live_state(tmp_path, timeout=5)

        # Then the orphan is stopped so it cannot hold the data folder or a port
        assert found is None
        assert orphan.wait(timeout=5) is not None
    finally:
        orphan.kill()
        orphan.wait()


# --------------------------------------------------------------------------- attaching


def test_second_command_attaches_to_the_running_stack(tmp_path):
    # Given a running stack recorded in the data folder
    write_state(tmp_path, live_stack_state())

    # When another command asks for a stack
    stack = LocalStack(tmp_path)
    urls, owned = stack.attach_or_start()

    # Then it gets the running stack's URLs and does not own (or stop) it
    assert (urls, owned) == (URLS, False)
    stack.stop()
    assert read_state(tmp_path) == live_stack_state()


def test_attaching_refuses_a_stack_without_a_needed_server(tmp_path):
    # Given a running stack with Valkey only
    write_state(tmp_path, live_stack_state(valkey=this_process()))

    # When a command that also needs Postgres asks for it, then it is told why not
    with pytest.raises(LocalStackError, match="no postgres"):
        LocalStack(tmp_path).attach_or_start()


def test_start_refuses_a_second_stack_on_one_data_folder(tmp_path):
    # Given a running stack
    write_state(tmp_path, live_stack_state())

    # When `stack up` tries to start another one there, then it names the owner
    with pytest.raises(LocalStackError, match=f"owner pid {os.getpid()}"):
        LocalStack(tmp_path).start()


def test_stack_down_without_a_stack_reports_nothing_to_stop(tmp_path):
    assert stop_running_stack(tmp_path) is False


def test_a_stack_needs_at_least_one_server(tmp_path):
    with pytest.raises(ValueError, match="at least one server"):
        LocalStack(tmp_path, postgres=False, valkey=False)


def test_urls_are_unavailable_before_start(tmp_path):
    with pytest.raises(LocalStackError, match="not started"):
        _ = LocalStack(tmp_path).urls


# --------------------------------------------------------------------------- choosing URLs


def test_configured_urls_are_used_and_nothing_starts(tmp_path):
    # Given both URLs configured
    settings = Settings(
        database_url="postgresql+psycopg://app@db.internal/app",
        redis_url="redis://cache.internal:6379/0",
        data_dir=tmp_path / "stack",
    )

    # When the URLs are resolved
    urls, stack = resolve_urls(settings)

    # Then they are used as given and no local server (or folder) appears
    assert urls == StackUrls(settings.database_url, settings.redis_url)
    assert stack is None
    assert not (tmp_path / "stack").exists()


def test_one_configured_url_is_combined_with_the_local_stack(tmp_path):
    # Given Redis configured and a local stack running with Postgres
    write_state(tmp_path, live_stack_state(postgres=this_process()))
    settings = Settings(
        database_url="", redis_url="redis://cache.internal:6379/0", data_dir=tmp_path
    )

    # When the URLs are resolved
    urls, stack = resolve_urls(settings)

    # Then Redis is the configured one and Postgres the local stack's, owned by someone else
    assert urls == StackUrls(URLS.database_url, "redis://cache.internal:6379/0")
    assert stack is None


def test_child_processes_get_the_urls_through_the_environment():
    assert export_env(URLS) == {
        "SALES_AGENT_DATABASE_URL": URLS.database_url,
        "SALES_AGENT_REDIS_URL": URLS.redis_url,
    }
    assert export_env(StackUrls("", URLS.redis_url)) == {"SALES_AGENT_REDIS_URL": URLS.redis_url}


def test_settings_read_from_exported_env_skip_the_local_stack(monkeypatch, tmp_path):
    # Given a worker spawned with the parent's exported URLs
    for key, value in export_env(URLS).items():
        monkeypatch.setenv(key, value)

    # When it resolves its URLs, then it uses the parent's servers and starts none
    urls, stack = resolve_urls(Settings(data_dir=tmp_path / "unused"))
    assert (urls, stack) == (URLS, None)


def test_live_state_does_not_touch_a_folder_without_a_stack(tmp_path):
    assert live_state(Path(tmp_path)) is None
    assert list(tmp_path.iterdir()) == []
