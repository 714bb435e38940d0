"""Growth potential of a lead: its market, its competition, and a 0-100 score.

The market is judged from editable tables (``[growth.*]`` in ``scoring.toml``): state
demand proxies blended by the lead's service lines, metro growth, service-line demand,
customer mix and certifications. Competition is counted among stored leads (other companies
in the same metro or ZIP prefix offering the same lines) when counts are available, and
blended with how crowded those lines usually are while the counts are thin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal, TypedDict

from orchestration.agents.growth.market import CompetitorCounts, MarketArea
from orchestration.config.rules import MARKET_DRIVERS, Growth, MetroArea, StateMarket, city_key_of
from orchestration.engines.rules.factors import Factor, factor, strongest, weakest
from orchestration.engines.rules.facts import SERVICE_LABELS, CompanyFacts, mix_phrase
from orchestration.engines.rules.text import count_of, display_city, join_words

CompetitionLevel = Literal["open", "moderate", "crowded", "unknown"]
Outlook = Literal["high-growth", "growing", "steady", "unknown"]
_CONSTRUCTION_ONLY: dict[str, float] = {"construction": 1.0}
_DRIVER_WORDS = {
    "construction": "construction",
    "hvac_load": "heating/cooling load",
    "outage_risk": "outage risk",
    "solar_resource": "solar resource",
}


class MarketView(TypedDict):
    """Where and what the lead sells, judged for growth."""

    state: str | None  # 2-letter state code
    state_outlook: Outlook  # how strongly the state wants these service lines
    demand: float | None  # 0-1 blend of the state's proxies for these lines (None: no state)
    drivers: dict[str, float]  # the state's proxies that drive these lines, strongest first
    proxies: dict[str, float]  # all of the state's demand proxies (empty: state unknown)
    metro: str | None  # matched metro area, e.g. "Austin, TX"
    metro_growth: float | None  # the metro's 0-1 growth index
    metro_match: Literal["zip", "city"] | None  # how the metro was recognised
    service_lines: list[str]  # service-line keys, fastest-growing demand first
    customer_mix: str | None  # "both commercial and residential customers", ...
    oem_programs: list[str]  # OEM programs that feed the lead work
    credentials: list[str]  # the lead's certifications that open or strengthen a growth line


class CompetitionView(TypedDict):
    """How crowded the lead's service lines are in its area."""

    level: CompetitionLevel  # open, moderate, crowded (or unknown without service lines)
    crowding: float | None  # 0 (few competitors) .. 1 (very crowded)
    most_crowded: list[str]  # the lead's most crowded service lines
    area: str | None  # where competitors were counted, e.g. "Austin, TX metro"
    area_leads: int | None  # other stored companies in the area (None: not counted)
    competitors: dict[str, int]  # service line -> other stored companies offering it there
    evidence: float  # 0-1: how far the counts outweigh the usual-crowding table
    basis: str  # what the estimate rests on, in words


# --- market ---------------------------------------------------------------------------------


def metro_of(facts: CompanyFacts, rules: Growth) -> tuple[MetroArea, Literal["zip", "city"]] | None:
    """The metro area the lead sits in: by ZIP prefix first, else by city within its state."""
    state = _state_of(facts)
    zip3 = _zip3_of(facts)
    if zip3:
        for area in rules.metro.areas:
            if zip3 in area.zip3 and (state is None or area.state == state):
                return area, "zip"
    if facts["city"] and state:
        city = city_key_of(facts["city"])
        for area in rules.metro.areas:
            if area.state == state and city in area.city_keys:
                return area, "city"
    return None


def area_of(facts: CompanyFacts, rules: Growth) -> MarketArea | None:
    """Where to count competitors: the lead's metro, else its own ZIP prefix and city."""
    state = _state_of(facts)
    if state is None:
        return None
    found = metro_of(facts, rules)
    if found is not None:
        metro = found[0]
        return MarketArea(
            state=state,
            label=f"{metro.label} metro",
            zip3s=frozenset(metro.zip3),
            cities=metro.city_keys,
        )
    zip3 = _zip3_of(facts)
    city = city_key_of(facts["city"]) if facts["city"] else None
    if zip3 is None and city is None:
        return None
    town = display_city(facts["city"])
    label = f"{town}, {state} area" if town else f"ZIP {zip3}xx area, {state}"
    return MarketArea(
        state=state,
        label=label,
        zip3s=frozenset({zip3} if zip3 else ()),
        cities=frozenset({city} if city else ()),
    )


def market_view(facts: CompanyFacts, rules: Growth) -> MarketView:
    """Judge the lead's state, metro, service lines, customer mix and certifications."""
    state = _state_of(facts)
    demand_rank = rules.service_demand.services
    lines = sorted(facts["services"], key=lambda key: -demand_rank.get(key, 0.0))
    demand, drivers = _state_demand(state, lines, rules) if state else (None, {})
    proxies = rules.market.states.get(state, rules.market.unlisted_state) if state else None
    found = metro_of(facts, rules)
    return MarketView(
        state=state,
        state_outlook=_outlook(demand, rules),
        demand=demand,
        drivers=drivers,
        proxies={name: _proxy(proxies, name) for name in MARKET_DRIVERS} if proxies else {},
        metro=found[0].label if found else None,
        metro_growth=found[0].growth if found else None,
        metro_match=found[1] if found else None,
        service_lines=lines,
        customer_mix=mix_phrase(facts),
        oem_programs=list(facts["oems"]),
        credentials=_matched_credentials(facts["certifications"], rules),
    )


def _state_demand(
    state: str, lines: Sequence[str], rules: Growth
) -> tuple[float, dict[str, float]]:
    """Mean blend of the state's proxies over the lead's lines, and the proxies that count."""
    market = rules.market
    proxies = market.states.get(state, market.unlisted_state)
    # A line without drivers, or a lead without lines, follows construction alone.
    mixes = [market.drivers.get(line, _CONSTRUCTION_ONLY) for line in lines]
    weights: dict[str, float] = dict.fromkeys(MARKET_DRIVERS, 0.0)
    blends: list[float] = []
    for mix in mixes or [_CONSTRUCTION_ONLY]:
        blends.append(sum(weight * _proxy(proxies, name) for name, weight in mix.items()))
        for name, weight in mix.items():
            weights[name] += weight
    used = sorted(
        (name for name in MARKET_DRIVERS if weights[name] > 0), key=lambda name: -weights[name]
    )
    return round(sum(blends) / len(blends), 3), {name: _proxy(proxies, name) for name in used}


def _proxy(proxies: StateMarket, name: str) -> float:
    return float(getattr(proxies, name))


def _outlook(demand: float | None, rules: Growth) -> Outlook:
    if demand is None:
        return "unknown"
    if demand >= rules.market.high_growth_min:
        return "high-growth"
    return "growing" if demand >= rules.market.growing_min else "steady"


def _matched_credentials(certifications: Sequence[str], rules: Growth) -> list[str]:
    table = rules.certifications.credentials
    return [cert for cert in certifications if credential_points(cert, table) > 0]


def credential_points(certification: str, table: Mapping[str, float]) -> float:
    """Points ``table`` gives a certification: its best keyword matching whole words."""
    words = " ".join(re.sub(r"[^a-z0-9+]+", " ", certification.lower()).split())
    return max(
        (
            points
            for keyword, points in table.items()
            if re.search(rf"\b{re.escape(keyword)}\b", words)
        ),
        default=0.0,
    )


# --- competition ----------------------------------------------------------------------------


def competition_view(
    facts: CompanyFacts, area: MarketArea | None, counts: CompetitorCounts | None, rules: Growth
) -> CompetitionView:
    """How crowded the lead's lines are: counted competitors blended with usual crowding."""
    table = rules.competition
    lines = [key for key in facts["services"] if key in table.crowding]
    area_label = area.label if area else None
    if not lines:
        return CompetitionView(
            level="unknown",
            crowding=None,
            most_crowded=[],
            area=area_label,
            area_leads=counts.area_leads if counts else None,
            competitors={},
            evidence=0.0,
            basis="no service lines known, so there is nothing to compare",
        )
    evidence = min(1.0, counts.area_leads / table.full_evidence_leads) if counts else 0.0
    per_line: dict[str, float] = {}
    for key in lines:
        usual = table.crowding[key]
        if counts is None:
            per_line[key] = usual
            continue
        found = counts.by_service.get(key, 0)
        observed = found / (found + table.half_saturation)
        per_line[key] = evidence * observed + (1 - evidence) * usual
    mean = sum(per_line.values()) / len(per_line)
    crowding = round(min(1.0, max(0.0, mean - table.multi_trade_relief * (len(lines) - 1))), 2)
    level: CompetitionLevel = (
        "crowded" if crowding >= 0.7 else "moderate" if crowding >= 0.45 else "open"
    )
    ranked = sorted(per_line, key=lambda key: -per_line[key])
    most = [key for key in ranked if per_line[key] >= 0.6][:2]
    return CompetitionView(
        level=level,
        crowding=crowding,
        most_crowded=most,
        area=area_label,
        area_leads=counts.area_leads if counts else None,
        competitors={key: counts.by_service.get(key, 0) for key in lines} if counts else {},
        evidence=round(evidence, 2),
        basis=_basis(area, counts, evidence),
    )


def _basis(area: MarketArea | None, counts: CompetitorCounts | None, evidence: float) -> str:
    if counts is None:
        where = "the lead's area is unknown" if area is None else "no stored leads to count"
        return f"usual crowding of these service lines only ({where})"
    where = f"the {area.label}" if area is not None else "the lead's area"
    if not counts.area_leads:
        return f"usual crowding of these service lines only (no other stored leads in {where})"
    others = count_of(counts.area_leads, "other stored lead")
    if evidence >= 1:
        return f"counted among {others} in {where}"
    return (
        f"counted among {others} in {where}, blended with the usual crowding of these "
        f"lines ({evidence:.0%} weight on the counts)"
    )


# --- score ----------------------------------------------------------------------------------


def growth_factors(
    facts: CompanyFacts, market: MarketView, competition: CompetitionView, rules: Growth
) -> list[Factor]:
    """The growth score's factors, each with its reason."""
    return [
        _market(market, rules),
        _metro(market, rules),
        _service_demand(facts, market, rules),
        _customer_mix(facts, rules),
        _certifications(facts, rules),
        _competition(competition, rules),
    ]


def _market(market: MarketView, rules: Growth) -> Factor:
    rule = rules.market
    state, demand = market["state"], market["demand"]
    if state is None or demand is None:
        return factor("market", "State market", 0, rule.max_points, "state unknown")
    lines = market["service_lines"]
    what = (
        f"{join_words([SERVICE_LABELS[k] for k in lines])} work"
        if lines
        else "building work in general"
    )
    proxies = ", ".join(
        f"{_DRIVER_WORDS[name]} {value:.2f}" for name, value in list(market["drivers"].items())[:3]
    )
    listed = "" if state in rule.states else " (not in the state table: default proxies)"
    return factor(
        "market",
        "State market",
        rule.max_points * demand,
        rule.max_points,
        f"{state} is {market['state_outlook']} for {what}: {proxies}{listed}",
    )


def _metro(market: MarketView, rules: Growth) -> Factor:
    rule = rules.metro
    if market["metro"] is None or market["metro_growth"] is None:
        return factor("metro", "Metro area", 0, rule.max_points, "not in a listed metro area")
    how = "ZIP prefix" if market["metro_match"] == "zip" else "city"
    return factor(
        "metro",
        "Metro area",
        rule.max_points * market["metro_growth"],
        rule.max_points,
        f"{market['metro']} metro (by {how}), growth index {market['metro_growth']:.2f}",
    )


def _service_demand(facts: CompanyFacts, market: MarketView, rules: Growth) -> Factor:
    rule = rules.service_demand
    lines = market["service_lines"]
    if not lines:
        return factor(
            "service_demand", "Service-line demand", 0, rule.max_points, "no service lines known"
        )
    points = sum(rule.services.get(key, 0.0) for key in lines)
    labels = join_words([SERVICE_LABELS[key] for key in lines])
    source = ""
    if facts["services_inferred"]:
        # Lines read from the OEM programs ("a Generac dealer installs generators") are
        # named as such; the rest were read from the industry text.
        from_oems = any(key in facts["oem_lines"] for key in lines)
        source = " (from its OEM programs)" if from_oems else " (from the industry)"
    return factor(
        "service_demand", "Service-line demand", points, rule.max_points, f"{labels} demand{source}"
    )


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


def _certifications(facts: CompanyFacts, rules: Growth) -> Factor:
    rule = rules.certifications
    count = facts["oem_count"]
    credentials = [
        (cert, credential_points(cert, rule.credentials)) for cert in facts["certifications"]
    ]
    earned = [(cert, points) for cert, points in credentials if points > 0]
    parts: list[str] = []
    if count:
        names = f" ({join_words(facts['oems'])})" if facts["oems"] else ""
        parts.append(f"{count_of(count, 'OEM program')}{names}")
    if earned:
        parts.append(join_words([cert for cert, _ in earned]))
    if not parts:
        return factor(
            "certifications",
            "Certifications",
            0,
            rule.max_points,
            "no OEM programs or growth-line credentials listed",
        )
    points = count * rule.points_per_oem + sum(points for _, points in earned)
    return factor("certifications", "Certifications", points, rule.max_points, "; ".join(parts))


def _competition(competition: CompetitionView, rules: Growth) -> Factor:
    rule = rules.competition
    crowding = competition["crowding"]
    if crowding is None:
        return factor(
            "competition",
            "Competition",
            rule.unknown_mix_points,
            rule.max_points,
            "competition unknown: no service lines to compare",
        )
    counted, others = competition["competitors"], competition["area_leads"]
    if others == 0:
        reason = (
            f"{competition['level']} field (crowding {crowding:.2f}): no other stored "
            f"companies in the {competition['area']}"
        )
    elif others is not None and counted:
        reason = (
            f"{competition['level']} field (crowding {crowding:.2f}): of "
            f"{count_of(others, 'other stored company', 'other stored companies')} "
            f"in the {competition['area']}, {_offers(counted)}"
        )
    else:
        crowded = competition["most_crowded"]
        detail = (
            f"; {join_words([SERVICE_LABELS[k] for k in crowded])} usually crowded"
            if crowded
            else ""
        )
        reason = f"{competition['level']} field (crowding {crowding:.2f}, usual){detail}"
    return factor(
        "competition", "Competition", rule.max_points * (1 - crowding), rule.max_points, reason
    )


def _offers(counted: Mapping[str, int]) -> str:
    """``"none offer solar or battery; 3 offer HVAC work"``: lines with the same count are
    named together, and a count of nothing reads "none"."""
    by_count: dict[int, list[str]] = {}
    for key, n in counted.items():
        by_count.setdefault(n, []).append(SERVICE_LABELS[key])
    parts = []
    for n, labels in sorted(by_count.items()):
        who = "none offer" if n == 0 else f"{n} offer{'s' if n == 1 else ''}"
        parts.append(f"{who} {join_words(labels, 'or' if n == 0 else 'and')}")
    return f"{'; '.join(parts)} work"


# --- words ----------------------------------------------------------------------------------


def opportunities(
    facts: CompanyFacts, market: MarketView, competition: CompetitionView
) -> list[str]:
    """Concrete growth angles for this lead, local ones first, for marketing and BDR.

    Marketing and BDR open with the first angle, so the ones naming the lead's own state,
    area or metro come before those any company with the same service lines would get.
    """
    services = set(market["service_lines"])
    state, proxies = market["state"], market["proxies"]
    outage, sun = proxies.get("outage_risk", 0.0), proxies.get("solar_resource", 0.0)
    found: list[str] = []
    if state and "generator" in services and outage >= 0.7:
        found.append(f"Outage risk in {state} keeps standby-generator demand high.")
    elif state and "generator" not in services and outage >= 0.8:
        found.append(
            f"Standby generators are a natural add-on: {state} ranks high for outage risk."
        )
    if (
        state
        and "solar" not in services
        and sun >= 0.85
        and services & {"electrical", "roofing", "battery"}
    ):
        found.append(f"Sun and incentives in {state} make solar an easy line to add.")
    open_lines = [
        key
        for key, n in competition["competitors"].items()
        if n == 0 and competition["evidence"] >= 0.5
    ]
    if open_lines and competition["area"]:
        found.append(
            f"Few competitors in the {competition['area']} offer "
            f"{join_words([SERVICE_LABELS[k] for k in open_lines])} work yet."
        )
    if market["metro"] and (market["metro_growth"] or 0) >= 0.7:
        found.append(f"{market['metro']} keeps adding homes and businesses to serve.")
    if "solar" in services and "battery" not in services:
        found.append(
            "Storage is the fastest-growing line, and solar customers are the "
            "easiest to add it for."
        )
    if "battery" in services:
        found.append(
            "Battery storage demand keeps rising, and it pairs with every solar and generator job."
        )
    if facts["commercial"] and not facts["residential"]:
        found.append("Residential work would add faster-paying jobs to a commercial book.")
    elif facts["residential"] and not facts["commercial"]:
        found.append("Light-commercial jobs would raise average ticket size.")
    if facts["oem_count"] == 1 and facts["oems"]:
        found.append(f"A second OEM program next to {facts['oems'][0]} would add locator leads.")
    return found


def summary(score: int, market: MarketView, competition: CompetitionView) -> str:
    """One sentence on the lead's growth potential."""
    where = (
        f"{market['state_outlook']} market in {market['state']}"
        if market["state"]
        else "market unknown"
    )
    if market["metro"]:
        where += f" ({market['metro']} metro)"
    lines = market["service_lines"]
    demand = (
        f"demand for {join_words([SERVICE_LABELS[k] for k in lines[:3]])}"
        if lines
        else "service lines unknown"
    )
    field = (
        f"{competition['level']} competition"
        if competition["level"] != "unknown"
        else "competition unknown"
    )
    return f"Growth potential {score}/100: {where}; {demand}; {field}."


def reasoning(company: str, score: int, factors: Sequence[Factor]) -> str:
    """A few sentences a sales person can read: what lifts the score and what holds it back."""

    def told(f: Factor, prefix: str = "") -> str:
        return f"{prefix}{f['name']} {f['points']:g}/{f['max_points']:g}: {f['reason']}."

    lines = [f"{company} has growth potential {score}/100."]
    lines += [told(f, "Strength, ") for f in strongest(factors, limit=3)]
    lines += [told(f, "Weak spot, ") for f in weakest(factors, limit=2)]
    return " ".join(lines)


def _state_of(facts: CompanyFacts) -> str | None:
    state = (facts["state"] or "").strip().upper()
    return state if len(state) == 2 and state.isalpha() else None


def _zip3_of(facts: CompanyFacts) -> str | None:
    digits = (facts["zip"] or "").strip()
    return digits[:3] if len(digits) >= 3 and digits[:3].isdigit() else None
