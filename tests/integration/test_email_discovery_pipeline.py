"""Email discovery inside the pipeline: a real worker reads a lead's website during
qualification, stores the address it finds on the lead, and enrichment starts from it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator

import pytest

from api.submit import send_dispatch
from db.models import AgentExecution, Lead
from db.repositories.batches import BatchOptions, NewBatch, create_batch
from db.session import read_only, unit_of_work
from tests.fixtures.sites.server import FixtureSites, serve_fixture_sites
from tests.integration.helpers import wait_for_batch
from tests.support.servers import apply_env, claim_redis_db
from tests.support.worker import start_worker_process


@pytest.fixture(scope="module")
def sites() -> Iterator[FixtureSites]:
    with serve_fixture_sites() as running:
        yield running


@pytest.fixture
def reading_worker(servers) -> Iterator[None]:
    """A worker allowed to read websites (loopback allowed, for the fixture site), on a
    broker of its own so the session worker, which reads none, cannot take the lead."""
    cleanups: list[Callable[[], None]] = []
    env = {**servers.env, "SALES_AGENT_BROKER_URL": claim_redis_db(servers.redis_url, cleanups)}
    apply_env(env)
    worker = start_worker_process(env, name=f"reader-{uuid.uuid4().hex[:6]}", extra_env={
        "SALES_AGENT_FETCH_WEBSITES": "true",
        "SALES_AGENT_FETCH_ALLOW_NETWORKS": json.dumps(["127.0.0.1"]),
        "SALES_AGENT_FETCH_TIMEOUT_S": "3",
        "SALES_AGENT_TIER_C_MIN": "0",  # thin test leads would stop as tier D otherwise
    })
    try:
        yield
    finally:
        worker.stop()
        apply_env(servers.env)
        for cleanup in cleanups:
            cleanup()


def store_batch_of(leads: list[dict[str, object]]) -> tuple[uuid.UUID, str]:
    job_id = str(uuid.uuid4())
    with unit_of_work() as session:
        batch_id = create_batch(
            session,
            NewBatch(name="discovery", source="test", engine="rules",
                     options=BatchOptions(dry_run=True), total_rows=len(leads), leads=leads),
            dispatch_task_id=job_id,
        )
    return batch_id, job_id


def test_an_email_found_on_the_website_becomes_the_leads_email(sites, reading_worker):
    # Given a lead with a website (a real site that shows an address) and no email, and one
    # whose site cannot be reached
    plain = {"csv_index": 1, "company_name": "Plain Electric LLC", "name_key": "plain electric",
             "website": sites.url("127.0.0.1"), "city": "Austin", "state": "TX"}
    gone = {"csv_index": 2, "company_name": "Gone Solar Inc", "name_key": "gone solar",
            "website": "http://127.0.0.1:9/", "phone": "+15125550100", "state": "TX"}
    batch_id, job_id = store_batch_of([plain, gone])

    # When the batch runs through a worker that reads websites
    send_dispatch(batch_id, job_id)
    wait_for_batch(batch_id)

    # Then the found address is the lead's email, qualification says where it came from,
    # and enrichment checked that address
    with read_only() as session:
        leads = {lead.company_name: lead for lead in session.query(Lead).filter_by(
            batch_id=batch_id)}
        outputs = {
            (row.lead_id, row.stage): row.output
            for row in session.query(AgentExecution).filter_by(batch_id=batch_id)
        }
    found = leads["Plain Electric LLC"]
    assert found.email == "karen.lee@plain.test"
    discovery = outputs[(found.id, "qualification")]["email_discovery"]
    assert discovery["status"] == "found"
    assert discovery["emails"][0] == "karen.lee@plain.test"
    assert outputs[(found.id, "enrichment")]["contacts"]["email"]["kind"] == "personal"

    # And the unreachable site cost the other lead nothing but the attempt
    missed = leads["Gone Solar Inc"]
    assert missed.email is None
    assert outputs[(missed.id, "qualification")]["email_discovery"]["status"] == "none found"
    assert missed.status != "failed"
