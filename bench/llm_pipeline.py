"""1,000 leads through all five stages with the ``llm`` engine against a slow local model.

Run: `python -m bench.llm_pipeline` (defaults: 1,000 leads, 500 ms per model call, two
worker processes, one per core, each ``-P threads -c 32`` on every queue). Measured choice:
one process is held to one core by the GIL (1 x 64 threads: ~74 s), three processes on two
cores only add switching (3 x 24: ~62 s); 2 x 32 finished in ~53 s with 63 calls in flight.

Uses the configured servers, or a local stack, like every `sales-agent` command, with its
own Redis db (``--redis-db``; run one bench at a time per db, or their workers would take
each other's messages). The model server (tests/support/) runs in this process and answers
each agent's schema with a valid, lead-specific answer after the configured latency; it
counts the calls in flight, so the report shows whether the worker really overlapped them.
The tier-D threshold is 0 so no lead stops early.

Reported: wall time from submit to the last lead done, peak and mean calls in flight, the
model calls per stage (which stages called the model at all), executions per engine, mean
stage latency, cost per stage and per batch, worker CPU per lead, and the workers' peak
memory (each worker's processes summed).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from typing import Any

import psutil
from sqlalchemy import func, select

from bench.pipeline_vs_bare import (
    dealer_csv,
    machine_busy_seconds,
    start_worker,
    stop,
    tree_cpu_seconds,
    wait_ready,
    wait_until_done,
)
from bench.servers import bench_servers
from tests.support.model_answers import answer_for, schema_title
from tests.support.model_server import ModelServer

ALL_QUEUES = "qualification,enrichment,growth,marketing,bdr,pipeline"
SCHEMA_STAGE = {
    "QualificationDecision": "qualification",
    "GrowthAssessment": "growth",
    "MarketingPlan": "marketing",
    "OutreachDraft": "bdr",
    "CallDraft": "bdr",
    "ConversationTurn": "conversation",
}


class MemorySampler(threading.Thread):
    """Samples the summed RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.5):
            try:
                root = psutil.Process(self.pid)
                rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            except psutil.NoSuchProcess:
                continue
            self.peak_mb = max(self.peak_mb, rss / 2**20)

    def stop(self) -> None:
        self._halt.set()
        self.join(2)


class InFlightSampler(threading.Thread):
    """Samples the model server's calls in flight, for a mean beside the peak."""

    def __init__(self, server: ModelServer) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.samples: list[int] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.1):
            self.samples.append(self.server.in_flight)

    def stop(self) -> None:
        self._halt.set()
        self.join(2)

    @property
    def busy_mean(self) -> float:
        busy = [s for s in self.samples if s > 0]
        return sum(busy) / len(busy) if busy else 0.0


def run_bench(
    leads: int, latency_s: float, concurrency: int, workers: int, queues: str, pool: str
) -> dict[str, Any]:
    from api.intake import parse_leads
    from api.submit import submit_batch
    from db.models import AgentExecution, Lead
    from db.repositories.batches import BatchOptions
    from db.session import read_only
    from workers.celery_app import app

    parsed = parse_leads(dealer_csv(leads + leads // 10), source="bench-llm.csv")
    parsed.leads[:] = parsed.leads[:leads]
    with ModelServer(latency_s=latency_s, responder=answer_for) as server:
        worker_env = {
            "SALES_AGENT_TIER_C_MIN": "0",
            "SALES_AGENT_WORKER_POOL": pool,
            "SALES_AGENT_LLM_PROVIDER": "openai",
            "SALES_AGENT_LLM_MODEL": "gpt-4o-mini",
            "SALES_AGENT_LLM_BASE_URL": server.openai_base_url,
            "SALES_AGENT_OPENAI_API_KEY": "bench-key",
            "SALES_AGENT_LLM_TIMEOUT_S": "30",
            # Every lead is a model call: the decision cache would hide repeated names.
            "SALES_AGENT_LLM_CACHE_TTL_S": "0",
        }
        names = [f"llm-bench-{i}-{uuid.uuid4().hex[:6]}" for i in range(workers)]
        processes = [
            start_worker("workers.celery_app", queues, concurrency, name, worker_env)
            for name in names
        ]
        samplers = [MemorySampler(p.pid) for p in processes]
        try:
            for name in names:
                wait_ready(app, name)
            for sampler in samplers:
                sampler.start()
            in_flight = InFlightSampler(server)
            in_flight.start()
            cpu0 = sum(tree_cpu_seconds(p.pid) for p in processes)
            busy0 = machine_busy_seconds()
            started = time.perf_counter()
            submitted = submit_batch(
                parsed, name="bench-llm", source="bench-llm.csv", options=BatchOptions()
            )
            wait_until_done(submitted.batch_id)
            elapsed = time.perf_counter() - started
            worker_cpu = sum(tree_cpu_seconds(p.pid) for p in processes) - cpu0
            machine_busy = machine_busy_seconds() - busy0
            in_flight.stop()
        finally:
            for process in processes:
                stop(process)
            for sampler in samplers:
                sampler.stop()
        calls: dict[str, int] = {}
        for request in server.requests:
            stage = SCHEMA_STAGE.get(schema_title(request), "other")
            calls[stage] = calls.get(stage, 0) + 1
        peak = server.peak_in_flight

    with read_only() as session:
        rows = session.execute(
            select(
                AgentExecution.stage,
                AgentExecution.engine,
                func.count(),
                func.sum(AgentExecution.cost_usd),
                func.avg(AgentExecution.latency_ms),
            )
            .where(AgentExecution.batch_id == submitted.batch_id)
            .group_by(AgentExecution.stage, AgentExecution.engine)
        ).all()
        statuses = dict(
            session.execute(
                select(Lead.status, func.count())
                .where(Lead.batch_id == submitted.batch_id)
                .group_by(Lead.status)
            ).all()
        )
    executions: dict[str, dict[str, int]] = {}
    cost_per_stage: dict[str, float] = {}
    latency_per_stage: dict[str, float] = {}
    for stage, engine, count, cost, latency in rows:
        executions.setdefault(stage, {})[engine] = count
        latency_per_stage[stage] = round(float(latency or 0), 1)
        cost_per_stage[stage] = round(cost_per_stage.get(stage, 0.0) + float(cost or 0), 6)
    return {
        "leads": submitted.accepted,
        "lead_statuses": {str(k): v for k, v in statuses.items()},
        "model_latency_s": latency_s,
        "workers": workers,
        "pool": f"{pool} -c {concurrency}",
        "wall_seconds": round(elapsed, 2),
        "leads_per_s": round(submitted.accepted / elapsed, 1),
        "peak_calls_in_flight": peak,
        "mean_calls_in_flight_while_busy": round(in_flight.busy_mean, 1),
        "model_calls_per_stage": calls,
        "executions_per_stage_and_engine": executions,
        "mean_stage_latency_ms": latency_per_stage,
        "cost_usd_per_stage": cost_per_stage,
        "cost_usd_batch": round(sum(cost_per_stage.values()), 6),
        "worker_cpu_ms_per_lead": round(worker_cpu * 1000 / submitted.accepted, 1),
        "machine_cpu_busy_share": round(machine_busy / (elapsed * (os.cpu_count() or 1)), 2),
        "worker_peak_rss_mb": [round(s.peak_mb, 1) for s in samplers],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per model call")
    parser.add_argument("--concurrency", type=int, default=32, help="threads per worker")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--queues", default=ALL_QUEUES)
    parser.add_argument(
        "--engine",
        default="llm",
        choices=["llm", "rules"],
        help="rules: the same run without the model, for comparison",
    )
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork"])
    parser.add_argument(
        "--redis-db",
        type=int,
        default=14,
        help="Redis db for broker and caches, away from a developer's db 0",
    )
    args = parser.parse_args()

    # Batches submitted by this process carry the chosen engine.
    with bench_servers(redis_db=args.redis_db, env={"SALES_AGENT_ENGINE": args.engine}):
        report = run_bench(
            args.leads, args.latency, args.concurrency, args.workers, args.queues, args.pool
        )
    report["cpu"] = os.cpu_count()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
