"""The growth and outreach tables in scoring.toml: editable, and mistakes named clearly."""

from __future__ import annotations

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.growth.agent import GrowthAgent
from orchestration.agents.growth.market import InMemoryMarketData
from orchestration.config.rules import RulesConfigError, load_rules, parse_rules
from settings import DEFAULT_SCORING_CONFIG
from tests.support.leads import dealer_lead

DEFAULT_TEXT = DEFAULT_SCORING_CONFIG.read_text(encoding="utf-8")
TEXAS = "TX = { construction = 0.95, hvac_load = 0.90, outage_risk = 0.85, solar_resource = 0.80 }"


def market_points(text: str) -> float:
    agent = GrowthAgent(rules=parse_rules(text), market_data=InMemoryMarketData([]))
    output = agent.run(dealer_lead(), RunContext()).output
    return float(next(f["points"] for f in output["factors"] if f["key"] == "market"))


def test_shipped_growth_tables_cover_every_state_and_many_metros() -> None:
    rules = load_rules(DEFAULT_SCORING_CONFIG).growth

    assert len(rules.market.states) == 51  # 50 states and DC
    assert len(rules.metro.areas) >= 60
    assert sum(getattr(rules, name).max_points for name in type(rules).model_fields) == 100


def test_editing_a_states_outage_risk_changes_a_generator_dealers_score() -> None:
    # Given the shipped rules and a copy where Texas has little outage risk
    assert TEXAS in DEFAULT_TEXT
    edited = DEFAULT_TEXT.replace(TEXAS, TEXAS.replace("outage_risk = 0.85", "outage_risk = 0.25"))

    # Then the Austin generator dealer's market factor drops by 25 x 0.7 x 0.6 = 10.5 points
    assert market_points(DEFAULT_TEXT) - market_points(edited) == pytest.approx(10.5, abs=0.1)


def test_driver_weights_that_do_not_add_up_are_refused_by_service() -> None:
    text = DEFAULT_TEXT.replace(
        "generator = { outage_risk = 0.7, construction = 0.3 }",
        "generator = { outage_risk = 0.7, construction = 0.5 }",
    )

    with pytest.raises(RulesConfigError, match=r"drivers\.generator weights must add up to 1"):
        parse_rules(text)


def test_an_unknown_demand_proxy_is_named() -> None:
    text = DEFAULT_TEXT.replace(
        "solar = { solar_resource = 0.6, construction = 0.4 }",
        "solar = { sunshine = 0.6, construction = 0.4 }",
    )

    with pytest.raises(RulesConfigError, match="unknown proxies sunshine"):
        parse_rules(text)


def test_a_zip_prefix_listed_for_two_metros_is_refused() -> None:
    text = DEFAULT_TEXT.replace('zip3 = ["808", "809"]', 'zip3 = ["808", "787"]')

    with pytest.raises(
        RulesConfigError, match="zip3 787 is listed for both Austin, TX and Colorado Springs, CO"
    ):
        parse_rules(text)


def test_a_state_key_that_is_not_a_code_is_refused() -> None:
    text = DEFAULT_TEXT.replace("TX = {", "Texas = {")

    with pytest.raises(RulesConfigError, match="2-letter codes, not TEXAS"):
        parse_rules(text)


def test_sender_text_with_a_template_slot_is_refused() -> None:
    # Given a value proposition written as a template, which would reach prospects verbatim
    text = DEFAULT_TEXT.replace(
        'value_proposition = "We help', 'value_proposition = "We help {company} and'
    )

    with pytest.raises(RulesConfigError, match=r"value_proposition\] is sent verbatim"):
        parse_rules(text)
