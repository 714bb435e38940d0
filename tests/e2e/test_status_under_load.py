"""Status polls under load, over real HTTP (uvicorn) with a real worker running a batch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from api.serving import serving_api
from db import session as db_session
from examples.generate_dealers import generate, write_csv
from settings import get_settings
from tests.support.servers import API_KEY_HEADER

KEY = API_KEY_HEADER
RATE = 200  # polls per second
SECONDS = 5


@pytest.fixture
def api_url(servers, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # One client at 200 polls/s is far over the per-key rate limit; this measures the
    # server behind it. A short pool wait makes exhaustion show within the test's time.
    monkeypatch.setenv("SALES_AGENT_RATE_LIMIT_PER_MINUTE", "10000000")
    monkeypatch.setenv("SALES_AGENT_DB_POOL_TIMEOUT_S", "0.5")
    get_settings.cache_clear()
    db_session.reset_engine()
    with serving_api() as url:
        yield url
    monkeypatch.undo()
    get_settings.cache_clear()
    db_session.reset_engine()


async def poll(url: str, path: str) -> tuple[list[float], dict[str, int]]:
    """RATE*SECONDS GETs sent on a fixed schedule, answered or not (open loop)."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=url, headers=KEY, timeout=10, limits=limits) as client:

        async def one() -> None:
            started = time.perf_counter()
            try:
                response = await client.get(path)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                return
            if response.status_code != 200:
                errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                return
            latencies.append(time.perf_counter() - started)

        start = time.perf_counter()
        tasks = []
        for i in range(RATE * SECONDS):
            await asyncio.sleep(max(0.0, start + i / RATE - time.perf_counter()))
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return latencies, errors


def test_200_status_polls_a_second_during_a_batch_all_answer(api_url, worker, tmp_path):
    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    # Given a 400-row dealer file being worked on by a real worker
    path = tmp_path / "dealers.csv"
    write_csv(path, generate(400, seed=3).rows)
    posted = client.post("/api/batches", files={"file": ("dealers.csv", path.read_bytes(),
                                                         "text/csv")})
    assert posted.status_code == 202, posted.text
    batch_id = posted.json()["batch_id"]

    # When a client polls its status at 200 requests a second for 5 seconds
    latencies, errors = asyncio.run(poll(api_url, f"/api/batches/{batch_id}"))

    # Then every poll is answered, quickly
    assert errors == {}
    assert len(latencies) == RATE * SECONDS
    assert sorted(latencies)[int(0.99 * len(latencies))] < 1.0
    # And liveness answers at once right after, and the batch went on meanwhile
    started = time.perf_counter()
    live = httpx.get(f"{api_url}/health/live", timeout=5)
    assert live.status_code == 200
    assert time.perf_counter() - started < 1.0
    report: dict[str, Any] = client.get(f"/api/batches/{batch_id}").json()
    assert report["done"] > 0
    assert sum(report["by_outcome"].values()) == report["accepted"]
    # The worker is shared with later tests: leave it idle
    deadline = time.monotonic() + 120
    while report["status"] != "finished" and time.monotonic() < deadline:
        time.sleep(0.5)
        report = client.get(f"/api/batches/{batch_id}").json()
    assert report["status"] == "finished"


def test_an_exhausted_pool_answers_503_with_retry_after_then_recovers(api_url, worker):
    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    # Given every connection of the API's read pool taken (by this test process)
    db_session.api_read_session().close()  # the pool exists
    engine = db_session._api_read_engine
    assert engine is not None
    with ExitStack() as held:
        for _ in range(engine.pool.size() + engine.pool._max_overflow):  # type: ignore[attr-defined]
            held.enter_context(engine.connect())

        # When a status is asked for
        started = time.perf_counter()
        busy = client.get("/api/jobs/some-job")

        # Then it is refused within the pool timeout, saying when to retry; liveness is fine
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "1"
        assert time.perf_counter() - started < 3
        assert httpx.get(f"{api_url}/health/live", timeout=2).status_code == 200
        assert httpx.get(f"{api_url}/health/ready", timeout=5).status_code == 503

    # And once connections are back, the same request is answered again
    assert client.get("/api/jobs/some-job").status_code == 404
