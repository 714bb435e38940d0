"""Qualification nodes: each reads the state and returns only what it adds."""

from __future__ import annotations

from langgraph.runtime import Runtime

from orchestration.agents.qualification.state import QualificationState
from orchestration.agents.runtime import RulesRuntime, rules_of
from orchestration.engines.rules import qualification as rules_engine
from orchestration.engines.rules.facts import facts_from_lead
from settings import get_settings


def check_duplicate(state: QualificationState) -> QualificationState:
    """Stop a lead flagged as a duplicate when the batch asks for it."""
    lead = state["lead"]
    original = lead.get("duplicate_of")
    if not (state.get("stop_on_duplicate") and original):
        return {"duplicate_stop": None}
    why = lead.get("duplicate_reason") or "flagged at intake"
    return {"duplicate_stop": f"duplicate of lead {original}: {why}"}


def analyze_company(
    state: QualificationState, runtime: Runtime[RulesRuntime]
) -> QualificationState:
    """Collect what the lead's data offers: OEMs, program tier, services, reviews, contacts."""
    return {"facts": facts_from_lead(state["lead"], rules_of(runtime))}


def score_icp_fit(state: QualificationState, runtime: Runtime[RulesRuntime]) -> QualificationState:
    """Score fit 0-100 under the chosen profile, plus the small contact/reputation adjustments."""
    facts = state["facts"]
    tables = rules_of(runtime).qualification
    settings = get_settings()
    profile = rules_engine.choose_profile(
        tables, facts["kind"], state.get("profile"), settings.qualification_profile
    )
    factors = rules_engine.within_band(
        rules_engine.score_factors(facts, state["lead"], tables, profile),
        (settings.tier_a_min, settings.tier_b_min, settings.tier_c_min),
    )
    return {"factors": factors, "score": rules_engine.qualification_score(factors),
            "profile": profile}


def classify_tier(state: QualificationState) -> QualificationState:
    """Tier A/B/C/D from the score and the thresholds in settings."""
    settings = get_settings()
    tier = rules_engine.tier_for(
        state["score"], settings.tier_a_min, settings.tier_b_min, settings.tier_c_min
    )
    return {"tier": tier}


def write_reasoning(state: QualificationState) -> QualificationState:
    """The words sales reads: reasoning, fit, contact quality, potential, next steps."""
    facts, factors = state["facts"], state["factors"]
    score, tier = state["score"], state["tier"]
    settings = get_settings()
    upstream = rules_engine.upstream_comparison(
        state["lead"], score, tier, settings.tier_a_min, settings.tier_b_min, settings.tier_c_min
    )
    return {
        "upstream": upstream,
        "reasoning": rules_engine.reasoning(facts, factors, score, tier, upstream),
        "fit_assessment": rules_engine.fit_assessment(factors, score, tier),
        "contact_quality": rules_engine.contact_quality(facts),
        "sales_potential": rules_engine.SALES_POTENTIAL[tier],
        "recommendations": rules_engine.recommendations(facts, factors, tier),
    }
