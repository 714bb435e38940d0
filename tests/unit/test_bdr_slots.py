"""Meeting times a person may pick when approving: matching, custom times, business hours."""

from __future__ import annotations

from datetime import UTC, date, datetime

from orchestration.engines.rules import schedule

CHICAGO = "America/Chicago"


def test_a_proposed_slot_is_found_whatever_offset_the_time_is_written_in() -> None:
    slots = schedule.propose_slots(
        datetime(2025, 6, 11, 20, 0, tzinfo=UTC), CHICAGO, ["10:00", "14:00"], 20
    )

    # 14:00 CDT on Friday is 19:00 UTC
    found = schedule.find_slot(slots, datetime(2025, 6, 13, 19, 0, tzinfo=UTC))

    assert found == slots[1]
    assert schedule.find_slot(slots, datetime(2025, 6, 13, 19, 5, tzinfo=UTC)) is None


def test_a_custom_time_is_written_in_the_leads_zone() -> None:
    slot = schedule.slot_at(datetime(2025, 12, 3, 16, 30, tzinfo=UTC), CHICAGO, 20)

    assert slot == {
        "start": "2025-12-03T10:30:00-06:00",  # CST in winter
        "end": "2025-12-03T10:50:00-06:00",
        "label": "Wed 3 Dec, 10:30 AM CST",
    }


def test_business_hours_are_weekdays_between_opening_and_closing() -> None:
    def ok(start: str, minutes: int = 20) -> bool:
        slot = schedule.slot_at(datetime.fromisoformat(start), CHICAGO, minutes)
        return schedule.within_business_hours(slot, "09:00", "17:00")

    assert ok("2025-06-18T09:00:00-05:00")
    assert ok("2025-06-18T16:40:00-05:00")  # ends exactly at closing
    assert not ok("2025-06-18T16:50:00-05:00")  # runs past closing
    assert not ok("2025-06-18T08:30:00-05:00")
    assert not ok("2025-06-21T10:00:00-05:00")  # Saturday
    assert not ok("2025-11-27T10:00:00-06:00")  # Thanksgiving
    # 10:00 Pacific is noon in Chicago: hours are the lead's own
    assert ok("2025-06-18T10:00:00-07:00")


def test_business_day_at_skips_weekends_and_holidays() -> None:
    # Three business days after Wednesday 26 November 2025: Thanksgiving and the Friday after
    # are closed, so Monday, Tuesday, Wednesday
    moment = schedule.business_day_at(date(2025, 11, 26), 3, "10:00", CHICAGO)

    assert moment.isoformat() == "2025-12-03T10:00:00-06:00"
