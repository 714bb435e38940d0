"""ICS invitations: what any calendar (Outlook, Google, Apple) needs to import the meeting."""

from __future__ import annotations

import pytest

from orchestration.integrations.calendar import (
    IcsOnlyProvider,
    Meeting,
    get_calendar_provider,
    meeting_uid,
    render_ics,
)
from orchestration.integrations.calendar.ics import escape_text, fold

LEAD_ID = "7d9e2f44-0000-4000-8000-000000000001"


def meeting(**changes: object) -> Meeting:
    base = Meeting(
        uid=meeting_uid(LEAD_ID, "sales-agent.local"),
        start="2025-06-12T10:00:00-05:00",
        end="2025-06-12T10:20:00-05:00",
        timezone="America/Chicago",
        label="Thu 12 Jun, 10:00 AM CDT",
        summary="Sunrise Power Solutions <> the partnerships team (20 min)",
        description="20-minute call.\n\nTalking points:\n- Tier A; 4.8 from 212 reviews",
        organizer_name="Jordan",
        organizer_email="bdr@sales-agent.local",
        attendee_name="Maria Lopez",
        attendee_email="maria@sunrisepower.com",
        stamp="2025-06-11T20:00:00+00:00",
    )
    return Meeting(**{**base, **changes})  # type: ignore[typeddict-item]


def unfolded(ics: str) -> list[str]:
    """Content lines as a calendar reads them (RFC 5545 §3.1 unfolding)."""
    return ics.replace("\r\n ", "").split("\r\n")[:-1]


def prop(ics: str, name: str) -> str:
    found = [line for line in unfolded(ics) if line.split(":", 1)[0].split(";", 1)[0] == name]
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def test_invitation_is_one_event_with_times_in_utc() -> None:
    ics = render_ics(meeting())

    lines = unfolded(ics)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert "METHOD:REQUEST" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    # 10:00 Central daylight time is 15:00 UTC
    assert prop(ics, "DTSTART") == "DTSTART:20250612T150000Z"
    assert prop(ics, "DTEND") == "DTEND:20250612T152000Z"
    assert prop(ics, "DTSTAMP") == "DTSTAMP:20250611T200000Z"
    assert prop(ics, "UID") == f"UID:bdr-meeting-{LEAD_ID}@sales-agent.local"


def test_every_line_ends_with_crlf_and_fits_75_octets() -> None:
    long_description = "Talking points: " + "résumé ✓ " * 60
    ics = render_ics(meeting(description=long_description))

    assert ics.endswith("\r\n")
    assert "\n" not in ics.replace("\r\n", "")
    for line in ics.split("\r\n"):
        assert len(line.encode()) <= 75
    assert prop(ics, "DESCRIPTION") == f"DESCRIPTION:{escape_text(long_description)}"


def test_text_values_are_escaped() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    ics = render_ics(meeting(summary="Watts, Bros; call"))
    assert prop(ics, "SUMMARY") == "SUMMARY:Watts\\, Bros\\; call"


def test_organizer_and_attendee_are_mailto_addresses() -> None:
    ics = render_ics(meeting(attendee_name="Lopez, Maria"))

    assert prop(ics, "ORGANIZER") == "ORGANIZER;CN=Jordan:mailto:bdr@sales-agent.local"
    attendee = prop(ics, "ATTENDEE")
    assert attendee.startswith('ATTENDEE;CN="Lopez, Maria";ROLE=REQ-PARTICIPANT')
    assert attendee.endswith(":mailto:maria@sunrisepower.com")


def test_lead_without_email_gets_an_invitation_without_attendee() -> None:
    ics = render_ics(meeting(attendee_email=None))

    assert not any(line.startswith("ATTENDEE") for line in unfolded(ics))


def test_the_same_meeting_renders_the_same_bytes() -> None:
    assert render_ics(meeting()) == render_ics(meeting())


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    pieces = folded.split("\r\n ")
    assert "".join(pieces) == line
    assert all(len(piece.encode()) <= 75 for piece in pieces)


def test_times_without_offset_are_refused() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        render_ics(meeting(start="2025-06-12T10:00:00"))


def test_ics_only_provider_books_under_the_uid() -> None:
    provider = get_calendar_provider("ics")

    assert isinstance(provider, IcsOnlyProvider)
    assert provider.book(meeting()) == meeting()["uid"]


def test_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown calendar provider 'google'; known: ics"):
        get_calendar_provider("google")
