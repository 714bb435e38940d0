"""Growth with the llm engine: the model judges the rules analysis; the rules stand by."""

from __future__ import annotations

from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.growth.agent import GrowthAgent
from orchestration.agents.growth.market import InMemoryMarketData
from tests.support.leads import dealer_lead, strong_dealer
from tests.support.model_server import ModelServer, Reply

LLM = RunContext(engine="llm")


def agent_with_rivals() -> GrowthAgent:
    """Growth counting two stored generator dealers in Austin beside the lead."""
    rivals = [dealer_lead(company_name=f"Rival {i}", name_key=f"rival {i}") for i in range(2)]
    return GrowthAgent(market_data=InMemoryMarketData([strong_dealer(), *rivals]))


def model_answer(**fields: Any) -> dict[str, Any]:
    return {
        "growth_score": 91,
        "market_opportunity": "Austin keeps adding homes, and Texas outages drive standby "
        "generator and storage demand for Sunrise Power Solutions.",
        "competitive_landscape": "Two other stored generator dealers work the Austin metro; "
        "storage is still an open lane.",
        "factors": [
            {"name": "Austin growth", "impact": "positive", "reason": "fast-growing metro"},
            {"name": "Competition", "impact": "neutral", "reason": "two generator rivals"},
        ],
        "summary": "Sunrise Power Solutions has strong room to grow in Austin storage work.",
        **fields,
    }


def test_the_models_assessment_becomes_the_outcome_beside_the_rules_factors(
    server: ModelServer,
) -> None:
    # Given a model that rates the Austin dealer 91
    server.script(Reply.json(model_answer(), usage=(1200, 250)))
    rules = agent_with_rivals().run(strong_dealer(), RunContext()).output

    # When the llm engine analyses it
    outcome = agent_with_rivals().run(strong_dealer(), LLM)
    output = outcome.output

    # Then the model's score and words are the outcome, priced, and recorded as llm
    assert outcome.engine == "llm"
    assert output["growth_score"] == 91
    assert outcome.lead_updates == {"growth_score": 91}
    assert output["summary"] == model_answer()["summary"]
    assert output["reasoning"].startswith("Austin keeps adding homes")
    assert output["model_factors"][0] == {
        "name": "Austin growth",
        "impact": "positive",
        "reason": "fast-growing metro",
    }
    assert outcome.cost_usd == pytest.approx((1200 * 0.15 + 250 * 0.60) / 1e6)
    assert output["llm"]["cost_usd"] == outcome.cost_usd
    # And the rules analysis stays as the reference: its score, factors and angles
    assert output["rules_score"] == rules["growth_score"]
    assert output["factors"] == rules["factors"]
    assert output["opportunities"] == rules["opportunities"]


def test_the_model_sees_the_market_and_counted_competition_but_no_contacts(
    server: ModelServer,
) -> None:
    server.script(Reply.json(model_answer()))

    agent_with_rivals().run(strong_dealer(email="maria@sunrisepower.com"), LLM)

    data = server.requests[0].data_block()
    assert data["company"] == "Sunrise Power Solutions"
    assert data["metro_area"] == "Austin, TX"
    assert data["competition"]["other_stored_companies_in_area"] == 2
    assert data["competition"]["offering_the_same_line"] == {
        "solar": 0,
        "battery": 0,
        "generator": 2,
    }
    assert data["state_demand_proxies"]["outage_risk"] == 0.85
    assert len(data["rules_reference"]["factors"]) == 6
    assert "maria@sunrisepower.com" not in server.requests[0].text_of("user")
    assert "+15125550100" not in server.requests[0].text_of("user")


@pytest.mark.parametrize(
    ("failure", "reason"),
    [(Reply.error(500), "provider_error"), (Reply("{not json"), "invalid_output")],
    ids=["500", "invalid"],
)
def test_a_failing_model_leaves_the_rules_analysis_and_says_why(
    server: ModelServer, failure: Reply, reason: str
) -> None:
    rules = agent_with_rivals().run(strong_dealer(), RunContext()).output
    server.script(failure)

    outcome = agent_with_rivals().run(strong_dealer(), LLM)

    assert outcome.engine == "rules-fallback"
    assert outcome.output["llm_fallback"]["reason"] == reason
    assert {k: v for k, v in outcome.output.items() if k != "llm_fallback"} == rules
    assert outcome.lead_updates == {"growth_score": rules["growth_score"]}


def test_an_answer_with_an_unfilled_slot_is_refused_but_still_costs(
    server: ModelServer,
) -> None:
    server.script(
        Reply.json(model_answer(summary="[Company] has room to grow in {city}."), usage=(1000, 200))
    )

    outcome = agent_with_rivals().run(strong_dealer(), LLM)

    assert outcome.engine == "rules-fallback"
    fallback = outcome.output["llm_fallback"]
    assert fallback["reason"] == "invalid_output"
    assert fallback["detail"] == "the answer carries unfilled slots: [Company], {city}"
    assert outcome.cost_usd == pytest.approx((1000 * 0.15 + 200 * 0.60) / 1e6)
    assert outcome.output["summary"].startswith("Growth potential ")


def test_the_rules_engine_never_calls_the_model(server: ModelServer) -> None:
    outcome = agent_with_rivals().run(strong_dealer(), RunContext(engine="rules"))

    assert outcome.engine == "rules"
    assert "llm" not in outcome.output
    assert "llm_fallback" not in outcome.output
    assert server.requests == []
