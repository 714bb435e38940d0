"""The pipeline-test endpoints: one lead through all five agents now, timed and stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.pipeline_test import SAMPLE_DEALER
from db.models import Lead
from db.session import read_only, unit_of_work
from orchestration.integrations import hub
from settings import get_settings
from tests.support.provider_servers import (
    ProviderServers,
    clear_integration_state,
    provider_servers,
)
from tests.support.servers import API_KEY_HEADER

KEY = API_KEY_HEADER
STAGES = ["qualification", "enrichment", "growth", "marketing", "bdr"]
CSV = (
    "company_name,website,phone,city,state,industry,contact_name,contact_email\n"
    "Brightwave Solar,brightwavesolar.example,602-555-0142,Phoenix,AZ,Solar,Dana Whitfield,"
    "dana@brightwavesolar.example\n"
    "Lone Star Power LLC,lonestarpower.example,512-555-0101,Austin,TX,Generators,,\n"
    ",nameless.example,512-555-0199,Austin,TX,Generators,,\n"
)


@pytest.fixture
def client(servers) -> Iterator[TestClient]:
    with TestClient(create_app(), headers=KEY) as test_client:
        yield test_client


def test_quick_runs_the_sample_dealer_through_every_stage(client):
    # When the quick test is asked for
    response = client.get("/api/leads/test-pipeline/quick")

    # Then the sample dealer went through the five stages as a dry run
    assert response.status_code == 200
    run = response.json()
    assert run["success"] is True
    assert run["final_status"] == "completed"
    assert list(run["stages"]) == STAGES
    assert all(stage["status"] == "success" for stage in run["stages"].values())
    assert all(stage["latency_ms"] > 0 for stage in run["stages"].values())
    assert run["total_latency_ms"] == pytest.approx(
        sum(stage["latency_ms"] for stage in run["stages"].values()), abs=0.05
    )
    assert run["tier"] in {"A", "B", "C", "D"}
    assert run["score"] is not None
    # And the timeline shows each stage starting and finishing, in order
    finished = [e["stage"] for e in run["timeline"] if e["event"] == "finished" and e["stage"]]
    assert finished == STAGES
    # And enrichment says the providers were skipped (no keys), visibly
    providers = run["stages"]["enrichment"]["output"]["providers"]
    assert {"skipped: no key"} <= {call["status"] for call in providers}

    # And the run is stored and can be read back
    stored = client.get(f"/api/leads/test-pipeline/{run['execution_id']}").json()
    assert stored["lead_name"] == run["lead_name"] == "Sunrise Power Solutions LLC"
    assert stored["stages"]["qualification"]["output"]["score"] == run["score"]
    assert len(stored["timeline"]) == len(run["timeline"])


def test_one_json_lead_with_options(client):
    body = {
        "lead": {**SAMPLE_DEALER, "name": "Gulf Coast Generators", "city": "Houston"},
        "options": {"skip_enrichment": True, "dry_run": True},
    }

    run = client.post("/api/leads/test-pipeline", json=body).json()

    assert run["success"] is True
    assert run["stages"]["enrichment"]["output"]["status"] == "skipped: batch option"
    assert run["options"]["skip_enrichment"] is True
    assert run["lead_id"] is None  # a dry run stores no lead


def test_the_profile_option_picks_the_qualification_profile(client):
    body = {"lead": SAMPLE_DEALER, "options": {"profile": "generic", "dry_run": True}}

    run = client.post("/api/leads/test-pipeline", json=body).json()

    assert run["stages"]["qualification"]["output"]["profile"] == "generic"
    assert run["options"]["profile"] == "generic"


def test_an_unknown_profile_is_a_422_naming_the_profiles(client):
    body = {"lead": SAMPLE_DEALER, "options": {"profile": "enterprise"}}

    response = client.post("/api/leads/test-pipeline", json=body)

    assert response.status_code == 422
    assert "choose one of: generic, icp" in response.text


def test_a_repeat_of_a_stored_lead_stops_when_asked(client):
    # Given a stored lead with this website
    with unit_of_work() as session:
        session.add(
            Lead(
                company_name="Hill Country Power",
                name_key="hill country power",
                domain="hillcountrypower.example",
                state="TX",
            )
        )
    body = {
        "lead": {
            "company_name": "Hill Country Power Co",
            "website": "https://hillcountrypower.example/",
            "state": "TX",
        },
        "options": {"stop_on_duplicate": True},
    }

    # When the same company is tested with stop_on_duplicate
    run = client.post("/api/leads/test-pipeline", json=body).json()

    # Then qualification stopped it, and nothing after ran
    assert run["final_status"] == "disqualified"
    assert "same domain" in run["outcome_reason"]
    assert run["stages"]["qualification"]["status"] == "stopped"
    assert [run["stages"][s]["status"] for s in STAGES[1:]] == ["not_run"] * 4


def test_row_n_of_a_csv(client):
    files = {"file": ("leads.csv", CSV.encode(), "text/csv")}

    second = client.post("/api/leads/test-pipeline/csv?row=2", files=files)
    rejected = client.post("/api/leads/test-pipeline/csv?row=3", files=files)
    missing = client.post("/api/leads/test-pipeline/csv?row=9", files=files)

    assert second.status_code == 200
    assert second.json()["lead_name"] == "Lone Star Power LLC"
    assert second.json()["csv_index"] == 2
    assert rejected.status_code == 422
    assert "row 3" in rejected.json()["detail"]
    assert missing.status_code == 404


def test_a_bad_lead_is_refused_with_the_reason(client):
    response = client.post("/api/leads/test-pipeline", json={"lead": {"website": "x.example"}})

    assert response.status_code == 422


@pytest.fixture
def close_configured(servers, monkeypatch) -> Iterator[ProviderServers]:
    """The API process's settings pointing Close at a local server."""
    with provider_servers() as providers:
        clear_integration_state(servers.redis_url)
        for name in ("close_api_key", "close_base_url"):
            monkeypatch.setenv(f"SALES_AGENT_{name.upper()}", providers.settings_env()[name])
        get_settings.cache_clear()
        monkeypatch.setattr(hub, "_instance", None)
        try:
            yield providers
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
            hub._instance = None


def test_create_in_crm_stores_the_lead_and_its_close_id(client, close_configured):
    body: dict[str, Any] = {
        "lead": {
            **SAMPLE_DEALER,
            "name": "Pecos Valley Electric",
            "city": "Odessa",
            "website": "pecosvalley.example",
            "domain": "pecosvalley.example",
            "phone": "432-555-0177",
        },
        "options": {"create_in_crm": True, "dry_run": False},
    }

    run = client.post("/api/leads/test-pipeline", json=body).json()

    crm = run["stages"]["enrichment"]["output"]["crm"]
    assert crm["status"] == "created"
    assert list(close_configured.world.close_leads) == [crm["crm_id"]]
    with read_only() as session:
        stored = session.get(Lead, uuid.UUID(run["lead_id"]))
        assert stored is not None
        assert stored.crm_id == crm["crm_id"]
        assert stored.status == run["final_status"] == "awaiting_approval"
