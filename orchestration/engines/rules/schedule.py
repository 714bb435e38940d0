"""Meeting slots in the lead's own time zone: business days and hours, from tomorrow on."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The zone most of each state's population lives in (states split by a zone line take
# their larger side: TX and TN are Central, FL, KY, IN and MI Eastern, OR Pacific).
STATE_TIMEZONES: dict[str, str] = {
    "AL": "America/Chicago",
    "AK": "America/Anchorage",
    "AZ": "America/Phoenix",
    "AR": "America/Chicago",
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "CT": "America/New_York",
    "DE": "America/New_York",
    "DC": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "HI": "Pacific/Honolulu",
    "ID": "America/Boise",
    "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago",
    "KS": "America/Chicago",
    "KY": "America/New_York",
    "LA": "America/Chicago",
    "ME": "America/New_York",
    "MD": "America/New_York",
    "MA": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MS": "America/Chicago",
    "MO": "America/Chicago",
    "MT": "America/Denver",
    "NE": "America/Chicago",
    "NV": "America/Los_Angeles",
    "NH": "America/New_York",
    "NJ": "America/New_York",
    "NM": "America/Denver",
    "NY": "America/New_York",
    "NC": "America/New_York",
    "ND": "America/Chicago",
    "OH": "America/New_York",
    "OK": "America/Chicago",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "RI": "America/New_York",
    "SC": "America/New_York",
    "SD": "America/Chicago",
    "TN": "America/Chicago",
    "TX": "America/Chicago",
    "UT": "America/Denver",
    "VT": "America/New_York",
    "VA": "America/New_York",
    "WA": "America/Los_Angeles",
    "WV": "America/New_York",
    "WI": "America/Chicago",
    "WY": "America/Denver",
    "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas",
    "GU": "Pacific/Guam",
    "AS": "Pacific/Pago_Pago",
    "MP": "Pacific/Saipan",
}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Slot(TypedDict):
    """One proposed meeting time."""

    start: str  # ISO 8601 with the lead's UTC offset, e.g. "2025-06-03T10:00:00-05:00"
    end: str  # ISO 8601 with offset
    label: str  # how the lead reads it, e.g. "Tue 3 Jun, 10:00 AM CDT"


def timezone_for_state(state: str | None, default: str) -> str:
    """The IANA zone for a US state code, or ``default`` when unknown."""
    return STATE_TIMEZONES.get((state or "").strip().upper(), default)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """A cached :class:`ZoneInfo`; a bad name raises ``ValueError`` naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def next_business_days(after: date, count: int) -> list[date]:
    """The ``count`` business days following ``after``: weekdays that are not closed days."""
    days: list[date] = []
    day = after
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed_days(day.year):
            days.append(day)
    return days


@lru_cache(maxsize=16)
def closed_days(year: int) -> frozenset[date]:
    """US holidays on which trade businesses are commonly closed, as observed.

    New Year's Day, Memorial Day, Independence Day, Labor Day, Thanksgiving and the day
    after, Christmas Day. A fixed-date holiday on a Saturday is observed on the Friday
    before, on a Sunday on the Monday after.
    """
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return frozenset(
        {
            _observed(date(year, 1, 1)),
            _last_weekday(year, 5, 0),  # Memorial Day: last Monday of May
            _observed(date(year, 7, 4)),
            _nth_weekday(year, 9, 0, 1),  # Labor Day: first Monday of September
            thanksgiving,
            thanksgiving + timedelta(days=1),
            _observed(date(year, 12, 25)),
            _observed(date(year + 1, 1, 1)),  # a Saturday New Year is observed on 31 December
        }
    )


def _observed(holiday: date) -> date:
    if holiday.weekday() == 5:
        return holiday - timedelta(days=1)
    if holiday.weekday() == 6:
        return holiday + timedelta(days=1)
    return holiday


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def propose_slots(
    now: datetime, zone_name: str, start_times: list[str], minutes: int
) -> list[Slot]:
    """One slot per start time, each on the next business day after the previous one."""
    tz = zone(zone_name)
    local_today = now.astimezone(tz).date()
    slots: list[Slot] = []
    for day, start_time in zip(
        next_business_days(local_today, len(start_times)), start_times, strict=True
    ):
        start = datetime.combine(day, time.fromisoformat(start_time), tzinfo=tz)
        end = start + timedelta(minutes=minutes)
        slots.append(Slot(start=start.isoformat(), end=end.isoformat(), label=_label(start)))
    return slots


def parse_now(value: str) -> datetime:
    """An ISO timestamp; one without an offset is taken as UTC."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("UTC"))


def _label(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return (
        f"{_WEEKDAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}, "
        f"{hour}:{moment.minute:02d} {meridiem} {moment.tzname()}"
    )


def slot_at(start: datetime, zone_name: str, minutes: int) -> Slot:
    """A slot starting at ``start`` (any offset), written in the lead's zone."""
    local = start.astimezone(zone(zone_name))
    end = local + timedelta(minutes=minutes)
    return Slot(start=local.isoformat(), end=end.isoformat(), label=_label(local))


def find_slot(slots: list[Slot], start: datetime) -> Slot | None:
    """The proposed slot starting at the same instant as ``start``, whatever its offset."""
    for slot in slots:
        if datetime.fromisoformat(slot["start"]) == start:
            return slot
    return None


def within_business_hours(slot: Slot, day_start: str, day_end: str) -> bool:
    """Whether the slot lies on one business day, between the two local clock times."""
    start = datetime.fromisoformat(slot["start"])
    end = datetime.fromisoformat(slot["end"])
    return (
        start.date() == end.date()
        and start.weekday() < 5
        and start.date() not in closed_days(start.year)
        and time.fromisoformat(day_start) <= start.time()
        and end.time() <= time.fromisoformat(day_end)
    )


def business_day_at(after: date, days: int, clock: str, zone_name: str) -> datetime:
    """``clock`` local time on the ``days``-th business day after ``after``."""
    day = next_business_days(after, days)[-1]
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone(zone_name))
