"""RFC 5545 invitations: one VEVENT per meeting, times in UTC, lines folded at 75 octets.

Times are written in UTC (``DTSTART:20250612T150000Z``): a ``TZID`` parameter would oblige
the file to carry a matching VTIMEZONE component, and UTC needs none while every calendar
shows it in the reader's own zone. The lead's zone is named in the description instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from orchestration.integrations.calendar.meeting import Meeting

PRODUCT_ID = "-//sales-agent//BDR meeting//EN"
_MAX_OCTETS = 75


def meeting_uid(lead_id: str, domain: str) -> str:
    """The invitation's UID: one per lead, so booking again updates instead of duplicating."""
    return f"bdr-meeting-{lead_id}@{domain}"


def utc_stamp(moment: str | datetime) -> str:
    """``20250612T150000Z`` for an aware ISO timestamp or datetime."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        raise ValueError(f"time {moment!r} has no UTC offset")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    r"""TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _param(value: str) -> str:
    """A parameter value (CN=...): quoted when it holds ``:;,``; quotes are not allowed."""
    cleaned = value.replace('"', "'")
    return f'"{cleaned}"' if any(c in cleaned for c in ":;,") else cleaned


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces, never inside a UTF-8 character."""
    pieces: list[str] = []
    current = ""
    limit = _MAX_OCTETS
    for char in line:
        if len((current + char).encode()) > limit:
            pieces.append(current)
            current = ""
            limit = _MAX_OCTETS - 1  # continuation lines start with one space
        current += char
    pieces.append(current)
    return "\r\n ".join(pieces)


def render_ics(meeting: Meeting, method: str = "REQUEST") -> str:
    """The invitation as text: CRLF line ends, folded lines, one VEVENT."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{meeting['uid']}",
        f"DTSTAMP:{utc_stamp(meeting['stamp'])}",
        f"DTSTART:{utc_stamp(meeting['start'])}",
        f"DTEND:{utc_stamp(meeting['end'])}",
        f"SUMMARY:{escape_text(meeting['summary'])}",
        f"DESCRIPTION:{escape_text(meeting['description'])}",
        f"ORGANIZER;CN={_param(meeting['organizer_name'])}:mailto:{meeting['organizer_email']}",
    ]
    if meeting["attendee_email"]:
        name = meeting["attendee_name"] or meeting["attendee_email"]
        lines.append(
            f"ATTENDEE;CN={_param(name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
            f"RSVP=TRUE:mailto:{meeting['attendee_email']}"
        )
    lines += [
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(f"{fold(line)}\r\n" for line in lines)
