"""Scripted model answers that satisfy each agent's output schema, specific to the lead.

The model server calls :func:`answer_for` with the request: it reads which schema the system
prompt asks for (its JSON Schema's title, the prompt's last line) and the lead's data block,
and writes a valid answer that names the lead, so a batch run against the local server
produces lead-specific output like a real model would.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.model_server import ModelRequest, ModelServer, Reply


def schema_title(request: ModelRequest) -> str:
    """The title of the JSON Schema the system prompt asks for ('' when none)."""
    system = request.text_of("system").rstrip()
    last_line = system.rsplit("\n", 1)[-1]
    try:
        schema = json.loads(last_line)
    except json.JSONDecodeError:
        return ""
    return str(schema.get("title", "")) if isinstance(schema, dict) else ""


def answer_for(request: ModelRequest) -> Reply:
    """A valid, lead-specific answer for the schema the request asks for."""
    data = request.data_block()
    company = str(data.get("company") or data.get("company_name") or "this company")
    builder = _BUILDERS.get(schema_title(request))
    if builder is None:
        # Free text (a streamed conversation reply): still about the lead.
        return Reply(f"Thanks for reaching out about {company}; happy to help with that.")
    return Reply.json(builder(company, data))


def qualification_answer(company: str, data: dict[str, Any]) -> dict[str, Any]:
    rules_score = int((data.get("rules_reference") or {}).get("score") or 60)
    score = max(0, min(100, rules_score + 3))
    place = data.get("location") or "its area"
    services = ", ".join(data.get("service_lines") or []) or "unlisted services"
    return {
        "score": score,
        "tier": "A" if score >= 80 else "B" if score >= 65 else "C" if score >= 50 else "D",
        "reasoning": f"{company} in {place} offers {services}; the model scores it {score}.",
        "fit_assessment": f"{company} fits the ICP at {score}/100.",
        "contact_quality": "a named contact" if data.get("contact_name") else "no named contact",
        "sales_potential": "high" if score >= 80 else "medium" if score >= 65 else "low",
        "recommendations": [f"Call {company} about {services}."],
    }


def growth_answer(company: str, data: dict[str, Any]) -> dict[str, Any]:
    place = data.get("location") or data.get("state") or "its market"
    return {
        "growth_score": 70,
        "market_opportunity": f"{company} operates in {place}, a growing market.",
        "competitive_landscape": f"Few stored competitors of {company} in {place}.",
        "factors": [{"name": "market", "impact": "positive", "reason": f"{place} grows"}],
        "summary": f"{company} has room to grow in {place}.",
    }


def marketing_answer(company: str, data: dict[str, Any]) -> dict[str, Any]:
    """Content for every channel the plan offers (``available_channels``), else email."""
    offered = [c.get("channel") for c in data.get("available_channels") or []]
    channels = [c for c in offered if c in {"email", "linkedin", "phone", "direct_mail"}]
    place = data.get("city") or data.get("state") or "your area"
    services = ", ".join(data.get("service_lines") or []) or "your installs"
    content = []
    for channel in channels or ["email"]:
        body = f"Hello {company} team, installers in {place} use us to grow {services} work."
        content.append(
            {
                "channel": channel,
                "subject": f"{company}: more {services} projects"
                if channel in {"email", "direct_mail"}
                else None,
                "body": body[:290] if channel == "linkedin" else body,
                "call_opener": f"Hi, I'm calling {company} about {services}."
                if channel == "phone"
                else None,
            }
        )
    return {"strategy": f"Lead with {company}'s {services} work in {place}.", "channels": content}


def bdr_answer(company: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject": f"A quick idea for {company}",
        "body": f"Hello {company} team, we help installers win more projects; "
        "could we compare notes for 20 minutes?",
        "meeting_purpose": f"Show {company} how peers grew their pipeline.",
        "research_notes": [f"{company} profile reviewed"],
    }


def call_answer(company: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "script": f"Hi, this is the partnerships team calling {company}: we help installers "
        "win more projects. Could we compare notes for 20 minutes?",
        "voicemail": f"Hi {company} team, this is the partnerships team; I'll try you again "
        "later this week.",
        "meeting_purpose": f"Show {company} how peers grew their pipeline.",
        "research_notes": [f"{company} profile reviewed"],
    }


def conversation_answer(company: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"intent": "question", "reply": f"Happy to help {company}.", "next_action": "reply"}


_BUILDERS = {
    "QualificationDecision": qualification_answer,
    "GrowthAssessment": growth_answer,
    "MarketingPlan": marketing_answer,
    "OutreachDraft": bdr_answer,
    "CallDraft": call_answer,
    "ConversationTurn": conversation_answer,
}


def llm_env(server: ModelServer, provider: str = "openai", **extra: str) -> dict[str, str]:
    """Environment pointing the llm engine at ``server`` (a worker's or this process's)."""
    return {
        "SALES_AGENT_LLM_PROVIDER": provider,
        "SALES_AGENT_LLM_MODEL": "gpt-4o-mini",
        "SALES_AGENT_LLM_BASE_URL": server.openai_base_url,
        "SALES_AGENT_CEREBRAS_BASE_URL": server.cerebras_base_url,
        "SALES_AGENT_OPENAI_API_KEY": "test-openai-key",
        "SALES_AGENT_CEREBRAS_API_KEY": "test-cerebras-key",
        "SALES_AGENT_LLM_MAX_RETRIES": "0",
        "SALES_AGENT_LLM_TIMEOUT_S": "5",
        **extra,
    }
