"""What every agent graph shares: the run-scoped rule tables and the lead helpers.

Rule tables travel in LangGraph's runtime context rather than in the state: they are
configuration, not part of the lead's story, and must never be written into a checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langgraph.runtime import Runtime

from orchestration.agents.base import Agent, RunContext, StageOutcome
from orchestration.config.rules import RulesConfig, load_rules


@dataclass(frozen=True)
class RulesRuntime:
    """The graph's runtime context: the rule tables nodes score and write with."""

    rules: RulesConfig


def rules_of(runtime: Runtime[RulesRuntime] | None) -> RulesConfig:
    """The rule tables of this run; the configured file when the graph is invoked bare."""
    context = runtime.context if runtime is not None else None
    return context.rules if context is not None else load_rules()


def sender_card(runtime: Runtime[RulesRuntime] | None) -> dict[str, Any]:
    """Who writes the outreach, as a model is told (name, team, pitch, meeting length)."""
    sender = rules_of(runtime).outreach
    return {
        "name": sender.sender_name,
        "team": sender.sender_team,
        "value_proposition": sender.value_proposition,
        "meeting_minutes": sender.meeting_minutes,
    }


def stage_output(lead: Mapping[str, Any], stage: str) -> dict[str, Any]:
    """What an earlier stage produced for this lead, or ``{}`` when it has not run."""
    outputs = lead.get("stage_outputs") or {}
    found = outputs.get(stage)
    return found if isinstance(found, dict) else {}


class RulesAgent(Agent):
    """An agent whose graph reads rule tables from the runtime context.

    ``rules`` pins the tables (tests, or a caller with its own file); by default the file
    named by ``settings.scoring_config`` is used, read once per process.
    """

    def __init__(self, rules: RulesConfig | None = None) -> None:
        super().__init__()
        self._rules = rules

    @property
    def rules(self) -> RulesConfig:
        return self._rules if self._rules is not None else load_rules()

    def runtime_context(self) -> RulesRuntime:
        """The graph's runtime context; agents whose nodes need more (market data, provider
        clients) return a subclass. Every caller that invokes or streams the graph uses it."""
        return RulesRuntime(rules=self.rules)

    def run(self, lead: dict[str, Any], context: RunContext) -> StageOutcome:
        final_state = self.graph.invoke(
            self.initial_state(lead, context), context=self.runtime_context()
        )
        return self.outcome(final_state, context)
