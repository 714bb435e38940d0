"""The marketing graph: choose_strategy -> plan_channels -> write_content, then with the
``llm`` engine write_with_model (which keeps the rules content when the model fails)."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.marketing import nodes
from orchestration.agents.marketing.llm import write_with_model
from orchestration.agents.marketing.state import MarketingState
from orchestration.agents.runtime import RulesRuntime

MarketingGraph = CompiledStateGraph[MarketingState, RulesRuntime, MarketingState, MarketingState]


def route_by_engine(state: MarketingState) -> Literal["write_with_model", "__end__"]:
    """The llm engine rewrites the planned touches; with no channel there is nothing to write."""
    return "write_with_model" if state.get("engine") == "llm" and state["channels"] else "__end__"


def build_graph() -> MarketingGraph:
    """Build and compile the marketing graph."""
    builder = StateGraph(MarketingState, context_schema=RulesRuntime)
    builder.add_node("choose_strategy", nodes.choose_strategy)
    builder.add_node("plan_channels", nodes.plan_channels)
    builder.add_node("write_content", nodes.write_content)
    builder.add_node("write_with_model", write_with_model)
    builder.add_edge(START, "choose_strategy")
    builder.add_edge("choose_strategy", "plan_channels")
    builder.add_edge("plan_channels", "write_content")
    builder.add_conditional_edges("write_content", route_by_engine)
    builder.add_edge("write_with_model", END)
    return builder.compile(name="marketing")


graph = build_graph()
