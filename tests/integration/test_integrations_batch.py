"""Batches through a real prefork worker whose providers are local servers: no company is
paid for twice across worker processes, and with every provider down the batch still
finishes, its leads enriched "degraded" rather than failed."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from api.intake import parse_leads
from api.routes.pipeline_test import SAMPLE_DEALER
from api.submit import submit_batch
from db.models import AgentExecution, Lead, LeadStatus
from db.repositories.batches import BatchOptions
from db.session import read_only
from tests.integration.helpers import wait_for_batch
from tests.support.provider_servers import (
    Company,
    clear_integration_state,
)
from tests.support.servers import apply_env, claim_redis_db
from tests.support.worker import WorkerProcess, start_worker_process

# A broker database of its own: the session's shared worker must not take these tasks.


def dealer_csv(*dealers: tuple[str, str]) -> bytes:
    """Dealer-scraper rows (name, domain) that qualify, so they reach enrichment."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(SAMPLE_DEALER))
    writer.writeheader()
    for index, (name, domain) in enumerate(dealers):
        writer.writerow(
            {
                **SAMPLE_DEALER,
                "name": name,
                "domain": domain,
                "website": f"https://{domain}/",
                "phone": f"(512) 555-01{index:02d}",
            }
        )
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def provider_worker(servers, providers) -> Iterator[WorkerProcess]:
    cleanups: list[Callable[[], None]] = []
    broker = claim_redis_db(servers.redis_url, cleanups)
    env = {**servers.env, "SALES_AGENT_BROKER_URL": broker}
    extra = {f"SALES_AGENT_{k.upper()}": v for k, v in providers.settings_env().items()}
    extra["SALES_AGENT_PROVIDER_MAX_RETRIES"] = "1"
    apply_env(env)  # this process publishes to the same broker database
    process = start_worker_process(
        env, name=f"providers-{uuid.uuid4().hex[:6]}", extra_env=extra, concurrency=2
    )
    try:
        yield process
    finally:
        process.stop()
        apply_env(servers.env)
        for cleanup in cleanups:
            cleanup()


PAID_ONCE = ("organization_enrich", "domain_search")


def run_batch(data: bytes) -> dict[str, dict[str, Any]]:
    parsed = parse_leads(data, source="dealers.csv")
    batch_id = submit_batch(
        parsed, name="providers", source="dealers.csv", options=BatchOptions()
    ).batch_id
    wait_for_batch(batch_id, timeout=90)
    with read_only() as session:
        rows = session.execute(
            select(
                Lead.company_name,
                Lead.status,
                Lead.email,
                AgentExecution.output,
                AgentExecution.cost_usd,
            )
            .join(
                AgentExecution,
                (AgentExecution.lead_id == Lead.id) & (AgentExecution.stage == "enrichment"),
            )
            .where(Lead.batch_id == batch_id)
        ).all()
    return {
        row.company_name: {
            "status": row.status,
            "email": row.email,
            "enrichment": row.output,
            "cost": float(row.cost_usd),
        }
        for row in rows
    }


def test_batch_pays_once_per_company_and_survives_providers_going_down(
    servers, providers, provider_worker
):
    world = providers.world
    clear_integration_state(servers.redis_url)
    world.reset()
    owner = {
        "value": "owner@gulfgen.example",
        "type": "personal",
        "confidence": 91,
        "first_name": "Ray",
        "last_name": "Ortiz",
        "position": "Owner",
        "seniority": "executive",
        "verification": {"status": "valid"},
    }
    world.add(Company("gulfgen.example", "Gulf Generators", people=[owner], employees=14))
    world.add(Company("bayoupower.example", "Bayou Power", employees=40))

    # Given a batch where one dealer is listed twice (two OEM locators), providers up
    up = run_batch(
        dealer_csv(
            ("Gulf Generators", "gulfgen.example"),
            ("Gulf Generators Inc", "gulfgen.example"),
            ("Bayou Power", "bayoupower.example"),
        )
    )

    # Then every lead was enriched, and each company was paid for once across workers
    assert len(up) == 3
    assert all(lead["enrichment"]["status"] == "enriched" for lead in up.values())
    assert world.hits["apollo organizations/enrich"] == 2
    assert world.hits["hunter domain-search"] == 2
    assert up["Gulf Generators"]["email"] == "owner@gulfgen.example"
    # (the two Gulf leads may run at once in two processes: each lookup is paid by whichever
    # took it first, and the other lead gets that answer from the cache, free)
    gulf_calls = [
        call
        for name in ("Gulf Generators", "Gulf Generators Inc")
        for call in up[name]["enrichment"]["providers"]
        if call["provider"] in ("apollo", "hunter") and call["operation"] in PAID_ONCE
    ]
    for operation in PAID_ONCE:
        paid = [c for c in gulf_calls if c["operation"] == operation and c["cost_usd"] > 0]
        free = [c for c in gulf_calls if c["operation"] == operation and c["cost_usd"] == 0]
        assert (len(paid), len(free)) == (1, 1), operation
    assert up["Bayou Power"]["cost"] > 0

    # Given every provider goes down
    world.down.update({"apollo", "hunter", "close"})

    # When a batch of new companies runs
    down = run_batch(
        dealer_csv(
            ("Delta Electric", "deltaelectric.example"), ("Pine Ridge Power", "pineridge.example")
        )
    )

    # Then the batch finished with its leads degraded, not failed
    assert len(down) == 2
    for lead in down.values():
        assert lead["status"] in {LeadStatus.awaiting_approval, LeadStatus.completed}
        assert lead["enrichment"]["degraded"] is True
        statuses = {
            c["status"]
            for c in lead["enrichment"]["providers"]
            if c["provider"] in {"apollo", "hunter"}
        }
        assert statuses <= {"unavailable", "circuit_open", "skipped: no contact name"}
        assert lead["cost"] == 0
