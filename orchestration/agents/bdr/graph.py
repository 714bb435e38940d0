"""The BDR graph: research -> propose_slots -> draft_outreach -> ready_for_approval.

Slots are proposed before the draft is written so the message can offer them.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.bdr import nodes
from orchestration.agents.bdr.state import BdrState
from orchestration.agents.runtime import RulesRuntime

BdrGraph = CompiledStateGraph[BdrState, RulesRuntime, BdrState, BdrState]


def build_graph() -> BdrGraph:
    """Build and compile the BDR graph."""
    builder = StateGraph(BdrState, context_schema=RulesRuntime)
    builder.add_node("research", nodes.research)
    builder.add_node("propose_slots", nodes.propose_slots)
    builder.add_node("draft_outreach", nodes.draft_outreach)
    builder.add_node("ready_for_approval", nodes.ready_for_approval)
    builder.add_edge(START, "research")
    builder.add_edge("research", "propose_slots")
    builder.add_edge("propose_slots", "draft_outreach")
    builder.add_edge("draft_outreach", "ready_for_approval")
    builder.add_edge("ready_for_approval", END)
    return builder.compile(name="bdr")


graph = build_graph()
