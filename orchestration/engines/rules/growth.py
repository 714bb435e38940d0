"""Growth potential of a lead: its market, its competition, and a 0-100 score.

Competition is judged from the lead alone (how crowded its service lines usually are);
counting nearby dealers among stored leads needs the database and comes later.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from orchestration.config.rules import Growth, metro_key_of
from orchestration.engines.rules.factors import Factor, factor
from orchestration.engines.rules.facts import SERVICE_LABELS, CompanyFacts, mix_phrase
from orchestration.engines.rules.text import count_of, join_words

COMPETITION_BASIS = (
    "estimated from this lead's service mix only (how crowded these service lines usually "
    "are); a count of nearby competitors among stored leads is not used yet"
)
# States where storm season makes standby generators an easy conversation.
_STORM_STATES = frozenset({"TX", "FL", "LA", "NC", "SC", "GA", "AL", "MS"})
CompetitionLevel = Literal["open", "moderate", "crowded", "unknown"]


class MarketView(TypedDict):
    """Where and what the lead sells, judged for growth."""

    state: str | None  # 2-letter state code
    state_outlook: str  # "high-growth", "growing" or "steady" market for these trades
    metro: str | None  # matched fast-growing metro, e.g. "Austin, TX"
    service_lines: list[str]  # service-line keys, fastest-growing demand first
    customer_mix: str | None  # "both commercial and residential customers", ...
    oem_programs: list[str]  # OEM programs that feed the lead work


class CompetitionView(TypedDict):
    """How crowded the lead's service mix usually is."""

    level: CompetitionLevel  # open, moderate, crowded (or unknown without service lines)
    crowding: float | None  # 0 (few competitors) .. 1 (very crowded)
    most_crowded: list[str]  # the lead's most crowded service lines
    basis: str  # what the estimate rests on


def market_view(facts: CompanyFacts, rules: Growth) -> MarketView:
    """Judge the lead's state, metro, service lines, customer mix and OEM programs."""
    state = (facts["state"] or "").upper() or None
    state_points = rules.market.states.get(state) if state else None
    if state_points is None:
        outlook = "steady"
    elif state_points >= 0.8 * rules.market.max_points:
        outlook = "high-growth"
    else:
        outlook = "growing"
    metro = None
    if facts["city"] and state:
        key = metro_key_of(f"{facts['city']}, {state}")
        if key in rules.metro.cities:
            metro = f"{facts['city']}, {state}"
    demand = rules.service_demand.services
    lines = sorted(facts["services"], key=lambda key: -demand.get(key, 0.0))
    return MarketView(state=state, state_outlook=outlook, metro=metro, service_lines=lines,
                      customer_mix=mix_phrase(facts), oem_programs=list(facts["oems"]))


def competition_view(facts: CompanyFacts, rules: Growth) -> CompetitionView:
    """Estimate competition from how crowded the lead's service lines usually are."""
    table = rules.competition
    rated = [(table.crowding[key], key) for key in facts["services"] if key in table.crowding]
    if not rated:
        return CompetitionView(level="unknown", crowding=None, most_crowded=[],
                               basis=COMPETITION_BASIS)
    mean = sum(value for value, _ in rated) / len(rated)
    crowding = round(max(0.0, mean - table.multi_trade_relief * (len(rated) - 1)), 2)
    level: CompetitionLevel = (
        "crowded" if crowding >= 0.7 else "moderate" if crowding >= 0.45 else "open"
    )
    most = [key for value, key in sorted(rated, reverse=True) if value >= 0.7][:2]
    return CompetitionView(level=level, crowding=crowding, most_crowded=most,
                           basis=COMPETITION_BASIS)


def growth_factors(
    facts: CompanyFacts, market: MarketView, competition: CompetitionView, rules: Growth
) -> list[Factor]:
    """The growth score's factors, each with its reason."""
    return [
        _market(market, rules),
        _metro(market, rules),
        _service_demand(facts, market, rules),
        _customer_mix(facts, rules),
        _oem_momentum(facts, rules),
        _competition(competition, rules),
    ]


def _market(market: MarketView, rules: Growth) -> Factor:
    rule = rules.market
    state = market["state"]
    if state is None:
        return factor("market", "State market", 0, rule.max_points, "state unknown")
    listed = rule.states.get(state)
    if listed is None:
        return factor("market", "State market", rule.unlisted_state_points, rule.max_points,
                      f"{state} is not on the growth-state list")
    return factor("market", "State market", listed, rule.max_points,
                  f"{state} is a {market['state_outlook']} state for energy trades")


def _metro(market: MarketView, rules: Growth) -> Factor:
    rule = rules.metro
    if market["metro"] is None:
        return factor("metro", "Metro area", 0, rule.max_points,
                      "not in a listed fast-growing metro")
    points = rule.cities[metro_key_of(market["metro"])]
    return factor("metro", "Metro area", points, rule.max_points,
                  f"{market['metro']} is a fast-growing metro")


def _service_demand(facts: CompanyFacts, market: MarketView, rules: Growth) -> Factor:
    rule = rules.service_demand
    lines = market["service_lines"]
    if not lines:
        return factor("service_demand", "Service-line demand", 0, rule.max_points,
                      "no service lines known")
    points = sum(rule.services.get(key, 0.0) for key in lines)
    labels = join_words([SERVICE_LABELS[key] for key in lines])
    source = " (from the industry)" if facts["services_inferred"] else ""
    return factor("service_demand", "Service-line demand", points, rule.max_points,
                  f"{labels} demand{source}")


def _customer_mix(facts: CompanyFacts, rules: Growth) -> Factor:
    rule = rules.customer_mix
    if facts["commercial"] and facts["residential"]:
        points, reason = rule.both, "can grow in both commercial and residential work"
    elif facts["commercial"]:
        points, reason = rule.commercial_only, "commercial only; residential is open to add"
    elif facts["residential"]:
        points, reason = rule.residential_only, "residential only; commercial is open to add"
    else:
        points, reason = 0, "customer mix unknown"
    return factor("customer_mix", "Customer mix", points, rule.max_points, reason)


def _oem_momentum(facts: CompanyFacts, rules: Growth) -> Factor:
    rule = rules.oem_momentum
    count = facts["oem_count"]
    if count == 0:
        return factor("oem_momentum", "OEM programs", 0, rule.max_points,
                      "no OEM programs feeding leads")
    return factor("oem_momentum", "OEM programs", count * rule.points_per_oem, rule.max_points,
                  f"{count_of(count, 'OEM program')} feeding leads from dealer locators")


def _competition(competition: CompetitionView, rules: Growth) -> Factor:
    rule = rules.competition
    crowding = competition["crowding"]
    if crowding is None:
        return factor("competition", "Competition", rule.unknown_mix_points, rule.max_points,
                      "competition unknown: no service lines to compare")
    crowded = competition["most_crowded"]
    detail = f"; {join_words([SERVICE_LABELS[k] for k in crowded])} crowded" if crowded else ""
    reason = f"{competition['level']} field (crowding {crowding:.2f}){detail}"
    return factor("competition", "Competition", rule.max_points * (1 - crowding),
                  rule.max_points, reason)


def opportunities(facts: CompanyFacts, market: MarketView) -> list[str]:
    """Concrete growth angles for this lead, for marketing and BDR to use."""
    services = set(market["service_lines"])
    found: list[str] = []
    if "solar" in services and "battery" not in services:
        found.append("Storage is the fastest-growing line, and solar customers are the "
                     "easiest to add it for.")
    if "battery" in services:
        found.append("Battery storage demand keeps rising, and it pairs with every solar "
                     "and generator job.")
    if "generator" in services and market["state"] in _STORM_STATES:
        found.append(f"Storm season in {market['state']} keeps standby-generator demand high.")
    if facts["commercial"] and not facts["residential"]:
        found.append("Residential work would add faster-paying jobs to a commercial book.")
    elif facts["residential"] and not facts["commercial"]:
        found.append("Light-commercial jobs would raise average ticket size.")
    if facts["oem_count"] == 1 and facts["oems"]:
        found.append(f"A second OEM program next to {facts['oems'][0]} would add locator leads.")
    if market["metro"]:
        found.append(f"{market['metro']} keeps adding homes and businesses to serve.")
    return found


def summary(score: int, market: MarketView, competition: CompetitionView) -> str:
    """One sentence on the lead's growth potential."""
    where = (f"{market['state_outlook']} market in {market['state']}" if market["state"]
             else "market unknown")
    if market["metro"]:
        where += f" ({market['metro']} metro)"
    lines = market["service_lines"]
    demand = (f"demand for {join_words([SERVICE_LABELS[k] for k in lines[:3]])}" if lines
              else "service lines unknown")
    field = (f"{competition['level']} competition" if competition["level"] != "unknown"
             else "competition unknown")
    return f"Growth potential {score}/100: {where}; {demand}; {field}."
