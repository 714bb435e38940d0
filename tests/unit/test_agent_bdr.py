"""BDR: a personal draft with meeting times the prospect can actually take, awaiting a person."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import HTTPException

from api.routes.bdr import DraftEditIn, DraftOut, _check_edit
from orchestration.agents.base import RunContext
from orchestration.agents.bdr import nodes
from orchestration.agents.bdr.agent import BdrAgent
from orchestration.config.rules import load_rules
from orchestration.engines.rules import bdr as rules_bdr
from orchestration.engines.rules.facts import facts_from_lead
from orchestration.engines.rules.schedule import closed_days, next_business_days
from orchestration.engines.rules.text import find_placeholders
from orchestration.engines.rules.text_checks import find_draft_defects, find_text_defects
from tests.support.leads import (
    FIXED_NOW,
    dealer_lead,
    generic_lead,
    strong_dealer,
    through_stages,
)
from tests.support.model_server import ModelServer, Reply


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

    assert (draft["kind"], draft["channel"]) == ("email", "email")
    assert draft["to"] == "m***@sunrisepower.com"
    assert draft["script"] is None
    assert "Sunrise Power Solutions" in draft["subject"]
    assert draft["body"].startswith("Hi Maria,")
    assert "an Elite Generac dealer in Austin, TX" in draft["body"]
    for slot in output["slots"]:
        assert slot["label"] in draft["body"]
    assert find_placeholders(draft["subject"] + draft["body"]) == []
    assert find_draft_defects(draft, facts_from_lead(lead)) == []


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
    output = bdr(dealer_lead(email="ops@sunrisepower.com")).output

    assert output["talking_points"][0].startswith("Sunrise Power Solutions, a Premier Generac")
    assert "Not qualified yet: check fit before the call." in output["talking_points"]
    assert output["draft"]["kind"] == "email"
    assert output["draft"]["to"] == "o***@sunrisepower.com"
    assert len(output["slots"]) == 3


def test_a_lead_with_only_a_phone_gets_a_call_script_and_a_voicemail() -> None:
    # Given a dealer with a phone and no email, as nearly every row of a real export
    lead = through_stages(dealer_lead(contact_name="Maria Lopez"),
                          "qualification", "enrichment", "growth", "marketing")

    output = bdr(lead).output
    draft = output["draft"]

    # Then the draft is a call: what to say, the times to offer, and a voicemail; no email
    assert (draft["kind"], draft["channel"]) == ("call", "phone")
    assert draft["to"] == "+1******0100"
    assert draft["subject"] is None
    assert draft["body"] is None
    assert draft["script"].startswith("Hi Maria, this is Jordan with the partnerships team.")
    assert "Sunrise Power Solutions" in draft["script"]
    for slot in output["slots"]:
        assert slot["label"] in draft["script"]
    assert "best email address for the calendar invitation" in draft["script"]
    assert draft["voicemail"].startswith("Hi Maria, this is Jordan")
    assert "Sunrise Power Solutions" in draft["voicemail"]
    assert find_draft_defects(draft, facts_from_lead(lead)) == []
    assert "No email on file: open by phone." in output["talking_points"]


def test_an_email_enrichment_finds_invalid_is_not_written_to() -> None:
    # Given a lead whose only email fails the syntax check, with a phone
    lead = through_stages(dealer_lead(email="maria@@sunrisepower"),
                          "qualification", "enrichment", "growth", "marketing")

    draft = bdr(lead).output["draft"]

    assert draft["kind"] == "call"


def test_a_lead_with_only_a_website_gets_a_message_for_its_contact_form() -> None:
    lead = dealer_lead(phone=None)

    draft = bdr(lead).output["draft"]

    assert (draft["kind"], draft["channel"]) == ("email", "contact_form")
    assert draft["to"] == "https://sunrisepower.com/"
    assert draft["body"].startswith("Hi Sunrise Power Solutions team,")


def test_a_phone_that_failed_its_check_is_still_called_but_flagged() -> None:
    # Given a lead reached only by a number enrichment found invalid
    lead = through_stages(dealer_lead(phone="+18915550115", website=None, domain=None),
                          "enrichment")

    output = bdr(lead).output

    # Then the rep calls it, told to confirm the number first
    assert output["draft"]["kind"] == "call"
    assert any("failed the number check" in p for p in output["talking_points"])


def test_messy_export_data_reads_cleanly_in_the_draft() -> None:
    # Given a shouted name with a legal suffix, a shouted city, a 0-10 rating, junk street
    lead = dealer_lead(
        company_name="JOHNSON HTG & AIR, LLC",
        city="SAN ANTONIO",
        street="54 mi0.0(0)0.0 out of 5 stars",
        email="ops@johnsonhtg.com",
        profile={"rating": 9.0, "review_count": 111},
        capabilities={"hvac": True, "residential": True, "commercial": True},
    )

    output = bdr(lead).output
    draft = output["draft"]

    # Then the draft names the company and city as a person writes them, and no rating
    assert "Johnson HTG & Air, a Premier Generac dealer in San Antonio, TX" in draft["body"]
    assert "Johnson HTG & Air's" in draft["subject"]
    assert "★" not in draft["body"]
    assert find_draft_defects(draft, facts_from_lead(lead)) == []
    for point in output["talking_points"]:
        assert find_text_defects(point, facts_from_lead(lead)) == [], point


def test_a_city_field_holding_a_fragment_is_left_out() -> None:
    lead = dealer_lead(city="on", email="ops@sunrisepower.com")

    draft = bdr(lead).output["draft"]

    assert "a Premier Generac dealer in TX." in draft["body"]
    assert find_text_defects(draft["body"]) == []


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


# --- a call after the decision ------------------------------------------------------------


def test_an_edit_to_a_call_changes_its_script_and_voicemail_only() -> None:
    draft = bdr(dealer_lead()).output["draft"]

    edited = rules_bdr.apply_edit(draft, {"script": "Hi, short version.", "subject": "ignored"})

    assert edited == {**draft, "script": "Hi, short version."}
    assert rules_bdr.apply_edit(draft, {"voicemail": "  "}) == draft


def test_follow_ups_of_a_call_are_said_on_the_phone() -> None:
    # Given a phone-only lead whose call was booked
    facts = facts_from_lead(dealer_lead(contact_name="Maria Lopez"))
    slot = bdr(dealer_lead()).output["slots"][1]

    plan = rules_bdr.plan_follow_ups(facts, slot, "America/Chicago", "phone", FIXED_NOW,
                                     load_rules().outreach)

    # Then each touch is a short call, with nothing to reply to or invitation to open
    assert [f["kind"] for f in plan] == ["reminder", "recap", "check_in"]
    assert all(f["channel"] == "phone" for f in plan)
    reminder = plan[0]
    assert reminder["subject"] == "Reminder call: our call tomorrow: Fri 13 Jun, 2:00 PM CDT"
    assert reminder["body"].startswith("Hi Maria, this is Jordan with the partnerships team")
    assert "invitation" not in reminder["body"]
    assert "email address" in plan[1]["body"]
    for follow_up in plan:
        assert find_text_defects(follow_up["body"], facts) == []


def test_the_model_writes_a_call_for_a_lead_with_only_a_phone(server: ModelServer) -> None:
    # Given a model that writes call scripts, and a lead reached by phone only
    server.script(Reply.json({
        "script": "Hi, this is Jordan with the partnerships team. I'm calling Sunrise Power "
        "Solutions about your generator installs in Austin.",
        "voicemail": "Hi, this is Jordan, calling for Sunrise Power Solutions; I'll try "
        "you again later this week.",
        "meeting_purpose": "Show how Austin installers schedule generator jobs.",
        "research_notes": ["Premier Generac dealer"],
    }, usage=(900, 200)))
    lead = through_stages(dealer_lead(), "qualification", "enrichment", "growth", "marketing")

    outcome = BdrAgent(clock=lambda: FIXED_NOW, checkpointer=lambda: None).run(
        lead, RunContext(engine="llm", dry_run=True)
    )

    # Then the draft stays a call: the model's script with the real times, its voicemail
    draft = outcome.output["draft"]
    assert outcome.engine == "llm"
    assert (draft["kind"], draft["subject"], draft["body"]) == ("call", None, None)
    assert draft["script"].startswith("Hi, this is Jordan with the partnerships team.")
    for slot in outcome.output["slots"]:
        assert slot["label"] in draft["script"]
    assert draft["voicemail"].endswith("again later this week.")
    assert '"CallDraft"' in server.requests[-1].text_of("system")


def test_a_model_call_script_with_a_shouted_name_keeps_the_rules_draft(
    server: ModelServer,
) -> None:
    server.script(Reply.json({
        "script": "Hi, I'm calling SUNRISE POWER SOLUTIONS, LLC about your generator installs.",
        "voicemail": "Hi, this is Jordan; I'll try you again later this week.",
        "meeting_purpose": "Show how Austin installers schedule generator jobs.",
    }))
    lead = through_stages(dealer_lead(), "qualification", "enrichment", "growth", "marketing")
    agent = BdrAgent(clock=lambda: FIXED_NOW, checkpointer=lambda: None)
    rules_draft = agent.run(lead, RunContext(dry_run=True)).output["draft"]

    outcome = agent.run(lead, RunContext(engine="llm", dry_run=True))

    assert outcome.output["draft"] == rules_draft
    assert outcome.engine == "rules-fallback"
    assert "shouted word" in outcome.output["llm_fallback"]["detail"]


# --- the approval API shows and edits either kind -------------------------------------------


def test_the_pending_list_shows_a_call_draft_and_an_older_email_draft() -> None:
    call = bdr(dealer_lead()).output["draft"]
    stored_before_calls = {"channel": "email", "to": None, "subject": "s", "body": "b"}

    shown = DraftOut.model_validate(call)
    older = DraftOut.model_validate(stored_before_calls)

    assert (shown.kind, shown.script, shown.voicemail) == ("call", call["script"],
                                                           call["voicemail"])
    assert shown.subject is None
    assert (older.kind, older.subject) == ("email", "s")


def test_an_edit_must_change_the_drafts_own_fields() -> None:
    call = {"draft": bdr(dealer_lead()).output["draft"]}
    email = {"draft": bdr(dealer_lead(email="ops@sunrisepower.com")).output["draft"]}

    _check_edit(DraftEditIn(voicemail="Hi, short."), call)
    _check_edit(DraftEditIn(subject="Twenty minutes?"), email)
    with pytest.raises(HTTPException) as refused:
        _check_edit(DraftEditIn(subject="Twenty minutes?"), call)
    assert refused.value.status_code == 422
    assert "the draft is a call: edit script and voicemail, not subject" in str(
        refused.value.detail
    )
    with pytest.raises(HTTPException):
        _check_edit(DraftEditIn(script="Hi"), email)
