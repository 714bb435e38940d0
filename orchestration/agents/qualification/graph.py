"""The qualification graph: duplicate check, then analyse, score, tier and explain.

START -> check_duplicate -(duplicate)-> END
                         -(no email, a website, websites read)-> discover_email
                         -(otherwise)-> analyze_company -> score_icp_fit
    discover_email -> analyze_company
    score_icp_fit -(rules engine)-> classify_tier -> write_reasoning -> END
                  -(llm engine)--> decide_with_model -(decided)-> END
                                                     -(fell back)-> classify_tier ...
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.qualification import nodes
from orchestration.agents.qualification.discovery import discover_email, wants_discovery
from orchestration.agents.qualification.llm import decide_with_model
from orchestration.agents.qualification.state import QualificationState
from orchestration.agents.runtime import RulesRuntime

QualificationGraph = CompiledStateGraph[
    QualificationState, RulesRuntime, QualificationState, QualificationState
]


def route_after_duplicate_check(
    state: QualificationState,
) -> Literal["discover_email", "analyze_company", "__end__"]:
    """A duplicate under stop-on-duplicate skips scoring entirely; a lead without an email
    has its website read first (a routing decision, so other leads pay no extra step)."""
    if state.get("duplicate_stop"):
        return "__end__"
    return "discover_email" if wants_discovery(state["lead"]) else "analyze_company"


def route_by_engine(state: QualificationState) -> Literal["decide_with_model", "classify_tier"]:
    """The llm engine asks the model first; the rules engine tiers the rules score."""
    return "decide_with_model" if state.get("engine") == "llm" else "classify_tier"


def route_after_model(state: QualificationState) -> Literal["classify_tier", "__end__"]:
    """A usable model answer is the decision; a fallback hands over to the rules nodes."""
    return "__end__" if state.get("decided_by") == "llm" else "classify_tier"


def build_graph() -> QualificationGraph:
    """Build and compile the qualification graph."""
    builder = StateGraph(QualificationState, context_schema=RulesRuntime)
    builder.add_node("check_duplicate", nodes.check_duplicate)
    builder.add_node("discover_email", discover_email)
    builder.add_node("analyze_company", nodes.analyze_company)
    builder.add_node("score_icp_fit", nodes.score_icp_fit)
    builder.add_node("decide_with_model", decide_with_model)
    builder.add_node("classify_tier", nodes.classify_tier)
    builder.add_node("write_reasoning", nodes.write_reasoning)
    builder.add_edge(START, "check_duplicate")
    builder.add_conditional_edges("check_duplicate", route_after_duplicate_check)
    builder.add_edge("discover_email", "analyze_company")
    builder.add_edge("analyze_company", "score_icp_fit")
    builder.add_conditional_edges("score_icp_fit", route_by_engine)
    builder.add_conditional_edges("decide_with_model", route_after_model)
    builder.add_edge("classify_tier", "write_reasoning")
    builder.add_edge("write_reasoning", END)
    return builder.compile(name="qualification")


graph = build_graph()
