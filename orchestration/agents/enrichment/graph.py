"""The enrichment graph: collect, validate, derive, merge (or skip by batch option).

    START -(skip)-> END
          -(otherwise)-> collect_known_fields -> validate_contacts -> derive_facts
                         -> merge -> END
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.enrichment import nodes
from orchestration.agents.enrichment.state import EnrichmentState
from orchestration.agents.runtime import RulesRuntime

EnrichmentGraph = CompiledStateGraph[EnrichmentState, RulesRuntime, EnrichmentState,
                                     EnrichmentState]


def route_start(state: EnrichmentState) -> Literal["collect_known_fields", "__end__"]:
    """A batch with skip_enrichment passes the lead straight through."""
    return "__end__" if state.get("skip") else "collect_known_fields"


def build_graph() -> EnrichmentGraph:
    """Build and compile the enrichment graph."""
    builder = StateGraph(EnrichmentState, context_schema=RulesRuntime)
    builder.add_node("collect_known_fields", nodes.collect_known_fields)
    builder.add_node("validate_contacts", nodes.validate_contacts)
    builder.add_node("derive_facts", nodes.derive_facts)
    builder.add_node("merge", nodes.merge)
    builder.add_conditional_edges(START, route_start)
    builder.add_edge("collect_known_fields", "validate_contacts")
    builder.add_edge("validate_contacts", "derive_facts")
    builder.add_edge("derive_facts", "merge")
    builder.add_edge("merge", END)
    return builder.compile(name="enrichment")


graph = build_graph()
