"""The enrichment graph: known fields, three parallel lookups, checks, merge, CRM sync.

START -(skip)-> END
      -(otherwise)-> collect_known_fields
          -(each lookup with something to ask)-> company_data (Apollo)
                                               | people_data (Hunter, Apollo) | website_facts
          -(none: no keys, no website reading)-> linkedin_page
          -> linkedin_page -> validate_contacts -> derive_facts -> merge
          -(batch has create_in_crm and is not a dry run)-> sync_crm -> END
          -(otherwise)-> END
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.enrichment import nodes
from orchestration.agents.enrichment.context import EnrichmentRuntime
from orchestration.agents.enrichment.state import EnrichmentState

EnrichmentGraph = CompiledStateGraph[
    EnrichmentState, EnrichmentRuntime, EnrichmentState, EnrichmentState
]
LOOKUP_NODES = ("company_data", "people_data", "website_facts")


def route_start(state: EnrichmentState) -> Literal["collect_known_fields", "__end__"]:
    """A batch with skip_enrichment passes the lead straight through."""
    return "__end__" if state.get("skip") else "collect_known_fields"


def route_lookups(state: EnrichmentState) -> list[str]:
    """The lookups collect_known_fields planned, in parallel; with none to run (no provider
    keys, websites not read) straight on, so an offline run pays for no empty branches."""
    return list(state.get("lookups") or []) or ["linkedin_page"]


def route_after_merge(state: EnrichmentState) -> Literal["sync_crm", "__end__"]:
    """Only batches that ask for the CRM, and are not dry runs, write to it."""
    return "sync_crm" if state.get("sync_crm") else "__end__"


def build_graph() -> EnrichmentGraph:
    """Build and compile the enrichment graph."""
    builder = StateGraph(EnrichmentState, context_schema=EnrichmentRuntime)
    builder.add_node("collect_known_fields", nodes.collect_known_fields)
    builder.add_node("company_data", nodes.company_data)
    builder.add_node("people_data", nodes.people_data)
    builder.add_node("website_facts", nodes.website_facts)
    builder.add_node("linkedin_page", nodes.linkedin_page)
    builder.add_node("validate_contacts", nodes.validate_contacts)
    builder.add_node("derive_facts", nodes.derive_facts)
    builder.add_node("merge", nodes.merge)
    builder.add_node("sync_crm", nodes.sync_crm)
    builder.add_conditional_edges(START, route_start)
    builder.add_conditional_edges(
        "collect_known_fields", route_lookups, [*LOOKUP_NODES, "linkedin_page"]
    )
    for lookup in LOOKUP_NODES:
        # Lookups started together finish in one step, so linkedin_page runs once after them.
        builder.add_edge(lookup, "linkedin_page")
    builder.add_edge("linkedin_page", "validate_contacts")
    builder.add_edge("validate_contacts", "derive_facts")
    builder.add_edge("derive_facts", "merge")
    builder.add_conditional_edges("merge", route_after_merge)
    builder.add_edge("sync_crm", END)
    return builder.compile(name="enrichment")


graph = build_graph()
