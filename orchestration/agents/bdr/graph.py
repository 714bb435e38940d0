"""The BDR graph.

research -> propose_slots -> draft_outreach -(llm engine)-> draft_with_model
-> ready_for_approval -> (dry run: end)
-> await_decision [interrupt] -> book_meeting -> plan_follow_ups, or -> close_rejected.

Slots are proposed before the draft is written so the message can offer them. The pause
needs a checkpointer (the project's Redis saver in workers); compiled without one, the
graph still stops at the pause and returns the draft, but cannot be resumed.
"""

from __future__ import annotations

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.bdr import nodes
from orchestration.agents.bdr.llm import draft_with_model
from orchestration.agents.bdr.state import BdrState
from orchestration.agents.runtime import RulesRuntime

BdrGraph = CompiledStateGraph[BdrState, RulesRuntime, BdrState, BdrState]


def route_by_engine(state: BdrState) -> Literal["draft_with_model", "ready_for_approval"]:
    """The llm engine rewrites the rules draft; the rules engine hands it on as it is."""
    return "draft_with_model" if state.get("engine") == "llm" else "ready_for_approval"


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> BdrGraph:
    """Build and compile the BDR graph, with ``checkpointer`` holding paused threads."""
    builder = StateGraph(BdrState, context_schema=RulesRuntime)
    builder.add_node("research", nodes.research)
    builder.add_node("propose_slots", nodes.propose_slots)
    builder.add_node("draft_outreach", nodes.draft_outreach)
    builder.add_node("draft_with_model", draft_with_model)
    builder.add_node("ready_for_approval", nodes.ready_for_approval)
    builder.add_node("await_decision", nodes.await_decision)
    builder.add_node("book_meeting", nodes.book_meeting)
    builder.add_node("plan_follow_ups", nodes.plan_follow_ups)
    builder.add_node("close_rejected", nodes.close_rejected)
    builder.add_edge(START, "research")
    builder.add_edge("research", "propose_slots")
    builder.add_edge("propose_slots", "draft_outreach")
    builder.add_conditional_edges("draft_outreach", route_by_engine)
    builder.add_edge("draft_with_model", "ready_for_approval")
    builder.add_conditional_edges("ready_for_approval", nodes.after_ready)
    builder.add_conditional_edges("await_decision", nodes.after_decision)
    builder.add_edge("book_meeting", "plan_follow_ups")
    builder.add_edge("plan_follow_ups", END)
    builder.add_edge("close_rejected", END)
    return builder.compile(name="bdr", checkpointer=checkpointer)


graph = build_graph()
