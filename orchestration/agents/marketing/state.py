"""The state the marketing graph passes between its nodes."""

from __future__ import annotations

from typing import Any, TypedDict

from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.outreach import ChannelStep, Content, Strategy


class MarketingState(TypedDict, total=False):
    """Campaign planning for one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord, with earlier stage outputs (input)
    engine: str  # "rules" or "llm": who writes the content (input)
    facts: CompanyFacts  # what the lead's data says about the company
    tier: str | None  # qualification tier (None when qualification did not run)
    score: int | None  # qualification score
    growth_score: int | None  # growth score (None when growth did not run)
    angle: str | None  # the growth opportunity the content leads with, if any
    strategy: Strategy  # the campaign approach and why
    channels: list[ChannelStep]  # ordered touches with cadence days and why each is possible
    notes: list[str]  # what a person should know: contacts left unused, text left out
    content: dict[str, Content]  # what to send or say, per channel
    # Set by the llm path only (absent on the rules path, whose output stays as it was):
    decided_by: str  # "llm", or "rules-fallback" when the model's answer was not usable
    model_strategy: str  # the model's account of the campaign strategy
    llm: dict[str, Any]  # provider, model, tokens, cost, channels the model wrote
    llm_fallback: dict[str, Any]  # why the rules content was kept: reason and detail
    cost_usd: float  # what the model calls of this run cost
