"""BDR: a personal draft with meeting times the prospect can actually take, awaiting a person."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.bdr import nodes
from orchestration.agents.bdr.agent import BdrAgent
from orchestration.engines.rules.schedule import closed_days, next_business_days
from orchestration.engines.rules.text import find_placeholders
from tests.unit.test_agent_leads import (
    FIXED_NOW,
    dealer_lead,
    generic_lead,
    strong_dealer,
    through_stages,
)


def bdr(lead: dict[str, Any], now: datetime = FIXED_NOW, **options: Any) -> Any:
    return BdrAgent(clock=lambda: now).run(lead, RunContext(**options))


def local_starts(output: dict[str, Any]) -> list[datetime]:
    return [datetime.fromisoformat(slot["start"]) for slot in output["slots"]]


# --- slots ----------------------------------------------------------------------------------


def test_three_slots_on_the_next_business_days_in_business_hours() -> None:
    # Given a Texas lead on Wednesday 11 June 2025, 3 PM Chicago time
    output = bdr(strong_dealer()).output

    # Then three slots follow on Thursday, Friday and Monday, 9-17 Central time
    starts = local_starts(output)
    assert output["timezone"] == "America/Chicago"
    assert [s.date() for s in starts] == [date(2025, 6, 12), date(2025, 6, 13), date(2025, 6, 16)]
    for slot, start in zip(output["slots"], starts, strict=True):
        end = datetime.fromisoformat(slot["end"])
        assert start.weekday() < 5
        assert start.hour >= 9
        assert (end.hour, end.minute) <= (17, 0)
        assert start.utcoffset() is not None
        assert start.isoformat().endswith("-05:00")  # CDT, written with its offset


def test_slots_are_in_the_leads_own_time_zone() -> None:
    california = bdr(dealer_lead(city="Fresno", state="CA")).output
    arizona = bdr(dealer_lead(city="Phoenix", state="AZ")).output

    assert california["timezone"] == "America/Los_Angeles"
    assert california["slots"][0]["start"] == "2025-06-12T10:00:00-07:00"
    assert arizona["timezone"] == "America/Phoenix"  # no daylight saving
    assert arizona["slots"][0]["label"] == "Thu 12 Jun, 10:00 AM MST"


def test_unknown_state_uses_the_default_time_zone() -> None:
    output = bdr(generic_lead(state=None, city=None)).output

    assert output["timezone"] == "America/Chicago"


def test_friday_evening_proposes_monday_onwards() -> None:
    friday_evening = datetime(2025, 6, 13, 23, 30, tzinfo=UTC)  # 6:30 PM Friday in Chicago

    starts = local_starts(bdr(strong_dealer(), now=friday_evening).output)

    assert starts[0].date() == date(2025, 6, 16)
    assert all(s.weekday() < 5 for s in starts)


def test_late_utc_time_counts_from_the_leads_local_date() -> None:
    # 02:00 UTC on Thursday is still Wednesday evening in California
    now = datetime(2025, 6, 12, 2, 0, tzinfo=UTC)

    starts = local_starts(bdr(dealer_lead(state="CA"), now=now).output)

    assert starts[0].date() == date(2025, 6, 12)


def test_thanksgiving_and_the_day_after_are_skipped() -> None:
    wednesday_before = datetime(2025, 11, 26, 15, 0, tzinfo=UTC)

    starts = local_starts(bdr(strong_dealer(), now=wednesday_before).output)

    assert [s.date() for s in starts] == [date(2025, 12, 1), date(2025, 12, 2), date(2025, 12, 3)]


def test_observed_holidays_move_off_weekends() -> None:
    # 4 July 2026 is a Saturday, observed on Friday 3 July
    assert date(2026, 7, 3) in closed_days(2026)
    assert next_business_days(date(2026, 7, 2), 1) == [date(2026, 7, 6)]


def test_same_clock_gives_the_same_slots() -> None:
    assert bdr(strong_dealer()).output["slots"] == bdr(strong_dealer()).output["slots"]


# --- draft and research ---------------------------------------------------------------------


def test_draft_is_personal_and_offers_the_slots() -> None:
    lead = through_stages(strong_dealer(email="maria@sunrisepower.com", contact_name="Maria Lopez"),
                          "qualification", "enrichment", "growth", "marketing")

    output = bdr(lead).output
    draft = output["draft"]

    assert draft["channel"] == "email"
    assert draft["to"] == "m***@sunrisepower.com"
    assert "Sunrise Power Solutions" in draft["subject"]
    assert draft["body"].startswith("Hi Maria,")
    assert "an Elite Generac dealer in Austin, TX" in draft["body"]
    for slot in output["slots"]:
        assert slot["label"] in draft["body"]
    assert find_placeholders(draft["subject"] + draft["body"]) == []


def test_talking_points_draw_on_every_earlier_stage() -> None:
    lead = through_stages(strong_dealer(), "qualification", "enrichment", "growth", "marketing")
    stages = lead["stage_outputs"]

    points = bdr(lead).output["talking_points"]

    text = "\n".join(points)
    assert f"Tier {stages['qualification']['tier']}:" in text
    assert "No email on file" in text
    assert stages["growth"]["summary"] in points
    assert f"Campaign: {stages['marketing']['strategy']}" in text


def test_bdr_without_earlier_stages_still_prepares_a_draft() -> None:
    output = bdr(dealer_lead()).output

    assert output["talking_points"][0].startswith("Sunrise Power Solutions, a Premier Generac")
    assert "Not qualified yet: check fit before the call." in output["talking_points"]
    assert output["draft"]["channel"] == "email"
    assert output["draft"]["to"] is None
    assert len(output["slots"]) == 3


def test_lead_without_email_gets_the_first_planned_channel() -> None:
    lead = through_stages(dealer_lead(), "qualification", "growth", "marketing")

    draft = bdr(lead).output["draft"]

    assert draft["channel"] == lead["stage_outputs"]["marketing"]["channels"][0]["channel"]


# --- approval -------------------------------------------------------------------------------


def test_draft_waits_for_approval() -> None:
    outcome = bdr(strong_dealer())

    assert outcome.output["approval_status"] == "awaiting_approval"
    assert outcome.stop_reason is None
    assert outcome.engine == "rules"
    assert outcome.cost_usd == 0.0


def test_dry_run_completes_without_approval() -> None:
    assert bdr(strong_dealer(), dry_run=True).output["approval_status"] == "completed (dry run)"


@pytest.mark.parametrize(("dry_run", "status"), [(False, "awaiting_approval"),
                                                 (True, "completed (dry run)")])
def test_ready_for_approval_node(dry_run: bool, status: str) -> None:
    assert nodes.ready_for_approval({"dry_run": dry_run}) == {"approval_status": status}


def test_initial_state_carries_the_clock_as_iso_timestamp() -> None:
    state = BdrAgent(clock=lambda: FIXED_NOW).initial_state(dealer_lead(), RunContext())

    assert state["now"] == "2025-06-11T20:00:00+00:00"
    assert state["dry_run"] is False
