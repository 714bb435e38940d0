"""The enrichment agent: what providers, the website and the lead itself say, merged."""

from __future__ import annotations

from typing import Any

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.enrichment.context import EnrichmentRuntime
from orchestration.agents.enrichment.graph import EnrichmentGraph, build_graph
from orchestration.agents.enrichment.nodes import FAILED_STATUSES, masked_people
from orchestration.agents.enrichment.state import EnrichmentState
from orchestration.agents.runtime import RulesAgent
from orchestration.config.rules import RulesConfig
from orchestration.integrations.calls import total_cost
from orchestration.integrations.hub import Integrations, get_integrations

SKIPPED = "skipped: batch option"


class EnrichmentAgent(RulesAgent):
    """Apollo company data, Hunter/Apollo people, website facts, LinkedIn page; checked,
    merged per field with sources, with a confidence; optionally synced to Close.

    Output keys: status ("enriched" or "skipped: batch option"), degraded (a wanted lookup
    failed), fields {name: {value, source}}, contacts {email, email_source, phone,
    phone_source} checks (masked), people (masked), company (Apollo), website (home page
    facts), linkedin {url, source, guess}, derived {linkedin_url, linkedin_guess,
    social_profiles, service_keywords, technologies}, confidence (0-1, None when skipped),
    confidence_factors, missing, providers (one record per lookup: provider, operation,
    status, cost_usd, latency_ms, attempts, error), crm (sync result, None when not asked).
    Lead updates: ``email`` when the lead had none and a usable one was found.

    CRM sync runs here, as the graph's last node, because this is where the complete
    record first exists; it runs only for batches with ``create_in_crm`` that are not dry
    runs, and is idempotent per lead (see ``orchestration/integrations/crm_sync.py``).
    """

    name = "enrichment"
    queue = "enrichment"

    def __init__(
        self, rules: RulesConfig | None = None, integrations: Integrations | None = None
    ) -> None:
        super().__init__(rules)
        self._integrations = integrations

    @property
    def integrations(self) -> Integrations:
        return self._integrations if self._integrations is not None else get_integrations()

    def build_graph(self) -> EnrichmentGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: EnrichmentState = {
            "lead": lead,
            "skip": context.skip_enrichment,
            "sync_crm": context.create_in_crm and not context.dry_run,
            "provider_calls": [],
        }
        return dict(state)

    def runtime_context(self) -> EnrichmentRuntime:
        return EnrichmentRuntime(rules=self.rules, integrations=self.integrations)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        if final_state.get("skip"):
            output: dict[str, Any] = {
                "status": SKIPPED,
                "degraded": False,
                "fields": {},
                "contacts": {},
                "derived": {},
                "confidence": None,
                "missing": [],
                "providers": [],
                "people": [],
                "company": None,
                "website": None,
                "linkedin": None,
                "crm": None,
            }
            return StageOutcome(output=output, engine="rules", cost_usd=0.0)
        calls = list(final_state.get("provider_calls") or [])
        best = final_state.get("best_email")
        fields = final_state["fields"]
        phone_field = fields.get("phone")
        output = {
            "status": "enriched",
            "degraded": any(call["status"] in FAILED_STATUSES for call in calls),
            "fields": fields,
            "contacts": {
                "email": best["check"] if best else None,
                "email_source": best["source"] if best else None,
                "phone": final_state.get("phone_check"),
                "phone_source": phone_field["source"] if phone_field else None,
            },
            "people": masked_people(final_state.get("people") or []),
            "company": final_state.get("company"),
            "website": final_state.get("site"),
            "linkedin": final_state.get("linkedin"),
            "derived": final_state["derived"],
            "confidence": final_state["confidence"],
            "confidence_factors": final_state["confidence_factors"],
            "missing": final_state["missing"],
            "providers": calls,
            "crm": final_state.get("crm"),
        }
        updates: dict[str, Any] = {}
        lead = final_state["lead"]
        if best is not None and not lead.get("email") and best["check"]["kind"] != "invalid":
            updates["email"] = best["email"]
        return StageOutcome(
            output=output, lead_updates=updates, engine="rules", cost_usd=total_cost(calls)
        )
