"""Marketing nodes: each reads the state and returns only what it adds."""

from __future__ import annotations

from langgraph.runtime import Runtime

from orchestration.agents.marketing.state import MarketingState
from orchestration.agents.runtime import RulesRuntime, rules_of, stage_output
from orchestration.engines.rules import outreach
from orchestration.engines.rules.facts import facts_from_lead


def choose_strategy(state: MarketingState, runtime: Runtime[RulesRuntime]) -> MarketingState:
    """Pick the approach from the qualification tier/score and the growth score."""
    lead = state["lead"]
    qualification = stage_output(lead, "qualification")
    growth = stage_output(lead, "growth")
    tier = qualification.get("tier") or lead.get("tier")
    score = qualification.get("score", lead.get("score"))
    growth_score = growth.get("growth_score", lead.get("growth_score"))
    opportunities = growth.get("opportunities") or []
    return {
        "facts": facts_from_lead(lead),
        "tier": tier,
        "score": score,
        "growth_score": growth_score,
        "angle": opportunities[0] if opportunities else None,
        "strategy": outreach.choose_strategy(tier, score, growth_score,
                                             rules_of(runtime).marketing),
    }


def plan_channels(state: MarketingState, runtime: Runtime[RulesRuntime]) -> MarketingState:
    """Order the channels the contact data allows, with cadence days for the tier."""
    return {"channels": outreach.plan_channels(state["facts"], state["strategy"],
                                               rules_of(runtime).marketing)}


def write_content(state: MarketingState, runtime: Runtime[RulesRuntime]) -> MarketingState:
    """Write each planned touch from the lead's real attributes."""
    return {"content": outreach.write_content(
        state["facts"], state["strategy"], state["channels"], state.get("angle"),
        rules_of(runtime).outreach,
    )}
