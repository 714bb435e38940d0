"""Growth: which leads sit in growing markets with room to grow, and why."""

from __future__ import annotations

from typing import Any

from orchestration.agents.base import RunContext
from orchestration.agents.growth import nodes
from orchestration.agents.growth.agent import GrowthAgent
from orchestration.config.rules import load_rules
from orchestration.engines.rules.facts import facts_from_lead
from orchestration.engines.rules.growth import competition_view
from tests.unit.test_agent_leads import dealer_lead, generic_lead, strong_dealer

AGENT = GrowthAgent()


def grow(lead: dict[str, Any]) -> Any:
    return AGENT.run(lead, RunContext())


def test_multi_trade_dealer_in_fast_metro_outgrows_single_trade_dealer_elsewhere() -> None:
    # Given a solar/battery/generator dealer in Austin and an HVAC-only shop in Wyoming
    austin = grow(strong_dealer()).output
    cheyenne = grow(dealer_lead(city="Cheyenne", state="WY", capabilities={"hvac": True},
                                profile={"oem_source": "Trane", "oems": ["Trane"]})).output

    # Then the Austin dealer has clearly more growth potential
    assert austin["growth_score"] >= cheyenne["growth_score"] + 30
    assert austin["market"]["metro"] == "Austin, TX"
    assert austin["market"]["state_outlook"] == "high-growth"
    assert cheyenne["market"]["state_outlook"] == "steady"


def test_growth_score_is_explained_by_factors_and_updates_the_lead() -> None:
    outcome = grow(strong_dealer())
    output = outcome.output

    assert outcome.lead_updates == {"growth_score": output["growth_score"]}
    assert sum(f["max_points"] for f in output["factors"]) == 100
    assert abs(sum(f["points"] for f in output["factors"]) - output["growth_score"]) <= 0.5
    assert output["summary"].startswith(f"Growth potential {output['growth_score']}/100")
    assert outcome.engine == "rules"


def test_competition_basis_says_it_rests_on_the_lead_alone() -> None:
    output = grow(strong_dealer()).output

    assert "service mix" in output["competition_basis"]
    assert "not used yet" in output["competition_basis"]
    assert output["competition"]["basis"] == output["competition_basis"]


def test_crowded_service_mix_means_more_competition() -> None:
    rules = load_rules().growth
    hvac_only = competition_view(facts_from_lead(dealer_lead(capabilities={"hvac": True})), rules)
    storage = competition_view(
        facts_from_lead(dealer_lead(capabilities={"battery": True, "solar": True})), rules)

    assert hvac_only["level"] == "crowded"
    assert storage["level"] == "open"
    assert hvac_only["most_crowded"] == ["hvac"]


def test_opportunities_name_concrete_angles() -> None:
    solar_only = dealer_lead(capabilities={"solar": True, "residential": True})

    opportunities = grow(solar_only).output["opportunities"]

    assert any("battery" in o.lower() or "storage" in o.lower() for o in opportunities)
    assert any("Austin, TX" in o for o in opportunities)


def test_generic_lead_gets_service_lines_from_its_industry() -> None:
    output = grow(generic_lead(industry="HVAC Services")).output

    assert output["market"]["service_lines"] == ["hvac"]
    demand = next(f for f in output["factors"] if f["key"] == "service_demand")
    assert demand["reason"] == "HVAC demand (from the industry)"


def test_lead_without_location_or_services_still_scores() -> None:
    output = grow({"company_name": "Acme"}).output

    assert 0 <= output["growth_score"] <= 30
    assert output["competition"]["level"] == "unknown"
    assert output["summary"].endswith("market unknown; service lines unknown; "
                                      "competition unknown.")


def test_nodes_fill_market_then_competition() -> None:
    lead = strong_dealer()
    state: dict[str, Any] = {"lead": lead}
    state |= nodes.assess_market(state, None)  # type: ignore[arg-type]
    state |= nodes.assess_competition(state, None)  # type: ignore[arg-type]
    update = nodes.score_growth(state, None)  # type: ignore[arg-type]

    assert state["market"]["service_lines"] == ["battery", "solar", "generator"]
    assert state["competition"]["crowding"] is not None
    assert [f["key"] for f in update["factors"]] == [
        "market", "metro", "service_demand", "customer_mix", "oem_momentum", "competition"]
