"""The enrichment agent: organises and checks the contact data a lead arrived with."""

from __future__ import annotations

from typing import Any

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.enrichment.graph import EnrichmentGraph, build_graph
from orchestration.agents.enrichment.state import EnrichmentState
from orchestration.agents.runtime import RulesAgent

SKIPPED = "skipped: batch option"


class EnrichmentAgent(RulesAgent):
    """Known fields with sources, contact checks, derived facts and a confidence.

    Output keys: status ("enriched" or "skipped: batch option"), fields {name: {value,
    source}}, contacts {email, phone} checks (masked), derived {linkedin_url,
    social_profiles, service_keywords}, confidence (0-1, None when skipped), missing,
    providers (provider lookups made; none yet). No lead updates.
    """

    name = "enrichment"
    queue = "enrichment"

    def build_graph(self) -> EnrichmentGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: EnrichmentState = {"lead": lead, "skip": context.skip_enrichment}
        return dict(state)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        if final_state.get("skip"):
            output: dict[str, Any] = {
                "status": SKIPPED, "fields": {}, "contacts": {}, "derived": {},
                "confidence": None, "missing": [], "providers": [],
            }
        else:
            output = {
                "status": "enriched",
                "fields": final_state["fields"],
                "contacts": {
                    "email": final_state.get("email_check"),
                    "phone": final_state.get("phone_check"),
                },
                "derived": final_state["derived"],
                "confidence": final_state["confidence"],
                "missing": final_state["missing"],
                # Provider lookups (Apollo, Hunter, website) are a later integration.
                "providers": [],
            }
        return StageOutcome(output=output, engine="rules", cost_usd=0.0)
