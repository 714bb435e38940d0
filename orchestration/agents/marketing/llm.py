"""The marketing node of the ``llm`` engine: the model writes, the rules content stands by.

The rules plan and content are written first on every path. The model may only rewrite
the channels the plan holds (the ones the lead's contact data opens); whatever it writes is
checked like the rules content, and an answer with an unfilled slot, an over-long LinkedIn
note or nothing for the planned channels is not used: the rules content stays, with why.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from orchestration.agents.marketing.state import MarketingState
from orchestration.agents.runtime import RulesRuntime, sender_card
from orchestration.engines.rules import outreach
from orchestration.engines.rules.facts import SERVICE_LABELS, dealer_title, mix_phrase
from orchestration.engines.rules.text import display_city, display_state, first_name
from orchestration.llm import ENGINE_LLM, Fallback, FallbackReason, LlmResult, decide
from orchestration.llm.prompts.marketing import MARKETING, MarketingPlan

# Which fields each channel carries; the rest of a model's answer is dropped.
_HAS_SUBJECT = frozenset({"email", "direct_mail"})


def marketing_data(state: MarketingState, runtime: Runtime[RulesRuntime]) -> dict[str, Any]:
    """What the model sees: the lead's attributes, the plan and who writes.

    Email addresses and phone numbers are left out: the content never needs them.
    """
    facts, strategy = state["facts"], state["strategy"]
    return {
        "company": facts["company"],
        "city": display_city(facts["city"]),
        "state": display_state(facts["state"]),
        "dealer_title": dealer_title(facts) if facts["kind"] == "dealer" else None,
        "industry": facts["industry"],
        "oem_certifications": facts["oems"],
        "other_certifications": facts["certifications"],
        "service_lines": [SERVICE_LABELS[key] for key in facts["services"]],
        "customer_mix": mix_phrase(facts),
        "rating": facts["rating"],
        "review_count": facts["review_count"],
        "contact_first_name": first_name(facts["contact_name"]),
        "tier": state.get("tier"),
        "growth_score": state.get("growth_score"),
        "growth_angle": state.get("angle"),
        "strategy": {"name": strategy["name"], "reason": strategy["reason"]},
        "available_channels": [
            {"channel": step["channel"], "day": step["day"], "purpose": step["purpose"]}
            for step in state["channels"]
        ],
        "sender": sender_card(runtime),
    }


def write_with_model(state: MarketingState, runtime: Runtime[RulesRuntime]) -> MarketingState:
    """Let the model write the planned touches; keep the rules content when it cannot."""
    result = decide("marketing", MARKETING, MarketingPlan, marketing_data(state, runtime))
    if not isinstance(result, LlmResult):
        return _fell_back(result)
    written, unplanned = _written_for_plan(result.output, state)
    problem = _problem_with(written)
    if problem is not None:
        return _fell_back(
            Fallback(FallbackReason.invalid_output, problem, result.usage, result.suspicious_fields)
        )
    notes = list(state.get("notes") or [])
    if unplanned:
        notes.append(
            f"Model content for {', '.join(unplanned)} not used: no contact on file for it."
        )
    return {
        "decided_by": ENGINE_LLM,
        "content": state["content"] | written,
        "model_strategy": result.output.strategy,
        "notes": notes,
        "llm": {**result.record(), "channels_written": sorted(written)},
        "cost_usd": result.cost_usd,
    }


def _written_for_plan(
    answer: MarketingPlan, state: MarketingState
) -> tuple[dict[str, outreach.Content], list[str]]:
    """The model's content for planned channels (a missing subject or opener taken from the
    rules content), and the channels it wrote that the plan does not hold."""
    rules_content = state["content"]
    written: dict[str, outreach.Content] = {}
    unplanned: set[str] = set()
    for item in answer.channels:
        if item.channel not in rules_content:
            unplanned.add(item.channel)
            continue
        rules = rules_content[item.channel]
        subject = item.subject or rules["subject"] if item.channel in _HAS_SUBJECT else None
        opener = item.call_opener or rules["call_opener"] if item.channel == "phone" else None
        written[item.channel] = outreach.Content(
            subject=subject, body=item.body, call_opener=opener
        )
    return written, sorted(unplanned)


def _problem_with(written: dict[str, outreach.Content]) -> str | None:
    """Why the model's content cannot be sent, or None when it can."""
    if not written:
        return "no content for any planned channel"
    try:
        outreach.check_content(written)
    except ValueError as error:  # UnfilledSlotError included
        return str(error)
    return None


def _fell_back(result: Fallback) -> MarketingState:
    return {
        "decided_by": result.engine,
        "llm_fallback": result.record(),
        "cost_usd": result.cost_usd,
    }
