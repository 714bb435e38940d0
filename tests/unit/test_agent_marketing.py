"""Marketing: a campaign that fits the lead, on channels it can be reached by, in words
that are plainly about this company."""

from __future__ import annotations

from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.marketing import nodes
from orchestration.agents.marketing.agent import MarketingAgent
from orchestration.config.rules import load_rules
from orchestration.engines.rules.facts import facts_from_lead
from orchestration.engines.rules.outreach import (
    Content,
    UnfilledSlotError,
    check_content,
    choose_strategy,
)
from orchestration.engines.rules.text import find_placeholders
from orchestration.engines.rules.text_checks import find_text_defects
from tests.support.leads import (
    dealer_lead,
    generic_lead,
    strong_dealer,
    through_stages,
)

AGENT = MarketingAgent()


def plan(lead: dict[str, Any]) -> dict[str, Any]:
    return AGENT.run(lead, RunContext()).output


def all_text(output: dict[str, Any]) -> str:
    return "\n".join(
        value for content in output["content"].values() for value in content.values() if value
    )


# --- strategy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "growth", "strategy"),
    [
        ("A", 40, "account-based, high-touch"),
        ("B", 85, "targeted multi-touch, growth angle"),
        ("B", 40, "personalised multi-touch sequence"),
        ("C", 85, "growth-market nurture"),
        ("C", 40, "light-touch nurture"),
        ("D", 90, "long-term nurture only"),
    ],
)
def test_strategy_follows_tier_and_growth(tier: str, growth: int, strategy: str) -> None:
    chosen = choose_strategy(tier, 70, growth, load_rules().marketing)

    assert chosen["name"] == strategy
    assert chosen["reason"].startswith(f"tier {tier} (70/100), growth {growth}/100")


def test_marketing_uses_qualification_and_growth_outputs() -> None:
    lead = through_stages(strong_dealer(), "qualification", "enrichment", "growth")

    output = plan(lead)

    assert output["based_on"] == {
        "tier": lead["stage_outputs"]["qualification"]["tier"],
        "score": lead["stage_outputs"]["qualification"]["score"],
        "growth_score": lead["stage_outputs"]["growth"]["growth_score"],
    }
    assert output["notes"] == []


def test_missing_earlier_stages_give_a_default_plan_with_a_note() -> None:
    output = plan(strong_dealer())

    assert output["strategy"] == "personalised multi-touch sequence"
    assert output["based_on"]["tier"] is None
    assert any("Qualification output missing" in note for note in output["notes"])


# --- channels -------------------------------------------------------------------------------


def test_channels_follow_the_contact_data() -> None:
    # Given a dealer with phone and street only
    only_phone = plan(dealer_lead())
    # And a generic lead with email, contact name and phone but no street
    reachable = plan(generic_lead())

    assert [c["channel"] for c in only_phone["channels"]] == ["phone", "direct_mail"]
    assert [c["channel"] for c in reachable["channels"]] == ["email", "linkedin", "phone"]


def test_linkedin_needs_a_profile_or_a_contact_name() -> None:
    with_profile = dealer_lead()
    with_profile["profile"]["linkedin_url"] = "https://www.linkedin.com/company/sunrise"

    assert "linkedin" in [c["channel"] for c in plan(with_profile)["channels"]]
    assert "linkedin" not in [c["channel"] for c in plan(dealer_lead())["channels"]]


def test_channels_are_ordered_by_cadence_day_and_tier_a_moves_faster() -> None:
    lead = generic_lead(street="42 Sun Way")
    tier_a = dict(lead, stage_outputs={"qualification": {"tier": "A", "score": 90}})
    tier_c = dict(lead, stage_outputs={"qualification": {"tier": "C", "score": 55}})

    fast, slow = plan(tier_a)["channels"], plan(tier_c)["channels"]

    for channels in (fast, slow):
        days = [c["day"] for c in channels]
        assert days == sorted(days)
        assert days[0] == 0
    assert fast[-1]["day"] < slow[-1]["day"]
    assert [c["channel"] for c in fast][:2] == ["email", "phone"]  # high-touch calls early


def test_a_lead_with_no_reachable_channel_gets_a_note() -> None:
    lead = generic_lead(email=None, phone=None, contact_name=None)

    output = plan(lead)

    assert output["channels"] == []
    assert output["content"] == {}
    assert any("No reachable channel" in note for note in output["notes"])


# --- content --------------------------------------------------------------------------------


def test_content_names_the_leads_real_attributes() -> None:
    lead = through_stages(
        strong_dealer(email="maria@sunrisepower.com", contact_name="Maria Lopez"),
        "qualification",
        "growth",
    )

    output = plan(lead)
    email = output["content"]["email"]
    phone = output["content"]["phone"]

    assert "Sunrise Power Solutions" in email["subject"]
    assert email["body"].startswith("Hi Maria,")
    for attribute in (
        "Sunrise Power Solutions",
        "Austin",
        "Elite Generac dealer",
        "Generac, Kohler and Cummins",
        "solar, battery and generator",
        "4.8★ from 212 reviews",
    ):
        assert attribute in email["body"]
    assert phone["call_opener"] is not None
    assert "an Elite Generac dealer in Austin, TX" in phone["call_opener"]
    assert set(output["content"]) == {c["channel"] for c in output["channels"]}


def test_content_never_carries_a_placeholder() -> None:
    # Given leads with little data, where a template would leave gaps
    sparse = [
        dealer_lead(
            city=None,
            state=None,
            profile={"oem_source": None, "dealer_tier": None, "oems": [], "oem_count": 0},
        ),
        generic_lead(industry=None, company_size=None, contact_name=None, city=None),
        generic_lead(contact_name="J.", company_name="O'NEIL & SONS {HVAC}"),
    ]

    for lead in sparse:
        text = all_text(plan(lead))
        assert text
        assert find_placeholders(text) == [], text


def test_messy_export_data_reads_as_a_person_would_write_it() -> None:
    # Given a shouted name with a legal suffix, a shouted city, a rating on a 0-10 scale
    # and a street field holding scraped junk
    lead = dealer_lead(
        company_name="JOHNSON HTG & AIR, LLC",
        city="SAN ANTONIO",
        street="54 mi0.0(0)0.0 out of 5 stars",
        email="ops@johnsonhtg.com",
        contact_name="MARIA LOPEZ",
        profile={"rating": 9.0, "review_count": 111},
        capabilities={"hvac": True, "residential": True, "commercial": True},
    )

    output = plan(lead)
    text = all_text(output)

    # Then names and places are cased, the suffix and the rating are gone, and no letter
    # goes to an address that is not one
    assert "Johnson HTG & Air" in text
    assert "San Antonio, TX" in text
    assert "★" not in text
    assert "direct_mail" not in output["content"]
    assert output["content"]["email"]["body"].startswith("Hi Maria,")
    facts = facts_from_lead(lead)
    for content in output["content"].values():
        for value in content.values():
            assert find_text_defects(value or "", facts) == [], value


def test_a_rating_with_no_reviews_behind_it_is_never_printed() -> None:
    for profile in ({"rating": 4.9, "review_count": 0}, {"rating": 0, "review_count": 0},
                    {"rating": 7.5, "review_count": 300}):
        lead = strong_dealer(email="maria@sunrisepower.com")
        lead["profile"].update(profile)

        assert "★" not in all_text(plan(lead)), profile


def test_two_leads_with_different_data_get_different_text() -> None:
    first = plan(strong_dealer(email="maria@sunrisepower.com"))
    second = plan(
        strong_dealer(
            email="maria@sunrisepower.com", company_name="Ridgeline Energy", city="Dallas"
        )
    )

    for channel in first["content"]:
        assert first["content"][channel]["body"] != second["content"][channel]["body"]


def test_linkedin_note_fits_the_connection_limit() -> None:
    lead = generic_lead(
        company_name="The Extraordinarily Long Named Solar, Battery, Generator "
        "and Heating Installation Company of Greater Phoenix"
    )

    note = plan(lead)["content"]["linkedin"]["body"]

    assert len(note) <= 300
    assert find_placeholders(note) == []


def test_nodes_choose_then_plan_then_write() -> None:
    state: dict[str, Any] = {"lead": generic_lead()}
    state |= nodes.choose_strategy(state, None)  # type: ignore[arg-type]
    state |= nodes.plan_channels(state, None)  # type: ignore[arg-type]
    update = nodes.write_content(state, None)  # type: ignore[arg-type]

    assert state["strategy"]["tier"] is None
    assert [c["channel"] for c in state["channels"]] == list(update["content"])


# --- contact data from enrichment -----------------------------------------------------------


def test_a_linkedin_profile_found_by_enrichment_opens_linkedin() -> None:
    # Given a dealer with no contact name, whose enrichment derived a company LinkedIn page
    lead = dealer_lead()
    lead["stage_outputs"]["enrichment"] = {
        "derived": {"linkedin_url": "https://www.linkedin.com/company/sunrise-power"},
    }

    channels = plan(lead)["channels"]

    linkedin = next(c for c in channels if c["channel"] == "linkedin")
    assert linkedin["why"] == "LinkedIn profile found"


def test_contacts_enrichment_found_unusable_are_left_out_with_a_note() -> None:
    # Given a lead whose email fails the syntax check and whose phone is not a real number
    lead = generic_lead(email="dana@@brightwave", street="42 Sun Way")
    lead["stage_outputs"]["enrichment"] = {
        "contacts": {
            "email": {"kind": "invalid", "valid_syntax": False},
            "phone": {"valid": False, "toll_free": False},
        },
    }

    output = plan(lead)

    assert [c["channel"] for c in output["channels"]] == ["linkedin", "direct_mail"]
    assert "Email on file fails the syntax check: not used." in output["notes"]
    assert "Phone on file is not a valid number: not used." in output["notes"]


def test_a_shared_inbox_is_used_but_flagged_as_such() -> None:
    lead = generic_lead(email="info@brightwavesolar.com")
    lead["stage_outputs"]["enrichment"] = {"contacts": {"email": {"kind": "role"}}}

    email = plan(lead)["channels"][0]

    assert email["channel"] == "email"
    assert email["why"].startswith("shared inbox on file")


# --- content details ------------------------------------------------------------------------


def test_voicemail_announces_the_touch_that_really_comes_next() -> None:
    # Given a dealer reachable by phone and post only
    phone = plan(dealer_lead())["content"]["phone"]
    # And a lead reachable by email, LinkedIn, then phone (the call is the last touch)
    last_touch = plan(generic_lead())["content"]["phone"]

    assert phone["body"].endswith("I'll send a short letter to your office; no need to call back.")
    assert "email" not in phone["body"]
    assert last_touch["body"].endswith("I'll try you again later this week.")


def test_mail_headline_and_email_name_the_leads_credentials_and_crews() -> None:
    lead = strong_dealer(email="maria@sunrisepower.com")
    lead["profile"]["certifications"] = ["NABCEP PV Installation Professional", "OSHA 30"]

    content = plan(lead)["content"]

    assert content["direct_mail"]["subject"] == (
        "More billable hours for Sunrise Power Solutions' solar and battery crews in Austin"
    )
    # Only the credential that opens a growth line is named, not the safety card
    for channel in ("email", "direct_mail"):
        assert (
            "Your NABCEP PV Installation Professional credential puts Sunrise Power "
            "Solutions ahead" in content[channel]["body"]
        )
        assert "OSHA" not in content[channel]["body"]


def test_campaign_summarises_touches_duration_and_angle() -> None:
    lead = through_stages(strong_dealer(email="maria@sunrisepower.com"), "qualification", "growth")

    output = plan(lead)

    assert output["campaign"] == {
        "touches": len(output["channels"]),
        "duration_days": output["channels"][-1]["day"],
        "lead_with": lead["stage_outputs"]["growth"]["opportunities"][0],
    }
    assert output["campaign"]["lead_with"] in output["content"]["email"]["body"]


# --- no slot ever leaves --------------------------------------------------------------------


def test_a_growth_angle_carrying_a_slot_is_left_out_and_noted() -> None:
    # Given a growth output (from any engine) whose first angle is an unfilled template
    lead = strong_dealer(email="maria@sunrisepower.com")
    lead["stage_outputs"]["growth"] = {
        "growth_score": 80,
        "opportunities": ["Ask {first_name} about [Product] this TBD."],
    }

    output = plan(lead)

    # Then every message is written without it, and a person is told why
    text = all_text(output)
    assert find_placeholders(text) == []
    assert "Ask" not in text
    assert output["campaign"]["lead_with"] is None
    assert any(
        note.startswith("Growth angle left out: it carried {first_name}")
        for note in output["notes"]
    )


def test_check_content_names_the_channel_field_and_slot() -> None:
    content = {"email": Content(subject="Hello [Name]", body="Hi there.", call_opener=None)}

    with pytest.raises(UnfilledSlotError) as caught:
        check_content(content)

    assert (caught.value.channel, caught.value.field, caught.value.slots) == (
        "email",
        "subject",
        ["[Name]"],
    )


def test_check_content_refuses_a_linkedin_note_over_the_limit() -> None:
    content = {"linkedin": Content(subject=None, body="x" * 301, call_opener=None)}

    with pytest.raises(ValueError, match="301 characters, over the 300"):
        check_content(content)
