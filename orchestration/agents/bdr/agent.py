"""The BDR agent: prepares the first conversation and waits for a person's decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.bdr.graph import BdrGraph, build_graph
from orchestration.agents.bdr.state import BdrState
from orchestration.agents.runtime import RulesAgent
from orchestration.config.rules import RulesConfig


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BdrAgent(RulesAgent):
    """Talking points, a personal draft and three meeting slots, awaiting approval.

    Output keys: talking_points, draft {channel, to, subject, body}, slots [{start, end,
    label}], timezone, approval_status ("awaiting_approval" or "completed (dry run)").
    No lead updates. ``clock`` gives "now" for the slots (fixed in tests).
    """

    name = "bdr"
    queue = "bdr"

    def __init__(self, rules: RulesConfig | None = None,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        super().__init__(rules)
        self._clock = clock

    def build_graph(self) -> BdrGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: BdrState = {"lead": lead, "now": self._clock().isoformat(),
                           "dry_run": context.dry_run}
        return dict(state)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        output = {
            "talking_points": final_state["talking_points"],
            "draft": final_state["draft"],
            "slots": final_state["slots"],
            "timezone": final_state["timezone"],
            "approval_status": final_state["approval_status"],
        }
        return StageOutcome(output=output, engine="rules", cost_usd=0.0)
