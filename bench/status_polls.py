"""Status polls under load: a dealer file runs through a real worker while a client polls
`GET /api/batches/{id}` at a fixed rate, against the API served by uvicorn in a process of
its own (as `sales-agent api` runs it).

Run: `python -m bench.status_polls` (8,277 dealers, 200 polls/s for 20 s; see --help).

The client is open-loop: polls are sent on schedule whether or not earlier ones answered,
as independent pollers do, so a slow server shows as latency and errors rather than as a
lower request rate. After the polls it reports how fast `/health/live` answers and how long
the API takes to exit on SIGTERM. Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import aiohttp
import httpx

from bench.pipeline_vs_bare import ALL_PIPELINE_QUEUES, dealer_csv, start_worker, stop, wait_ready
from bench.servers import bench_servers
from settings import PROJECT_ROOT, get_settings

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_api(port: int) -> subprocess.Popen[bytes]:
    """uvicorn with the options `sales-agent api` gives it."""
    grace = str(get_settings().api_graceful_shutdown_s)
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", HOST,
         "--port", str(port), "--log-level", "warning", "--timeout-graceful-shutdown", grace],
        cwd=PROJECT_ROOT, env=dict(os.environ),
    )


def wait_api(base_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the API did not start")


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


async def poll(
    base_url: str, path: str, headers: dict[str, str], rate: float, seconds: float,
    client_timeout: float,
) -> dict[str, Any]:
    """Send rate*seconds GETs on a fixed schedule; latencies in ms and errors by kind.

    aiohttp rather than httpx here: with thousands of requests queued on a server that has
    stopped answering, httpx's pool spends its time rescanning the queue and the client,
    not the server, becomes what is measured.
    """
    latencies: list[float] = []
    errors: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=1000)
    timeout = aiohttp.ClientTimeout(total=client_timeout)
    async with aiohttp.ClientSession(
        base_url, headers=headers, timeout=timeout, connector=connector
    ) as client:

        async def one() -> None:
            started = time.perf_counter()
            try:
                async with client.get(path) as response:
                    await response.read()
                    code = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                return
            if code == 200:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                key = f"http_{code}"
                errors[key] = errors.get(key, 0) + 1

        count = int(rate * seconds)
        start = time.perf_counter()
        tasks = []
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        sent_in = time.perf_counter() - start
        # Polls still unanswered a client timeout after the last was sent count as errors.
        _, pending = await asyncio.wait(tasks, timeout=client_timeout + 1)
        for task in pending:
            task.cancel()
        if pending:
            errors["unanswered"] = len(pending)
        total = time.perf_counter() - start
    return {
        "requests": count,
        "sent_in_s": round(sent_in, 2),
        "answered_or_given_up_in_s": round(total, 2),
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": round(max(latencies), 2) if latencies else None,
    }


def probe(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        response = httpx.get(url, headers=headers, timeout=5)
        outcome: Any = response.status_code
    except httpx.HTTPError as exc:
        outcome = type(exc).__name__
    return {"status": outcome, "seconds": round(time.perf_counter() - started, 3)}


def terminate(api: subprocess.Popen[bytes], bound: float = 30) -> dict[str, Any]:
    """SIGTERM the API; how long it took to exit (SIGKILL after ``bound`` seconds)."""
    started = time.perf_counter()
    api.send_signal(signal.SIGTERM)
    try:
        api.wait(bound)
        return {"exited": True, "seconds": round(time.perf_counter() - started, 2)}
    except subprocess.TimeoutExpired:
        api.kill()
        api.wait(10)
        return {"exited": False, "seconds": bound, "note": "killed with SIGKILL"}


def run(
    leads: int, rate: float, seconds: float, concurrency: int, timeout: float,
    rate_limit: int = 0,
) -> dict[str, Any]:
    from workers.celery_app import app

    data = dealer_csv(leads)
    # The per-key rate limit (on by default) would refuse most polls of one client at this
    # rate with 429s; by default the bench measures the server behind it.
    with bench_servers(redis_db=13, env={"SALES_AGENT_RATE_LIMIT_PER_MINUTE": str(rate_limit)}):
        key = {"X-API-Key": get_settings().api_key.get_secret_value()}
        worker = start_worker(
            "workers.celery_app", ALL_PIPELINE_QUEUES, concurrency, "bench-polls"
        )
        port = free_port()
        api = start_api(port)
        base_url = f"http://{HOST}:{port}"
        try:
            wait_ready(app, "bench-polls")
            wait_api(base_url)
            posted = httpx.post(
                f"{base_url}/api/batches", headers=key, timeout=120,
                files={"file": ("dealers.csv", data, "text/csv")},
            )
            posted.raise_for_status()
            batch_id = posted.json()["batch_id"]
            polls = asyncio.run(
                poll(base_url, f"/api/batches/{batch_id}", key, rate, seconds, timeout)
            )
            print(json.dumps({"polls": polls}), file=sys.stderr, flush=True)
            live = probe(f"{base_url}/health/live")
            health = probe(f"{base_url}/health")
            after = probe(f"{base_url}/api/batches/{batch_id}", key)
            shutdown = terminate(api)
        finally:
            if api.poll() is None:
                api.kill()
            stop(worker)
    return {
        "leads": leads, "rate_per_s": rate, "rate_limit_per_minute": rate_limit,
        "seconds": seconds, "worker_concurrency": concurrency, "polls": polls,
        "health_live_after": live, "health_after": health,
        "status_after": after, "sigterm": shutdown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=8277)
    parser.add_argument("--rate", type=float, default=200, help="polls per second")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=float, default=35, help="client timeout per poll")
    parser.add_argument(
        "--rate-limit", type=int, default=0,
        help="SALES_AGENT_RATE_LIMIT_PER_MINUTE for the API (0: off; the limiter's own cost "
        "is then out of the figures)",
    )
    args = parser.parse_args()
    report = run(
        args.leads, args.rate, args.seconds, args.concurrency, args.timeout, args.rate_limit
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
