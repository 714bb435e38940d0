"""BDR with the llm engine: the model writes the draft, the real slots are always offered."""

from __future__ import annotations

from typing import Any

from orchestration.agents.base import RunContext
from orchestration.agents.bdr.agent import BdrAgent
from tests.support.leads import FIXED_NOW, strong_dealer, through_stages
from tests.support.model_server import ModelServer, Reply

LLM = RunContext(engine="llm", dry_run=True)


def agent() -> BdrAgent:
    return BdrAgent(clock=lambda: FIXED_NOW, checkpointer=lambda: None)


def researched_lead() -> dict[str, Any]:
    return through_stages(strong_dealer(email="maria@sunrisepower.com"),
                          "qualification", "enrichment", "growth", "marketing")


def model_draft(**fields: Any) -> dict[str, Any]:
    draft = {
        "subject": "Storage add-ons for Sunrise Power Solutions' Austin crews",
        "body": "Hi Maria, Sunrise Power Solutions already installs Generac standby systems "
        "across Austin; installers like you are adding home batteries to those jobs.",
        "meeting_purpose": "Show how Austin installers attach storage to generator jobs.",
        "research_notes": ["Elite Generac dealer", "4.8 stars from 212 reviews"],
    }
    return draft | fields


def test_the_models_draft_offers_the_proposed_slots(server: ModelServer) -> None:
    # Given a model that writes a draft for a researched lead
    server.script(Reply.json(model_draft(), usage=(1200, 300)))

    # When the llm engine drafts the outreach
    outcome = agent().run(researched_lead(), LLM)

    # Then the model's words go to the person, followed by the real slots, and it is priced
    draft = outcome.output["draft"]
    assert draft["subject"] == "Storage add-ons for Sunrise Power Solutions' Austin crews"
    assert draft["body"].startswith("Hi Maria, Sunrise Power Solutions already installs")
    for slot in outcome.output["slots"]:
        assert slot["label"] in draft["body"]
    assert outcome.engine == "llm"
    assert outcome.cost_usd > 0
    assert outcome.output["llm"]["meeting_purpose"].startswith("Show how Austin")
    # And the model never saw the lead's email address
    assert "maria@sunrisepower.com" not in server.requests[-1].text_of("user")


def test_a_draft_with_a_placeholder_keeps_the_rules_draft(server: ModelServer) -> None:
    # Given a model that leaves a slot unfilled
    server.script(Reply.json(model_draft(body="Hi {{first_name}}, we help installers like "
                                              "you sell more storage every season.")))
    rules = agent().run(researched_lead(), RunContext(dry_run=True)).output["draft"]

    # When the llm engine drafts the outreach
    outcome = agent().run(researched_lead(), LLM)

    # Then the rules draft stands, and why is recorded
    assert outcome.output["draft"] == rules
    assert outcome.engine == "rules-fallback"
    assert outcome.output["llm_fallback"]["reason"] == "invalid_output"


def test_the_rules_engine_never_calls_the_model(server: ModelServer) -> None:
    agent().run(researched_lead(), RunContext(dry_run=True))
    assert server.requests == []
