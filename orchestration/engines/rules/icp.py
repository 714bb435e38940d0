"""The customer's ICP, judged from the raw signals of a lead: four dimensions, each 0-100.

resimercial (serves homes and businesses), multi-OEM (certified by several manufacturers),
MEP+R (mechanical, electrical, plumbing, roofing trades) and O&M (service and maintenance).
Within a dimension every rule that applies is considered and the best one counts, so a lead
with more evidence never scores lower. An empty flag is unknown: the OEMs and the company
name carry most of what real exports say about a dealer's trade and market.

When the export carries its owner's own component scores, each is taken as one more piece of
evidence (it may rest on what the file does not show, such as a website or a licence).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from orchestration.config.rules import ICP_TRADES, IcpProfile
from orchestration.engines.rules.factors import Factor, factor
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.text import count_of, join_words

# Which trade each product line or service line stands for.
_LINE_TRADES: dict[str, str] = {
    "hvac": "mechanical", "generator": "electrical", "solar": "electrical",
    "battery": "electrical", "inverters": "electrical", "smart_panel": "electrical",
    "electrical": "electrical", "plumbing": "plumbing", "roofing": "roofing",
}
_TRADE_LABELS: dict[str, str] = {
    "mechanical": "mechanical (HVAC)", "electrical": "electrical", "plumbing": "plumbing",
    "roofing": "roofing",
}
# The export's component-score keys (see api/intake/profile.py) by dimension.
DIMENSIONS: tuple[str, ...] = ("resimercial", "multi_oem", "mepr", "om")
DIMENSION_NAMES: dict[str, str] = {
    "resimercial": "Resimercial", "multi_oem": "Multi-OEM", "mepr": "MEP+R", "om": "O&M",
}


def icp_factors(
    facts: CompanyFacts, profile: IcpProfile, upstream: Mapping[str, Any] | None = None
) -> list[Factor]:
    """The four weighted ICP dimensions of a lead, each with the evidence behind it.

    upstream: the export's own component scores by dimension key, when it has them.
    """
    judged = {
        "resimercial": _resimercial(facts, profile),
        "multi_oem": _multi_oem(facts, profile),
        "mepr": _mepr(facts, profile),
        "om": _om(facts, profile),
    }
    weights = {
        "resimercial": profile.resimercial.weight, "multi_oem": profile.multi_oem.weight,
        "mepr": profile.mepr.weight, "om": profile.om.weight,
    }
    factors = []
    for key in DIMENSIONS:
        value, reason = judged[key]
        theirs = _number((upstream or {}).get(key))
        if theirs is not None and min(theirs, 100.0) > value:
            value = min(theirs, 100.0)
            reason += f"; the export's own assessment rates it {theirs:g}/100"
        weight = weights[key]
        # Two decimals: a weighted 25/100 is 6.25 points, and the band floors are exact.
        factors.append(factor(key, DIMENSION_NAMES[key], weight * value / 100, weight,
                              reason, digits=2))
    return factors


def trades_of(facts: CompanyFacts, profile: IcpProfile) -> dict[str, str]:
    """The MEP+R trades a lead shows, each with where it shows:
    ``{"electrical": "its Generac certification", "plumbing": "'Plumbing' in the name"}``."""
    found: dict[str, str] = {}
    for line, oem in facts["oem_lines"].items():
        trade = _LINE_TRADES.get(line)
        if trade and trade not in found:
            found[trade] = f"its {oem} certification"
    for service in facts["services"]:
        trade = _LINE_TRADES.get(service)
        if trade and trade not in found:
            flagged = service in facts["services_flagged"]
            found[trade] = "its capability flags" if flagged else "its industry"
    name = facts["raw_name"]
    for trade in ICP_TRADES:
        words = [w for w in profile.mepr.trade_words.get(trade, []) if _has_words(name, w)]
        if words and trade not in found:
            found[trade] = f"'{words[0]}' in the name"
    return found


def _resimercial(facts: CompanyFacts, profile: IcpProfile) -> tuple[float, str]:
    rule = profile.resimercial
    name = facts["raw_name"]
    commercial: list[str] = []
    residential: list[str] = []
    if facts["commercial"]:
        commercial.append("flagged commercial")
    if word := _first_word(name, rule.commercial_words):
        commercial.append(f"'{word}' in the name")
    tier_cell = facts["program_tier"] or ""
    if word := _first_word(tier_cell, rule.commercial_words):
        commercial.append(f"its {tier_cell} program tier")
    if facts["residential"]:
        residential.append("flagged residential")
    if word := _first_word(name, rule.residential_words):
        residential.append(f"'{word}' in the name")
    options: list[tuple[float, str]] = [(rule.unknown, "customer mix unknown")]
    if commercial and residential:
        options.append((rule.both, "serves commercial and residential customers ("
                        f"{join_words(commercial + residential)})"))
    elif commercial:
        options.append((rule.commercial, f"serves commercial customers ({join_words(commercial)})"))
    elif residential:
        options.append((rule.residential,
                        f"serves residential customers ({join_words(residential)})"))
    lines = rule.top_program_tier_lines
    if facts["program_rank"] >= 3 and (not lines or any(x in facts["oem_lines"] for x in lines)):
        options.append((rule.top_program_tier,
                        f"a top program tier ({_tier_words(facts)}) implies both markets"))
    if "generator" in facts["oem_lines"]:
        options.append((rule.generator_oem, "standby generators sell to homes and businesses"))
    return max(options, key=lambda option: option[0])


def _multi_oem(facts: CompanyFacts, profile: IcpProfile) -> tuple[float, str]:
    points = profile.multi_oem.points_by_count
    count = facts["oem_count"]
    value = points[min(count, len(points) - 1)]
    if count == 0:
        return value, "no OEM certification listed"
    listed = f" ({join_words(facts['oems'])})" if facts["oems"] else ""
    return value, f"{count_of(count, 'OEM certification')}{listed}"


def _mepr(facts: CompanyFacts, profile: IcpProfile) -> tuple[float, str]:
    rule = profile.mepr
    trades = trades_of(facts, profile)
    count = len(trades)
    multi = _first_word(facts["raw_name"], rule.multi_trade_words)
    if multi:
        count = max(count, 3)
    value = rule.points_by_trades[min(count, len(rule.points_by_trades) - 1)]
    if not trades and not multi:
        return value, "no trade known yet"
    parts = [f"{_TRADE_LABELS[t]} from {source}" for t, source in trades.items()]
    if multi:
        parts.append(f"'{multi}' in the name says every trade")
    label = "one trade" if count == 1 else f"{count} trades"
    return value, f"{label}: {join_words(parts)}"


def _om(facts: CompanyFacts, profile: IcpProfile) -> tuple[float, str]:
    rule = profile.om
    words = [w for w in rule.words if _has_words(facts["raw_name"], w)]
    by_words = rule.points_by_words
    options: list[tuple[float, str]] = [(by_words[0], "no service or maintenance offer seen")]
    if words:
        options.append((by_words[min(len(words), len(by_words) - 1)],
                        f"{join_words([repr(w) for w in words])} in the name"))
    if facts["program_rank"] >= 3:
        options.append((rule.top_program_tier,
                        f"a top program tier ({_tier_words(facts)}) requires service capability"))
    if facts["maintenance_flag"]:
        options.append((rule.maintenance_flag, "flagged as offering maintenance"))
    return max(options, key=lambda option: option[0])


def _tier_words(facts: CompanyFacts) -> str:
    return " ".join(p for p in (facts["oem_source"], facts["program_tier"]) if p)


def _first_word(text: str, words: list[str]) -> str | None:
    return next((w for w in words if _has_words(text, w)), None) if text else None


def _has_words(text: str, words: str) -> bool:
    return _word_pattern(words).search(text) is not None


@lru_cache(maxsize=1024)
def _word_pattern(words: str) -> re.Pattern[str]:
    # "&" and "/" are part of names ("A/C", "HTG & AIR"): whole words are bounded by
    # anything that is not a letter or digit.
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(words)}(?![A-Za-z0-9])", re.IGNORECASE)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
