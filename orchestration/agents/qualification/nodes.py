"""Qualification nodes: each reads the state and returns only what it adds."""

from __future__ import annotations

from langgraph.runtime import Runtime

from orchestration.agents.qualification.state import QualificationState
from orchestration.agents.runtime import RulesRuntime, rules_of
from orchestration.engines.rules import qualification as rules_engine
from orchestration.engines.rules.factors import total_score
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


def analyze_company(state: QualificationState) -> QualificationState:
    """Collect what the lead's data offers: OEMs, tier, services, reviews, contacts."""
    return {"facts": facts_from_lead(state["lead"])}


def score_icp_fit(state: QualificationState, runtime: Runtime[RulesRuntime]) -> QualificationState:
    """Score ICP fit 0-100 from explainable factors (dealer or generic table)."""
    facts = state["facts"]
    table = rules_of(runtime).qualification
    factors = (
        rules_engine.dealer_factors(facts, table.dealer)
        if facts["kind"] == "dealer"
        else rules_engine.generic_factors(facts, table.generic)
    )
    return {"factors": factors, "score": total_score(factors)}


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
    return {
        "reasoning": rules_engine.reasoning(facts, factors, score, tier),
        "fit_assessment": rules_engine.fit_assessment(factors, score, tier),
        "contact_quality": rules_engine.contact_quality(facts),
        "sales_potential": rules_engine.SALES_POTENTIAL[tier],
        "recommendations": rules_engine.recommendations(facts, factors, tier),
    }
