"""The qualification node of the ``llm`` engine: the model scores, the rules stand by.

The rules factors are computed first on every path: they are the reference the model sees,
the explanation kept on the output, and the decision whenever the model's answer cannot be
used (no key, timeout, provider error, invalid or leaking output).
"""

from __future__ import annotations

from typing import Any

from orchestration.agents.qualification.state import QualificationState
from orchestration.engines.rules import qualification as rules_engine
from orchestration.llm import ENGINE_LLM, LlmResult, decide
from orchestration.llm.prompts.qualification import (
    QualificationDecision,
    qualification_data,
    qualification_prompt,
)
from settings import get_settings


def company_subject(lead: dict[str, Any]) -> str | None:
    """The decision-cache subject: the normalised company name, plus the domain (else the
    state) so two different firms with one common name are not confused."""
    name = lead.get("name_key") or " ".join(str(lead.get("company_name") or "").lower().split())
    if not name:
        return None
    place = lead.get("domain") or lead.get("state") or ""
    return f"{name}|{str(place).lower()}"


def decide_with_model(state: QualificationState) -> QualificationState:
    """Score, tier and explain with the model; on any failure record why and leave the
    decision to the rules nodes that follow."""
    settings = get_settings()
    prompt = qualification_prompt(settings.tier_a_min, settings.tier_b_min, settings.tier_c_min)
    data = qualification_data(state["facts"], state["factors"], state["score"])
    result = decide(
        "qualification",
        prompt,
        QualificationDecision,
        data,
        cache_subject=company_subject(state["lead"]),
    )
    if not isinstance(result, LlmResult):
        return {
            "decided_by": result.engine,
            "llm_fallback": result.record(),
            "cost_usd": result.cost_usd,
        }
    answer = result.output
    # The tier follows the score by the configured thresholds, as on the rules path; a
    # model that tiers differently is recorded, not obeyed.
    tier = rules_engine.tier_for(
        answer.score, settings.tier_a_min, settings.tier_b_min, settings.tier_c_min
    )
    return {
        "decided_by": ENGINE_LLM,
        "rules_score": state["score"],
        "score": answer.score,
        "tier": tier,
        "reasoning": answer.reasoning,
        "fit_assessment": answer.fit_assessment,
        "contact_quality": answer.contact_quality,
        "sales_potential": answer.sales_potential,
        "recommendations": list(answer.recommendations),
        "llm": {**result.record(), "model_tier": answer.tier},
        "cost_usd": result.cost_usd,
    }
