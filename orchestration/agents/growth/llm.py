"""The growth node of the ``llm`` engine: the model judges, the rules factors stand by.

The rules analysis runs first on every path: its market view, competitor counts and
factors are what the model is shown, the explanation kept on the output, and the decision
whenever the model's answer cannot be used (no key, timeout, provider error, invalid or
leaking output, or text a rep would have to fix: an unfilled slot, a shouted name).
"""

from __future__ import annotations

from typing import Any

from orchestration.agents.growth.state import GrowthState
from orchestration.engines.rules.facts import SERVICE_LABELS
from orchestration.engines.rules.text import display_place, find_placeholders
from orchestration.engines.rules.text_checks import find_text_defects
from orchestration.llm import ENGINE_LLM, Fallback, FallbackReason, LlmResult, decide
from orchestration.llm.prompts.growth import GROWTH, GrowthAssessment


def growth_data(state: GrowthState) -> dict[str, Any]:
    """What the model sees: the market, the counted competition and the rules reference.

    Contact details are left out: judging growth needs none of them.
    """
    facts, market, competition = state["facts"], state["market"], state["competition"]
    return {
        "company": facts["company"],
        "location": display_place(facts["city"], facts["state"]),
        "state": market["state"],
        "metro_area": market["metro"],
        "metro_growth_index": market["metro_growth"],
        "state_demand_proxies": market["proxies"],
        "service_lines": [SERVICE_LABELS[key] for key in market["service_lines"]],
        "customer_mix": market["customer_mix"],
        "oem_certifications": facts["oems"],
        "other_certifications": facts["certifications"],
        "competition": {
            "area": competition["area"],
            "other_stored_companies_in_area": competition["area_leads"],
            "offering_the_same_line": {
                SERVICE_LABELS[key]: count for key, count in competition["competitors"].items()
            },
            "basis": competition["basis"],
        },
        "rules_reference": {
            "growth_score": state["growth_score"],
            "factors": [
                {
                    "name": f["name"],
                    "points": f["points"],
                    "max_points": f["max_points"],
                    "reason": f["reason"],
                }
                for f in state["factors"]
            ],
            "opportunities": state["opportunities"],
        },
    }


def assess_with_model(state: GrowthState) -> GrowthState:
    """Score and explain growth with the model; on any failure record why and keep the
    rules analysis already in the state."""
    result = decide("growth", GROWTH, GrowthAssessment, growth_data(state))
    if isinstance(result, LlmResult):
        answer = result.output
        slots = find_placeholders(_all_text(answer))
        # Past the slots, the model's words meet the rules text's bar too: no shouted or
        # legal-suffixed name, no count of nothing, no rating the data does not give.
        defects = [] if slots else find_text_defects(_all_text(answer), state["facts"])
        if not slots and not defects:
            return {
                "decided_by": ENGINE_LLM,
                "rules_score": state["growth_score"],
                "growth_score": answer.growth_score,
                "summary": answer.summary,
                "reasoning": f"{answer.market_opportunity} {answer.competitive_landscape}",
                "model_factors": [f.model_dump() for f in answer.factors],
                "llm": result.record(),
                "cost_usd": result.cost_usd,
            }
        result = Fallback(
            FallbackReason.invalid_output,
            f"the answer carries unfilled slots: {', '.join(slots)}"
            if slots
            else f"the answer's text needs fixing: {'; '.join(defects)}",
            result.usage,
            result.suspicious_fields,
        )
    return {
        "decided_by": result.engine,
        "llm_fallback": result.record(),
        "cost_usd": result.cost_usd,
    }


def _all_text(answer: GrowthAssessment) -> str:
    return "\n".join(
        [
            answer.summary,
            answer.market_opportunity,
            answer.competitive_landscape,
            *(f"{f.name}: {f.reason}" for f in answer.factors),
        ]
    )
