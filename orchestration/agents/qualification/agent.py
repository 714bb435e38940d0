"""The qualification agent: first stage of every lead's chain."""

from __future__ import annotations

from typing import Any

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.qualification.graph import QualificationGraph, build_graph
from orchestration.agents.qualification.state import QualificationState
from orchestration.agents.runtime import RulesAgent
from orchestration.config.tiers import TIER_BANDS, TIER_PATHS
from orchestration.engines.rules.factors import weakest
from orchestration.engines.rules.qualification import (
    ADJUSTMENT_KEYS,
    fit_points,
    upstream_comparison,
)
from orchestration.llm import ENGINE_LLM, ENGINE_RULES
from settings import get_settings


class QualificationAgent(RulesAgent):
    """Scores ICP fit, assigns tier A-D, and stops tier-D and duplicate leads.

    Output keys: score, tier, factors [{key, name, points, max_points, reason}], reasoning,
    fit_assessment, contact_quality, sales_potential, recommendations, profile_kind,
    duplicate_of; ``email_discovery`` (status, addresses, latency) when the lead's website was
    read for a missing email. Lead updates: score, tier, and the email discovery found.
    With the llm engine also ``llm`` (usage, cost)
    and ``rules_score`` when the model decided, or ``llm_fallback`` (reason) when it did not;
    ``engine`` is then "llm" or "rules-fallback".
    """

    name = "qualification"
    queue = "qualification"

    def build_graph(self) -> QualificationGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: QualificationState = {
            "lead": lead,
            "stop_on_duplicate": context.stop_on_duplicate,
            "engine": context.engine,
            "profile": context.profile,
        }
        return dict(state)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        duplicate_stop = final_state.get("duplicate_stop")
        if duplicate_stop:
            return _duplicate_outcome(final_state["lead"], duplicate_stop)
        score, tier = final_state["score"], final_state["tier"]
        settings = get_settings()
        output = {
            "score": score,
            "tier": tier,
            "band": TIER_BANDS[tier],
            "path": TIER_PATHS[tier],
            "profile": final_state.get("profile"),
            "fit": fit_points(final_state["factors"]),
            "upstream": final_state.get("upstream") or upstream_comparison(
                final_state["lead"], score, tier,
                settings.tier_a_min, settings.tier_b_min, settings.tier_c_min,
            ),
            "factors": final_state["factors"],
            "reasoning": final_state["reasoning"],
            "fit_assessment": final_state["fit_assessment"],
            "contact_quality": final_state["contact_quality"],
            "sales_potential": final_state["sales_potential"],
            "recommendations": final_state["recommendations"],
            "profile_kind": final_state["facts"]["kind"],
            "duplicate_of": final_state["lead"].get("duplicate_of"),
        }
        lead_updates = {"score": score, "tier": tier}
        discovery = final_state.get("email_discovery")
        if discovery is not None:
            output["email_discovery"] = discovery
            if discovery["emails"]:
                lead_updates["email"] = final_state["lead"]["email"]  # enrichment starts here
        decided_by = final_state.get("decided_by", ENGINE_RULES)
        for key in ("rules_score", "llm", "llm_fallback"):
            if key in final_state:  # the llm engine's record; the rules path adds nothing
                output[key] = final_state[key]
        stop_reason = None
        if tier == "D":
            fit = [f for f in final_state["factors"] if f["key"] not in ADJUSTMENT_KEYS]
            gaps = [f["reason"] for f in weakest(fit)]
            if decided_by == ENGINE_LLM:
                gaps = [final_state["fit_assessment"]]
            stop_reason = f"tier D: score {score} below {settings.tier_c_min}"
            stop_reason += "".join(f"; {gap}" for gap in gaps)
        return StageOutcome(
            output=output,
            lead_updates=lead_updates,
            stop_reason=stop_reason,
            engine=decided_by,
            cost_usd=final_state.get("cost_usd", 0.0),
        )


def _duplicate_outcome(lead: dict[str, Any], stop_reason: str) -> StageOutcome:
    original = lead.get("duplicate_of")
    output = {
        "score": None,
        "tier": None,
        "factors": [],
        "reasoning": f"Not scored: this lead is a {stop_reason}.",
        "fit_assessment": "Not assessed: duplicate lead.",
        "contact_quality": "Not assessed: duplicate lead.",
        "sales_potential": "none",
        "recommendations": [f"Work the original lead {original} instead."],
        "profile_kind": None,
        "duplicate_of": original,
    }
    return StageOutcome(output=output, stop_reason=stop_reason, engine="rules", cost_usd=0.0)
