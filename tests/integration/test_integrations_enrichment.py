"""The enrichment agent with its providers: everything merged when they answer, a degraded
but complete lead when they are down, and no company paid for twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.enrichment.agent import EnrichmentAgent
from tests.support.leads import strong_dealer
from tests.support.provider_servers import (
    Company,
    ProviderServers,
    clear_integration_state,
    close_integrations,
    integrations_for,
)

OWNER = {
    "value": "maria.lopez@sunrisepower.com",
    "type": "personal",
    "confidence": 94,
    "first_name": "Maria",
    "last_name": "Lopez",
    "position": "Owner",
    "seniority": "executive",
    "verification": {"date": "2026-11-01", "status": "valid"},
}
HOME = """<html><head><title>Sunrise Power</title>
<script src="https://www.googletagmanager.com/gtm.js"></script></head><body>
<a href="https://www.linkedin.com/company/sunrise-power-austin/">LinkedIn</a>
<a href="https://www.instagram.com/sunrisepower">Instagram</a>
<p>Standby generators, EV charger installs and 24/7 emergency service.</p></body></html>"""


@pytest.fixture
def world(providers, servers):
    clear_integration_state(servers.redis_url)
    providers.world.reset()
    providers.world.add(
        Company(
            "sunrisepower.com",
            "Sunrise Power",
            phone="+15125550100",
            linkedin_url="https://www.linkedin.com/company/sunrise-power",
            city="Austin",
            state="TX",
            employees=27,
            people=[OWNER],
            home_page=HOME,
        )
    )
    return providers.world


@pytest.fixture
def agent(servers, providers, world) -> Iterator[EnrichmentAgent]:
    integrations = integrations_for(servers, providers, fetch_websites=True)
    yield EnrichmentAgent(integrations=integrations)
    close_integrations(integrations)


def sunrise(providers: ProviderServers, **fields: Any) -> dict[str, Any]:
    # The dealer's website is served by the local server (allowed by the fetch policy).
    return strong_dealer(website=providers.site_url("sunrisepower.com"), **fields)


def statuses(output: dict[str, Any]) -> dict[str, str]:
    return {f"{c['provider']} {c['operation']}": c["status"] for c in output["providers"]}


def test_providers_fill_the_gaps_each_field_with_its_source(agent, providers):
    # Given a dealer that arrived without an email
    lead = sunrise(providers)
    assert lead["email"] is None

    # When it is enriched with every provider answering
    outcome = agent.run(lead, RunContext())
    output = outcome.output

    # Then each provider answered and was paid for once
    assert statuses(output) == {
        "apollo organization_enrich": "ok",
        "hunter domain_search": "ok",
        "hunter email_finder": "skipped: no contact name",
        "apollo people_match": "skipped: no contact name",
        "website home_page": "ok",
        "linkedin company_page": "ok",
    }
    assert outcome.cost_usd == pytest.approx(0.089)
    assert output["degraded"] is False
    # And the owner's address was found, checked and put on the lead
    assert outcome.lead_updates == {"email": "maria.lopez@sunrisepower.com"}
    assert output["contacts"]["email"]["kind"] == "personal"
    assert output["contacts"]["email_source"] == "hunter"
    assert output["fields"]["email"]["source"] == "hunter"
    assert output["fields"]["contact_name"] == {"value": "Maria Lopez", "source": "hunter"}
    # And firmographics came from Apollo, the LinkedIn page from the dealer's own site
    assert output["fields"]["employee_count"] == {"value": 27, "source": "apollo"}
    assert output["fields"]["founded_year"]["source"] == "apollo"
    assert output["linkedin"]["url"] == "https://www.linkedin.com/company/sunrise-power-austin/"
    assert output["linkedin"]["source"] == "website"
    assert output["derived"]["social_profiles"]["instagram"] == (
        "https://www.instagram.com/sunrisepower"
    )
    assert "EV chargers" in output["derived"]["service_keywords"]
    assert "Google Tag Manager" in output["derived"]["technologies"]
    # And the record is trusted, with its reasons
    assert output["confidence_factors"]["answered_share"] == 1.0
    assert 0 < output["confidence"] <= 1
    # And people in the stored output are masked
    assert output["people"][0]["email"] == "m***@sunrisepower.com"


def test_a_named_contact_is_looked_up_by_name_at_both_providers(agent, providers, world):
    lead = sunrise(providers, contact_name="Maria Lopez")

    output = agent.run(lead, RunContext()).output

    assert statuses(output)["hunter email_finder"] == "ok"
    assert statuses(output)["apollo people_match"] == "ok"
    assert statuses(output)["hunter domain_search"] == "skipped: contact named"
    people_request = next(r for r in world.requests if r["route"] == "people/match")
    assert people_request["query"]["name"] == "Maria Lopez"
    assert people_request["query"]["domain"] == "sunrisepower.com"


def test_a_lead_with_a_personal_email_pays_for_no_people_lookup(agent, providers, world):
    lead = sunrise(providers, email="dana@sunrisepower.com", contact_name="Dana Reyes")

    outcome = agent.run(lead, RunContext())

    people_lookups = {
        k: v
        for k, v in statuses(outcome.output).items()
        if k.split()[1] in {"domain_search", "email_finder", "people_match"}
    }
    assert set(people_lookups.values()) == {"skipped: email known"}
    assert outcome.output["contacts"]["email_source"] == "csv"
    assert outcome.lead_updates == {}
    assert world.hits["hunter domain-search"] == world.hits["hunter email-finder"] == 0


def test_with_every_provider_down_the_lead_completes_degraded(servers, providers, world):
    # Given Apollo, Hunter and Close answer 503, and the website is gone
    world.down.update({"apollo", "hunter", "close"})
    world.companies["sunrisepower.com"].home_page = None
    integrations = integrations_for(
        servers, providers, fetch_websites=True, provider_max_retries=1
    )
    agent = EnrichmentAgent(integrations=integrations)
    try:
        # When the dealer is enriched
        outcome = agent.run(sunrise(providers), RunContext())
    finally:
        close_integrations(integrations)

    # Then the stage still produced a record, marked degraded, nothing paid
    output = outcome.output
    assert output["status"] == "enriched"
    assert output["degraded"] is True
    assert statuses(output)["apollo organization_enrich"] == "unavailable"
    assert statuses(output)["hunter domain_search"] == "unavailable"
    assert outcome.cost_usd == 0
    assert outcome.lead_updates == {}
    # And what the lead itself said is all there, with a lowered confidence
    assert output["fields"]["phone"]["source"] == "csv"
    assert output["confidence_factors"]["answered_share"] < 1
    assert "email" in output["missing"]


def test_without_redis_configured_lookups_are_skipped_not_failed(providers):
    from orchestration.integrations.hub import Integrations
    from settings import Settings

    settings = Settings(redis_url="", **providers.settings_env())
    agent = EnrichmentAgent(integrations=Integrations(settings))

    output = agent.run(sunrise(providers), RunContext()).output

    assert statuses(output)["apollo organization_enrich"] == "skipped: no redis"
    assert output["degraded"] is True


def test_a_repeated_company_costs_nothing_the_second_time(agent, providers, world):
    first = agent.run(sunrise(providers), RunContext())
    second = agent.run(sunrise(providers, csv_index=9), RunContext())

    assert first.cost_usd > 0
    assert second.cost_usd == 0
    assert statuses(second.output)["apollo organization_enrich"] == "cached"
    assert world.hits["apollo organizations/enrich"] == 1
    assert world.hits["hunter domain-search"] == 1
    assert second.output["fields"]["employee_count"] == first.output["fields"]["employee_count"]


def test_skip_enrichment_makes_no_calls(agent, providers, world):
    outcome = agent.run(sunrise(providers), RunContext(skip_enrichment=True))

    assert outcome.output["status"] == "skipped: batch option"
    assert world.requests == []


def test_with_redis_unreachable_the_lead_still_completes(servers, providers, world):
    # Given the shared Redis (limits, breakers, hot cache) cannot be reached
    integrations = integrations_for(servers, providers, redis_url="redis://127.0.0.1:1/0")
    agent = EnrichmentAgent(integrations=integrations)
    try:
        outcome = agent.run(sunrise(providers), RunContext())
    finally:
        close_integrations(integrations)

    # Then lookups are recorded as unavailable and the record is built from the lead alone
    assert statuses(outcome.output)["apollo organization_enrich"] == "unavailable"
    assert outcome.output["degraded"] is True
    assert outcome.output["fields"]["company_name"]["source"] == "csv"
    assert world.requests == []  # nothing was sent without the shared rate limit
