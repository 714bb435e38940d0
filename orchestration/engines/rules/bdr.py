"""The BDR's preparation: talking points from every earlier stage, and the outreach draft.

The draft fits the lead's contact data: an email when there is an address to send it to,
otherwise a call script with the voicemail to leave (most dealer exports have a phone and
no email, and an email with nowhere to go is not a draft a person can approve).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypedDict, cast

from orchestration.config.rules import Outreach
from orchestration.engines.rules import schedule
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.outreach import (
    greeting_name,
    identity,
    phone_content,
    possessive,
    specialty,
    work_sentence,
)
from orchestration.engines.rules.schedule import Slot
from orchestration.engines.rules.text import (
    first_name,
    join_words,
    masked_email,
    masked_phone,
    sentence,
)

DraftKind = Literal["email", "call"]
DraftChannel = Literal["email", "phone", "contact_form"]
# The draft's texts, by kind: what a person reads, edits and approves.
DRAFT_FIELDS: dict[DraftKind, tuple[str, str]] = {
    "email": ("subject", "body"),
    "call": ("script", "voicemail"),
}

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
    """The outreach a person approves, edits or rejects: an email to send, or a call to make.

    The two fields of the other kind are None.
    """

    kind: DraftKind  # "call" on the phone channel, else "email" (a written message)
    channel: str  # where it goes: "email", "phone" or "contact_form" (the lead's website)
    to: str | None  # masked address or number (the full one stays on the lead), or the website
    subject: str | None  # email: subject line
    body: str | None  # email: the message, ending with the proposed times
    script: str | None  # call: what to say when someone answers, with the times to offer
    voicemail: str | None  # call: the message to leave when nobody answers


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
        if facts["phone"]:
            points.append("No email on file: open by phone.")
        elif facts["website"]:
            points.append("No email or phone on file: write through the website's contact form.")
        else:
            points.append("No email or phone on file: find a way to reach them first.")
    phone = contacts.get("phone")
    if phone and phone.get("valid") is False:
        points.append(f"Phone {phone['masked']} failed the number check: confirm it before "
                      "calling.")
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


def draft_channel(
    open_channels: list[str] | tuple[str, ...], facts: CompanyFacts
) -> DraftChannel:
    """Where the first touch goes: email when the lead has a usable address, else a call
    when it has a usable phone, else the message through the website's contact form.

    ``open_channels``: the channels the lead's contact data opens (see
    :func:`orchestration.engines.rules.outreach.contact_options`). A lead whose only
    contact is a number that failed the check still gets a call (the talking points say
    to confirm the number): an email with nowhere to go helps nobody.
    """
    if "email" in open_channels:
        return "email"
    if "phone" in open_channels:
        return "phone"
    if facts["website"]:
        return "contact_form"
    return "phone" if facts["phone"] else "email"


def draft_outreach(
    facts: CompanyFacts,
    slots: list[Slot],
    angle: str | None,
    channel: DraftChannel,
    sender: Outreach,
) -> Draft:
    """A personal first email (or contact-form message), or a call script and voicemail,
    that proposes the slots."""
    if channel == "phone":
        return call_draft(facts, slots, angle, sender)
    minutes = sender.meeting_minutes
    paragraphs = [
        f"Hi {greeting_name(facts)},",
        sentence(f"I've been looking at {identity(facts)}"),
        work_sentence(facts),
        angle,
        sender.value_proposition,
        offer_times(slots, minutes),
        signature(sender),
    ]
    if channel == "contact_form":
        to = facts["website"]
    else:
        to = masked_email(facts["email"]) if facts["email"] else None
    return Draft(
        kind="email",
        channel=channel,
        to=to,
        subject=f"{minutes} minutes on {possessive(facts['company'])} {specialty(facts)}?",
        body="\n\n".join(p for p in paragraphs if p),
        script=None,
        voicemail=None,
    )


def call_draft(
    facts: CompanyFacts,
    slots: list[Slot],
    angle: str | None,
    sender: Outreach,
) -> Draft:
    """What to say on the phone, the slots to offer, and the voicemail if nobody answers."""
    spoken = phone_content(facts, angle, sender)
    minutes = sender.meeting_minutes
    pitch = " ".join(p for p in (angle, sender.value_proposition) if p)
    name = first_name(facts["contact_name"])
    others = f"who besides {name} should join" if name else "who should join"
    paragraphs = [
        spoken["call_opener"],
        f"If they have a minute: {pitch}",
        offer_times(slots, minutes),
        f"Before you hang up: ask for the best email address for the calendar invitation, "
        f"and {others}.",
    ]
    return Draft(
        kind="call",
        channel="phone",
        to=masked_phone(facts["phone"]) if facts["phone"] else None,
        subject=None,
        body=None,
        script="\n\n".join(p for p in paragraphs if p),
        voicemail=spoken["body"],
    )


def signature(sender: Outreach) -> str:
    """``"Jordan\nThe partnerships team"``: how every written touch ends."""
    return f"{sender.sender_name}\n{sender.sender_team[:1].upper()}{sender.sender_team[1:]}"


def draft_text(draft: Draft) -> str:
    """The draft's texts as one string (to check or search): subject and body, or script
    and voicemail."""
    return "\n\n".join(str(draft.get(field) or "") for field in DRAFT_FIELDS[draft["kind"]])


def offer_times(slots: list[Slot], minutes: int) -> str:
    """The paragraph that offers the proposed slots (every draft ends its pitch with it)."""
    if not slots:
        return f"Would a {minutes}-minute call next week work?"
    times = "\n".join(f"- {slot['label']}" for slot in slots)
    return f"Would one of these times work for a {minutes}-minute call?\n{times}"


# --- after the decision -----------------------------------------------------------------------


class DraftEdit(TypedDict, total=False):
    """What a person changed in the draft; keys left out keep the drafted text."""

    subject: str  # email drafts
    body: str  # email drafts
    script: str  # call drafts
    voicemail: str  # call drafts


class FollowUp(TypedDict):
    """One touch after the booking, written when the meeting is booked."""

    kind: str  # "reminder", "recap" or "check_in": unique per lead
    channel: str  # the draft's channel
    due_at: str  # ISO 8601 in UTC
    subject: str
    body: str


def apply_edit(draft: Draft, edit: DraftEdit | None) -> Draft:
    """The draft with a person's changes; blank fields keep the drafted text.

    Only the draft's own fields change (subject and body of an email, script and voicemail
    of a call); the API refuses an edit naming the other kind's fields.
    """
    if not edit:
        return draft
    changed = cast(Draft, dict(draft))
    if draft_kind_of(draft) == "call":
        changed["script"] = _edited(edit.get("script"), draft.get("script"))
        changed["voicemail"] = _edited(edit.get("voicemail"), draft.get("voicemail"))
    else:
        changed["subject"] = _edited(edit.get("subject"), draft.get("subject"))
        changed["body"] = _edited(edit.get("body"), draft.get("body"))
    return changed


def _edited(new: str | None, drafted: str | None) -> str | None:
    return (new or "").strip() or drafted


def draft_kind_of(draft: Any) -> DraftKind:
    """The kind of a draft, including drafts stored before calls had their own kind."""
    kind = draft.get("kind") if isinstance(draft, dict) else None
    return "call" if kind == "call" else "email"


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
    when even that moment has passed, there is no reminder. On the ``phone`` channel each
    touch is what to say on a short call (there is no address to write to).
    """
    start = datetime.fromisoformat(slot["start"])
    end = datetime.fromisoformat(slot["end"])
    words = _phone_touches if channel == "phone" else _written_touches
    plan: list[FollowUp] = []
    for ahead, when in ((timedelta(days=1), "tomorrow"), (timedelta(hours=2), "today")):
        due = start - ahead
        if due > decided_at:
            subject, body = words("reminder", facts, sender, f"{when}, {slot['label']}")
            plan.append(FollowUp(kind="reminder", channel=channel, due_at=_utc(due),
                                 subject=subject, body=body))
            break
    subject, body = words("recap", facts, sender, slot["label"])
    plan.append(FollowUp(kind="recap", channel=channel, due_at=_utc(end + timedelta(hours=2)),
                         subject=subject, body=body))
    check_in = schedule.business_day_at(start.date(), check_in_days, check_in_time, zone_name)
    subject, body = words("check_in", facts, sender, slot["label"])
    plan.append(FollowUp(kind="check_in", channel=channel, due_at=_utc(check_in),
                         subject=subject, body=body))
    return plan


def _written_touches(
    kind: str, facts: CompanyFacts, sender: Outreach, moment: str
) -> tuple[str, str]:
    """(subject, body) of an emailed follow-up."""
    name = greeting_name(facts)
    minutes = sender.meeting_minutes
    if kind == "reminder":
        return f"Our call {moment.replace(', ', ': ', 1)}", "\n\n".join([
            f"Hi {name},",
            f"A quick reminder of our {minutes}-minute call {moment}. The invitation has the "
            "details; if another time suits you better, just reply with one.",
            signature(sender),
        ])
    if kind == "recap":
        return f"Thanks for your time, {name}", "\n\n".join([
            f"Hi {name},",
            "Thank you for the call today. As promised, here is the short version: "
            f"{sender.value_proposition}",
            "If it would help, I can put together a walkthrough with your own jobs and crews.",
            signature(sender),
        ])
    return f"Next steps for {facts['company']}?", "\n\n".join([
        f"Hi {name},",
        "Checking in after our call: is there anything you would like to see before deciding "
        "on next steps? I'm glad to set up a second conversation with your team.",
        signature(sender),
    ])


def _phone_touches(
    kind: str, facts: CompanyFacts, sender: Outreach, moment: str
) -> tuple[str, str]:
    """(what the touch is, what to say) of a follow-up made by phone."""
    hello = f"Hi {first_name(facts['contact_name'])}" if first_name(facts["contact_name"]) else "Hi"
    me = f"this is {sender.sender_name} with {sender.sender_team}"
    minutes = sender.meeting_minutes
    if kind == "reminder":
        return f"Reminder call: our call {moment.replace(', ', ': ', 1)}", (
            f"{hello}, {me}, confirming our {minutes}-minute call {moment}. If another time "
            "suits you better, call me back on this number and we'll move it."
        )
    if kind == "recap":
        return f"Recap call to {facts['company']}", (
            f"{hello}, {me}. Thank you for the call today. The short version: "
            f"{sender.value_proposition} If it would help, I can put together a walkthrough "
            "with your own jobs and crews: what is the best email address to send it to?"
        )
    return f"Check-in call to {facts['company']}", (
        f"{hello}, {me}, checking in after our call: is there anything you would like to see "
        "before deciding on next steps? I'm glad to set up a second conversation with your team."
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
