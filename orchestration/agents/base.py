"""The one interface every agent implements, and what a stage run returns.

A stage task (tasks/) loads the lead, calls :meth:`Agent.run`, and persists the
:class:`StageOutcome`. Agents never touch the database or the queue themselves.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from langgraph.graph.state import CompiledStateGraph


@dataclass(frozen=True)
class RunContext:
    """What a stage knows beyond the lead: batch options and engine choice."""

    batch_id: str | None = None
    stop_on_duplicate: bool = False
    skip_enrichment: bool = False
    create_in_crm: bool = False
    dry_run: bool = False
    engine: str = "rules"
    profile: str | None = None  # qualification profile the batch asked for (None: by format)


@dataclass
class StageOutcome:
    """The result of one agent on one lead.

    output: JSON-serialisable facts and decisions, stored on the execution row and under
        ``leads.stage_outputs[<agent>]`` for later stages to read.
    lead_updates: column values to set on the lead (e.g. ``score``, ``tier``, ``email``).
    stop_reason: when set, the lead's chain ends here as *disqualified* with this reason.
    complete_reason: when set, the lead's chain ends here as *completed* with this reason:
        its path is done (a tier-C lead's nurture sequence is scheduled by marketing).
    cost_usd: money spent on providers/models for this run.
    """

    output: dict[str, Any]
    lead_updates: dict[str, Any] = field(default_factory=dict)
    stop_reason: str | None = None
    complete_reason: str | None = None
    cost_usd: float = 0.0
    engine: str = "rules"


class Agent(abc.ABC):
    """An agent: a name, a queue, and a compiled LangGraph graph built once per process."""

    name: str
    queue: str

    def __init__(self) -> None:
        self._graph: CompiledStateGraph[Any, Any, Any, Any] | None = None

    @abc.abstractmethod
    def build_graph(self) -> CompiledStateGraph[Any, Any, Any, Any]:
        """Build and compile this agent's StateGraph."""

    @property
    def graph(self) -> CompiledStateGraph[Any, Any, Any, Any]:
        if self._graph is None:
            self._graph = self.build_graph()
        return self._graph

    @abc.abstractmethod
    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        """The graph's input built from the lead record (see ``LeadRecord`` keys)."""

    @abc.abstractmethod
    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        """Turn the graph's final state into what gets persisted."""

    def run(self, lead: dict[str, Any], context: RunContext) -> StageOutcome:
        final_state = self.graph.invoke(self.initial_state(lead, context))
        return self.outcome(final_state, context)
