"""Growth: which leads sit in growing markets with room to grow, and why."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from db.repositories.market import PostgresMarketData
from orchestration.agents.base import RunContext
from orchestration.agents.growth import nodes
from orchestration.agents.growth.agent import GrowthAgent
from orchestration.agents.growth.market import InMemoryMarketData
from orchestration.engines.rules.text_checks import find_text_defects
from settings import get_settings
from tests.support.leads import dealer_lead, generic_lead, strong_dealer
from tests.support.model_server import ModelServer, Reply


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings read anew, and forgotten again after the test."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


FACTOR_KEYS = ["market", "metro", "service_demand", "customer_mix", "certifications", "competition"]


def grow(lead: dict[str, Any], *stored: dict[str, Any]) -> dict[str, Any]:
    """The growth output for ``lead`` with ``stored`` as the other leads in the database."""
    agent = GrowthAgent(market_data=InMemoryMarketData([lead, *stored]))
    return agent.run(lead, RunContext()).output


def competitor(name: str, **fields: Any) -> dict[str, Any]:
    """Another stored dealer; Austin generator dealer unless overridden."""
    key = name.lower()
    return dealer_lead(company_name=name, name_key=key, id=f"id-{key}", **fields)


def test_multi_trade_dealer_in_fast_metro_outgrows_single_trade_dealer_elsewhere() -> None:
    # Given a solar/battery/generator dealer in Austin and an HVAC-only shop in Wyoming
    austin = grow(strong_dealer())
    cheyenne = grow(
        dealer_lead(
            city="Cheyenne",
            state="WY",
            zip="82001",
            capabilities={"hvac": True},
            profile={"oem_source": "Trane", "oems": ["Trane"]},
        )
    )

    # Then the Austin dealer has clearly more growth potential, and the markets say why
    assert austin["growth_score"] >= cheyenne["growth_score"] + 30
    assert austin["market"]["metro"] == "Austin, TX"
    assert austin["market"]["state_outlook"] == "high-growth"
    assert cheyenne["market"]["state_outlook"] == "steady"
    assert cheyenne["market"]["metro"] is None


def test_growth_score_is_explained_by_factors_and_updates_the_lead() -> None:
    outcome = GrowthAgent(market_data=InMemoryMarketData([])).run(strong_dealer(), RunContext())
    output = outcome.output

    assert outcome.lead_updates == {"growth_score": output["growth_score"]}
    assert [f["key"] for f in output["factors"]] == FACTOR_KEYS
    assert sum(f["max_points"] for f in output["factors"]) == 100
    assert abs(sum(f["points"] for f in output["factors"]) - output["growth_score"]) <= 0.5
    assert all(f["reason"] and 0 <= f["points"] <= f["max_points"] for f in output["factors"])
    assert output["summary"].startswith(f"Growth potential {output['growth_score']}/100")
    assert output["reasoning"].startswith(
        f"Sunrise Power Solutions has growth potential {output['growth_score']}/100."
    )
    assert "Strength, Metro area 10/10: Austin, TX metro" in output["reasoning"]
    assert outcome.engine == "rules"


def test_state_demand_follows_what_the_lead_sells() -> None:
    # Given the same generator dealer in Louisiana (storm coast) and in Arizona (desert sun)
    louisiana = grow(dealer_lead(city="Lafayette", state="LA", zip="70501"))["factors"][0]
    arizona = grow(dealer_lead(city="Flagstaff", state="AZ", zip="86001"))["factors"][0]
    # And the same solar installer in both states
    solar = {"solar": True, "residential": True}
    louisiana_solar = grow(
        dealer_lead(city="Lafayette", state="LA", zip="70501", capabilities=solar)
    )["factors"][0]
    arizona_solar = grow(
        dealer_lead(city="Flagstaff", state="AZ", zip="86001", capabilities=solar)
    )["factors"][0]

    # Then outage risk favours Louisiana for generators, sun favours Arizona for solar
    assert louisiana["points"] > arizona["points"]
    assert arizona_solar["points"] > louisiana_solar["points"]
    assert louisiana["reason"] == (
        "LA is growing for generator work: outage risk 0.95, construction 0.40"
    )
    assert "solar resource 0.95" in arizona_solar["reason"]


def test_metro_is_found_by_zip_prefix_or_by_city() -> None:
    by_zip = grow(dealer_lead(city="Manor", state="TX", zip="78653"))
    by_city = grow(dealer_lead(city="round rock", state="TX", zip=None))

    assert by_zip["market"]["metro"] == "Austin, TX"
    assert by_zip["market"]["metro_match"] == "zip"
    assert by_city["market"]["metro"] == "Austin, TX"
    assert by_city["market"]["metro_match"] == "city"
    metro = next(f for f in by_zip["factors"] if f["key"] == "metro")
    assert metro == {
        "key": "metro",
        "name": "Metro area",
        "points": 10.0,
        "max_points": 10.0,
        "reason": "Austin, TX metro (by ZIP prefix), growth index 1.00",
    }


def test_stored_competitors_in_the_same_metro_crowd_the_field() -> None:
    # Given an Austin generator dealer, and a stored database where the Austin metro holds
    # ten other generator dealers (Round Rock counts: same metro), and Dallas holds many more
    lead = dealer_lead()
    austin_rivals = [
        competitor(
            f"Rival {i}",
            city="Round Rock" if i % 2 else "Austin",
            zip="78664" if i % 2 else "78702",
        )
        for i in range(10)
    ]
    dallas = [competitor(f"Dallas {i}", city="Dallas", zip="75201") for i in range(20)]
    # And a database where the Austin metro holds ten HVAC-only shops instead
    hvac_shops = [competitor(f"Cool {i}", capabilities={"hvac": True}) for i in range(10)]

    crowded = grow(lead, *austin_rivals, *dallas)
    open_field = grow(lead, *hvac_shops, *dallas)

    # Then competition is counted in the lead's metro, on the lead's own lines
    assert crowded["competition"]["area"] == "Austin, TX metro"
    assert crowded["competition"]["area_leads"] == 10
    assert crowded["competition"]["competitors"] == {"generator": 10}
    assert open_field["competition"]["competitors"] == {"generator": 0}
    assert crowded["competition"]["level"] == "crowded"
    assert open_field["competition"]["level"] == "open"
    points = {
        name: next(f["points"] for f in out["factors"] if f["key"] == "competition")
        for name, out in (("crowded", crowded), ("open", open_field))
    }
    assert points["open"] == 20.0
    assert points["crowded"] <= 6
    assert (
        crowded["competition_basis"] == "counted among 10 other stored leads in the "
        "Austin, TX metro"
    )
    reason = next(f["reason"] for f in crowded["factors"] if f["key"] == "competition")
    assert "of 10 other stored companies in the Austin, TX metro, 10 offer generator work" in reason
    assert any(
        "Few competitors in the Austin, TX metro offer generator work" in o
        for o in open_field["opportunities"]
    )
    # And a count of nothing reads as none, never as "0 offer"
    open_reason = next(f["reason"] for f in open_field["factors"] if f["key"] == "competition")
    assert "of 10 other stored companies in the Austin, TX metro, none offer generator" in (
        open_reason
    )


def test_an_area_with_no_other_stored_company_says_so() -> None:
    lead = dealer_lead(city="TYLER", zip="75701")

    output = grow(lead, competitor("Far Away", city="El Paso", zip="79901"))

    competition = output["competition"]
    assert competition["area"] == "Tyler, TX area"
    assert competition["basis"] == (
        "usual crowding of these service lines only (no other stored leads in the Tyler, "
        "TX area)"
    )
    reason = next(f["reason"] for f in output["factors"] if f["key"] == "competition")
    assert "no other stored companies in the Tyler, TX area" in reason
    for text in (reason, competition["basis"], output["reasoning"], *output["opportunities"]):
        assert find_text_defects(text) == [], text


def test_thin_counts_lean_on_the_usual_crowding() -> None:
    # Given only two other stored leads in the lead's area, neither selling generators
    lead = dealer_lead()
    stored = [
        competitor("Solar One", capabilities={"solar": True}),
        competitor("Solar Two", capabilities={"solar": True}),
    ]

    output = grow(lead, *stored)

    # Then the counts weigh 20 % and the generator line's usual crowding the rest
    competition = output["competition"]
    assert competition["evidence"] == 0.2
    assert competition["crowding"] == 0.64  # 0.2 * 0/(0+4) + 0.8 * 0.8
    assert "20% weight on the counts" in competition["basis"]


def test_the_lead_itself_and_its_duplicates_are_not_its_own_competitors() -> None:
    lead = dealer_lead()
    same_company_elsewhere = dict(dealer_lead(id="other-row"), csv_index=9)
    flagged_duplicate = competitor("Rival Copy", duplicate_of="some-id")

    output = grow(lead, same_company_elsewhere, flagged_duplicate)

    assert output["competition"]["area_leads"] == 0


def test_without_a_database_competition_rests_on_usual_crowding(
    fresh_settings: pytest.MonkeyPatch,
) -> None:
    # Given no database configured (a bare run over one lead)
    fresh_settings.setenv("SALES_AGENT_DATABASE_URL", "")
    agent = GrowthAgent()

    output = agent.run(strong_dealer(), RunContext()).output

    # Then nothing is counted, and the basis says the estimate is the usual crowding
    assert agent.market_data is None
    assert output["competition"]["area_leads"] is None
    assert output["competition"]["crowding"] == 0.4  # mean(0.4, 0.6, 0.8) - 2 x 0.1
    assert output["competition_basis"] == (
        "usual crowding of these service lines only (no stored leads to count)"
    )


def test_with_a_database_configured_competitors_are_counted_in_postgres(
    fresh_settings: pytest.MonkeyPatch,
) -> None:
    fresh_settings.setenv(
        "SALES_AGENT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/not_connected_here"
    )

    market_data = GrowthAgent().market_data

    assert isinstance(market_data, PostgresMarketData)


def test_certifications_count_oem_programs_and_growth_line_credentials() -> None:
    lead = strong_dealer()
    lead["profile"]["certifications"] = [
        "NABCEP PV Installation Professional",
        "OSHA 30",
        "Chamber of Commerce",
    ]
    certs = next(f for f in grow(lead)["factors"] if f["key"] == "certifications")

    # 3 OEMs x 4 + NABCEP 4 + OSHA 1 = 17, capped at 15
    assert certs["points"] == 15
    assert certs["reason"] == (
        "3 OEM programs (Generac, Kohler and Cummins); "
        "NABCEP PV Installation Professional and OSHA 30"
    )


def test_opportunities_name_local_angles_first() -> None:
    solar_only = dealer_lead(capabilities={"solar": True, "residential": True},
                             profile={"oem_source": "SolarEdge", "oems": ["SolarEdge"]})

    opportunities = grow(solar_only)["opportunities"]

    # Then the angles naming Texas and Austin come before the ones any solar shop would get
    assert opportunities[:2] == [
        "Standby generators are a natural add-on: TX ranks high for outage risk.",
        "Austin, TX keeps adding homes and businesses to serve.",
    ]
    assert any("storage" in o.lower() for o in opportunities[2:])


def test_generic_lead_gets_service_lines_from_its_industry() -> None:
    output = grow(generic_lead(industry="HVAC Services"))

    assert output["market"]["service_lines"] == ["hvac"]
    demand = next(f for f in output["factors"] if f["key"] == "service_demand")
    assert demand["reason"] == "HVAC demand (from the industry)"


def test_lead_without_location_or_services_still_scores() -> None:
    output = grow({"company_name": "Acme"})

    assert 0 <= output["growth_score"] <= 30
    assert output["competition"]["level"] == "unknown"
    assert output["market"]["state_outlook"] == "unknown"
    assert output["summary"].endswith("market unknown; service lines unknown; competition unknown.")
    assert all(f["reason"] for f in output["factors"])


def test_nodes_fill_market_then_competition() -> None:
    lead = strong_dealer()
    state: dict[str, Any] = {"lead": lead}
    state |= nodes.assess_market(state, None)  # type: ignore[arg-type]
    state |= nodes.assess_competition(state, None)  # type: ignore[arg-type]
    update = nodes.score_growth(state, None)  # type: ignore[arg-type]

    assert state["market"]["service_lines"] == ["battery", "solar", "generator"]
    assert state["area"].label == "Austin, TX metro"
    assert state["competition"]["crowding"] is not None
    assert state["competition"]["area_leads"] is None  # bare run: nothing to count with
    assert [f["key"] for f in update["factors"]] == FACTOR_KEYS


def test_a_model_analysis_a_rep_would_have_to_fix_keeps_the_rules_analysis(
    server: ModelServer,
) -> None:
    # Given a model that shouts the company's name with its legal form and counts nothing
    server.script(Reply.json({
        "growth_score": 88,
        "market_opportunity": "SUNRISE POWER SOLUTIONS, LLC sits in a fast-growing metro.",
        "competitive_landscape": "Austin has 0 generator dealers in the stored leads.",
        "factors": [{"name": "Metro", "impact": "positive", "reason": "fast-growing"}],
        "summary": "Sunrise Power Solutions has room to grow in Austin.",
    }))
    agent = GrowthAgent(market_data=InMemoryMarketData([strong_dealer()]))
    rules = agent.run(strong_dealer(), RunContext()).output

    outcome = agent.run(strong_dealer(), RunContext(engine="llm"))

    # Then the rules analysis stands, and why is recorded
    assert outcome.engine == "rules-fallback"
    assert outcome.output["growth_score"] == rules["growth_score"]
    assert outcome.output["reasoning"] == rules["reasoning"]
    detail = outcome.output["llm_fallback"]["detail"]
    assert "shouted word: 'SUNRISE'" in detail
    assert "legal suffix in prose: 'LLC'" in detail
    assert "count of nothing: '0 generator dealers in'" in detail
