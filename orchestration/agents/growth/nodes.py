"""Growth nodes: each reads the state and returns only what it adds."""

from __future__ import annotations

from langgraph.runtime import Runtime

from orchestration.agents.growth.context import GrowthRuntime, market_data_of, rules_in
from orchestration.agents.growth.state import GrowthState
from orchestration.engines.rules import growth as rules_engine
from orchestration.engines.rules.factors import total_score
from orchestration.engines.rules.facts import facts_from_lead


def assess_market(state: GrowthState, runtime: Runtime[GrowthRuntime]) -> GrowthState:
    """Judge the lead's state demand, metro, service lines, customer mix and certifications."""
    rules = rules_in(runtime).growth
    facts = facts_from_lead(state["lead"])
    return {
        "facts": facts,
        "market": rules_engine.market_view(facts, rules),
        "area": rules_engine.area_of(facts, rules),
    }


def assess_competition(state: GrowthState, runtime: Runtime[GrowthRuntime]) -> GrowthState:
    """Count other stored companies selling the same lines in the lead's area."""
    facts, area = state["facts"], state.get("area")
    market_data = market_data_of(runtime)
    counts = None
    if area is not None and market_data is not None and facts["services"]:
        name_key = state["lead"].get("name_key")
        counts = market_data.count_competitors(
            area, facts["services"], exclude_name_key=str(name_key) if name_key else None
        )
    return {
        "competition": rules_engine.competition_view(facts, area, counts, rules_in(runtime).growth)
    }


def score_growth(state: GrowthState, runtime: Runtime[GrowthRuntime]) -> GrowthState:
    """Score growth potential 0-100 from explainable factors, with angles to pursue."""
    facts, market, competition = state["facts"], state["market"], state["competition"]
    factors = rules_engine.growth_factors(facts, market, competition, rules_in(runtime).growth)
    score = total_score(factors)
    return {
        "factors": factors,
        "growth_score": score,
        "summary": rules_engine.summary(score, market, competition),
        "reasoning": rules_engine.reasoning(facts["company"], score, factors),
        "opportunities": rules_engine.opportunities(facts, market, competition),
    }
