"""The state the qualification graph passes between its nodes."""

from __future__ import annotations

from typing import Any, TypedDict

from orchestration.engines.rules.factors import Factor
from orchestration.engines.rules.facts import CompanyFacts


class QualificationState(TypedDict, total=False):
    """Qualification of one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord being qualified (input)
    stop_on_duplicate: bool  # batch option: a lead flagged as duplicate is not scored (input)
    duplicate_stop: str | None  # "duplicate of lead <id>: <reason>" when it stops as duplicate
    facts: CompanyFacts  # what the lead's data says about the company
    factors: list[Factor]  # the explainable parts of the score
    score: int  # ICP fit 0-100
    tier: str  # "A", "B", "C" or "D" by the configured thresholds
    reasoning: str  # paragraph for sales: profile, score, strengths and weaknesses
    fit_assessment: str  # one line on ICP fit and what holds it back
    contact_quality: str  # how ready the contact data is for outreach
    sales_potential: str  # "high", "medium", "low" or "very low"
    recommendations: list[str]  # next steps for the sales team
