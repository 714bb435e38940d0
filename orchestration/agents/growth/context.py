"""The growth graph's runtime context: the rule tables plus where competitors are counted."""

from __future__ import annotations

from dataclasses import dataclass

from langgraph.runtime import Runtime

from orchestration.agents.growth.market import MarketData
from orchestration.agents.runtime import RulesRuntime
from orchestration.config.rules import RulesConfig, load_rules


@dataclass(frozen=True)
class GrowthRuntime(RulesRuntime):
    """Rule tables and the market data source (None: no stored leads to count)."""

    market_data: MarketData | None = None


def market_data_of(runtime: Runtime[GrowthRuntime] | None) -> MarketData | None:
    """The run's market data, or None when the graph is invoked bare or without a source."""
    context = runtime.context if runtime is not None else None
    return context.market_data if isinstance(context, GrowthRuntime) else None


def rules_in(runtime: Runtime[GrowthRuntime] | None) -> RulesConfig:
    """The run's rule tables; the configured file when the graph is invoked bare."""
    context = runtime.context if runtime is not None else None
    return context.rules if context is not None else load_rules()
