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
        "angle": str(opportunities[0]) if opportunities else None,
        "strategy": outreach.choose_strategy(
            tier, score, growth_score, rules_of(runtime).marketing
        ),
    }


def plan_channels(state: MarketingState, runtime: Runtime[RulesRuntime]) -> MarketingState:
    """Order the channels the contact data allows, with cadence days for the tier."""
    options, unused = outreach.contact_options(
        state["facts"], stage_output(state["lead"], "enrichment")
    )
    return {
        "channels": outreach.plan_channels(options, state["strategy"], rules_of(runtime).marketing),
        "notes": unused,
    }


def write_content(state: MarketingState, runtime: Runtime[RulesRuntime]) -> MarketingState:
    """Write each planned touch from the lead's real attributes; never send a slot.

    The growth angle is the one sentence not written here (another engine may have produced
    it): when it carries an unfilled slot, the content is written again without it.
    """
    facts, strategy, channels = state["facts"], state["strategy"], state["channels"]
    rules = rules_of(runtime)
    sender, angle = rules.outreach, state.get("angle")
    credentials = outreach.notable_credentials(facts, rules.growth.certifications.credentials)
    notes = list(state.get("notes") or [])
    content = outreach.write_content(facts, strategy, channels, angle, sender, credentials)
    try:
        outreach.check_content(content)
    except outreach.UnfilledSlotError as error:
        if angle is None:
            raise
        notes.append(f"Growth angle left out: it carried {', '.join(error.slots)}.")
        content = outreach.write_content(facts, strategy, channels, None, sender, credentials)
        outreach.check_content(content)
        angle = None
    return {"content": content, "angle": angle, "notes": notes}
