"""Calendar booking: the meeting a person approved, as an ICS invitation and on real calendars.

:mod:`.ics` writes RFC 5545 invitations; :mod:`.provider` is the interface real calendars
(Google, Microsoft 365, a scheduling tool) implement, with the ICS-only provider as default.
"""

from orchestration.integrations.calendar.ics import meeting_uid, render_ics
from orchestration.integrations.calendar.meeting import Meeting
from orchestration.integrations.calendar.provider import (
    CalendarProvider,
    IcsOnlyProvider,
    get_calendar_provider,
)

__all__ = [
    "CalendarProvider",
    "IcsOnlyProvider",
    "Meeting",
    "get_calendar_provider",
    "meeting_uid",
    "render_ics",
]
