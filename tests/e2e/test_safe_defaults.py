"""Safe defaults over real HTTP: trusted hosts, the per-key rate limit, an API that refuses
placeholder secrets, and Flower with its credentials out of `ps` and no way to run tasks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from api.serving import serving_api
from settings import PROJECT_ROOT, get_settings
from tests.support.flower import flower_process, free_port
from tests.support.servers import API_KEY_HEADER

FLOWER_AUTH = ("ops", f"pw-{uuid.uuid4().hex}")


@pytest.fixture
def limited_api(servers: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The API over real HTTP with a limit of 5 requests per minute per key."""
    monkeypatch.setenv("SALES_AGENT_RATE_LIMIT_PER_MINUTE", "5")
    get_settings.cache_clear()
    try:
        with serving_api() as url:
            yield url
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_foreign_host_header_is_refused(servers):
    # Given the API with the default trusted hosts (plus the test client's)
    with serving_api() as url:
        # When a page whose DNS was rebound to this address asks with its own host name
        foreign = httpx.get(f"{url}/health", headers={"Host": "attacker.example"}, timeout=10)
        # Then it gets 400, while the loopback names are served
        assert foreign.status_code == 400
        port = url.rsplit(":", 1)[1]
        for host in ("127.0.0.1", f"localhost:{port}"):
            response = httpx.get(f"{url}/api/jobs/{uuid.uuid4()}", timeout=10,
                                 headers={"Host": host, **API_KEY_HEADER})
            assert response.status_code == 404, response.text


def test_a_key_over_its_rate_is_told_when_to_come_back(limited_api):
    # Given a limit of 5 requests per minute per key, and a fresh key
    key = {"X-API-Key": f"k-{uuid.uuid4().hex}"}
    # When it sends 7 requests
    answers = [httpx.get(f"{limited_api}/api/jobs/{uuid.uuid4()}", headers=key, timeout=10)
               for _ in range(7)]
    # Then the first 5 reach the API (and are refused there: a wrong key) and the rest get
    # 429 with a Retry-After in whole seconds, at most two minutes out
    assert [a.status_code for a in answers] == [401] * 5 + [429] * 2
    retry_after = int(answers[-1].headers["Retry-After"])
    assert 1 <= retry_after <= 120
    assert "rate limit" in answers[-1].json()["detail"]
    # And another key is counted apart, as are routes outside /api
    other = {"X-API-Key": f"k-{uuid.uuid4().hex}"}
    assert httpx.get(f"{limited_api}/api/jobs/{uuid.uuid4()}", headers=other,
                     timeout=10).status_code == 401
    assert httpx.get(f"{limited_api}/health", headers=key, timeout=10).status_code != 429


def test_the_limit_is_shared_by_api_processes_through_redis(servers, monkeypatch):
    # Given two API servers (two apps, each counting on its own) with a limit of 10/min
    monkeypatch.setenv("SALES_AGENT_RATE_LIMIT_PER_MINUTE", "10")
    get_settings.cache_clear()
    key = {"X-API-Key": f"k-{uuid.uuid4().hex}"}
    try:
        with serving_api() as first, serving_api() as second:
            # When one key sends 7 requests to the first, which settles them with Redis
            for _ in range(6):
                assert httpx.get(f"{first}/api/x", headers=key, timeout=10).status_code != 429
            time.sleep(0.3)
            assert httpx.get(f"{first}/api/x", headers=key, timeout=10).status_code != 429
            # Then the second refuses it once the two together pass 10
            codes = [httpx.get(f"{second}/api/x", headers=key, timeout=10).status_code
                     for _ in range(5)]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert codes[:3] != [429] * 3
    assert codes[-1] == 429, codes


def test_status_polls_at_200_per_second_pass_the_default_limit(servers):
    # Given the default limit and one key
    key = {"X-API-Key": f"k-{uuid.uuid4().hex}"}
    with serving_api() as url, httpx.Client(base_url=url, headers=key, timeout=10) as client:
        # When it polls 1,000 times (200/s for 5 s) as fast as the API answers
        codes = {client.get("/api/not-a-route").status_code for _ in range(1000)}
    # Then none of them is rate-limited (a made-up key and route: refused further in)
    assert 429 not in codes
    assert codes <= {401, 404}


def _cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALES_AGENT_")}
    env["SALES_AGENT_DATA_DIR"] = str(tmp_path)
    env.update(extra)
    return env


@pytest.mark.parametrize(("extra", "args", "expected"), [
    ({"SALES_AGENT_ENVIRONMENT": "test"}, [], "SALES_AGENT_API_KEY is a known placeholder"),
    ({"SALES_AGENT_ENVIRONMENT": "test", "SALES_AGENT_API_KEY": "k-real-123",
      "SALES_AGENT_FLOWER_BASIC_AUTH": "a:"}, [], "SALES_AGENT_FLOWER_BASIC_AUTH"),
    ({}, ["--host", "0.0.0.0"], "the development API key on 0.0.0.0"),
])
def test_the_api_refuses_to_start_with_placeholder_secrets(tmp_path, extra, args, expected):
    # Given settings with a placeholder secret (or the dev key on every interface)
    # When `sales-agent api` starts
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "api", *args], cwd=PROJECT_ROOT,
        env=_cli_env(tmp_path, **extra), capture_output=True, text=True, timeout=60,
    )
    # Then it refuses before starting anything, saying what to set
    assert result.returncode == 1
    assert expected in " ".join(result.stderr.split())
    assert not (tmp_path / "postgres").exists()


@pytest.fixture
def flower_url(servers: Any) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with flower_process(servers.env, FLOWER_AUTH) as running:
        yield running


def test_flower_keeps_its_password_out_of_ps_and_cannot_run_tasks(flower_url):
    url, process = flower_url
    # Given Flower started with credentials from the environment
    # Then no process of it shows the password on its command line
    started = psutil.Process(process.pid)
    session = [started, *started.children(recursive=True)]
    assert len(session) >= 2  # sales-agent flower and Flower itself
    assert not [p for p in session if FLOWER_AUTH[1] in " ".join(p.cmdline())]

    # And with the credentials, reading works, but no route runs a task
    assert httpx.get(f"{url}/api/workers", auth=FLOWER_AUTH, timeout=10).status_code == 200
    for path in ("/api/task/async-apply/", "/api/task/apply/", "/api/task/send-task/"):
        response = httpx.post(f"{url}{path}pipeline.dispatch_batch", auth=FLOWER_AUTH,
                              json={"args": [str(uuid.uuid4())]}, timeout=10)
        assert response.status_code == 404, (path, response.status_code)


@pytest.mark.parametrize(("auth", "expected"), [
    ("", "Flower needs SALES_AGENT_FLOWER_BASIC_AUTH"),
    ("admin:admin", "known placeholder"),
    ("ops:", "known placeholder"),
])
def test_flower_refuses_missing_or_placeholder_credentials_outside_development(
    servers, tmp_path, auth, expected
):
    env = {**_cli_env(tmp_path), **servers.env, "SALES_AGENT_FLOWER_BASIC_AUTH": auth}
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "flower", "--port", str(free_port())],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert expected in " ".join(result.stderr.split())
