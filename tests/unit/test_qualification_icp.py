"""Qualification under the customer's ICP: what a sales-ops person sees on real dealer rows.

Real exports leave most flags empty, have no reviews for most dealers, and mix awards and
junk into the program-tier column; these tests read as such rows do.
"""

from __future__ import annotations

from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.registry import get_agent
from orchestration.config.rules import RulesConfigError, load_rules, parse_rules
from orchestration.config.tiers import band_of
from orchestration.engines.rules.facts import dealer_title, facts_from_lead
from orchestration.engines.rules.programs import read_program_tier
from orchestration.engines.rules.qualification import qualify
from tests.support.leads import CAPABILITY_KEYS, dealer_lead, generic_lead

THRESHOLDS = (80, 60, 40)


def unknown_flags() -> dict[str, bool | None]:
    """Every capability flag empty, as in 30 % of real rows."""
    return dict.fromkeys(CAPABILITY_KEYS)


def qualified(lead: dict[str, Any], profile: str | None = None) -> dict[str, Any]:
    return qualify(lead, load_rules(), profile=profile, default_profile="icp",
                   thresholds=THRESHOLDS)


def factor_of(result: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in result["factors"] if f["key"] == key)


# --- unknown is not "no" -------------------------------------------------------------------------


def test_a_generator_dealer_with_empty_flags_is_known_to_do_electrical_work() -> None:
    # Given a Generac dealer whose every has_* flag is empty (real exports never set has_generator)
    lead = dealer_lead(capabilities=unknown_flags(),
                       profile={"dealer_tier": "Standard", "rating": 0, "review_count": 0})

    # When it is qualified
    result = qualified(lead)

    # Then its trade comes from the OEM, and it is no worse off than "unknown" elsewhere
    mepr = factor_of(result, "mepr")
    assert "electrical from its Generac certification" in mepr["reason"]
    assert mepr["points"] == pytest.approx(12.5)  # one trade: 50/100 of 25
    assert "standby generators" in factor_of(result, "resimercial")["reason"]
    assert facts_from_lead(lead)["services"] == ["generator"]


def test_trade_words_in_the_name_add_trades() -> None:
    # Given an HVAC dealer whose name says plumbing and electrical too
    lead = dealer_lead(company_name="ACME PLUMBING, HEATING & ELECTRIC LLC",
                       capabilities=unknown_flags(),
                       profile={"oem_source": "Carrier", "oems": ["Carrier"],
                                "dealer_tier": "Dealer"})

    # When it is qualified
    mepr = factor_of(qualified(lead), "mepr")

    # Then mechanical (from Carrier), plumbing and electrical (from the name) count: 3 trades
    assert mepr["reason"].startswith("3 trades")
    assert mepr["points"] == 25


def test_no_reviews_is_neither_for_nor_against_and_never_printed_as_stars() -> None:
    # Given the same dealer with no reviews (rating 0, 0 reviews) and with a 4.9 from 150
    unrated = qualified(dealer_lead(profile={"rating": 0, "review_count": 0}))
    rated = qualified(dealer_lead(profile={"rating": 4.9, "review_count": 150}))

    # Then "no reviews" costs nothing against the fit, and good reviews only rank it higher
    assert unrated["fit"] == rated["fit"]
    assert 0 < rated["score"] - unrated["score"] <= 2
    assert factor_of(unrated, "reputation")["reason"].startswith("no reviews yet")
    assert "★" not in unrated["reasoning"]
    assert "0 reviews" not in unrated["reasoning"]


def test_a_rating_outside_zero_to_five_is_bad_data_never_scored_or_shown() -> None:
    # Given a source that rates on 0-10: 9.0 from 111 reviews
    result = qualified(dealer_lead(profile={"rating": 9.0, "review_count": 111}))

    # Then the rating earns nothing and is never printed as stars
    reputation = factor_of(result, "reputation")
    assert reputation["points"] == 0
    assert "outside the 0-5 scale" in reputation["reason"]
    assert "9.0" not in result["reasoning"]
    assert "★" not in result["reasoning"]


# --- program tiers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "oems", "label", "rank", "awards"),
    [
        ("Diamond Commercial", ("Mitsubishi Electric",), "Diamond Commercial", 3, ()),
        ("Elite Plus", ("Generac",), "Elite Plus", 3, ()),
        ("ELITE IQ INSTALLER", ("Briggs & Stratton",), "Elite IQ Installer", 3, ()),
        ("Premier", ("Generac",), "Premier", 2, ()),
        ("Premier", ("Tesla Powerwall",), "Premier", 3, ()),
        ("Award Winner, Google, Carrier Authorized", ("Carrier",), "Authorized", 1,
         ("Award Winner", "Google")),
        ("Carrier Factory Authorized Dealer", ("Carrier",), "Factory Authorized", 3, ()),
        ("Standard", ("Generac",), None, 1, ()),
        ("Cummins", ("Cummins",), None, 1, ()),
        ("1 Years in Business", ("York",), None, 1, ()),
        ("Comfort Pro Partner", ("Rheem",), None, 1, ()),
        ("", ("Generac",), None, 0, ()),
    ],
)
def test_program_tier_cells_are_read_as_a_rank_apart_from_awards(
    cell: str, oems: tuple[str, ...], label: str | None, rank: int, awards: tuple[str, ...]
) -> None:
    tier = read_program_tier(cell, oems, load_rules().qualification.program_tiers)
    assert (tier.label, tier.rank, tier.awards) == (label, rank, awards)


@pytest.mark.parametrize(
    ("cell", "oem", "title"),
    [
        ("Cummins", "Cummins", "Cummins dealer"),
        ("1 Years in Business", "York", "York dealer"),
        ("Dealer", "Cummins", "Cummins dealer"),
        ("Elite Plus", "Generac", "Elite Plus Generac dealer"),
        ("Award Winner, Google, Carrier Authorized", "Carrier", "Carrier dealer"),
    ],
)
def test_only_a_real_upper_program_tier_becomes_part_of_a_title(
    cell: str, oem: str, title: str
) -> None:
    lead = dealer_lead(profile={"dealer_tier": cell, "oem_source": oem, "oems": [oem]})
    assert dealer_title(facts_from_lead(lead)) == title


def test_a_top_program_tier_says_commercial_work_and_service() -> None:
    # Given a Mitsubishi Diamond Commercial contractor with empty flags and a plain name
    lead = dealer_lead(company_name="Reliable Comfort Co", capabilities=unknown_flags(),
                       profile={"oem_source": "Mitsubishi Electric",
                                "oems": ["Mitsubishi Electric"],
                                "dealer_tier": "Diamond Commercial"})

    # When it is qualified
    result = qualified(lead)

    # Then the tier counts for resimercial (commercial work) and O&M, and the reasons say so
    resimercial = factor_of(result, "resimercial")
    assert resimercial["points"] == pytest.approx(0.70 * 35)
    assert "Diamond Commercial program tier" in resimercial["reason"]
    assert "top program tier" in factor_of(result, "om")["reason"]
    assert result["tier"] == "C"  # one OEM, one trade: a nurture lead, not outreach


def test_a_top_tier_generator_dealer_is_taken_to_serve_both_markets() -> None:
    lead = dealer_lead(capabilities=unknown_flags(), profile={"dealer_tier": "Elite Plus"})
    resimercial = factor_of(qualified(lead), "resimercial")
    assert resimercial["points"] == pytest.approx(0.75 * 35)
    assert "implies both markets" in resimercial["reason"]


# --- scores, tiers, profiles -------------------------------------------------------------------


def test_an_ideal_customer_is_tier_a_and_contact_data_alone_never_makes_one() -> None:
    # Given a resimercial, four-OEM, three-trade service company
    ideal = qualified(dealer_lead(
        company_name="Home & Commercial Electric, Plumbing and Air Service",
        profile={"oems": ["Generac", "Carrier", "Enphase", "Kohler"], "oem_count": 4},
    ))
    # And a single-OEM dealer with every way to reach it and perfect reviews
    reachable = qualified(dealer_lead(
        capabilities=unknown_flags(), email="owner@sunrisepower.com",
        profile={"dealer_tier": "Standard", "rating": 5.0, "review_count": 900},
    ))

    # Then the first is A (PLATINUM) and the second stays a nurture lead
    assert (ideal["tier"], ideal["band"]) == ("A", "PLATINUM")
    assert reachable["tier"] == "C"
    assert reachable["score"] - reachable["fit"] < 5.5  # 5 points at most, then rounding


def test_generic_rows_use_the_generic_profile_unless_the_batch_names_one() -> None:
    # Given a row in the generic column set
    lead = generic_lead()

    # When qualified by default, and with the ICP profile asked for
    by_format, asked = qualified(lead), qualified(lead, profile="icp")

    # Then the default is the generic profile, and a named profile wins
    assert by_format["profile"] == "generic"
    assert {f["key"] for f in by_format["factors"]} >= {"industry_fit", "company_size"}
    assert asked["profile"] == "icp"


def test_an_unknown_profile_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(RulesConfigError, match="profiles: generic, icp"):
        qualified(dealer_lead(), profile="enterprise")


def test_the_exports_own_icp_score_is_shown_beside_ours_with_the_agreement() -> None:
    # Given an export row carrying its owner's ICP score and components
    lead = dealer_lead(profile={"icp_score": 62.5, "icp_tier": "GOLD",
                                "component_scores": {"resimercial": 100, "multi_oem": 25,
                                                     "mepr": 75, "om": 25}})

    # When it is qualified
    result = qualified(lead)

    # Then the reasoning names both scores, and the agreement is by tier
    upstream = result["upstream"]
    assert upstream["score"] == 62.5
    assert upstream["band"] == "GOLD"
    assert upstream["tier"] == "B"
    assert "The export's own ICP score is 62.5 (GOLD, tier B)" in result["reasoning"]
    assert upstream["agreement"] in ("agrees", "higher", "lower")
    assert result["tier"] in ("A", "B")  # the owner's components are evidence too


def test_default_tiers_are_the_icp_bands() -> None:
    assert [band_of(s) for s in (85, 80, 79.9, 60, 59.9, 40, 39.9)] == [
        "PLATINUM", "PLATINUM", "GOLD", "GOLD", "SILVER", "SILVER", "BRONZE"]


# --- the paths tiers take ------------------------------------------------------------------------


def test_a_tier_c_lead_gets_a_scheduled_nurture_sequence_and_ends_at_marketing() -> None:
    # Given a nurture (tier C) lead after qualification and growth
    lead = dealer_lead(capabilities=unknown_flags(), profile={"dealer_tier": "Standard"})
    for stage in ("qualification", "growth"):
        lead["stage_outputs"][stage] = get_agent(stage).run(lead, RunContext()).output
    assert lead["stage_outputs"]["qualification"]["tier"] == "C"

    # When marketing plans it
    outcome = get_agent("marketing").run(lead, RunContext())

    # Then its touches are dated, and its chain ends here as completed: no approval queue
    nurture = outcome.output["nurture"]
    assert nurture["touches"]
    assert all(t["on"] >= nurture["starts_on"] for t in nurture["touches"])
    assert outcome.complete_reason is not None
    assert outcome.complete_reason.startswith("tier C: nurture sequence")
    assert outcome.stop_reason is None


def test_an_outreach_lead_goes_on_to_bdr() -> None:
    lead = dealer_lead(company_name="Home & Commercial Electric Service",
                       profile={"oems": ["Generac", "Carrier"], "oem_count": 2,
                                "dealer_tier": "Elite Plus"})
    for stage in ("qualification", "growth"):
        lead["stage_outputs"][stage] = get_agent(stage).run(lead, RunContext()).output
    assert lead["stage_outputs"]["qualification"]["tier"] in ("A", "B")
    outcome = get_agent("marketing").run(lead, RunContext())
    assert outcome.complete_reason is None
    assert "nurture" not in outcome.output


# --- the scoring file ----------------------------------------------------------------------------


def test_dimension_weights_must_add_up_to_100() -> None:
    text = load_rules_text().replace("weight = 35", "weight = 30", 1)
    with pytest.raises(RulesConfigError, match="dimension weights must add up to 100"):
        parse_rules(text)


def test_adjustments_may_never_become_the_bulk_of_a_score() -> None:
    text = load_rules_text().replace("max_points = 3\nwebsite = 1", "max_points = 30\nwebsite = 1")
    with pytest.raises(RulesConfigError, match="at most 10 points"):
        parse_rules(text)


def load_rules_text() -> str:
    from settings import DEFAULT_SCORING_CONFIG

    return DEFAULT_SCORING_CONFIG.read_text(encoding="utf-8")


def test_capability_keys_cover_every_flag_intake_reads() -> None:
    from api.intake.columns import CAPABILITIES

    assert tuple(CAPABILITIES) == CAPABILITY_KEYS
