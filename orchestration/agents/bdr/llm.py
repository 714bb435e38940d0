"""The BDR node of the ``llm`` engine: the model writes the draft, the rules draft stands by.

The rules draft is written first on every path. The model sees the research (never an
email address or phone number) and writes subject and body without naming times; the
proposed slots are then offered in the same words as the rules draft, so a person always
approves the real times. An answer with an unfilled slot, or none at all, leaves the rules
draft in place, with the reason recorded.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from orchestration.agents.bdr.state import BdrState
from orchestration.agents.runtime import RulesRuntime, rules_of, sender_card
from orchestration.engines.rules import outreach
from orchestration.engines.rules.bdr import Draft, offer_times
from orchestration.engines.rules.facts import SERVICE_LABELS, dealer_title
from orchestration.engines.rules.text import first_name
from orchestration.llm import ENGINE_LLM, Fallback, FallbackReason, LlmResult, decide
from orchestration.llm.prompts.bdr import BDR, OutreachDraft


def bdr_data(state: BdrState, runtime: Runtime[RulesRuntime]) -> dict[str, Any]:
    """What the model sees: who the lead is, what the pipeline learned, who writes."""
    facts = state["facts"]
    return {
        "company": facts["company"],
        "city": facts["city"],
        "state": facts["state"],
        "dealer_title": dealer_title(facts) if facts["kind"] == "dealer" else None,
        "industry": facts["industry"],
        "oem_certifications": facts["oems"],
        "service_lines": [SERVICE_LABELS[key] for key in facts["services"]],
        "contact_first_name": first_name(facts["contact_name"]),
        "talking_points": state["talking_points"],
        "growth_angle": state.get("angle"),
        "channel": state["draft"]["channel"],
        "sender": sender_card(runtime),
    }


def draft_with_model(state: BdrState, runtime: Runtime[RulesRuntime]) -> BdrState:
    """Let the model write the draft; keep the rules draft when it cannot."""
    result = decide("bdr", BDR, OutreachDraft, bdr_data(state, runtime))
    if not isinstance(result, LlmResult):
        return _fell_back(result)
    answer = result.output
    rules_draft = state["draft"]
    minutes = rules_of(runtime).outreach.meeting_minutes
    draft = Draft(
        channel=rules_draft["channel"],
        to=rules_draft["to"],
        subject=answer.subject,
        body=f"{answer.body.rstrip()}\n\n{offer_times(state['slots'], minutes)}",
    )
    try:
        outreach.check_content(
            {"email": outreach.Content(subject=draft["subject"], body=draft["body"],
                                       call_opener=None)}
        )
    except ValueError as problem:  # a placeholder left in the model's text
        return _fell_back(
            Fallback(FallbackReason.invalid_output, str(problem), result.usage,
                     result.suspicious_fields)
        )
    return {
        "draft": draft,
        "decided_by": ENGINE_LLM,
        "llm": {
            **result.record(),
            "meeting_purpose": answer.meeting_purpose,
            "research_notes": answer.research_notes,
        },
        "cost_usd": result.cost_usd,
    }


def _fell_back(result: Fallback) -> BdrState:
    return {
        "decided_by": result.engine,
        "llm_fallback": result.record(),
        "cost_usd": result.cost_usd,
    }
