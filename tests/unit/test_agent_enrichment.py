"""Enrichment: the contact record a sales person can trust, built only from known data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.enrichment import nodes
from orchestration.agents.enrichment.agent import EnrichmentAgent
from orchestration.engines.rules.contacts import check_email, check_phone
from tests.support.leads import dealer_lead, generic_lead, strong_dealer

AGENT = EnrichmentAgent()


def enrich(lead: dict[str, Any], **options: Any) -> Any:
    return AGENT.run(lead, RunContext(**options))


# --- contact checks -------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["info@acme.com", "sales@acme.com", "office@acme.com",
                                     "info.austin@acme.com", "service-team@acme.com"])
def test_shared_inboxes_are_role_addresses(address: str) -> None:
    check = check_email(address, "acme.com")

    assert check["kind"] == "role"
    assert check["is_role"] is True


def test_free_mail_is_personal_but_not_corporate() -> None:
    check = check_email("bob.smith@gmail.com", "acme.com")

    assert check["kind"] == "free_mail"
    assert check["is_free_mail"] is True
    assert check["matches_company_domain"] is False


def test_named_company_address_matches_the_company_domain() -> None:
    check = check_email("maria@mail.acme.com", "www.acme.com")

    assert check["kind"] == "personal"
    assert check["matches_company_domain"] is True
    assert check["masked"] == "m***@mail.acme.com"


def test_company_domain_match_is_unknown_without_a_website() -> None:
    assert check_email("maria@acme.com", None)["matches_company_domain"] is None


@pytest.mark.parametrize("address", ["maria@", "maria@acme", "ma ria@acme.com", "@acme.com"])
def test_broken_addresses_are_invalid(address: str) -> None:
    check = check_email(address, "acme.com")

    assert check["valid_syntax"] is False
    assert check["kind"] == "invalid"


def test_us_phone_in_e164_has_its_area_code() -> None:
    check = check_phone("+15125550100")

    assert check["valid"] is True
    assert check["e164"] is True
    assert check["region"] == "US"
    assert check["us_area_code"] == "512"
    assert check["masked"] == "+1******0100"


def test_toll_free_numbers_are_flagged() -> None:
    assert check_phone("+18005551212")["toll_free"] is True


@pytest.mark.parametrize("phone", ["+15555550100", "12", "not a phone"])
def test_undiallable_numbers_are_invalid(phone: str) -> None:
    check = check_phone(phone)

    assert check["valid"] is False
    assert check["us_area_code"] is None


def test_phone_not_written_in_e164_is_noted() -> None:
    check = check_phone("(512) 555-0100")

    assert check["valid"] is True
    assert check["e164"] is False


# --- nodes ----------------------------------------------------------------------------------


def test_collect_known_fields_marks_every_value_as_from_the_csv() -> None:
    known = nodes.collect_known_fields({"lead": strong_dealer()})["known"]

    assert known["phone"] == {"value": "+15125550100", "source": "csv"}
    assert "email" not in known  # unknown stays unknown


def test_validate_contacts_checks_what_is_there() -> None:
    lead = generic_lead(email="info@brightwavesolar.com", phone=None)

    update = nodes.validate_contacts({"lead": lead})

    assert update["email_check"] is not None
    assert update["email_check"]["kind"] == "role"
    assert update["phone_check"] is None


def test_derive_facts_finds_social_profiles_and_service_keywords() -> None:
    lead = strong_dealer(raw={"facebook_url": "https://www.facebook.com/SunrisePower",
                              "hours": "Mon-Fri 8-5"})
    lead["profile"]["linkedin_url"] = "https://www.linkedin.com/company/sunrise-power"
    lead["profile"]["certifications"] = ["NABCEP"]

    derived = nodes.derive_facts({"lead": lead})["derived"]

    assert derived["linkedin_url"] == "https://www.linkedin.com/company/sunrise-power"
    assert derived["social_profiles"]["facebook"] == "https://www.facebook.com/SunrisePower"
    assert derived["service_keywords"][:3] == [
        "solar installation", "battery storage", "standby generators"]
    assert "Kohler certified" in derived["service_keywords"]
    assert "NABCEP" in derived["service_keywords"]


# --- end to end -----------------------------------------------------------------------------


def test_enrichment_merges_fields_with_sources_and_a_confidence() -> None:
    outcome = enrich(strong_dealer())
    output = outcome.output

    assert output["status"] == "enriched"
    assert {f["source"] for f in output["fields"].values()} <= {"csv", "derived"}
    assert 0 < output["confidence"] < 1
    assert "email" in output["missing"]
    assert outcome.engine == "rules"
    assert outcome.cost_usd == 0.0
    json.dumps(output)  # stored as JSON on the execution row


def test_no_provider_data_is_invented() -> None:
    output = enrich(dealer_lead()).output

    # Without keys every provider is skipped, visibly, and nothing is paid for.
    assert {call["provider"] for call in output["providers"]} >= {"apollo", "hunter"}
    assert all(call["status"].startswith("skipped") or call["provider"] == "linkedin"
               for call in output["providers"])
    assert all(call["cost_usd"] == 0 for call in output["providers"])
    assert "email" not in output["fields"]
    assert output["contacts"]["email"] is None


def test_lookups_with_nothing_to_ask_are_recorded_but_never_run() -> None:
    # Given no provider keys and website reading off (the offline default)
    state = AGENT.initial_state(dealer_lead(), RunContext())

    # When the graph runs
    steps = [
        node
        for update in AGENT.graph.stream(
            state, context=AGENT.runtime_context(), stream_mode="updates"
        )
        for node in update
    ]
    final = AGENT.graph.invoke(state, context=AGENT.runtime_context())

    # Then no lookup branch ran, yet every skipped call is on record, with its reason
    assert not {"company_data", "people_data", "website_facts"} & set(steps)
    assert steps[:2] == ["collect_known_fields", "linkedin_page"]
    statuses = {f"{c['provider']} {c['operation']}": c["status"] for c in final["provider_calls"]}
    assert statuses["apollo organization_enrich"] == "skipped: no key"
    assert statuses["hunter domain_search"] == "skipped: no key"
    assert statuses["website home_page"] == "skipped: disabled"


def test_complete_record_is_more_confident_than_a_sparse_one() -> None:
    complete = enrich(generic_lead()).output["confidence"]
    sparse = enrich(dealer_lead(website=None, domain=None, street=None, zip=None)).output

    assert complete > sparse["confidence"]
    assert complete >= 0.8


def test_shared_inbox_lowers_confidence_and_still_counts_as_missing_email() -> None:
    person = enrich(generic_lead()).output
    role = enrich(generic_lead(email="info@brightwavesolar.com")).output

    assert role["confidence"] < person["confidence"]
    assert "email" in role["missing"]
    assert "email" not in person["missing"]


def test_contacts_in_the_output_are_masked() -> None:
    output = enrich(generic_lead()).output

    assert output["contacts"]["email"]["masked"] == "d***@brightwavesolar.com"
    assert "dana@" not in json.dumps(output["contacts"])


def test_skip_enrichment_passes_the_lead_through() -> None:
    outcome = enrich(strong_dealer(), skip_enrichment=True)

    assert outcome.output["status"] == "skipped: batch option"
    assert outcome.output["providers"] == []
    assert outcome.output["fields"] == {}
    assert outcome.stop_reason is None
    assert outcome.lead_updates == {}
