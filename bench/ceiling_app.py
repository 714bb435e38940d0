"""The pipeline's worker with its agents swapped out: for measuring ceilings, never for use.

`bench.pipeline_ceiling` starts a worker on this module to learn how fast the pipeline could
possibly go with everything but the agents real (the same queues, chain, delivery flags,
Postgres reads and writes, events). ``SALES_AGENT_BENCH_AGENTS`` picks the stand-in:

- ``constant``: each stage returns a fixed outcome at once (the price of Celery plus
  persistence alone);
- ``graphs``: each stage invokes a LangGraph graph of three nodes that do nothing (the
  least a stage can be while it "runs that agent's graph, the seed's steps as nodes").
"""

from __future__ import annotations

import os
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

import tasks.stage
from orchestration.agents.base import RunContext, StageOutcome
from workers.celery_app import app

__all__ = ["app"]

STAND_INS = ("constant", "graphs")
# What a real stage hands the writer: a small output and no lead updates.
_OUTPUT = {"score": 70, "tier": "B", "reasoning": "x" * 200}


class _State(TypedDict, total=False):
    lead: dict[str, Any]
    step: int


def _empty_graph(nodes: int) -> CompiledStateGraph[_State, None, _State, _State]:
    builder = StateGraph(_State)
    names = [f"step{i}" for i in range(1, nodes + 1)]
    for i, name in enumerate(names, 1):
        builder.add_node(name, lambda _state, i=i: {"step": i})
    builder.add_edge(START, names[0])
    for before, after in zip(names, names[1:], strict=False):
        builder.add_edge(before, after)
    builder.add_edge(names[-1], END)
    return builder.compile()


class _StandIn:
    def __init__(self, graph: CompiledStateGraph[_State, None, _State, _State] | None) -> None:
        self._graph = graph

    def run(self, lead: dict[str, Any], context: RunContext) -> StageOutcome:
        if self._graph is not None:
            self._graph.invoke({"lead": lead})
        return StageOutcome(output=dict(_OUTPUT))


_kind = os.environ.get("SALES_AGENT_BENCH_AGENTS", "")
if _kind not in STAND_INS:
    raise RuntimeError(f"SALES_AGENT_BENCH_AGENTS must be one of {STAND_INS}, got {_kind!r}")
_stand_in = _StandIn(_empty_graph(3) if _kind == "graphs" else None)
# The stage task looks its agent up by name on every run: answer with the stand-in.
setattr(tasks.stage, "get_agent", lambda _stage: _stand_in)  # noqa: B010
