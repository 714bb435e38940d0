"""Pipeline throughput against a bare five-task Celery chain, and the 202 time of a big CSV.

Run: `make bench` (or `python -m bench.pipeline_vs_bare --leads 1000 --concurrency 2`).
Uses the configured servers, or a local stack, like every `sales-agent` command. Both sides
run one prefork worker with the same flags (acks late, prefetch 1, the same -c).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
import redis

from bench.servers import bench_servers
from settings import PROJECT_ROOT, get_settings

ALL_PIPELINE_QUEUES = "qualification,enrichment,growth,marketing,bdr,pipeline"


def start_worker(
    app_module: str, queues: str, concurrency: int, name: str,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app_module, "worker", "-Q", queues,
         "-c", str(concurrency), "-n", f"{name}@%h", "-l", "WARNING",
         "--without-gossip", "--without-mingle"],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **(extra_env or {})},
    )


def wait_ready(app: Any, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(name in n for reply in app.control.ping(timeout=0.5) or [] for n in reply):
            return
    raise RuntimeError(f"worker {name} did not start")


def tree_cpu_seconds(pid: int) -> float:
    process = psutil.Process(pid)
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def machine_busy_seconds() -> float:
    """CPU time every core spent busy, whoever used it (worker, Redis, Postgres, this script)."""
    t = psutil.cpu_times()
    return float(t.user + t.system + t.nice + getattr(t, "irq", 0) + getattr(t, "softirq", 0))


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def bench_bare(leads: int, concurrency: int) -> dict[str, float]:
    from celery import chain

    from bench.bare_app import BARE_QUEUES, DONE_KEY, app

    client = redis.Redis.from_url(get_settings().redis_url)
    client.delete(DONE_KEY)
    name = f"bare-{uuid.uuid4().hex[:6]}"
    worker = start_worker("bench.bare_app", ",".join(BARE_QUEUES), concurrency, name)
    try:
        wait_ready(app, name)
        cpu0 = tree_cpu_seconds(worker.pid)
        busy0 = machine_busy_seconds()
        started = time.perf_counter()
        for i in range(leads):
            chain(
                app.signature("bare.step1", args=({"lead_id": str(uuid.uuid4()), "i": i},)),
                *(app.signature(f"bare.step{s}") for s in range(2, 6)),
            ).apply_async()
        while int(client.get(DONE_KEY) or 0) < leads:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        cpu = tree_cpu_seconds(worker.pid) - cpu0
        busy = machine_busy_seconds() - busy0
    finally:
        stop(worker)
    return {"seconds": elapsed, "leads_per_s": leads / elapsed, "worker_cpu_ms_per_lead":
            cpu * 1000 / leads, "machine_cpu_ms_per_lead": busy * 1000 / leads}


def wait_until_done(batch_id: uuid.UUID) -> None:
    """Poll Postgres until every accepted lead of the batch has an outcome."""
    from db.models import Batch
    from db.session import read_only

    while True:
        with read_only() as session:
            batch = session.get(Batch, batch_id)
            assert batch is not None
            if batch.done_count >= batch.accepted_count:
                return
        time.sleep(0.1)


def dealer_csv(rows: int) -> bytes:
    out = Path(tempfile.mkdtemp()) / f"dealers-{rows}.csv"
    subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "examples" / "generate_dealers.py"),
         "--rows", str(rows), "--out", str(out)],
        check=True, cwd=PROJECT_ROOT,
    )
    return out.read_bytes()


def bench_pipeline(
    leads: int,
    concurrency: int,
    *,
    full_chain: bool,
    app_module: str = "workers.celery_app",
    worker_env: dict[str, str] | None = None,
) -> dict[str, float]:
    """full_chain: no lead ends early (tier D threshold at 0), so each runs all five stages;
    otherwise the sample's mix, where tier D leads stop after qualification. ``app_module``
    and ``worker_env`` start the worker on another app (see bench/ceiling_app.py)."""
    from api.intake import parse_leads
    from api.submit import submit_batch
    from db.repositories.batches import BatchOptions
    from db.session import read_only
    from workers.celery_app import app

    parsed = parse_leads(dealer_csv(leads + leads // 10), source="bench.csv")
    parsed.leads[:] = parsed.leads[:leads]
    name = f"pipeline-{uuid.uuid4().hex[:6]}"
    extra_env = {"SALES_AGENT_TIER_C_MIN": "0"} if full_chain else {}
    extra_env.update(worker_env or {})
    worker = start_worker(app_module, ALL_PIPELINE_QUEUES, concurrency, name, extra_env)
    try:
        wait_ready(app, name)
        cpu0 = tree_cpu_seconds(worker.pid)
        busy0 = machine_busy_seconds()
        started = time.perf_counter()
        submitted = submit_batch(parsed, name="bench", source="bench.csv", options=BatchOptions())
        wait_until_done(submitted.batch_id)
        elapsed = time.perf_counter() - started
        cpu = tree_cpu_seconds(worker.pid) - cpu0
        busy = machine_busy_seconds() - busy0
    finally:
        stop(worker)
    from sqlalchemy import func, select

    from db.models import AgentExecution

    with read_only() as session:
        executions = session.scalar(
            select(func.count()).where(AgentExecution.batch_id == submitted.batch_id)
        )
    done = submitted.accepted
    return {"seconds": elapsed, "leads": done, "leads_per_s": done / elapsed,
            "stage_runs_per_lead": (executions or 0) / done,
            "worker_cpu_ms_per_lead": cpu * 1000 / done,
            "machine_cpu_ms_per_lead": busy * 1000 / done}


def bench_202(rows: int, repeats: int) -> dict[str, float]:
    from api.serving import serving_api

    data = dealer_csv(rows)
    key = get_settings().api_key.get_secret_value()
    timings = []
    accepted = 0
    with serving_api() as url, httpx.Client(
        base_url=url, headers={"X-API-Key": key}, timeout=60
    ) as client:
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.post("/api/batches", files={"file": ("big.csv", data, "text/csv")})
            timings.append(time.perf_counter() - started)
            assert response.status_code == 202, response.text
            accepted = response.json()["accepted"]
    return {"rows": rows, "accepted": accepted, "median_s": statistics.median(timings),
            "min_s": min(timings), "max_s": max(timings)}


def paired_rounds(rounds: int, runs: dict[str, Any]) -> dict[str, Any]:
    """Run ``bare`` and every other run once per round, in turn, so each ratio compares runs
    made under the same machine conditions; report the last round's figures in full, and
    the median (and spread) of leads/s and of the paired ratios over all rounds."""
    seen: dict[str, list[dict[str, float]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            seen[name].append(run())
    report: dict[str, Any] = {"rounds": rounds}
    for name, results in seen.items():
        report[name] = results[-1]
        speeds = [r["leads_per_s"] for r in results]
        report[name]["leads_per_s_median"] = statistics.median(speeds)
        if name == "bare_chain":
            continue
        ratios = [r["leads_per_s"] / b["leads_per_s"] for r, b in zip(
            results, seen["bare_chain"], strict=True)]
        report[f"ratio_{name}_over_bare"] = statistics.median(ratios)
        report[f"ratio_{name}_over_bare_each_round"] = [round(r, 3) for r in ratios]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--csv-rows", type=int, default=8000)
    parser.add_argument("--repeats", type=int, default=3, help="uploads timed for the 202")
    parser.add_argument("--rounds", type=int, default=1, help="bare/pipeline pairs to run; "
                        "ratios are the median of the pairs (the machine's noise is ±10%%)")
    args = parser.parse_args()
    leads, concurrency = args.leads, args.concurrency

    with bench_servers():
        report = paired_rounds(args.rounds, {
            "bare_chain": lambda: bench_bare(leads, concurrency),
            "pipeline_full_chain": lambda: bench_pipeline(leads, concurrency, full_chain=True),
            "pipeline_sample_mix": lambda: bench_pipeline(leads, concurrency, full_chain=False),
        })
        accepted = bench_202(args.csv_rows, args.repeats)
    print(json.dumps({"cpu": os.cpu_count(), "concurrency": concurrency, **report,
                      "csv_202": accepted}, indent=2))


if __name__ == "__main__":
    main()
