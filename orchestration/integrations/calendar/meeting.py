"""The meeting a BDR books: plain JSON, so it can live in a graph checkpoint and a table."""

from __future__ import annotations

from typing import TypedDict


class Meeting(TypedDict):
    """One booked call with a lead."""

    uid: str  # stable per lead: a re-run produces the same invitation, never a second one
    start: str  # ISO 8601 with the lead's UTC offset
    end: str  # ISO 8601 with offset
    timezone: str  # IANA zone of the lead, for people reading the times
    label: str  # "Thu 12 Jun, 10:00 AM CDT"
    summary: str  # calendar title
    description: str  # calendar body: what the call is about
    organizer_name: str
    organizer_email: str
    attendee_name: str | None  # the lead's contact, or the company
    attendee_email: str | None  # full address (invitations need it); None: no invitee
    stamp: str  # ISO UTC time of the decision: the invitation's DTSTAMP, stable on re-runs
