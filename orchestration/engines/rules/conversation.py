"""Conversation turns by rules: what the prospect wants, and a reply grounded in the lead.

Intent recognition matches cue phrases (word-bounded, case-insensitive) and, when several
intents match, keeps the most consequential one: a prospect who says "not interested,
please remove me" is unsubscribing, not objecting. Replies are assembled from the lead's
facts, the earlier stages' outputs and the conversation's memory, never from free text the
prospect could inject.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from orchestration.config.rules import Outreach
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.outreach import possessive, specialty, who_they_are
from orchestration.engines.rules.schedule import Slot
from orchestration.engines.rules.text import first_name, masked_email, masked_phone

Intent = Literal[
    "unsubscribe",
    "human_handoff",
    "not_now",
    "objection",
    "scheduling",
    "pricing",
    "interest",
    "other",
]
# Most consequential first: the first matching intent in this order wins.
INTENT_PRIORITY: tuple[Intent, ...] = (
    "unsubscribe",
    "human_handoff",
    "not_now",
    "objection",
    "scheduling",
    "pricing",
    "interest",
)

_CUES: dict[Intent, tuple[str, ...]] = {
    "unsubscribe": (
        "unsubscribe",
        "opt out",
        "opt me out",
        "remove me",
        "take me off",
        "stop emailing",
        "stop contacting",
        "stop messaging",
        "stop calling",
        "stop texting",
        "do not contact",
        "don't contact",
        "dont contact",
        "never contact",
        "no more emails",
        "no more messages",
        "leave me alone",
        "lose my number",
    ),
    "human_handoff": (
        "real person",
        "human",
        "talk to someone",
        "speak to someone",
        "speak with someone",
        "talk to a person",
        "speak to a person",
        "representative",
        "your manager",
        "a manager",
        "are you a bot",
        "is this a bot",
        "someone call me",
        "have someone call",
        "sales rep",
        "live agent",
    ),
    "not_now": (
        "not now",
        "not right now",
        "maybe later",
        "later this year",
        "next quarter",
        "next year",
        "next month",
        "busy season",
        "too busy",
        "reach out later",
        "circle back",
        "check back",
        "in a few months",
        "in a few weeks",
        "not a good time",
        "bad time",
        "after the season",
        "get back to me",
    ),
    "objection": (
        "not interested",
        "no thanks",
        "no thank you",
        "too expensive",
        "expensive",
        "no budget",
        "can't afford",
        "cannot afford",
        "already use",
        "already have",
        "we're using",
        "happy with",
        "don't need",
        "dont need",
        "do not need",
        "not a fit",
        "locked in",
        "under contract",
        "waste of time",
        "sounds like spam",
    ),
    "scheduling": (
        "schedule",
        "meeting",
        "meet",
        "call",
        "demo",
        "book",
        "calendar",
        "slot",
        "available",
        "availability",
        "works for me",
        "that works",
        "first one",
        "second one",
        "third one",
        "option",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "tomorrow",
        "next week",
        "o'clock",
    ),
    "pricing": (
        "price",
        "prices",
        "pricing",
        "cost",
        "costs",
        "how much",
        "fee",
        "fees",
        "quote",
        "per month",
        "per user",
        "subscription",
        "rates",
        "charge",
    ),
    "interest": (
        "interested",
        "tell me more",
        "sounds good",
        "sounds interesting",
        "learn more",
        "more info",
        "more information",
        "how does it work",
        "what do you do",
        "curious",
        "yes",
        "sure",
        "ok",
        "okay",
        "go on",
        "i'd like",
        "we need",
        "we're looking",
    ),
}
_PATTERNS: dict[Intent, list[tuple[str, re.Pattern[str]]]] = {
    intent: [(cue, re.compile(rf"(?<![\w']){re.escape(cue)}(?![\w'])")) for cue in cues]
    for intent, cues in _CUES.items()
}
# "10am", "2:30 pm": a time of day is a scheduling cue.
_TIME_OF_DAY = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)")
# A lone "stop" (the SMS convention) is an unsubscribe; "stop" inside a sentence is not.
_LONE_STOP = re.compile(r"^\s*(stop|stop all|end|quit|cancel)\s*[.!]*\s*$")

_ORDINALS = {
    "first": 0,
    "1st": 0,
    "one": 0,
    "#1": 0,
    "1": 0,
    "second": 1,
    "2nd": 1,
    "two": 1,
    "#2": 1,
    "2": 1,
    "third": 2,
    "3rd": 2,
    "three": 2,
    "#3": 2,
    "3": 2,
}
_ORDINAL_PATTERN = re.compile(
    r"(?:(first|second|third|1st|2nd|3rd)\b)|(?:(?:option|slot|number|#)\s*(one|two|three|[123])\b)"
)
_WEEKDAYS = {
    "mon": "monday",
    "tue": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "fri": "friday",
}
_NAME_PATTERN = re.compile(
    r"\b(?i:this is|my name is|i am|i'm|im)\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
)
_NOT_NAMES = frozenset(
    {
        "Not",
        "Interested",
        "Busy",
        "Sure",
        "Happy",
        "Looking",
        "Curious",
        "The",
        "With",
        "Just",
        "Already",
        "In",
        "On",
        "At",
    }
)
_WHEN_PATTERN = re.compile(
    r"\b(next (?:week|month|quarter|year|spring|summer|fall|autumn|winter)|"
    r"in (?:a|one|two|three|four|six|\d+) (?:weeks?|months?)|after the season|"
    r"later this year)\b"
)


@dataclass(frozen=True)
class IntentMatch:
    """The recognised intent and the cue phrases that decided it (shown to reviewers)."""

    intent: Intent
    cues: tuple[str, ...]


class Memory(TypedDict, total=False):
    """What the conversation has learned so far; carried across turns in the checkpoint."""

    prospect_name: str | None  # first name the prospect gave ("this is Dana")
    offered_slots: list[Slot]  # the meeting times last offered, in the order shown
    chosen_slot: Slot | None  # the time the prospect picked
    topics: list[str]  # intents raised so far, in first-seen order
    follow_up: str | None  # when a not-now prospect asked to hear back ("next quarter")


class LeadContext(TypedDict):
    """What the pipeline knows about the lead, as the reply writer reads it."""

    facts: CompanyFacts
    tier: str | None  # qualification tier A-D, None when not qualified yet
    score: int | None  # qualification score 0-100
    opportunity: str | None  # the first growth opportunity, if growth ran
    slots: list[Slot]  # meeting times (the BDR's proposal, or proposed for the chat)


def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces: what the cue patterns expect."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").lower().split())


def recognise_intent(text: str, *, slots_offered: bool = False) -> IntentMatch:
    """The prospect's intent in one message.

    ``slots_offered``: the last reply listed meeting times, so a bare pick ("the second
    one", "Thursday") is scheduling even without a scheduling word.
    """
    said = normalise(text)
    if _LONE_STOP.match(said):
        return IntentMatch("unsubscribe", ("stop",))
    for intent in INTENT_PRIORITY:
        cues = tuple(cue for cue, pattern in _PATTERNS[intent] if pattern.search(said))
        if intent == "scheduling":
            if _TIME_OF_DAY.search(said):
                cues += ("time of day",)
            if slots_offered and _ORDINAL_PATTERN.search(said):
                cues = cues or ("picked a time",)
        if cues:
            return IntentMatch(intent, cues)
    return IntentMatch("other", ())


def choose_slot(text: str, slots: Sequence[Slot]) -> int | None:
    """Which offered slot the prospect picked: by position ("the second one", "option 3")
    or by weekday ("Thursday works"); None when the message names no single slot."""
    said = normalise(text)
    ordinal = _ORDINAL_PATTERN.search(said)
    if ordinal:
        index = _ORDINALS[ordinal.group(1) or ordinal.group(2)]
        return index if index < len(slots) else None
    picked = [
        i
        for i, slot in enumerate(slots)
        if re.search(rf"\b{_WEEKDAYS.get(slot['label'][:3].lower(), '-')}\b", said)
    ]
    return picked[0] if len(picked) == 1 else None


def prospect_name(text: str) -> str | None:
    """The first name a prospect introduces themselves with, if any."""
    found = _NAME_PATTERN.search(text)
    if found is None or found.group(1) in _NOT_NAMES:
        return None
    return found.group(1)


def follow_up_when(text: str) -> str | None:
    """When a not-now prospect wants to hear back, in their words ("next quarter")."""
    found = _WHEN_PATTERN.search(normalise(text))
    return found.group(1) if found else None


def lead_context(
    facts: CompanyFacts, outputs: Mapping[str, Mapping[str, Any]], fallback_slots: list[Slot]
) -> LeadContext:
    """Gather what the earlier stages decided: tier and score, growth angle, BDR slots."""
    qualification = outputs.get("qualification") or {}
    opportunities = (outputs.get("growth") or {}).get("opportunities") or []
    bdr_slots = (outputs.get("bdr") or {}).get("slots") or []
    return LeadContext(
        facts=facts,
        tier=qualification.get("tier"),
        score=qualification.get("score"),
        opportunity=str(opportunities[0]) if opportunities else None,
        slots=list(bdr_slots) or fallback_slots,
    )


def remember(memory: Memory, text: str, match: IntentMatch) -> Memory:
    """Memory after the prospect's message: their name, the topic, a chosen time."""
    updated = Memory(**memory)
    name = prospect_name(text)
    if name:
        updated["prospect_name"] = name
    topics = list(memory.get("topics") or [])
    if match.intent not in topics:
        topics.append(match.intent)
    updated["topics"] = topics
    offered = memory.get("offered_slots") or []
    if match.intent == "scheduling" and offered:
        picked = choose_slot(text, offered)
        if picked is not None:
            updated["chosen_slot"] = offered[picked]
    if match.intent == "not_now":
        updated["follow_up"] = follow_up_when(text) or memory.get("follow_up")
    return updated


@dataclass(frozen=True)
class Reply:
    """A composed reply, and the slots it offers (remembered for the next turn)."""

    text: str
    offered_slots: list[Slot] | None = None  # None: the reply offers no times


def compose_reply(
    match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach
) -> Reply:
    """The reply for one recognised intent, grounded in the lead and the memory."""
    writer = _WRITERS[match.intent]
    return writer(match, context, memory, sender)


def _hello(context: LeadContext, memory: Memory) -> str:
    name = memory.get("prospect_name") or first_name(context["facts"]["contact_name"])
    return f"Hi {name}" if name else "Hi there"


def _slot_list(slots: Sequence[Slot]) -> str:
    return "\n".join(f"{i}. {slot['label']}" for i, slot in enumerate(slots, start=1))


def _offer_times(context: LeadContext, sender: Outreach) -> tuple[str, list[Slot] | None]:
    slots = context["slots"]
    minutes = sender.meeting_minutes
    if not slots:
        return f"Would a {minutes}-minute call next week work?", None
    return (
        f"Would one of these times work for a {minutes}-minute call?\n{_slot_list(slots)}"
    ), list(slots)


def _fit_line(context: LeadContext) -> str:
    facts = context["facts"]
    company = facts["company"]
    line = f"For {company}, {who_they_are(facts)}"
    if facts["location"]:
        line += f" in {facts['location']}"
    line += f", that means less time juggling {specialty(facts)} and more of it billed."
    if context["tier"] in ("A", "B") and context["opportunity"]:
        line += f" {context['opportunity'].rstrip('.')}."
    return line


def _interest(match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach) -> Reply:
    ask, offered = _offer_times(context, sender)
    text = (
        f"{_hello(context, memory)}, glad you asked. {sender.value_proposition} "
        f"{_fit_line(context)}\n\n{ask}"
    )
    return Reply(text, offered)


def _pricing(match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach) -> Reply:
    facts = context["facts"]
    size = "a team your size"
    if facts["oem_count"] > 1:
        size = f"a shop certified with {facts['oem_count']} OEMs"
    elif facts["company_size"]:
        size = f"a {facts['company_size']}-person team"
    objected = "objection" in (memory.get("topics") or [])
    budget = (
        " Since cost came up earlier: there is no setup fee and you can stop monthly."
        if objected
        else ""
    )
    ask, offered = _offer_times(context, sender)
    text = (
        f"{_hello(context, memory)}, pricing is per crew and depends on the modules you "
        f"use, so I'd rather quote {possessive(facts['company'])} setup than guess: for "
        f"{size} doing {specialty(facts)}, I'd put a written quote in front of you on a "
        f"short call.{budget}\n\n{ask}"
    )
    return Reply(text, offered)


def _scheduling(
    match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach
) -> Reply:
    chosen = memory.get("chosen_slot")
    facts = context["facts"]
    if chosen is not None:
        where = (
            f"to {masked_email(facts['email'])}"
            if facts["email"]
            else "as soon as I have the best address for you"
        )
        text = (
            f"{_hello(context, memory)}, {chosen['label']} it is: "
            f"{sender.meeting_minutes} minutes with {sender.sender_name} from "
            f"{sender.sender_team}. I'll send the calendar invitation {where}."
        )
        return Reply(text)
    offered = memory.get("offered_slots") or []
    if offered:
        return Reply(
            f"{_hello(context, memory)}, happy to. Which of these suits you best?\n"
            f"{_slot_list(offered)}",
            list(offered),
        )
    ask, slots = _offer_times(context, sender)
    return Reply(f"{_hello(context, memory)}, happy to set that up. {ask}", slots)


def _objection(match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach) -> Reply:
    company = context["facts"]["company"]
    cues = set(match.cues)
    if cues & {
        "already use",
        "already have",
        "we use",
        "happy with",
        "locked in",
        "under contract",
        "we're using",
    }:
        body = (
            f"makes sense that {company} already has something in place. Contractors "
            f"usually talk to us when OEM warranty paperwork and service calls live in "
            f"separate tools; if that isn't a problem for you, we're probably not needed."
        )
    elif cues & {"too expensive", "expensive", "no budget", "can't afford", "cannot afford"}:
        body = (
            "understood, budget matters. There is no setup fee and no annual lock-in, "
            "and a 20-minute look costs nothing, but I won't push."
        )
    else:
        body = (
            f"understood, and thanks for telling me straight. I won't push; if "
            f"scheduling {specialty(context['facts'])} ever becomes a headache, "
            f"just reply here."
        )
    return Reply(
        f"{_hello(context, memory)}, {body} If you'd rather not hear from us at all, "
        f'say "unsubscribe" and I\'ll stop.'
    )


def _not_now(match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach) -> Reply:
    when = memory.get("follow_up") or "in about a month"
    return Reply(
        f"{_hello(context, memory)}, no problem at all. I'll check back {when} "
        f"and won't fill {possessive(context['facts']['company'])} inbox before then."
    )


def _unsubscribe(
    match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach
) -> Reply:
    return Reply(
        f"Understood. I've removed {context['facts']['company']} from our outreach; "
        f"you won't hear from us again. Sorry for the interruption."
    )


def _handoff(match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach) -> Reply:
    facts = context["facts"]
    reach = ""
    if facts["phone"]:
        reach = f" at {masked_phone(facts['phone'])}"
    elif facts["email"]:
        reach = f" at {masked_email(facts['email'])}"
    return Reply(
        f"{_hello(context, memory)}, of course. I've asked {sender.sender_name} from "
        f"{sender.sender_team} to reach out to you personally{reach}, with this "
        f"conversation in front of them."
    )


def _other(match: IntentMatch, context: LeadContext, memory: Memory, sender: Outreach) -> Reply:
    facts = context["facts"]
    return Reply(
        f"{_hello(context, memory)}, thanks for the reply. So I can help: would you "
        f"like to hear how we'd fit {possessive(facts['company'])} "
        f"{specialty(facts)}, what it costs, or pick a time to talk?"
    )


_WRITERS = {
    "interest": _interest,
    "pricing": _pricing,
    "scheduling": _scheduling,
    "objection": _objection,
    "not_now": _not_now,
    "unsubscribe": _unsubscribe,
    "human_handoff": _handoff,
    "other": _other,
}


def tokens(text: str) -> list[str]:
    """A reply split the way it streams: words with their following whitespace, so the
    pieces join back to exactly the text."""
    return re.findall(r"\S+\s*|\s+", text)
