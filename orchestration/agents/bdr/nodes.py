"""BDR nodes: each reads the state and returns only what it adds.

``await_decision`` pauses the graph with ``interrupt()``; on resume LangGraph runs that node
again from its start, so nothing before the ``interrupt()`` call may have side effects. The
nodes after it only compute (the meeting, its follow-ups): the ``bdr.resume`` task books and
schedules what they produce, exactly once, in Postgres.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from orchestration.agents.bdr.state import BdrState, Decision
from orchestration.agents.runtime import RulesRuntime, rules_of, stage_output
from orchestration.engines.rules import bdr as rules_engine
from orchestration.engines.rules import outreach, schedule
from orchestration.engines.rules.bdr import DraftEdit
from orchestration.engines.rules.facts import facts_from_lead
from orchestration.integrations.calendar.ics import meeting_uid
from orchestration.integrations.calendar.meeting import Meeting
from settings import get_settings

AWAITING_APPROVAL = "awaiting_approval"
DRY_RUN_DONE = "completed (dry run)"
APPROVED = "approved"
REJECTED = "rejected"
ACTIONS = ("approve", "edit", "reject")


class InvalidDecisionError(ValueError):
    """The resume value is not a decision this draft can take (the API checks first)."""


def research(state: BdrState) -> BdrState:
    """Gather talking points from qualification, enrichment, growth and marketing."""
    lead = state["lead"]
    facts = facts_from_lead(lead)
    outputs = {
        stage: stage_output(lead, stage)
        for stage in ("qualification", "enrichment", "growth", "marketing")
    }
    opportunities = outputs["growth"].get("opportunities") or []
    # The same contact checks marketing plans with: an address enrichment found invalid
    # is no more an email channel here than there.
    options, _ = outreach.contact_options(facts, outputs["enrichment"])
    return {
        "facts": facts,
        "talking_points": rules_engine.talking_points(facts, outputs),
        "angle": opportunities[0] if opportunities else None,
        "draft_channel": rules_engine.draft_channel(list(options), facts),
    }


def propose_slots(state: BdrState, runtime: Runtime[RulesRuntime]) -> BdrState:
    """Three meeting times on the next business days, in business hours of the lead's zone."""
    rules = rules_of(runtime)
    zone_name = schedule.timezone_for_state(
        state["facts"]["state"], get_settings().default_timezone
    )
    slots = schedule.propose_slots(
        schedule.parse_now(state["now"]),
        zone_name,
        rules.bdr.slot_times,
        rules.outreach.meeting_minutes,
    )
    return {"timezone": zone_name, "slots": slots}


def draft_outreach(state: BdrState, runtime: Runtime[RulesRuntime]) -> BdrState:
    """A personal first email, or a call script and voicemail, that offers the slots."""
    return {
        "draft": rules_engine.draft_outreach(
            state["facts"],
            state["slots"],
            state.get("angle"),
            state.get("draft_channel", "email"),
            rules_of(runtime).outreach,
        )
    }


def ready_for_approval(state: BdrState) -> BdrState:
    """Hand the draft to a person, unless the batch is a dry run."""
    return {"approval_status": DRY_RUN_DONE if state.get("dry_run") else AWAITING_APPROVAL}


def after_ready(state: BdrState) -> Literal["await_decision", "__end__"]:
    """A dry run ends with the draft; every other run waits for a person."""
    return "__end__" if state.get("dry_run") else "await_decision"


def await_decision(state: BdrState) -> BdrState:
    """Pause with the draft and slots until a person approves, edits or rejects."""
    answer: Any = interrupt(
        {
            "lead_id": state["lead"].get("id"),
            "draft": state["draft"],
            "slots": state["slots"],
            "timezone": state["timezone"],
        }
    )
    return {"decision": check_decision(answer)}


def check_decision(answer: Any) -> Decision:
    """The resume value as a :class:`Decision`; InvalidDecisionError when it is not one."""
    if not isinstance(answer, dict) or answer.get("action") not in ACTIONS:
        raise InvalidDecisionError(f"a decision needs an action in {ACTIONS}, got {answer!r}")
    if not answer.get("decided_at"):
        raise InvalidDecisionError("a decision needs decided_at")
    decision: Decision = {"action": answer["action"], "decided_at": str(answer["decided_at"])}
    if answer.get("by"):
        decision["by"] = str(answer["by"])
    if answer.get("reason"):
        decision["reason"] = str(answer["reason"])
    if answer.get("slot"):
        decision["slot"] = str(answer["slot"])
    edit = answer.get("draft")
    if isinstance(edit, dict):
        changes: DraftEdit = {}
        for field in ("subject", "body", "script", "voicemail"):
            if edit.get(field):
                changes[field] = str(edit[field])
        decision["draft"] = changes
    return decision


def after_decision(state: BdrState) -> Literal["book_meeting", "close_rejected"]:
    """Approve and edit go on to booking; reject ends the lead."""
    return "close_rejected" if state["decision"]["action"] == "reject" else "book_meeting"


def chosen_slot(state: BdrState, runtime: Runtime[RulesRuntime] | None) -> schedule.Slot:
    """The slot the person picked: the first proposed one unless a time was given.

    Approve takes one of the proposed times; edit may also name a new time, which must lie
    in the lead's business hours and after the decision.
    """
    decision = state["decision"]
    slots = state["slots"]
    if not decision.get("slot"):
        return slots[0]
    start = schedule.parse_now(decision["slot"])
    proposed = schedule.find_slot(slots, start)
    if proposed is not None:
        return proposed
    if decision["action"] != "edit":
        raise InvalidDecisionError(
            f"slot {decision['slot']} is not one of the proposed times; use edit to pick another"
        )
    rules = rules_of(runtime)
    slot = schedule.slot_at(start, state["timezone"], rules.outreach.meeting_minutes)
    if start <= schedule.parse_now(decision["decided_at"]) or not schedule.within_business_hours(
        slot, rules.bdr.business_day_start, rules.bdr.business_day_end
    ):
        raise InvalidDecisionError(
            f"slot {decision['slot']} is not a future time in the lead's business hours"
        )
    return slot


def book_meeting(state: BdrState, runtime: Runtime[RulesRuntime]) -> BdrState:
    """The meeting to book at the chosen time, with the approved (maybe edited) draft."""
    rules = rules_of(runtime)
    settings = get_settings()
    decision = state["decision"]
    facts = state["facts"]
    slot = chosen_slot(state, runtime)
    final_draft = rules_engine.apply_edit(state["draft"], decision.get("draft"))
    lead_id = str(state["lead"].get("id"))
    meeting = Meeting(
        uid=meeting_uid(lead_id, settings.calendar_uid_domain),
        start=slot["start"],
        end=slot["end"],
        timezone=state["timezone"],
        label=slot["label"],
        summary=rules_engine.meeting_summary(facts, rules.outreach),
        description=rules_engine.meeting_description(
            facts, state.get("talking_points") or [], state["timezone"], rules.outreach
        ),
        organizer_name=rules.outreach.sender_name,
        organizer_email=settings.calendar_organizer_email,
        attendee_name=facts["contact_name"] or facts["company"],
        attendee_email=facts["email"],
        stamp=decision["decided_at"],
    )
    return {
        "final_draft": final_draft,
        "meeting": meeting,
        "approval_status": APPROVED,
        "outcome_reason": f"meeting booked for {slot['label']}"
        + (f" (approved by {decision['by']})" if decision.get("by") else ""),
    }


def plan_follow_ups(state: BdrState, runtime: Runtime[RulesRuntime]) -> BdrState:
    """A reminder, a recap and a check-in around the booked meeting."""
    meeting = state["meeting"]
    slot = schedule.Slot(start=meeting["start"], end=meeting["end"], label=meeting["label"])
    return {
        "follow_ups": rules_engine.plan_follow_ups(
            state["facts"],
            slot,
            state["timezone"],
            state["final_draft"]["channel"],
            datetime.fromisoformat(state["decision"]["decided_at"]),
            rules_of(runtime).outreach,
        )
    }


def close_rejected(state: BdrState) -> BdrState:
    """End the lead: nothing is sent or booked; the reason names who decided."""
    decision = state["decision"]
    reason = f"rejected by {decision.get('by') or 'reviewer'}"
    if decision.get("reason"):
        reason += f": {decision['reason']}"
    return {"approval_status": REJECTED, "outcome_reason": reason}
