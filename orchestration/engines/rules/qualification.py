"""ICP fit of a lead under a named profile: factors, tier, and the words a sales person reads.

The default profile (``icp``) is the customer's ideal customer profile: resimercial, multi-OEM,
MEP+R and O&M, judged from raw signals (see ``icp.py``). The ``generic`` profile judges
industry, size and contact seniority. Two small adjustments, contactability and reputation,
rank leads within a band. Every number comes from ``scoring.toml``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

from orchestration.config.rules import (
    Adjustments,
    GenericProfile,
    IcpProfile,
    Qualification,
    RulesConfig,
)
from orchestration.config.tiers import TIER_BANDS, TIER_PATHS, band_of
from orchestration.engines.rules.contacts import check_email
from orchestration.engines.rules.factors import (
    Factor,
    factor,
    strongest,
    weakest,
)
from orchestration.engines.rules.facts import (
    CompanyFacts,
    dealer_title,
    facts_from_lead,
    mix_phrase,
    service_phrase,
)
from orchestration.engines.rules.icp import icp_factors
from orchestration.engines.rules.text import count_of, industry_phrase, join_words

Tier = Literal["A", "B", "C", "D"]
SALES_POTENTIAL: dict[str, str] = {"A": "high", "B": "medium", "C": "low", "D": "very low"}
_FIT_LABEL: dict[str, str] = {"A": "Strong fit", "B": "Good fit", "C": "Partial fit",
                              "D": "Poor fit"}
# Fewer reviews than this and a sales person should not trust the rating much.
_FEW_REVIEWS = 20
# Keys of the adjustment factors, which rank within a band and are not the fit.
ADJUSTMENT_KEYS: frozenset[str] = frozenset({"contactability", "reputation"})


# --- profiles and factors -------------------------------------------------------------------


def choose_profile(
    tables: Qualification, kind: str, requested: str | None, default: str
) -> str:
    """The profile a lead is scored by: the batch's choice, else by the row's format.

    Rows in the generic column set fall back to ``generic_format_profile``, dealer rows to
    ``default`` (``SALES_AGENT_QUALIFICATION_PROFILE``). An unknown name raises
    :class:`RulesConfigError` naming the profiles there are.
    """
    name = requested or (tables.generic_format_profile if kind == "generic" else default)
    tables.profile(name)
    return name


def score_factors(
    facts: CompanyFacts, lead: Mapping[str, Any], tables: Qualification, profile_name: str
) -> list[Factor]:
    """The profile's fit factors, then the two adjustments."""
    profile = tables.profile(profile_name)
    if isinstance(profile, IcpProfile):
        upstream = (lead.get("profile") or {}).get("component_scores") or None
        fit = icp_factors(facts, profile, upstream)
    else:
        fit = generic_factors(facts, profile)
    return [*fit, *adjustment_factors(facts, tables.adjustments)]


def generic_factors(facts: CompanyFacts, rules: GenericProfile) -> list[Factor]:
    """Score a lead on industry, size and contact seniority."""
    return [
        _industry_fit(facts, rules),
        _company_size(facts, rules),
        _contact_seniority(facts, rules),
    ]


def adjustment_factors(facts: CompanyFacts, rules: Adjustments) -> list[Factor]:
    """Contactability and reputation: a few points that rank leads within a band."""
    return [_contactability(facts, rules), _reputation(facts, rules)]


def within_band(factors: list[Factor], thresholds: tuple[int, int, int]) -> list[Factor]:
    """The factors with the adjustments trimmed so they never lift a lead out of the band
    its fit puts it in: they rank leads inside a tier, the fit alone decides the tier."""
    fit = fit_points(factors)
    # Just under the next tier's floor; scores are whole points rounded down (see
    # qualification_score), so a fit of 59.6 stays below a floor of 60 as the bands read.
    ceiling = next((floor - 0.05 for floor in sorted(thresholds) if fit < floor), 100.0)
    headroom = max(ceiling - fit, 0.0)
    adjustments = [f for f in factors if f["key"] in ADJUSTMENT_KEYS]
    earned = sum(f["points"] for f in adjustments)
    if earned <= headroom:
        return factors
    scale = headroom / earned
    trimmed = []
    for f in factors:
        if f["key"] in ADJUSTMENT_KEYS and f["points"]:
            points = int(f["points"] * scale * 10) / 10  # round down: the sum stays in the band
            f = factor(f["key"], f["name"], points, f["max_points"],
                       f"{f['reason']} (capped at the top of the tier its fit earns)")
        trimmed.append(f)
    return trimmed


def qualification_score(factors: list[Factor]) -> int:
    """The 0-100 score: the factors' sum rounded down, as the ICP bands read (59.6 is not 60)."""
    return min(100, max(0, math.floor(sum(f["points"] for f in factors) + 1e-6)))


def fit_points(factors: list[Factor]) -> float:
    """The fit part of a score: every factor but the adjustments."""
    return round(sum(f["points"] for f in factors if f["key"] not in ADJUSTMENT_KEYS), 1)


def _reputation(facts: CompanyFacts, rules: Adjustments) -> Factor:
    rule = rules.reputation
    rating, reviews = facts["rating"], facts["review_count"]
    if rating is None:
        if facts["rating_scale_invalid"]:
            reason = "rating given outside the 0-5 scale: ignored as bad data"
        else:
            reason = "no reviews yet: neither for nor against"
        return factor("reputation", "Reputation", 0, rule.max_points, reason)
    # Unknown count: trusted as much as a single review.
    count = reviews if reviews is not None and reviews > 0 else 1
    quality = min(max((rating - rule.floor_rating) / (5.0 - rule.floor_rating), 0.0), 1.0)
    trust = count / (count + rule.half_trust_reviews)
    if reviews is None:
        reason = f"rated {rating:.1f} of 5, number of reviews unknown"
    else:
        reason = f"rated {rating:.1f} of 5 by {count_of(reviews, 'review')}"
    return factor("reputation", "Reputation", rule.max_points * quality * trust,
                  rule.max_points, reason)


def _contactability(facts: CompanyFacts, rules: Adjustments) -> Factor:
    rule = rules.contactability
    points = 0.0
    have: list[str] = []
    if facts["website"]:
        points += rule.website
        have.append("website")
    if facts["email"]:
        kind = check_email(facts["email"], facts["domain"])["kind"]
        if kind in ("personal", "free_mail"):
            points += rule.email
            have.append("email")
        elif kind == "role":
            points += rule.role_email
            have.append("shared inbox")
    if facts["phone"]:
        points += rule.phone
        have.append("phone")
    reason = f"{join_words(have)} on file" if have else "no way to reach them on file"
    return factor("contactability", "Contactability", points, rule.max_points, reason)


def _industry_fit(facts: CompanyFacts, rules: GenericProfile) -> Factor:
    rule = rules.industry_fit
    industry = facts["industry"]
    if not industry:
        return factor("industry_fit", "Industry fit", 0, rule.max_points, "industry unknown")
    matches = [(points, keyword) for keyword, points in rule.industries.items()
               if _has_words(industry, keyword)]
    if not matches:
        return factor("industry_fit", "Industry fit", rule.unlisted_industry_points,
                      rule.max_points, f"'{industry}' is not a target industry")
    points, keyword = max(matches)
    return factor("industry_fit", "Industry fit", points, rule.max_points,
                  f"'{industry}' matches the target industry '{keyword}'")


def _company_size(facts: CompanyFacts, rules: GenericProfile) -> Factor:
    rule = rules.company_size
    employees = facts["employee_count"]
    if employees is None:
        return factor("company_size", "Company size", 0, rule.max_points, "company size unknown")
    band = next((b for b in rule.bands if employees <= b.max_employees), rule.bands[-1])
    shown = facts["company_size"] or str(employees)
    return factor("company_size", "Company size", band.points, rule.max_points,
                  f"{shown} employees ({band.label})")


def _contact_seniority(facts: CompanyFacts, rules: GenericProfile) -> Factor:
    rule = rules.contact_seniority
    title = facts["contact_title"]
    if not title:
        return factor("contact_seniority", "Contact seniority", 0, rule.max_points,
                      "no contact title")
    matches = [(len(keyword), level.points, level.label)
               for level in rule.levels for keyword in level.keywords
               if _has_words(title, keyword)]
    if not matches:
        return factor("contact_seniority", "Contact seniority", rule.unlisted_title_points,
                      rule.max_points, f"contact title '{title}' is not a known decision role")
    _, points, label = max(matches)
    return factor("contact_seniority", "Contact seniority", points, rule.max_points,
                  f"contact is {title} ({label})")


def _has_words(text: str, keyword: str) -> bool:
    return _word_pattern(keyword).search(text) is not None


@lru_cache(maxsize=512)
def _word_pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(keyword)}(?![\w-])", re.IGNORECASE)


# --- tier -----------------------------------------------------------------------------------


def tier_for(score: int, a_min: int, b_min: int, c_min: int) -> Tier:
    """A at or above ``a_min``, B at or above ``b_min``, C at or above ``c_min``, else D."""
    if score >= a_min:
        return "A"
    if score >= b_min:
        return "B"
    if score >= c_min:
        return "C"
    return "D"


# --- words ----------------------------------------------------------------------------------


def profile_sentence(facts: CompanyFacts) -> str:
    """What the data says about the company, in one sentence a sales person can scan."""
    parts = _dealer_parts(facts) if facts["kind"] == "dealer" else _generic_parts(facts)
    parts.append(contact_phrase(facts))
    sentence = "; ".join(part for part in parts if part)
    return sentence[:1].upper() + sentence[1:] + "."


def _dealer_parts(facts: CompanyFacts) -> list[str]:
    head = dealer_title(facts)
    if facts["location"]:
        head += f" in {facts['location']}"
    oems, count = facts["oems"], facts["oem_count"]
    if count > 1:
        listed = f" ({join_words(oems)})" if oems else ""
        head += f" certified with {count} OEMs{listed}"
    elif oems and oems[0] != facts["oem_source"]:
        head += f" certified with {oems[0]}"
    elif count == 0 and not facts["oem_source"]:
        head += " with no OEM certifications listed"
    parts = [head]
    mix = mix_phrase(facts)
    if facts["services"]:
        work = f"offers {service_phrase(facts['services'])} work"
        parts.append(f"{work} for {mix}" if mix else work)
    elif mix:
        parts.append(f"serves {mix}")
    parts.append(_rating_phrase(facts))
    return parts


def _generic_parts(facts: CompanyFacts) -> list[str]:
    head = f"{industry_phrase(facts['industry'])} company" if facts["industry"] else "company"
    if facts["location"]:
        head += f" in {facts['location']}"
    if facts["company_size"]:
        head += f" with {facts['company_size']} employees"
    elif facts["employee_count"]:
        head += f" with {count_of(facts['employee_count'], 'employee')}"
    parts = [head]
    if facts["contact_name"] and facts["contact_title"]:
        parts.append(f"contact {facts['contact_name']} ({facts['contact_title']})")
    elif facts["contact_name"]:
        parts.append(f"contact {facts['contact_name']}, title unknown")
    elif facts["contact_title"]:
        parts.append(f"contact title {facts['contact_title']}, name unknown")
    else:
        parts.append("no named contact")
    return parts


def _rating_phrase(facts: CompanyFacts) -> str:
    rating, reviews = facts["rating"], facts["review_count"]
    if rating is None:
        if reviews:
            # Reviews without a usable rating (one given outside 0-5): the count is still true.
            return f"{count_of(reviews, 'review')} online"
        return "no reviews yet"
    if reviews is None:
        return f"rated {rating:.1f} of 5"
    return f"rated {rating:.1f} of 5 by {count_of(reviews, 'review')}"


def contact_phrase(facts: CompanyFacts) -> str:
    """How the company can be reached: ``"website and phone but no direct email"``."""
    have: list[str] = []
    lack: list[str] = []
    (have if facts["website"] else lack).append("website")
    if facts["email"]:
        check = check_email(facts["email"], facts["domain"])
        local, _, domain = facts["email"].lower().partition("@")
        if check["kind"] == "personal":
            have.append("direct email")
        elif check["kind"] == "role":
            have.append(f"a shared inbox ({local.split('.')[0]}@)")
            lack.append("direct email")
        elif check["kind"] == "free_mail":
            have.append(f"a personal {domain} address")
        else:
            lack.append("valid email")
    else:
        lack.append("direct email")
    (have if facts["phone"] else lack).append("phone")
    if have and lack:
        return f"{join_words(have)} but no {join_words(lack, 'or')}"
    if have:
        return f"{join_words(have)} on file"
    return f"no {join_words(lack, 'or')} on file"


def reasoning(
    facts: CompanyFacts, factors: list[Factor], score: int, tier: str,
    upstream: Mapping[str, Any] | None = None,
) -> str:
    """The paragraph shown to sales: the profile, the score and tier, why, and the export's
    own ICP score beside ours when it has one."""
    fit = [f for f in factors if f["key"] not in ADJUSTMENT_KEYS]
    text = profile_sentence(facts)
    text += f" Scores {score}/100, tier {tier} ({TIER_BANDS[tier]} band: {_path_word(tier)})"
    best, worst = strongest(fit), weakest(fit)
    if best:
        text += f": strongest on {_names(best)}"
    if worst:
        text += f"{';' if best else ':'} weakest on {_names(worst)}"
    text += "."
    if upstream:
        text += " " + upstream["summary"]
    return text


def _path_word(tier: str) -> str:
    return TIER_PATHS[tier].split(":")[0]


def upstream_comparison(
    lead: Mapping[str, Any], score: int, tier: str, a_min: int, b_min: int, c_min: int
) -> dict[str, Any] | None:
    """The export's own ICP score beside ours, with whether the two agree, or None.

    Agreement is by tier: the upstream score is read through the same thresholds as ours.
    """
    profile = lead.get("profile") or {}
    theirs = profile.get("icp_score")
    if isinstance(theirs, bool) or not isinstance(theirs, int | float):
        return None
    their_tier = tier_for(math.floor(theirs), a_min, b_min, c_min)  # 59.6 is not GOLD
    band = str(profile.get("icp_tier") or band_of(theirs)).upper()
    steps = "ABCD".index(their_tier) - "ABCD".index(tier)
    if steps == 0:
        agreement, summary_end = "agrees", "we agree on the tier"
    else:
        direction = "higher" if steps > 0 else "lower"
        agreement = direction
        summary_end = (f"ours is {count_of(abs(steps), 'tier')} {direction}"
                       .replace("1 tier", "one tier"))
    return {
        "score": round(float(theirs), 1),
        "band": band,
        "tier": their_tier,
        "agreement": agreement,
        "difference": round(score - float(theirs), 1),
        "summary": f"The export's own ICP score is {theirs:g} ({band}, tier {their_tier}); "
                   f"{summary_end}.",
    }


def _names(factors: list[Factor]) -> str:
    # "MEP+R" and "O&M" keep their capitals; "Resimercial" reads as "resimercial".
    return join_words([
        f["name"][:1].lower() + f["name"][1:] if f["name"][1:2].islower() else f["name"]
        for f in factors
    ])


def fit_assessment(factors: list[Factor], score: int, tier: str) -> str:
    """How well the lead matches the ideal customer, its strengths and what holds it back."""
    text = f"{_FIT_LABEL.get(tier, 'Fit')} ({score}/100)."
    fit = [f for f in factors if f["key"] not in ADJUSTMENT_KEYS]
    best, worst = strongest(fit), weakest(fit)
    if best:
        text += f" Strengths: {'; '.join(f['reason'] for f in best)}."
    if worst:
        text += f" Held back by: {'; '.join(f['reason'] for f in worst)}."
    return text


def contact_quality(facts: CompanyFacts) -> str:
    """How ready the contact data is for outreach, with what is missing."""
    ways = sum(bool(facts[key]) for key in ("website", "email", "phone"))
    email = facts["email"]
    direct = email is not None and check_email(email, facts["domain"])["kind"] in (
        "personal", "free_mail")
    if direct and facts["phone"] and facts["contact_name"]:
        label = "Good"
    elif ways >= 2:
        label = "Fair"
    else:
        label = "Poor"
    named = (f"named contact {facts['contact_name']}" if facts["contact_name"]
             else "no named contact")
    return f"{label}: {contact_phrase(facts)}; {named}."


def recommendations(facts: CompanyFacts, factors: list[Factor], tier: str) -> list[str]:
    """Next steps for the sales team, most important first."""
    steps = [{
        "A": "Prioritise: route to account-based, high-touch outreach this week.",
        "B": "Work in the next outreach cycle with a personalised multi-touch sequence.",
        "C": "Nurture: keep in the scheduled nurture sequence and revisit when new signals "
             "appear.",
        "D": "Do not pursue now; keep on a long-term list.",
    }[tier]]
    if tier == "D":
        return steps
    if not facts["email"]:
        steps.append("Find a direct email for the owner or operations lead: none on file.")
    elif check_email(facts["email"], facts["domain"])["kind"] == "role":
        steps.append("Replace the shared inbox with a named decision maker's email.")
    if not facts["contact_name"]:
        steps.append("Identify a decision maker by name (owner, general manager or "
                     "operations manager).")
    if not facts["website"]:
        steps.append("Confirm the business is active before outreach: no website on file.")
    if facts["kind"] == "dealer":
        if facts["oem_count"] == 1 and facts["oems"]:
            steps.append(f"Ask which brands besides {facts['oems'][0]} they install.")
        reviews = facts["review_count"]
        if facts["rating"] is not None and reviews is not None and 0 < reviews < _FEW_REVIEWS:
            steps.append(f"Only {count_of(reviews, 'review')} so far: check recent activity "
                         "before investing time.")
        if len(facts["services"]) >= 2:
            steps.append(f"Open with their {service_phrase(facts['services'])} mix: "
                         "multi-trade work is the strongest hook.")
    return steps


# --- one lead, start to end -------------------------------------------------------------------


def qualify(
    lead: Mapping[str, Any],
    rules: RulesConfig,
    *,
    profile: str | None,
    default_profile: str,
    thresholds: tuple[int, int, int],
) -> dict[str, Any]:
    """Score, tier and explain one LeadRecord with the rules engine, in-process.

    The qualification graph runs the same steps one node at a time; this is the direct
    path for tools that score whole files in seconds (``sales-agent score``).
    """
    facts = facts_from_lead(lead, rules)
    tables = rules.qualification
    chosen = choose_profile(tables, facts["kind"], profile, default_profile)
    factors = within_band(score_factors(facts, lead, tables, chosen), thresholds)
    score = qualification_score(factors)
    tier = tier_for(score, *thresholds)
    upstream = upstream_comparison(lead, score, tier, *thresholds)
    return {
        "score": score,
        "tier": tier,
        "band": TIER_BANDS[tier],
        "profile": chosen,
        "fit": fit_points(factors),
        "factors": factors,
        "upstream": upstream,
        "reasoning": reasoning(facts, factors, score, tier, upstream),
    }
