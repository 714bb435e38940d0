"""The marketing agent: campaign strategy, channel plan and personalised content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.marketing.graph import MarketingGraph, build_graph
from orchestration.agents.marketing.state import MarketingState
from orchestration.agents.runtime import RulesAgent
from orchestration.llm import ENGINE_RULES


class MarketingAgent(RulesAgent):
    """Plans the campaign from qualification and growth, and writes every touch.

    Output keys: strategy, strategy_reason, based_on {tier, score, growth_score}, campaign
    {touches, duration_days, lead_with}, channels [{channel, day, purpose, why}], content
    {channel: {subject, body, call_opener}}, notes; for a tier-C lead also ``nurture``
    {starts_on, touches [{channel, day, on}]}, and its chain ends here as completed.
    No lead updates. With the llm engine
    also ``model_strategy`` and ``llm`` (usage, cost, channels_written) when the model's
    content was used, or ``llm_fallback`` (reason) when the rules content was kept;
    ``engine`` is then "llm" or "rules-fallback".
    """

    name = "marketing"
    queue = "marketing"

    def build_graph(self) -> MarketingGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: MarketingState = {"lead": lead, "engine": context.engine}
        return dict(state)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        strategy = final_state["strategy"]
        channels = final_state["channels"]
        notes = list(final_state.get("notes") or [])
        if not channels:
            notes.append(
                "No reachable channel: no usable email, phone, street address, "
                "LinkedIn profile or contact name on file."
            )
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
            "campaign": {
                "touches": len(channels),
                "duration_days": channels[-1]["day"] if channels else 0,
                "lead_with": final_state.get("angle"),
            },
            "channels": channels,
            "content": final_state["content"],
            "notes": notes,
        }
        for key in ("model_strategy", "llm", "llm_fallback"):
            if key in final_state:  # the llm engine's record; the rules path adds nothing
                output[key] = final_state[key]
        complete_reason = None
        if final_state.get("tier") == NURTURE_TIER:
            # A nurture lead's path ends here: its touches are scheduled, and it never
            # enters a person's approval queue (that inbox is for leads worth a call now).
            output["nurture"] = nurture_schedule(channels, datetime.now(UTC))
            complete_reason = (
                f"tier {NURTURE_TIER}: nurture sequence of "
                f"{len(channels)} touch{'es' if len(channels) != 1 else ''} scheduled"
                + (f" from {output['nurture']['starts_on']}" if channels else "")
            )
        return StageOutcome(
            output=output,
            complete_reason=complete_reason,
            engine=final_state.get("decided_by", ENGINE_RULES),
            cost_usd=final_state.get("cost_usd", 0.0),
        )


# The tier whose path is nurture: marketing plans and schedules it, BDR never drafts for it.
NURTURE_TIER = "C"


def nurture_schedule(channels: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The nurture touches as dated steps: ``{"starts_on", "touches": [{channel, day, on}]}``.

    Day 0 is the day the plan is made; each touch's ``on`` is that day plus its offset.
    """
    start = now.date()
    touches = [
        {"channel": c["channel"], "day": c["day"],
         "on": (start + timedelta(days=int(c["day"]))).isoformat()}
        for c in channels
    ]
    return {"starts_on": start.isoformat(), "touches": touches}
