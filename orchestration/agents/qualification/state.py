"""The state the qualification graph passes between its nodes."""

from __future__ import annotations

from typing import Any, TypedDict

from orchestration.engines.rules.factors import Factor
from orchestration.engines.rules.facts import CompanyFacts


class QualificationState(TypedDict, total=False):
    """Qualification of one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord being qualified (input)
    stop_on_duplicate: bool  # batch option: a lead flagged as duplicate is not scored (input)
    engine: str  # "rules" or "llm": who decides the score and the words (input)
    profile: str | None  # qualification profile: asked for (input), then the one used
    duplicate_stop: str | None  # "duplicate of lead <id>: <reason>" when it stops as duplicate
    email_discovery: dict[str, Any]  # status, ranked addresses, latency (website read only)
    facts: CompanyFacts  # what the lead's data says about the company
    factors: list[Factor]  # the explainable parts of the score
    score: int  # ICP fit 0-100
    tier: str  # "A", "B", "C" or "D" by the configured thresholds
    upstream: dict[str, Any] | None  # the export's own ICP score beside ours, with agreement
    reasoning: str  # paragraph for sales: profile, score, strengths and weaknesses
    fit_assessment: str  # one line on ICP fit and what holds it back
    contact_quality: str  # how ready the contact data is for outreach
    sales_potential: str  # "high", "medium", "low" or "very low"
    recommendations: list[str]  # next steps for the sales team
    # Set by the llm path only (absent on the rules path, whose output stays as it was):
    decided_by: str  # "llm", or "rules-fallback" when the model's answer was not usable
    rules_score: int  # the rules engine's score, kept beside the model's for comparison
    llm: dict[str, Any]  # provider, model, tokens, cost, cached, suspicious fields
    llm_fallback: dict[str, Any]  # why the rules engine decided instead: reason and detail
    cost_usd: float  # what the model calls of this run cost
