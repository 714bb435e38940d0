"""The growth graph: assess_market -> assess_competition -> score_growth."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.growth import nodes
from orchestration.agents.growth.state import GrowthState
from orchestration.agents.runtime import RulesRuntime

GrowthGraph = CompiledStateGraph[GrowthState, RulesRuntime, GrowthState, GrowthState]


def build_graph() -> GrowthGraph:
    """Build and compile the growth graph."""
    builder = StateGraph(GrowthState, context_schema=RulesRuntime)
    builder.add_node("assess_market", nodes.assess_market)
    builder.add_node("assess_competition", nodes.assess_competition)
    builder.add_node("score_growth", nodes.score_growth)
    builder.add_edge(START, "assess_market")
    builder.add_edge("assess_market", "assess_competition")
    builder.add_edge("assess_competition", "score_growth")
    builder.add_edge("score_growth", END)
    return builder.compile(name="growth")


graph = build_graph()
