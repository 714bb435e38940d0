"""Conversation nodes: each reads the state and returns only what it adds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from orchestration.agents.conversation.speakers import RulesSpeaker, Speaker
from orchestration.agents.conversation.state import ConversationState, Message
from orchestration.agents.runtime import stage_output
from orchestration.config.rules import RulesConfig, load_rules
from orchestration.engines.rules import conversation as rules_engine
from orchestration.engines.rules import schedule
from orchestration.engines.rules.facts import facts_from_lead
from settings import get_settings

RULES_SPEAKER = RulesSpeaker()
PIPELINE_OUTPUTS = ("qualification", "enrichment", "growth", "marketing", "bdr")


@dataclass(frozen=True)
class ConversationRuntime:
    """Per-turn context, never checkpointed: the lead as Postgres has it now, the clock,
    the rule tables and the speaker (engine) that streams the reply."""

    lead: dict[str, Any]  # the LeadRecord with its stage_outputs
    now: str  # ISO timestamp; meeting times are proposed from it
    rules: RulesConfig = field(default_factory=load_rules)
    speaker: Speaker = field(default_factory=RulesSpeaker)


def receive(state: ConversationState) -> ConversationState:
    """Add the prospect's line to the dialogue and number the turn."""
    turn_id = state["turn_id"]
    own_id = f"{turn_id}:prospect"
    earlier = [
        m for m in state.get("messages") or [] if m["role"] == "prospect" and m["id"] != own_id
    ]
    line = Message(id=own_id, role="prospect", text=state["text"], turn_id=turn_id, intent=None)
    return {"messages": [line], "turn": len(earlier) + 1}


def ground(state: ConversationState, runtime: Runtime[ConversationRuntime]) -> ConversationState:
    """What the pipeline knows about the lead: facts, tier, growth angle, meeting times
    (the BDR's proposal when it ran, else times proposed now in the lead's zone)."""
    lead = runtime.context.lead
    rules = runtime.context.rules
    facts = facts_from_lead(lead)
    zone_name = schedule.timezone_for_state(facts["state"], get_settings().default_timezone)
    fallback = schedule.propose_slots(
        schedule.parse_now(runtime.context.now),
        zone_name,
        rules.bdr.slot_times,
        rules.outreach.meeting_minutes,
    )
    outputs = {stage: stage_output(lead, stage) for stage in PIPELINE_OUTPUTS}
    return {"context": rules_engine.lead_context(facts, outputs, fallback)}


def understand(state: ConversationState) -> ConversationState:
    """Recognise the intent, and remember what the message tells us (name, picked time)."""
    memory = state.get("memory") or rules_engine.Memory()
    match = rules_engine.recognise_intent(
        state["text"], slots_offered=bool(memory.get("offered_slots"))
    )
    return {
        "intent": match.intent,
        "cues": list(match.cues),
        "memory": rules_engine.remember(memory, state["text"], match),
    }


def route_intent(state: ConversationState) -> Literal["opt_out", "hand_off", "compose_reply"]:
    """Unsubscribes and requests for a person leave the sales conversation."""
    if state["intent"] == "unsubscribe":
        return "opt_out"
    if state["intent"] == "human_handoff":
        return "hand_off"
    return "compose_reply"


def _draft(state: ConversationState, runtime: Runtime[ConversationRuntime]) -> rules_engine.Reply:
    intent = state["intent"]
    match = rules_engine.IntentMatch(intent, tuple(state.get("cues") or ()))  # type: ignore[arg-type]
    return rules_engine.compose_reply(
        match, state["context"], state["memory"], runtime.context.rules.outreach
    )


def compose_reply(
    state: ConversationState, runtime: Runtime[ConversationRuntime]
) -> ConversationState:
    """A reply grounded in the lead; the times it offers are remembered for the next turn."""
    reply = _draft(state, runtime)
    memory = rules_engine.Memory(**state["memory"])
    if reply.offered_slots is not None:
        memory["offered_slots"] = reply.offered_slots
    return {"draft_reply": reply.text, "memory": memory}


def opt_out(state: ConversationState, runtime: Runtime[ConversationRuntime]) -> ConversationState:
    """Confirm the unsubscribe; the task marks the lead do-not-contact from this flag."""
    return {"draft_reply": _draft(state, runtime).text, "do_not_contact": True}


def hand_off(state: ConversationState, runtime: Runtime[ConversationRuntime]) -> ConversationState:
    """Tell the prospect a person will follow up; the task flags the session for one."""
    return {"draft_reply": _draft(state, runtime).text, "handoff": True}


def speak(state: ConversationState, runtime: Runtime[ConversationRuntime]) -> ConversationState:
    """Stream the reply piece by piece (LangGraph custom stream) and add it to the dialogue."""
    write = get_stream_writer()
    history = [(m["role"], m["text"]) for m in state.get("messages") or []]
    pieces: list[str] = []
    # An unsubscribe is confirmed in the rules' exact words, whatever the engine.
    speaker = RULES_SPEAKER if state["intent"] == "unsubscribe" else runtime.context.speaker
    for piece in speaker.stream(state["draft_reply"], history):
        pieces.append(piece)
        write({"token": piece})
    reply = "".join(pieces).strip() or state["draft_reply"]
    turn_id = state["turn_id"]
    intent = state["intent"]
    prospect_line = Message(
        id=f"{turn_id}:prospect",
        role="prospect",
        text=state["text"],
        turn_id=turn_id,
        intent=intent,
    )
    agent_line = Message(
        id=f"{turn_id}:agent", role="agent", text=reply, turn_id=turn_id, intent=intent
    )
    return {"reply": reply, "messages": [prospect_line, agent_line]}
