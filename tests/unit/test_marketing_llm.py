"""Marketing with the llm engine: the model writes the planned touches, checked like ours."""

from __future__ import annotations

from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.marketing.agent import MarketingAgent
from tests.support.leads import dealer_lead, generic_lead, strong_dealer
from tests.support.model_server import ModelServer, Reply

AGENT = MarketingAgent()
LLM = RunContext(engine="llm")
EMAIL_BODY = (
    "Hi Maria, Sunrise Power Solutions runs solar, battery and generator installs "
    "across Austin with 4.8 stars from 212 reviews. Jordan, partnerships team"
)


def channel(name: str, **fields: Any) -> dict[str, Any]:
    written: dict[str, Any] = {
        "channel": name,
        "subject": None,
        "body": f"Hello from Jordan about Sunrise Power Solutions' {name} touch in Austin.",
        "call_opener": None,
    }
    return written | fields


def model_plan(*channels: dict[str, Any]) -> dict[str, Any]:
    return {
        "strategy": "Lead with storage add-ons for an Elite Generac dealer in a fast metro.",
        "channels": list(channels),
    }


def lead_with_email() -> dict[str, Any]:
    """Reachable by email, phone and post; no LinkedIn."""
    return strong_dealer(email="maria@sunrisepower.com", contact_name=None)


def test_the_models_content_replaces_the_planned_touches_it_wrote(server: ModelServer) -> None:
    # Given a model writing the email and the call, and the rules plan for the same lead
    server.script(
        Reply.json(
            model_plan(
                channel(
                    "email",
                    subject="Storage for Sunrise Power Solutions' Austin crews",
                    body=EMAIL_BODY,
                ),
                channel(
                    "phone",
                    call_opener="Hi, Jordan here, calling Sunrise Power Solutions in "
                    "Austin about storage add-ons.",
                ),
            ),
            usage=(1400, 420),
        )
    )
    rules = AGENT.run(lead_with_email(), RunContext()).output

    # When the llm engine plans the campaign
    outcome = AGENT.run(lead_with_email(), LLM)
    output = outcome.output

    # Then the model's words are used where it wrote, the rules content elsewhere
    assert outcome.engine == "llm"
    assert output["content"]["email"] == {
        "subject": "Storage for Sunrise Power Solutions' Austin crews",
        "body": EMAIL_BODY,
        "call_opener": None,
    }
    assert output["content"]["phone"]["call_opener"].startswith("Hi, Jordan here")
    assert output["content"]["direct_mail"] == rules["content"]["direct_mail"]
    # And the plan itself (channels, cadence, strategy) stays the one the contact data allows
    assert output["channels"] == rules["channels"]
    assert output["strategy"] == rules["strategy"]
    assert output["model_strategy"].startswith("Lead with storage add-ons")
    assert output["llm"]["channels_written"] == ["email", "phone"]
    assert outcome.cost_usd == pytest.approx((1400 * 0.15 + 420 * 0.60) / 1e6)


def test_the_model_sees_the_attributes_and_plan_but_no_contact_details(
    server: ModelServer,
) -> None:
    server.script(Reply.json(model_plan(channel("email", subject="Hi", body=EMAIL_BODY))))

    AGENT.run(lead_with_email(), LLM)

    request = server.requests[0]
    data = request.data_block()
    assert data["company"] == "Sunrise Power Solutions"
    assert data["dealer_title"] == "Elite Generac dealer"
    assert data["oem_certifications"] == ["Generac", "Kohler", "Cummins"]
    assert [c["channel"] for c in data["available_channels"]] == ["email", "phone", "direct_mail"]
    assert "maria@sunrisepower.com" not in request.text_of("user")
    assert "1200 Main St" not in request.text_of("user")


def test_content_for_a_channel_without_a_contact_is_not_used(server: ModelServer) -> None:
    # Given a dealer reachable by phone and post only, and a model that also writes LinkedIn
    server.script(
        Reply.json(model_plan(channel("linkedin"), channel("direct_mail", subject="For Sunrise")))
    )

    output = AGENT.run(dealer_lead(), LLM).output

    assert "linkedin" not in output["content"]
    assert output["content"]["direct_mail"]["subject"] == "For Sunrise"
    assert "Model content for linkedin not used: no contact on file for it." in output["notes"]


@pytest.mark.parametrize(
    ("written", "detail"),
    [
        (
            channel("email", subject="Hello [Name]", body=EMAIL_BODY),
            "email subject carries unfilled slot(s) [Name]",
        ),
        (
            channel("email", subject="Hi", body=EMAIL_BODY + " See you {date}."),
            "email body carries unfilled slot(s) {date}",
        ),
        (channel("linkedin", body="x" * 301), "no content for any planned channel"),
    ],
    ids=["slot-in-subject", "slot-in-body", "only-unplanned"],
)
def test_unusable_content_keeps_the_rules_content_and_says_why(
    server: ModelServer, written: dict[str, Any], detail: str
) -> None:
    rules = AGENT.run(lead_with_email(), RunContext()).output
    server.script(Reply.json(model_plan(written), usage=(900, 300)))

    outcome = AGENT.run(lead_with_email(), LLM)

    assert outcome.engine == "rules-fallback"
    assert outcome.output["content"] == rules["content"]
    assert outcome.output["llm_fallback"]["reason"] == "invalid_output"
    assert outcome.output["llm_fallback"]["detail"] == detail
    assert outcome.cost_usd > 0  # the refused answer was still paid for


def test_an_over_long_linkedin_note_is_refused(server: ModelServer) -> None:
    # Given a lead with a named contact (LinkedIn planned) and a model writing 309 characters
    server.script(Reply.json(model_plan(channel("linkedin", body="Hi Dana, " + "y" * 300))))

    outcome = AGENT.run(generic_lead(), LLM)

    assert outcome.engine == "rules-fallback"
    assert "over the 300 LinkedIn allows" in outcome.output["llm_fallback"]["detail"]
    assert len(outcome.output["content"]["linkedin"]["body"]) <= 300


def test_a_provider_error_keeps_the_rules_content(server: ModelServer) -> None:
    rules = AGENT.run(lead_with_email(), RunContext()).output
    server.script(Reply.error(500))

    outcome = AGENT.run(lead_with_email(), LLM)

    assert outcome.engine == "rules-fallback"
    assert outcome.output["llm_fallback"]["reason"] == "provider_error"
    assert {k: v for k, v in outcome.output.items() if k != "llm_fallback"} == rules


def test_a_lead_with_no_channel_never_calls_the_model(server: ModelServer) -> None:
    lead = generic_lead(email=None, phone=None, contact_name=None)

    outcome = AGENT.run(lead, LLM)

    assert outcome.engine == "rules"
    assert outcome.output["content"] == {}
    assert server.requests == []
