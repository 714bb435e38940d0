"""The marketing agent: campaign strategy, channel plan and personalised content."""

from __future__ import annotations

from typing import Any

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.marketing.graph import MarketingGraph, build_graph
from orchestration.agents.marketing.state import MarketingState
from orchestration.agents.runtime import RulesAgent


class MarketingAgent(RulesAgent):
    """Plans the campaign from qualification and growth, and writes every touch.

    Output keys: strategy, strategy_reason, based_on {tier, score, growth_score}, channels
    [{channel, day, purpose}], content {channel: {subject, body, call_opener}}, notes.
    No lead updates.
    """

    name = "marketing"
    queue = "marketing"

    def build_graph(self) -> MarketingGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: MarketingState = {"lead": lead}
        return dict(state)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        strategy = final_state["strategy"]
        channels = final_state["channels"]
        notes = [] if channels else [
            "No reachable channel: no email, phone, street address or contact name on file."
        ]
        if final_state.get("tier") is None:
            notes.append("Qualification output missing: strategy chosen without a tier.")
        if final_state.get("growth_score") is None:
            notes.append("Growth output missing: strategy chosen without a growth score.")
        output = {
            "strategy": strategy["name"],
            "strategy_reason": strategy["reason"],
            "based_on": {
                "tier": final_state.get("tier"),
                "score": final_state.get("score"),
                "growth_score": final_state.get("growth_score"),
            },
            "channels": channels,
            "content": final_state["content"],
            "notes": notes,
        }
        return StageOutcome(output=output, engine="rules", cost_usd=0.0)
