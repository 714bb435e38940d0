"""What a call costs, and which provider and model each agent uses."""

from __future__ import annotations

import pytest

from orchestration.llm.config import ModelConfigError, model_choice
from orchestration.llm.pricing import PRICES, cost_usd
from settings import Settings


def test_tokens_are_priced_per_million_by_the_table():
    # gpt-4o-mini: 0.15 per 1M input, 0.60 per 1M output
    assert cost_usd("gpt-4o-mini", 1_000_000, 0) == (0.15, True)
    cost, priced = cost_usd("gpt-4o-mini", 2000, 500)
    assert cost == pytest.approx(0.0006)
    assert priced


def test_a_dated_snapshot_is_priced_as_its_family():
    assert cost_usd("gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000) == (0.75, True)
    assert cost_usd("gpt-4o-2024-08-06", 1_000_000, 0)[0] == PRICES["gpt-4o"].input_per_million


def test_an_unknown_model_costs_nothing_but_says_it_was_not_priced():
    assert cost_usd("my-local-llama", 5000, 5000) == (0.0, False)


def test_every_agent_uses_the_default_provider_and_model_unless_overridden():
    settings = Settings(
        llm_provider="cerebras",
        llm_model="llama-3.3-70b",
        cerebras_api_key="c-key",
        cerebras_base_url="http://127.0.0.1:9",
        llm_models={"bdr": "openai:gpt-4o"},
        openai_api_key="o-key",
        llm_base_url="http://127.0.0.1:8/v1",
        llm_timeout_s=7,
    )
    growth = model_choice("growth", settings)
    assert (growth.provider, growth.model, growth.api_key) == ("cerebras", "llama-3.3-70b", "c-key")
    assert growth.base_url == "http://127.0.0.1:9"
    assert growth.timeout_s == 7
    bdr = model_choice("bdr", settings)
    assert (bdr.provider, bdr.model, bdr.api_key) == ("openai", "gpt-4o", "o-key")
    assert bdr.base_url == "http://127.0.0.1:8/v1"


def test_a_model_name_may_itself_contain_colons():
    settings = Settings(llm_models={"qualification": "openai:llama3:8b"})
    assert model_choice("qualification", settings).model == "llama3:8b"


@pytest.mark.parametrize("override", ["gpt-4o", "anthropic:claude", "openai:"])
def test_a_malformed_override_is_refused_with_its_name(override):
    settings = Settings(llm_models={"growth": override})
    with pytest.raises(ModelConfigError, match="growth"):
        model_choice("growth", settings)


def test_empty_endpoints_mean_the_providers_own_apis():
    choice = model_choice("growth", Settings(llm_base_url="", cerebras_base_url=""))
    assert choice.base_url is None
