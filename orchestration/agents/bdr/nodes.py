"""BDR nodes: each reads the state and returns only what it adds."""

from __future__ import annotations

from langgraph.runtime import Runtime

from orchestration.agents.bdr.state import BdrState
from orchestration.agents.runtime import RulesRuntime, rules_of, stage_output
from orchestration.engines.rules import bdr as rules_engine
from orchestration.engines.rules import schedule
from orchestration.engines.rules.facts import facts_from_lead
from settings import get_settings

AWAITING_APPROVAL = "awaiting_approval"
DRY_RUN_DONE = "completed (dry run)"


def research(state: BdrState) -> BdrState:
    """Gather talking points from qualification, enrichment, growth and marketing."""
    lead = state["lead"]
    facts = facts_from_lead(lead)
    outputs = {stage: stage_output(lead, stage)
               for stage in ("qualification", "enrichment", "growth", "marketing")}
    opportunities = outputs["growth"].get("opportunities") or []
    channels = outputs["marketing"].get("channels") or []
    return {
        "facts": facts,
        "talking_points": rules_engine.talking_points(facts, outputs),
        "angle": opportunities[0] if opportunities else None,
        "first_channel": channels[0]["channel"] if channels else None,
    }


def propose_slots(state: BdrState, runtime: Runtime[RulesRuntime]) -> BdrState:
    """Three meeting times on the next business days, in business hours of the lead's zone."""
    rules = rules_of(runtime)
    zone_name = schedule.timezone_for_state(state["facts"]["state"],
                                            get_settings().default_timezone)
    slots = schedule.propose_slots(schedule.parse_now(state["now"]), zone_name,
                                   rules.bdr.slot_times, rules.outreach.meeting_minutes)
    return {"timezone": zone_name, "slots": slots}


def draft_outreach(state: BdrState, runtime: Runtime[RulesRuntime]) -> BdrState:
    """A personal first message that names the lead's attributes and offers the slots."""
    return {"draft": rules_engine.draft_outreach(
        state["facts"], state["slots"], state.get("angle"), state.get("first_channel"),
        rules_of(runtime).outreach,
    )}


def ready_for_approval(state: BdrState) -> BdrState:
    """Hand the draft to a person, unless the batch is a dry run."""
    return {"approval_status": DRY_RUN_DONE if state.get("dry_run") else AWAITING_APPROVAL}
