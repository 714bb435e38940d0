"""CRM sync to a local server speaking Close: a lead is created at most once, whatever
runs twice, and its CRM id ends up on the lead."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from db.models import CrmSyncRecord, Lead
from db.repositories import crm as crm_records
from db.session import read_only, unit_of_work
from orchestration.agents.base import RunContext
from orchestration.agents.enrichment.agent import EnrichmentAgent
from orchestration.integrations.crm_sync import sync_lead
from tests.support.provider_servers import (
    CLOSE_KEY,
    clear_integration_state,
    close_integrations,
    integrations_for,
)


@pytest.fixture
def world(providers, servers):
    clear_integration_state(servers.redis_url)
    providers.world.reset()
    return providers.world


@pytest.fixture
def integrations(servers, providers, world) -> Iterator[Any]:
    made = integrations_for(servers, providers)
    yield made
    close_integrations(made)


def stored_lead(**fields: Any) -> dict[str, Any]:
    """A lead row in Postgres, returned as the LeadRecord a stage would hand the agent."""
    values: dict[str, Any] = {
        "company_name": "Lone Oak Generators",
        "name_key": "lone oak generators",
        "website": None,
        "domain": None,
        "email": None,
        "phone": "+19035550123",
        "street": "12 Oak Rd",
        "city": "Tyler",
        "state": "TX",
        "zip": "75701",
    }
    values.update(fields)
    with unit_of_work() as session:
        lead = Lead(**values)
        session.add(lead)
        session.flush()
        lead_id = lead.id
    return {**values, "id": str(lead_id), "profile": {}, "raw": {}, "stage_outputs": {}}


def crm_id_of(lead: dict[str, Any]) -> str | None:
    with read_only() as session:
        found = session.get(Lead, uuid.UUID(lead["id"]))
        assert found is not None
        return found.crm_id


def test_a_phone_only_lead_is_created_with_its_contact_and_address(integrations, world):
    lead = stored_lead()

    result = sync_lead(integrations, lead, {})

    assert result.status == "created"
    created = world.close_leads[result.crm_id]
    assert created["name"] == "Lone Oak Generators"
    assert created["contacts"][0]["phones"] == [{"type": "office", "phone": "+19035550123"}]
    assert created["addresses"][0]["city"] == "Tyler"
    # Basic auth with the key as user name: what Close expects
    create_request = next(r for r in world.requests if r["route"] == "lead create")
    assert create_request["headers"]["Authorization"].startswith("Basic ")
    assert CLOSE_KEY not in str(create_request["path"])
    assert crm_id_of(lead) == result.crm_id


def test_running_the_sync_twice_creates_one_lead(integrations, world):
    lead = stored_lead(website="https://loneoakgen.com/", domain="loneoakgen.com")

    first = sync_lead(integrations, lead, {})
    second = sync_lead(integrations, lead, {})

    assert first.status == "created"
    assert second.status == "already_synced"
    assert second.crm_id == first.crm_id
    assert len(world.close_leads) == 1
    assert world.hits["close lead create"] == 1


def test_two_deliveries_at_once_create_one_lead(integrations, world):
    # Given Close is slow enough for two deliveries of the task to overlap
    world.delay_s["close"] = 0.2
    lead = stored_lead(website="https://loneoakgen.com/", domain="loneoakgen.com")
    results: list[Any] = []

    def deliver() -> None:
        results.append(sync_lead(integrations, lead, {}))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(r.status for r in results) == ["busy", "created"]
    assert len(world.close_leads) == 1


def test_a_lead_already_in_close_is_updated_not_duplicated(integrations, world):
    # Given a worker died after Close created the lead, before our commit (claim abandoned)
    world.close_leads["lead_existing"] = {
        "id": "lead_existing",
        "name": "Lone Oak Generators",
        "display_name": "Lone Oak Generators",
        "url": "https://loneoakgen.com/",
        "contacts": [],
    }
    lead = stored_lead(website="https://loneoakgen.com/", domain="loneoakgen.com")
    with unit_of_work() as session:
        crm_records.claim(
            session, uuid.UUID(lead["id"]), "close", "dead-worker", timedelta(minutes=5)
        )
        session.execute(
            update(CrmSyncRecord).values(updated_at=datetime.now(UTC) - timedelta(hours=1))
        )

    # When the task is delivered again
    result = sync_lead(integrations, lead, {})

    # Then the search found the Close lead and updated it
    assert result.status == "updated"
    assert result.crm_id == "lead_existing"
    assert len(world.close_leads) == 1
    assert world.close_leads["lead_existing"]["addresses"][0]["zipcode"] == "75701"
    assert crm_id_of(lead) == "lead_existing"


def test_close_down_fails_the_sync_and_a_later_run_retries(integrations, world):
    world.down.add("close")
    lead = stored_lead()

    failed = sync_lead(integrations, lead, {})
    world.down.clear()
    retried = sync_lead(integrations, lead, {})

    assert failed.status == "failed: unavailable"
    assert retried.status == "created"
    assert len(world.close_leads) == 1


def test_enrichment_syncs_only_when_asked_and_not_a_dry_run(servers, providers, world):
    integrations = integrations_for(servers, providers)
    agent = EnrichmentAgent(integrations=integrations)
    try:
        dry = agent.run(stored_lead(), RunContext(create_in_crm=True, dry_run=True))
        not_asked = agent.run(stored_lead(), RunContext())
        lead = stored_lead()
        asked = agent.run(lead, RunContext(create_in_crm=True))
        again = agent.run(lead, RunContext(create_in_crm=True))
    finally:
        close_integrations(integrations)

    assert dry.output["crm"] is None
    assert not_asked.output["crm"] is None
    assert asked.output["crm"]["status"] == "created"
    assert again.output["crm"]["status"] == "already_synced"
    assert len(world.close_leads) == 1
    assert crm_id_of(lead) == asked.output["crm"]["crm_id"]


def test_without_a_close_key_the_sync_is_skipped_visibly(servers, world):
    integrations = integrations_for(servers, None)
    result = sync_lead(integrations, stored_lead(), {})

    assert result.status == "skipped: no key"
    assert result.calls[0]["status"] == "skipped: no key"
