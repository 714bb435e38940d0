"""Time from a prospect's message to the first streamed token of the reply, over SSE.

Run: `python -m bench.first_token --sessions 40 --turns 5` (rules engine by default).
Uses the configured servers, or a local stack, like every `sales-agent` command, in a
scratch database. One real worker process serves the `conversation` queue; the API is a
real uvicorn server; each measurement is one `POST /api/conversations/{id}/messages
?stream=true` from the moment the request is sent to the first `token` event read by the
client (and to the `done` event). The issue's goal: p50 first token <= 100 ms (rules).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from typing import Any

import httpx

from bench.servers import bench_servers
from settings import get_settings

MESSAGES = (
    "Hi, this is Dana. Tell me more about what you do.",
    "How much does it cost?",
    "The second one works for me.",
    "We already use ServiceTitan though.",
    "Can I talk to a real person?",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "min_ms": round(min(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def store_lead() -> uuid.UUID:
    from db.models import Lead
    from db.session import unit_of_work

    lead_id = uuid.uuid4()
    slots = [
        {
            "start": "2025-06-12T10:00:00-05:00",
            "end": "2025-06-12T10:20:00-05:00",
            "label": "Thu 12 Jun, 10:00 AM CDT",
        },
        {
            "start": "2025-06-13T14:00:00-05:00",
            "end": "2025-06-13T14:20:00-05:00",
            "label": "Fri 13 Jun, 2:00 PM CDT",
        },
    ]
    with unit_of_work() as session:
        session.add(
            Lead(
                id=lead_id,
                company_name="Sunrise Power Solutions",
                name_key="sunrise power solutions",
                website="https://sunrisepower.com/",
                domain="sunrisepower.com",
                phone="+15125550100",
                city="Austin",
                state="TX",
                profile={
                    "oems": ["Generac", "Kohler"],
                    "oem_count": 2,
                    "dealer_tier": "Elite",
                    "capabilities": {"solar": True, "generator": True},
                },
                raw={},
                stage_outputs={
                    "qualification": {"tier": "A", "score": 84},
                    "bdr": {"slots": slots},
                },
            )
        )
    return lead_id


def one_turn(client: httpx.Client, conversation_id: str, text: str) -> tuple[float, float]:
    started = time.perf_counter()
    first = done = 0.0
    with client.stream(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        params={"stream": "true"},
        json={"text": text},
    ) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not first and line == "event: token":
                first = time.perf_counter() - started
            elif line in ("event: done", "event: error"):
                done = time.perf_counter() - started
    if not first or not done:
        raise RuntimeError("the reply did not stream")
    return first, done


def run(sessions: int, turns: int, warmup: int) -> dict[str, Any]:
    from api.serving import serving_api
    from bench.pipeline_vs_bare import start_worker, stop, wait_ready
    from workers.celery_app import app

    name = f"bench-conv-{uuid.uuid4().hex[:6]}"
    worker = start_worker("workers.celery_app", "conversation", 1, name)
    first_token: list[float] = []
    whole_reply: list[float] = []
    try:
        wait_ready(app, name)
        key = get_settings().api_key.get_secret_value()
        with serving_api() as url, httpx.Client(
            base_url=url, headers={"X-API-Key": key}, timeout=30
        ) as client:
            lead_id = str(store_lead())
            for session in range(warmup + sessions):
                conversation_id = client.post(
                    "/api/conversations", json={"lead_id": lead_id}
                ).json()["conversation_id"]
                for turn in range(turns):
                    first, done = one_turn(client, conversation_id, MESSAGES[turn % len(MESSAGES)])
                    if session >= warmup:
                        first_token.append(first)
                        whole_reply.append(done)
    finally:
        stop(worker)
    return {
        "turns_measured": len(first_token),
        "first_token": summary(first_token),
        "whole_reply": summary(whole_reply),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2, help="sessions not measured")
    args = parser.parse_args()

    with bench_servers():
        report = run(args.sessions, args.turns, args.warmup)
    report = {"cpu": os.cpu_count(), "engine": get_settings().engine, **report}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
