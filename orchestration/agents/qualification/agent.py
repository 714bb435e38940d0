"""The qualification agent: first stage of every lead's chain."""

from __future__ import annotations

from typing import Any

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.qualification.graph import QualificationGraph, build_graph
from orchestration.agents.qualification.state import QualificationState
from orchestration.agents.runtime import RulesAgent
from orchestration.engines.rules.factors import weakest
from settings import get_settings


class QualificationAgent(RulesAgent):
    """Scores ICP fit, assigns tier A-D, and stops tier-D and duplicate leads.

    Output keys: score, tier, factors [{key, name, points, max_points, reason}], reasoning,
    fit_assessment, contact_quality, sales_potential, recommendations, profile_kind,
    duplicate_of. Lead updates: score, tier.
    """

    name = "qualification"
    queue = "qualification"

    def build_graph(self) -> QualificationGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: QualificationState = {"lead": lead, "stop_on_duplicate": context.stop_on_duplicate}
        return dict(state)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        duplicate_stop = final_state.get("duplicate_stop")
        if duplicate_stop:
            return _duplicate_outcome(final_state["lead"], duplicate_stop)
        score, tier = final_state["score"], final_state["tier"]
        output = {
            "score": score,
            "tier": tier,
            "factors": final_state["factors"],
            "reasoning": final_state["reasoning"],
            "fit_assessment": final_state["fit_assessment"],
            "contact_quality": final_state["contact_quality"],
            "sales_potential": final_state["sales_potential"],
            "recommendations": final_state["recommendations"],
            "profile_kind": final_state["facts"]["kind"],
            "duplicate_of": final_state["lead"].get("duplicate_of"),
        }
        stop_reason = None
        if tier == "D":
            gaps = [f["reason"] for f in weakest(final_state["factors"])]
            stop_reason = f"tier D: score {score} below {get_settings().tier_c_min}"
            stop_reason += "".join(f"; {gap}" for gap in gaps)
        return StageOutcome(output=output, lead_updates={"score": score, "tier": tier},
                            stop_reason=stop_reason, engine="rules", cost_usd=0.0)


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
