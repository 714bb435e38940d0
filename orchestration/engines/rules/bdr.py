"""The BDR's preparation: talking points from every earlier stage, and the outreach draft."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from orchestration.config.rules import Outreach
from orchestration.engines.rules import schedule
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

_FIELD_WORDS = {
    "email": "a direct email",
    "phone": "a valid phone",
    "website": "a website",
    "contact_name": "a contact name",
    "contact_title": "the contact's title",
}
_CHANNEL_WORDS = {
    "email": "email",
    "linkedin": "LinkedIn",
    "phone": "phone",
    "direct_mail": "direct mail",
}


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
        points.append(
            f"Tier {qualification['tier']}: {qualification.get('fit_assessment') or 'qualified'}"
        )
    else:
        points.append("Not qualified yet: check fit before the call.")
    enrichment = outputs.get("enrichment") or {}
    contacts = enrichment.get("contacts") or {}
    email = contacts.get("email")
    if email:
        kind = {
            "personal": "a named person",
            "role": "a shared inbox",
            "free_mail": "a personal free-mail box",
            "invalid": "an invalid address",
        }
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
        channels = [
            _CHANNEL_WORDS.get(step["channel"], step["channel"])
            for step in marketing.get("channels") or []
        ]
        plan = f" via {join_words(channels)}" if channels else ""
        points.append(f"Campaign: {marketing['strategy']}{plan}.")
    return points


def draft_outreach(
    facts: CompanyFacts,
    slots: list[Slot],
    angle: str | None,
    first_channel: str | None,
    sender: Outreach,
) -> Draft:
    """A personal first message that proposes the meeting slots."""
    minutes = sender.meeting_minutes
    paragraphs = [
        f"Hi {greeting_name(facts)},",
        sentence(f"I've been looking at {identity(facts)}"),
        work_sentence(facts),
        angle,
        sender.value_proposition,
        offer_times(slots, minutes),
        f"{sender.sender_name}\n{sender.sender_team[:1].upper()}{sender.sender_team[1:]}",
    ]
    channel = "email" if facts["email"] else (first_channel or "email")
    return Draft(
        channel=channel,
        to=masked_email(facts["email"]) if facts["email"] else None,
        subject=f"{minutes} minutes on {possessive(facts['company'])} {specialty(facts)}?",
        body="\n\n".join(p for p in paragraphs if p),
    )


def offer_times(slots: list[Slot], minutes: int) -> str:
    """The paragraph that offers the proposed slots (every draft ends its pitch with it)."""
    if not slots:
        return f"Would a {minutes}-minute call next week work?"
    times = "\n".join(f"- {slot['label']}" for slot in slots)
    return f"Would one of these times work for a {minutes}-minute call?\n{times}"


# --- after the decision -----------------------------------------------------------------------


class DraftEdit(TypedDict, total=False):
    """What a person changed in the draft; keys left out keep the drafted text."""

    subject: str
    body: str


class FollowUp(TypedDict):
    """One touch after the booking, written when the meeting is booked."""

    kind: str  # "reminder", "recap" or "check_in": unique per lead
    channel: str  # the draft's channel
    due_at: str  # ISO 8601 in UTC
    subject: str
    body: str


def apply_edit(draft: Draft, edit: DraftEdit | None) -> Draft:
    """The draft with a person's changes; blank fields keep the drafted text."""
    if not edit:
        return draft
    return Draft(
        channel=draft["channel"],
        to=draft["to"],
        subject=(edit.get("subject") or "").strip() or draft["subject"],
        body=(edit.get("body") or "").strip() or draft["body"],
    )


def meeting_summary(facts: CompanyFacts, sender: Outreach) -> str:
    """Calendar title: ``"Sunrise Power Solutions <> the partnerships team (20 min)"``."""
    return f"{facts['company']} <> {sender.sender_team} ({sender.meeting_minutes} min)"


def meeting_description(
    facts: CompanyFacts, talking_points: list[str], zone_name: str, sender: Outreach
) -> str:
    """Calendar body: who, why, and the talking points for whoever takes the call."""
    lines = [
        f"{sender.meeting_minutes}-minute introduction call with {identity(facts)}.",
        f"Lead's time zone: {zone_name}.",
        sender.value_proposition,
    ]
    if talking_points:
        lines.append("Talking points:\n" + "\n".join(f"- {p}" for p in talking_points))
    return "\n\n".join(lines)


def plan_follow_ups(
    facts: CompanyFacts,
    slot: Slot,
    zone_name: str,
    channel: str,
    decided_at: datetime,
    sender: Outreach,
    check_in_days: int = 3,
    check_in_time: str = "10:00",
) -> list[FollowUp]:
    """A reminder before the call, a recap after it, and a check-in a few business days on.

    The reminder goes a day ahead, or two hours ahead when the call is sooner than that;
    when even that moment has passed, there is no reminder.
    """
    start = datetime.fromisoformat(slot["start"])
    end = datetime.fromisoformat(slot["end"])
    name = greeting_name(facts)
    signature = f"{sender.sender_name}\n{sender.sender_team[:1].upper()}{sender.sender_team[1:]}"
    minutes = sender.meeting_minutes
    plan: list[FollowUp] = []
    for ahead, when in ((timedelta(days=1), "tomorrow"), (timedelta(hours=2), "today")):
        due = start - ahead
        if due > decided_at:
            plan.append(
                FollowUp(
                    kind="reminder",
                    channel=channel,
                    due_at=_utc(due),
                    subject=f"Our call {when}: {slot['label']}",
                    body="\n\n".join(
                        [
                            f"Hi {name},",
                            f"A quick reminder of our {minutes}-minute call {when}, "
                            f"{slot['label']}. "
                            "The invitation has the details; if another time suits you better, "
                            "just reply with one.",
                            signature,
                        ]
                    ),
                )
            )
            break
    plan.append(
        FollowUp(
            kind="recap",
            channel=channel,
            due_at=_utc(end + timedelta(hours=2)),
            subject=f"Thanks for your time, {name}",
            body="\n\n".join(
                [
                    f"Hi {name},",
                    f"Thank you for the call today. As promised, here is the short version: "
                    f"{sender.value_proposition}",
                    "If it would help, I can put together a walkthrough with your own jobs "
                    "and crews.",
                    signature,
                ]
            ),
        )
    )
    check_in = schedule.business_day_at(start.date(), check_in_days, check_in_time, zone_name)
    plan.append(
        FollowUp(
            kind="check_in",
            channel=channel,
            due_at=_utc(check_in),
            subject=f"Next steps for {facts['company']}?",
            body="\n\n".join(
                [
                    f"Hi {name},",
                    "Checking in after our call: is there anything you would like to see before "
                    "deciding on next steps? I'm glad to set up a second conversation with "
                    "your team.",
                    signature,
                ]
            ),
        )
    )
    return plan


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
