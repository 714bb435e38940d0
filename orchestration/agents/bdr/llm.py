"""The BDR node of the ``llm`` engine: the model writes the draft, the rules draft stands by.

The rules draft is written first on every path, and its kind stands: the model writes an
email's subject and body, or a call's script and voicemail, from the research (never an
email address or phone number) and without naming times; the proposed slots are then
offered in the same words as the rules draft, so a person always approves the real times.
An answer whose text a rep would have to fix (an unfilled slot, a shouted or
legal-suffixed name, a rating the data does not give), or none at all, leaves the rules
draft in place, with the reason recorded.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from orchestration.agents.bdr.state import BdrState
from orchestration.agents.runtime import RulesRuntime, rules_of, sender_card
from orchestration.engines.rules.bdr import Draft, draft_kind_of, offer_times
from orchestration.engines.rules.facts import SERVICE_LABELS, dealer_title
from orchestration.engines.rules.text import display_city, display_state, first_name
from orchestration.engines.rules.text_checks import find_draft_defects
from orchestration.llm import ENGINE_LLM, Fallback, FallbackReason, LlmResult, decide
from orchestration.llm.prompts.bdr import BDR, BDR_CALL, CallDraft, OutreachDraft


def bdr_data(state: BdrState, runtime: Runtime[RulesRuntime]) -> dict[str, Any]:
    """What the model sees: who the lead is, what the pipeline learned, who writes."""
    facts = state["facts"]
    return {
        "company": facts["company"],
        "city": display_city(facts["city"]),
        "state": display_state(facts["state"]),
        "dealer_title": dealer_title(facts) if facts["kind"] == "dealer" else None,
        "industry": facts["industry"],
        "oem_certifications": facts["oems"],
        "service_lines": [SERVICE_LABELS[key] for key in facts["services"]],
        "contact_first_name": first_name(facts["contact_name"]),
        "talking_points": state["talking_points"],
        "growth_angle": state.get("angle"),
        "channel": state["draft"]["channel"],
        "draft_kind": draft_kind_of(state["draft"]),
        "sender": sender_card(runtime),
    }


def draft_with_model(state: BdrState, runtime: Runtime[RulesRuntime]) -> BdrState:
    """Let the model write the draft (an email, or a call script and voicemail, as the rules
    draft is); keep the rules draft when it cannot, or when its text needs fixing."""
    rules_draft = state["draft"]
    data = bdr_data(state, runtime)
    offer = offer_times(state["slots"], rules_of(runtime).outreach.meeting_minutes)
    if draft_kind_of(rules_draft) == "call":
        called = decide("bdr", BDR_CALL, CallDraft, data)
        if not isinstance(called, LlmResult):
            return _fell_back(called)
        call = called.output
        draft = Draft(**{**rules_draft, "script": f"{call.script.rstrip()}\n\n{offer}",
                         "voicemail": call.voicemail.strip()})
        return _checked(state, draft, called, call.meeting_purpose, call.research_notes)
    written = decide("bdr", BDR, OutreachDraft, data)
    if not isinstance(written, LlmResult):
        return _fell_back(written)
    email = written.output
    draft = Draft(**{**rules_draft, "subject": email.subject,
                     "body": f"{email.body.rstrip()}\n\n{offer}"})
    return _checked(state, draft, written, email.meeting_purpose, email.research_notes)


def _checked(
    state: BdrState, draft: Draft, result: LlmResult[Any], purpose: str, notes: list[str]
) -> BdrState:
    """The model's draft, when its text meets the rules text's bar: no unfilled slot, no
    shouted or legal-suffixed name, no rating or count the data does not give."""
    defects = find_draft_defects(draft, state["facts"])
    if defects:
        return _fell_back(
            Fallback(FallbackReason.invalid_output, "; ".join(defects), result.usage,
                     result.suspicious_fields)
        )
    return {
        "draft": draft,
        "decided_by": ENGINE_LLM,
        "llm": {**result.record(), "meeting_purpose": purpose, "research_notes": notes},
        "cost_usd": result.cost_usd,
    }


def _fell_back(result: Fallback) -> BdrState:
    return {
        "decided_by": result.engine,
        "llm_fallback": result.record(),
        "cost_usd": result.cost_usd,
    }
