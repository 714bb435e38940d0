"""The growth agent: market opportunity, competition and growth-potential score."""

from __future__ import annotations

from typing import Any

from db.repositories.market import PostgresMarketData
from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.growth.context import GrowthRuntime
from orchestration.agents.growth.graph import GrowthGraph, build_graph
from orchestration.agents.growth.market import MarketData
from orchestration.agents.growth.state import GrowthState
from orchestration.agents.runtime import RulesAgent
from orchestration.config.rules import RulesConfig
from orchestration.llm import ENGINE_RULES
from settings import get_settings


class GrowthAgent(RulesAgent):
    """Scores growth potential from the lead's market, service mix and competition.

    Output keys: growth_score, factors [{key, name, points, max_points, reason}], summary,
    reasoning, market {state, state_outlook, demand, drivers, metro, metro_growth,
    metro_match, service_lines, customer_mix, oem_programs, credentials}, competition
    {level, crowding, most_crowded, area, area_leads, competitors, evidence, basis},
    competition_basis, opportunities. Lead updates: growth_score. With the llm engine also
    ``rules_score``, ``model_factors`` and ``llm`` (usage, cost) when the model decided (its
    score, summary and reasoning replace the rules ones; ``factors`` keep explaining the rules
    score), or ``llm_fallback`` (reason) when it did not; ``engine`` is then "llm" or
    "rules-fallback".

    ``market_data`` pins where competitors are counted (tests, one-off runs); by default
    stored leads are counted in Postgres when a database is configured, and competition
    falls back to the usual crowding of the lead's lines when none is.
    """

    name = "growth"
    queue = "growth"

    def __init__(
        self, rules: RulesConfig | None = None, market_data: MarketData | None = None
    ) -> None:
        super().__init__(rules)
        self._market_data = market_data
        self._postgres: PostgresMarketData | None = None

    @property
    def market_data(self) -> MarketData | None:
        if self._market_data is not None:
            return self._market_data
        if not get_settings().database_url:
            return None
        if self._postgres is None:
            # One per agent, so its short-lived cache is shared by every run in the process.
            self._postgres = PostgresMarketData()
        return self._postgres

    def build_graph(self) -> GrowthGraph:
        return build_graph()

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: GrowthState = {"lead": lead, "engine": context.engine}
        return dict(state)

    def runtime_context(self) -> GrowthRuntime:
        """The graph's runtime context: rule tables and market data (for any caller that
        invokes or streams the graph itself)."""
        return GrowthRuntime(rules=self.rules, market_data=self.market_data)


    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        score = final_state["growth_score"]
        competition = final_state["competition"]
        output = {
            "growth_score": score,
            "factors": final_state["factors"],
            "summary": final_state["summary"],
            "reasoning": final_state["reasoning"],
            "market": final_state["market"],
            "competition": competition,
            "competition_basis": competition["basis"],
            "opportunities": final_state["opportunities"],
        }
        for key in ("rules_score", "model_factors", "llm", "llm_fallback"):
            if key in final_state:  # the llm engine's record; the rules path adds nothing
                output[key] = final_state[key]
        return StageOutcome(
            output=output,
            lead_updates={"growth_score": score},
            engine=final_state.get("decided_by", ENGINE_RULES),
            cost_usd=final_state.get("cost_usd", 0.0),
        )
