"""The BDR's preparation: talking points from every earlier stage, and the outreach draft."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from orchestration.config.rules import Outreach
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.outreach import (
    greeting_name,
    identity,
    possessive,
    specialty,
    work_sentence,
)
from orchestration.engines.rules.schedule import Slot
from orchestration.engines.rules.text import join_words, masked_email, sentence

_FIELD_WORDS = {"email": "a direct email", "phone": "a valid phone", "website": "a website",
                "contact_name": "a contact name", "contact_title": "the contact's title"}
_CHANNEL_WORDS = {"email": "email", "linkedin": "LinkedIn", "phone": "phone",
                  "direct_mail": "direct mail"}


class Draft(TypedDict):
    """The message a person approves, edits or rejects."""

    channel: str  # "email", or the first planned channel when there is no email
    to: str | None  # recipient, masked (the full address stays on the lead)
    subject: str
    body: str


def talking_points(facts: CompanyFacts, outputs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What to know before the conversation, from each earlier stage that ran."""
    points = [sentence(identity(facts))]
    qualification = outputs.get("qualification") or {}
    if qualification.get("tier"):
        points.append(f"Tier {qualification['tier']}: "
                      f"{qualification.get('fit_assessment') or 'qualified'}")
    else:
        points.append("Not qualified yet: check fit before the call.")
    enrichment = outputs.get("enrichment") or {}
    contacts = enrichment.get("contacts") or {}
    email = contacts.get("email")
    if email:
        kind = {"personal": "a named person", "role": "a shared inbox",
                "free_mail": "a personal free-mail box", "invalid": "an invalid address"}
        points.append(f"Email {email['masked']} reaches {kind.get(email['kind'], 'someone')}.")
    elif enrichment.get("status") == "enriched":
        points.append("No email on file: open by phone or LinkedIn.")
    if enrichment.get("missing"):
        missing = [_FIELD_WORDS.get(name, name) for name in enrichment["missing"]]
        points.append(f"Still to find: {join_words(missing)}.")
    growth = outputs.get("growth") or {}
    if growth.get("summary"):
        points.append(str(growth["summary"]))
    points += [str(o) for o in (growth.get("opportunities") or [])[:2]]
    marketing = outputs.get("marketing") or {}
    if marketing.get("strategy"):
        channels = [_CHANNEL_WORDS.get(step["channel"], step["channel"])
                    for step in marketing.get("channels") or []]
        plan = f" via {join_words(channels)}" if channels else ""
        points.append(f"Campaign: {marketing['strategy']}{plan}.")
    return points


def draft_outreach(facts: CompanyFacts, slots: list[Slot], angle: str | None,
                   first_channel: str | None, sender: Outreach) -> Draft:
    """A personal first message that proposes the meeting slots."""
    minutes = sender.meeting_minutes
    times = "\n".join(f"- {slot['label']}" for slot in slots)
    paragraphs = [
        f"Hi {greeting_name(facts)},",
        sentence(f"I've been looking at {identity(facts)}"),
        work_sentence(facts),
        angle,
        sender.value_proposition,
        f"Would one of these times work for a {minutes}-minute call?\n{times}" if slots
        else f"Would a {minutes}-minute call next week work?",
        f"{sender.sender_name}\n{sender.sender_team[:1].upper()}{sender.sender_team[1:]}",
    ]
    channel = "email" if facts["email"] else (first_channel or "email")
    return Draft(
        channel=channel,
        to=masked_email(facts["email"]) if facts["email"] else None,
        subject=f"{minutes} minutes on {possessive(facts['company'])} {specialty(facts)}?",
        body="\n\n".join(p for p in paragraphs if p),
    )
