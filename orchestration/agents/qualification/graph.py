"""The qualification graph: duplicate check, then analyse, score, tier and explain.

    START -> check_duplicate -(duplicate)-> END
                             -(otherwise)-> analyze_company -> score_icp_fit
                                            -> classify_tier -> write_reasoning -> END
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.qualification import nodes
from orchestration.agents.qualification.state import QualificationState
from orchestration.agents.runtime import RulesRuntime

QualificationGraph = CompiledStateGraph[
    QualificationState, RulesRuntime, QualificationState, QualificationState
]


def route_after_duplicate_check(
    state: QualificationState,
) -> Literal["analyze_company", "__end__"]:
    """A duplicate under stop-on-duplicate skips scoring entirely."""
    return "__end__" if state.get("duplicate_stop") else "analyze_company"


def build_graph() -> QualificationGraph:
    """Build and compile the qualification graph."""
    builder = StateGraph(QualificationState, context_schema=RulesRuntime)
    builder.add_node("check_duplicate", nodes.check_duplicate)
    builder.add_node("analyze_company", nodes.analyze_company)
    builder.add_node("score_icp_fit", nodes.score_icp_fit)
    builder.add_node("classify_tier", nodes.classify_tier)
    builder.add_node("write_reasoning", nodes.write_reasoning)
    builder.add_edge(START, "check_duplicate")
    builder.add_conditional_edges("check_duplicate", route_after_duplicate_check)
    builder.add_edge("analyze_company", "score_icp_fit")
    builder.add_edge("score_icp_fit", "classify_tier")
    builder.add_edge("classify_tier", "write_reasoning")
    builder.add_edge("write_reasoning", END)
    return builder.compile(name="qualification")


graph = build_graph()
