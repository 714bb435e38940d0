"""The state the growth graph passes between its nodes."""

from __future__ import annotations

from typing import Any, TypedDict

from orchestration.agents.growth.market import MarketArea
from orchestration.engines.rules.factors import Factor
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.growth import CompetitionView, MarketView


class GrowthState(TypedDict, total=False):
    """Growth analysis of one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord being analysed (input)
    engine: str  # "rules" or "llm": who scores and explains (input)
    facts: CompanyFacts  # what the lead's data says about the company
    market: MarketView  # state demand, metro, service lines, customer mix, certifications
    area: MarketArea | None  # where competitors are counted (None: location unknown)
    competition: CompetitionView  # how crowded the lead's lines are in its area
    factors: list[Factor]  # the explainable parts of the growth score
    growth_score: int  # growth potential 0-100
    summary: str  # one sentence on the growth potential
    reasoning: str  # what lifts the score and what holds it back
    opportunities: list[str]  # concrete growth angles for marketing and BDR
    # Set by the llm path only (absent on the rules path, whose output stays as it was):
    decided_by: str  # "llm", or "rules-fallback" when the model's answer was not usable
    rules_score: int  # the rules engine's growth score, kept beside the model's
    model_factors: list[dict[str, Any]]  # the model's factors: name, impact, reason
    llm: dict[str, Any]  # provider, model, tokens, cost, cached, suspicious fields
    llm_fallback: dict[str, Any]  # why the rules engine decided instead: reason and detail
    cost_usd: float  # what the model calls of this run cost
