"""The marketing graph: choose_strategy -> plan_channels -> write_content."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.marketing import nodes
from orchestration.agents.marketing.state import MarketingState
from orchestration.agents.runtime import RulesRuntime

MarketingGraph = CompiledStateGraph[MarketingState, RulesRuntime, MarketingState, MarketingState]


def build_graph() -> MarketingGraph:
    """Build and compile the marketing graph."""
    builder = StateGraph(MarketingState, context_schema=RulesRuntime)
    builder.add_node("choose_strategy", nodes.choose_strategy)
    builder.add_node("plan_channels", nodes.plan_channels)
    builder.add_node("write_content", nodes.write_content)
    builder.add_edge(START, "choose_strategy")
    builder.add_edge("choose_strategy", "plan_channels")
    builder.add_edge("plan_channels", "write_content")
    builder.add_edge("write_content", END)
    return builder.compile(name="marketing")


graph = build_graph()
