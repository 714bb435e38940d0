"""Qualification: the score, tier and reasoning a sales person reads for each lead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.qualification import nodes
from orchestration.agents.qualification.agent import QualificationAgent
from orchestration.agents.qualification.graph import build_graph
from orchestration.agents.qualification.state import QualificationState
from orchestration.agents.runtime import RulesRuntime
from orchestration.config.rules import load_rules
from orchestration.engines.rules.facts import facts_from_lead
from orchestration.engines.rules.qualification import tier_for
from settings import get_settings
from tests.support.leads import (
    dealer_lead,
    generic_lead,
    no_fit_dealer,
    sample_csv_leads,
    strong_dealer,
    weak_dealer,
)

AGENT = QualificationAgent()


def qualify(lead: dict[str, Any], **options: Any) -> Any:
    return AGENT.run(lead, RunContext(**options))


def factor_of(output: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in output["factors"] if f["key"] == key)


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


# --- end to end -----------------------------------------------------------------------------


def test_strong_multi_oem_elite_resimercial_dealer_lands_in_a_or_b() -> None:
    outcome = qualify(strong_dealer())

    assert outcome.output["tier"] in ("A", "B")
    assert outcome.output["score"] >= 60
    assert outcome.lead_updates == {"score": outcome.output["score"],
                                    "tier": outcome.output["tier"]}
    assert outcome.stop_reason is None
    assert outcome.engine == "rules"
    assert outcome.cost_usd == 0.0


def test_reasoning_names_the_dealers_real_attributes() -> None:
    reasoning = qualify(strong_dealer()).output["reasoning"]

    assert reasoning.startswith("Elite Generac dealer in Austin, TX certified with 3 OEMs")
    assert "Generac, Kohler and Cummins" in reasoning
    assert "offers solar, battery and generator work" in reasoning
    assert "both commercial and residential customers" in reasoning
    assert "rated 4.8 of 5 by 212 reviews" in reasoning
    assert "website and phone but no direct email" in reasoning
    assert "tier " in reasoning


def test_single_oem_dealer_without_website_and_few_reviews_lands_in_c_or_d() -> None:
    outcome = qualify(weak_dealer())

    assert outcome.output["tier"] in ("C", "D")
    assert "phone but no website or direct email" in outcome.output["reasoning"]
    assert any("no website" in step for step in outcome.output["recommendations"])


def test_tier_d_stops_the_chain_with_a_short_reason() -> None:
    # Given a lead with no OEM, no known trade or market, and nothing else going for it
    lead = no_fit_dealer()

    # When it is qualified
    outcome = qualify(lead)

    # Then it is tier D and the chain stops saying why
    assert outcome.output["tier"] == "D"
    assert outcome.stop_reason is not None
    assert outcome.stop_reason.startswith(f"tier D: score {outcome.output['score']} below 40")
    assert "no OEM certification listed" in outcome.stop_reason
    assert outcome.lead_updates["tier"] == "D"
    assert outcome.output["sales_potential"] == "very low"


def test_factors_explain_the_whole_score() -> None:
    output = qualify(strong_dealer()).output

    assert [f["key"] for f in output["factors"]] == [
        "resimercial", "multi_oem", "mepr", "om", "contactability", "reputation",
    ]
    for f in output["factors"]:
        assert set(f) == {"key", "name", "points", "max_points", "reason"}
        assert 0 <= f["points"] <= f["max_points"]
        assert f["reason"]
    # The four ICP dimensions make the 100-point fit; the adjustments add at most 5
    assert sum(f["max_points"] for f in output["factors"][:4]) == 100
    assert sum(f["max_points"] for f in output["factors"][4:]) == 5
    assert output["fit"] == pytest.approx(sum(f["points"] for f in output["factors"][:4]))
    # The score is the factors' sum in whole points, rounded down as the bands read
    assert 0 <= sum(f["points"] for f in output["factors"]) - output["score"] < 1


def test_output_has_every_key_later_stages_and_people_read() -> None:
    output = qualify(strong_dealer()).output

    assert {"score", "tier", "factors", "reasoning", "fit_assessment", "contact_quality",
            "sales_potential", "recommendations"} <= set(output)
    assert isinstance(output["recommendations"], list)
    assert output["fit_assessment"].startswith(("Strong fit", "Good fit"))


def test_generic_owner_of_small_solar_company_scores_high() -> None:
    output = qualify(generic_lead()).output

    assert output["tier"] in ("A", "B")
    assert output["profile"] == "generic"
    assert [f["key"] for f in output["factors"]] == [
        "industry_fit", "company_size", "contact_seniority", "contactability", "reputation"]
    assert output["reasoning"].startswith(
        "Solar energy company in Phoenix, AZ with 11-50 employees")
    assert "Dana Whitfield (Owner)" in output["reasoning"]


def test_generic_enterprise_outside_target_industries_scores_low() -> None:
    lead = generic_lead(company_name="Globex Software", industry="Computer Software",
                        company_size="5001-10000", contact_title="Marketing Coordinator",
                        email=None, phone=None)

    output = qualify(lead).output

    assert output["tier"] == "D"
    assert "'Computer Software' is not a target industry" in factor_of(
        output, "industry_fit")["reason"]


# --- nodes ----------------------------------------------------------------------------------


def test_check_duplicate_flags_only_under_stop_on_duplicate() -> None:
    lead = dealer_lead(duplicate_of="lead-1", duplicate_reason="same domain")

    assert nodes.check_duplicate({"lead": lead, "stop_on_duplicate": True}) == {
        "duplicate_stop": "duplicate of lead lead-1: same domain"}
    assert nodes.check_duplicate({"lead": lead, "stop_on_duplicate": False}) == {
        "duplicate_stop": None}


class FakeRuntime:
    context = RulesRuntime(rules=load_rules())


def test_analyze_company_collects_facts() -> None:
    update = nodes.analyze_company({"lead": strong_dealer()}, FakeRuntime())  # type: ignore[arg-type]

    assert update["facts"]["oems"] == ["Generac", "Kohler", "Cummins"]
    assert (update["facts"]["program_tier"], update["facts"]["program_rank"]) == ("Elite", 3)


def test_score_node_uses_the_rule_tables_of_the_run() -> None:
    lead = strong_dealer()
    state: QualificationState = {"lead": lead, "facts": facts_from_lead(lead)}

    update = nodes.score_icp_fit(state, FakeRuntime())  # type: ignore[arg-type]

    assert update["score"] == int(sum(f["points"] for f in update["factors"]))
    assert update["profile"] == "icp"


@pytest.mark.parametrize(("score", "tier"), [
    (100, "A"), (80, "A"), (79, "B"), (60, "B"), (59, "C"), (40, "C"), (39, "D"), (0, "D"),
])
def test_classify_tier_uses_the_settings_thresholds(score: int, tier: str) -> None:
    assert nodes.classify_tier({"score": score}) == {"tier": tier}


def test_changed_thresholds_in_settings_change_the_tier(
    fresh_settings: pytest.MonkeyPatch,
) -> None:
    fresh_settings.setenv("SALES_AGENT_TIER_A_MIN", "95")

    assert nodes.classify_tier({"score": 90}) == {"tier": "B"}


def test_tier_for_is_inclusive_at_each_threshold() -> None:
    assert [tier_for(s, 80, 65, 50) for s in (80, 65, 50, 49)] == ["A", "B", "C", "D"]


def test_write_reasoning_produces_every_sales_field() -> None:
    lead = strong_dealer()
    state: QualificationState = {"lead": lead, "facts": facts_from_lead(lead)}
    state |= nodes.score_icp_fit(state, FakeRuntime())  # type: ignore[arg-type]
    state |= nodes.classify_tier(state)

    update = nodes.write_reasoning(state)

    assert set(update) == {"reasoning", "fit_assessment", "contact_quality",
                           "sales_potential", "recommendations", "upstream"}
    assert update["contact_quality"].startswith("Fair: website and phone")


# --- duplicate stop -------------------------------------------------------------------------


def test_duplicate_under_stop_on_duplicate_skips_scoring() -> None:
    # Given a lead intake flagged as a duplicate, in a batch that stops duplicates
    lead = strong_dealer(duplicate_of="0a1b", duplicate_reason="same phone as row 3")
    state = cast(QualificationState, AGENT.initial_state(lead, RunContext(stop_on_duplicate=True)))

    # When the graph runs
    visited = [node for step in build_graph().stream(state, stream_mode="updates")
               for node in step]
    outcome = qualify(lead, stop_on_duplicate=True)

    # Then only the duplicate check ran and the chain stops naming the original
    assert visited == ["check_duplicate"]
    assert outcome.stop_reason == "duplicate of lead 0a1b: same phone as row 3"
    assert outcome.output["score"] is None
    assert outcome.lead_updates == {}


def test_duplicate_without_stop_on_duplicate_is_scored() -> None:
    lead = strong_dealer(duplicate_of="0a1b", duplicate_reason="same domain")

    outcome = qualify(lead)

    assert outcome.output["score"] is not None
    assert outcome.output["duplicate_of"] == "0a1b"
    assert outcome.stop_reason is None


# --- factor behaviour -----------------------------------------------------------------------


def test_few_perfect_reviews_count_for_less_than_many_good_ones() -> None:
    few = qualify(dealer_lead(profile={"rating": 5.0, "review_count": 3})).output
    many = qualify(dealer_lead(profile={"rating": 4.7, "review_count": 300})).output

    assert factor_of(few, "reputation")["points"] < factor_of(many, "reputation")["points"]
    assert "rated 5.0 of 5 by 3 reviews" in factor_of(few, "reputation")["reason"]


@pytest.mark.parametrize("ranking", [["Elite Plus", "Elite", "Premier", "Select", "Authorized"]])
def test_dealer_program_tiers_rank_in_program_order(ranking: list[str]) -> None:
    facts = [facts_from_lead(dealer_lead(profile={"dealer_tier": tier})) for tier in ranking]
    ranks = [f["program_rank"] for f in facts]

    assert ranks == sorted(ranks, reverse=True)
    scores = [qualify(dealer_lead(profile={"dealer_tier": tier})).output["score"]
              for tier in ranking]
    assert scores == sorted(scores, reverse=True)


def test_oem_specific_tier_names_are_understood() -> None:
    # Carrier's top program is "Factory Authorized"; elsewhere "authorized" is the entry tier
    carrier = dealer_lead(company_name="Sunrise Heating",
                          profile={"oem_source": "Carrier", "oems": ["Carrier"],
                                   "dealer_tier": "Factory Authorized"})
    other = dealer_lead(profile={"oem_source": "LG", "oems": ["LG"],
                                 "dealer_tier": "Factory Authorized"})

    top, entry = facts_from_lead(carrier), facts_from_lead(other)

    assert (top["program_tier"], top["program_rank"]) == ("Factory Authorized", 3)
    assert entry["program_rank"] == 1
    assert "top program tier (Carrier Factory Authorized)" in factor_of(
        qualify(carrier).output, "om")["reason"]


def test_more_oems_and_services_raise_the_score() -> None:
    one = qualify(dealer_lead()).output["score"]
    two = qualify(dealer_lead(profile={"oems": ["Generac", "Kohler"], "oem_count": 2})).output
    # A second trade (plumbing beside the generators' electrical work) is a broader shop
    broad = qualify(dealer_lead(capabilities={"generator": True, "plumbing": True,
                                              "residential": True})).output

    assert two["score"] > one
    assert broad["score"] > one


def test_shared_inbox_email_earns_less_than_a_named_persons_email() -> None:
    role = qualify(dealer_lead(email="info@sunrisepower.com")).output
    person = qualify(dealer_lead(email="maria@sunrisepower.com")).output

    assert (factor_of(role, "contactability")["points"]
            < factor_of(person, "contactability")["points"])
    assert "a shared inbox (info@)" in role["reasoning"]
    assert any("shared inbox" in step for step in role["recommendations"])


def test_vice_president_is_not_read_as_president() -> None:
    vp = qualify(generic_lead(contact_title="Vice President of Sales")).output
    president = qualify(generic_lead(contact_title="President")).output

    assert "(senior executive)" in factor_of(vp, "contact_seniority")["reason"]
    assert "(owner or executive)" in factor_of(president, "contact_seniority")["reason"]


def test_sample_dealers_spread_over_all_tiers() -> None:
    # Given the example dealer export
    leads = sample_csv_leads()

    # When every row is qualified
    tiers = [qualify(lead).output["tier"] for lead in leads]

    # Then they spread as the ICP bands do on real exports: most nurture (C), a few worth
    # outreach now (A/B), a few long-term (D); never all in one tier
    counts = {tier: tiers.count(tier) for tier in "ABCD"}
    assert counts["A"] + counts["B"] > 0, counts
    assert counts["D"] > 0, counts
    assert counts["C"] > len(tiers) / 2, counts
    assert counts["A"] + counts["B"] < len(tiers) / 5, counts
