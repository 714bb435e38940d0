"""The growth graph: assess_market -> assess_competition -> score_growth, then with the
``llm`` engine assess_with_model (which keeps the rules result when the model fails)."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.growth import nodes
from orchestration.agents.growth.context import GrowthRuntime
from orchestration.agents.growth.llm import assess_with_model
from orchestration.agents.growth.state import GrowthState

GrowthGraph = CompiledStateGraph[GrowthState, GrowthRuntime, GrowthState, GrowthState]


def route_by_engine(state: GrowthState) -> Literal["assess_with_model", "__end__"]:
    """The llm engine asks the model to judge the rules analysis; the rules engine is done."""
    return "assess_with_model" if state.get("engine") == "llm" else "__end__"


def build_graph() -> GrowthGraph:
    """Build and compile the growth graph."""
    builder = StateGraph(GrowthState, context_schema=GrowthRuntime)
    builder.add_node("assess_market", nodes.assess_market)
    builder.add_node("assess_competition", nodes.assess_competition)
    builder.add_node("score_growth", nodes.score_growth)
    builder.add_node("assess_with_model", assess_with_model)
    builder.add_edge(START, "assess_market")
    builder.add_edge("assess_market", "assess_competition")
    builder.add_edge("assess_competition", "score_growth")
    builder.add_conditional_edges("score_growth", route_by_engine)
    builder.add_edge("assess_with_model", END)
    return builder.compile(name="growth")


graph = build_graph()
