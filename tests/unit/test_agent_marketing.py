"""Marketing: a campaign that fits the lead, on channels it can be reached by, in words
that are plainly about this company."""

from __future__ import annotations

from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.marketing import nodes
from orchestration.agents.marketing.agent import MarketingAgent
from orchestration.config.rules import load_rules
from orchestration.engines.rules.outreach import choose_strategy
from orchestration.engines.rules.text import find_placeholders
from tests.unit.test_agent_leads import (
    dealer_lead,
    generic_lead,
    sample_csv_leads,
    strong_dealer,
    through_stages,
)

AGENT = MarketingAgent()


def plan(lead: dict[str, Any]) -> dict[str, Any]:
    return AGENT.run(lead, RunContext()).output


def all_text(output: dict[str, Any]) -> str:
    return "\n".join(value for content in output["content"].values()
                     for value in content.values() if value)


# --- strategy -------------------------------------------------------------------------------


@pytest.mark.parametrize(("tier", "growth", "strategy"), [
    ("A", 40, "account-based, high-touch"),
    ("B", 85, "targeted multi-touch, growth angle"),
    ("B", 40, "personalised multi-touch sequence"),
    ("C", 85, "growth-market nurture"),
    ("C", 40, "light-touch nurture"),
    ("D", 90, "long-term nurture only"),
])
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
    lead = through_stages(strong_dealer(email="maria@sunrisepower.com",
                                        contact_name="Maria Lopez"),
                          "qualification", "growth")

    output = plan(lead)
    email = output["content"]["email"]
    phone = output["content"]["phone"]

    assert email["subject"].startswith("Sunrise Power Solutions")
    assert email["body"].startswith("Hi Maria,")
    for attribute in ("Sunrise Power Solutions", "Austin", "Elite Generac dealer",
                      "Generac, Kohler and Cummins", "solar, battery and generator",
                      "4.8★ from 212 reviews"):
        assert attribute in email["body"]
    assert phone["call_opener"] is not None
    assert "an Elite Generac dealer in Austin, TX" in phone["call_opener"]
    assert set(output["content"]) == {c["channel"] for c in output["channels"]}


def test_content_never_carries_a_placeholder() -> None:
    # Given leads with little data, where a template would leave gaps
    sparse = [
        dealer_lead(city=None, state=None, profile={"oem_source": None, "dealer_tier": None,
                                                    "oems": [], "oem_count": 0}),
        generic_lead(industry=None, company_size=None, contact_name=None, city=None),
        generic_lead(contact_name="J.", company_name="O'NEIL & SONS {HVAC}"),
    ]

    for lead in sparse:
        text = all_text(plan(lead))
        assert text
        assert find_placeholders(text) == [], text


def test_two_leads_with_different_data_get_different_text() -> None:
    first = plan(strong_dealer(email="maria@sunrisepower.com"))
    second = plan(strong_dealer(email="maria@sunrisepower.com", company_name="Ridgeline Energy",
                                city="Dallas"))

    for channel in first["content"]:
        assert first["content"][channel]["body"] != second["content"][channel]["body"]


def test_linkedin_note_fits_the_connection_limit() -> None:
    lead = generic_lead(company_name="The Extraordinarily Long Named Solar, Battery, Generator "
                                     "and Heating Installation Company of Greater Phoenix")

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


def test_sample_csv_content_is_filled_and_unique() -> None:
    # Given every distinct example dealer after qualification and growth
    leads = [
        through_stages(lead, "qualification", "growth")
        for lead in sample_csv_leads(distinct=True)
    ]

    # When marketing writes for each
    bodies: list[str] = []
    for lead in leads:
        output = plan(lead)
        text = all_text(output)
        assert find_placeholders(text) == [], (lead["company_name"], text)
        bodies += [content["body"] for content in output["content"].values()]

    # Then no two messages are the same
    assert len(bodies) == len(set(bodies))
