"""The state the marketing graph passes between its nodes."""

from __future__ import annotations

from typing import Any, TypedDict

from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.outreach import ChannelStep, Content, Strategy


class MarketingState(TypedDict, total=False):
    """Campaign planning for one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord, with earlier stage outputs (input)
    facts: CompanyFacts  # what the lead's data says about the company
    tier: str | None  # qualification tier (None when qualification did not run)
    score: int | None  # qualification score
    growth_score: int | None  # growth score (None when growth did not run)
    angle: str | None  # the growth opportunity to lead with, if any
    strategy: Strategy  # the campaign approach and why
    channels: list[ChannelStep]  # ordered touches with cadence days
    content: dict[str, Content]  # what to send or say, per channel
