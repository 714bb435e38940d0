"""Growth nodes: each reads the state and returns only what it adds."""

from __future__ import annotations

from langgraph.runtime import Runtime

from orchestration.agents.growth.state import GrowthState
from orchestration.agents.runtime import RulesRuntime, rules_of
from orchestration.engines.rules import growth as rules_engine
from orchestration.engines.rules.factors import total_score
from orchestration.engines.rules.facts import facts_from_lead


def assess_market(state: GrowthState, runtime: Runtime[RulesRuntime]) -> GrowthState:
    """Judge the lead's state, metro, service lines, customer mix and OEM programs."""
    facts = facts_from_lead(state["lead"])
    return {"facts": facts, "market": rules_engine.market_view(facts, rules_of(runtime).growth)}


def assess_competition(state: GrowthState, runtime: Runtime[RulesRuntime]) -> GrowthState:
    """Estimate competition from how crowded the lead's service lines usually are."""
    return {"competition": rules_engine.competition_view(state["facts"],
                                                         rules_of(runtime).growth)}


def score_growth(state: GrowthState, runtime: Runtime[RulesRuntime]) -> GrowthState:
    """Score growth potential 0-100 from explainable factors, with angles to pursue."""
    facts, market, competition = state["facts"], state["market"], state["competition"]
    factors = rules_engine.growth_factors(facts, market, competition, rules_of(runtime).growth)
    score = total_score(factors)
    return {
        "factors": factors,
        "growth_score": score,
        "summary": rules_engine.summary(score, market, competition),
        "opportunities": rules_engine.opportunities(facts, market),
    }
