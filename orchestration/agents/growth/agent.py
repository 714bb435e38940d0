"""The growth agent: market opportunity, competition and growth-potential score."""

from __future__ import annotations

from typing import Any

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.growth.graph import GrowthGraph, build_graph
from orchestration.agents.growth.state import GrowthState
from orchestration.agents.runtime import RulesAgent


class GrowthAgent(RulesAgent):
    """Scores growth potential from the lead's market, service mix and competition.

    Output keys: growth_score, factors [{key, name, points, max_points, reason}], summary,
    market {state, state_outlook, metro, service_lines, customer_mix, oem_programs},
    competition {level, crowding, most_crowded, basis}, competition_basis, opportunities.
    Lead updates: growth_score.
    """

    name = "growth"
    queue = "growth"

    def build_graph(self) -> GrowthGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: GrowthState = {"lead": lead}
        return dict(state)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        score = final_state["growth_score"]
        competition = final_state["competition"]
        output = {
            "growth_score": score,
            "factors": final_state["factors"],
            "summary": final_state["summary"],
            "market": final_state["market"],
            "competition": competition,
            "competition_basis": competition["basis"],
            "opportunities": final_state["opportunities"],
        }
        return StageOutcome(output=output, lead_updates={"growth_score": score},
                            engine="rules", cost_usd=0.0)
