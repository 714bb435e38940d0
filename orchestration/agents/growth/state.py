"""The state the growth graph passes between its nodes."""

from __future__ import annotations

from typing import Any, TypedDict

from orchestration.engines.rules.factors import Factor
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.growth import CompetitionView, MarketView


class GrowthState(TypedDict, total=False):
    """Growth analysis of one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord being analysed (input)
    facts: CompanyFacts  # what the lead's data says about the company
    market: MarketView  # state and metro outlook, service lines, customer mix, OEM programs
    competition: CompetitionView  # how crowded the lead's service mix usually is
    factors: list[Factor]  # the explainable parts of the growth score
    growth_score: int  # growth potential 0-100
    summary: str  # one sentence on the growth potential
    opportunities: list[str]  # concrete growth angles for marketing and BDR
