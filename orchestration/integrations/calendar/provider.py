"""Where booked meetings go: the interface for real calendars, and the ICS-only default.

A provider's :meth:`CalendarProvider.book` must be idempotent on ``meeting["uid"]``: the
booking task may call it again after a crash between the call and recording its answer
(Google Calendar takes the UID as ``iCalUID``; Microsoft Graph as ``transactionId``).
"""

from __future__ import annotations

from typing import Protocol

from orchestration.integrations.calendar.meeting import Meeting


class CalendarProvider(Protocol):
    """A calendar that can hold a booked meeting."""

    name: str

    def book(self, meeting: Meeting) -> str:
        """Put the meeting on the calendar; return the provider's id for it."""
        ...


class IcsOnlyProvider:
    """No calendar account: the stored ICS invitation (``GET /api/leads/{id}/meeting.ics``)
    is the booking, and its UID is the external id."""

    name = "ics"

    def book(self, meeting: Meeting) -> str:
        return meeting["uid"]


_PROVIDERS: dict[str, type[IcsOnlyProvider]] = {IcsOnlyProvider.name: IcsOnlyProvider}


def get_calendar_provider(name: str) -> CalendarProvider:
    """The provider called ``name`` (``settings.calendar_provider``)."""
    try:
        return _PROVIDERS[name]()
    except KeyError:
        raise ValueError(
            f"unknown calendar provider {name!r}; known: {', '.join(sorted(_PROVIDERS))}"
        ) from None
