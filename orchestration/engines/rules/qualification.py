"""ICP fit of a lead: factor scores, tier, and the words a sales person reads.

Dealer-locator rows are judged on OEM certifications, dealer program tier, service breadth,
customer mix, reputation and reachability; generic rows on industry, size, contact
seniority and reachability. Every number comes from ``scoring.toml``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from orchestration.config.rules import (
    DealerQualification,
    GenericQualification,
    ReachabilityRule,
    normalise_tier_name,
)
from orchestration.engines.rules.contacts import check_email
from orchestration.engines.rules.factors import Factor, factor, strongest, weakest
from orchestration.engines.rules.facts import (
    CompanyFacts,
    dealer_title,
    mix_phrase,
    service_phrase,
)
from orchestration.engines.rules.text import count_of, industry_phrase, join_words

Tier = Literal["A", "B", "C", "D"]
SALES_POTENTIAL: dict[str, str] = {"A": "high", "B": "medium", "C": "low", "D": "very low"}
_FIT_LABEL: dict[str, str] = {"A": "Strong fit", "B": "Good fit", "C": "Partial fit",
                              "D": "Poor fit"}
# Fewer reviews than this and a sales person should not trust the rating much.
_FEW_REVIEWS = 20


# --- factors --------------------------------------------------------------------------------


def dealer_factors(facts: CompanyFacts, rules: DealerQualification) -> list[Factor]:
    """Score a dealer-locator lead, one factor per signal."""
    return [
        _oem_certifications(facts, rules),
        _dealer_program(facts, rules),
        _service_breadth(facts, rules),
        _market_mix(facts, rules),
        _reputation(facts, rules),
        _reachability(facts, rules.reachability),
    ]


def generic_factors(facts: CompanyFacts, rules: GenericQualification) -> list[Factor]:
    """Score a generic lead on industry, size, contact seniority and reachability."""
    return [
        _industry_fit(facts, rules),
        _company_size(facts, rules),
        _contact_seniority(facts, rules),
        _reachability(facts, rules.reachability),
    ]


def _oem_certifications(facts: CompanyFacts, rules: DealerQualification) -> Factor:
    rule = rules.oem_certifications
    count = facts["oem_count"]
    points = rule.points_by_count[min(count, len(rule.points_by_count) - 1)]
    if count == 0:
        reason = "no OEM certifications listed"
    elif facts["oems"]:
        reason = f"{count_of(count, 'OEM certification')} ({join_words(facts['oems'])})"
    else:
        reason = count_of(count, "OEM certification")
    return factor("oem_certifications", "OEM certifications", points, rule.max_points, reason)


def _dealer_program(facts: CompanyFacts, rules: DealerQualification) -> Factor:
    rule = rules.dealer_program
    tier = facts["dealer_tier"]
    if tier is None:
        return factor("dealer_program", "Dealer program tier", 0, rule.max_points,
                      "no dealer program tier listed")
    table = rule.oem_tiers.get(normalise_tier_name(facts["oem_source"] or ""), {})
    listed = program_tier_points(tier, table) or program_tier_points(tier, rule.tiers)
    program = f"{facts['oem_source']} " if facts["oem_source"] else ""
    if listed is None:
        reason = f"{program}program tier '{tier}' (not in the tier table, counted as membership)"
        return factor("dealer_program", "Dealer program tier", rule.unlisted_tier_points,
                      rule.max_points, reason)
    rank = "a top" if listed >= 0.85 * rule.max_points else "a"
    return factor("dealer_program", "Dealer program tier", listed, rule.max_points,
                  f"{tier} is {rank} {program}dealer program tier")


def program_tier_points(tier: str, table: dict[str, float]) -> float | None:
    """Points for a tier name: exact entry, else the longest entry found among its words."""
    name = normalise_tier_name(tier)
    if name in table:
        return table[name]
    found = [(len(key), points) for key, points in table.items() if _has_words(name, key)]
    return max(found)[1] if found else None


def _service_breadth(facts: CompanyFacts, rules: DealerQualification) -> Factor:
    rule = rules.service_breadth
    services = facts["services"]
    if not services:
        reason = "no service lines flagged"
    else:
        reason = f"{count_of(len(services), 'service line')}: {service_phrase(services)}"
    return factor("service_breadth", "Service breadth", len(services) * rule.points_per_service,
                  rule.max_points, reason)


def _market_mix(facts: CompanyFacts, rules: DealerQualification) -> Factor:
    rule = rules.market_mix
    if facts["commercial"] and facts["residential"]:
        points, reason = rule.both, "serves both commercial and residential customers (resimercial)"
    elif facts["commercial"]:
        points, reason = rule.commercial_only, "commercial customers only"
    elif facts["residential"]:
        points, reason = rule.residential_only, "residential customers only"
    else:
        points, reason = 0, "customer mix unknown"
    return factor("market_mix", "Customer mix", points, rule.max_points, reason)


def weighted_rating(rating: float, reviews: int, prior: float, weight: float) -> float:
    """Rating pulled towards ``prior`` as if ``weight`` extra reviews had that rating."""
    return (rating * reviews + prior * weight) / (reviews + weight)


def _reputation(facts: CompanyFacts, rules: DealerQualification) -> Factor:
    rule = rules.reputation
    rating, reviews = facts["rating"], facts["review_count"]
    if rating is None or rating <= 0:
        return factor("reputation", "Reputation", 0, rule.max_points, "no rating found")
    count = reviews if reviews is not None and reviews > 0 else 1
    adjusted = weighted_rating(min(rating, 5.0), count, rule.prior_rating, rule.prior_weight)
    points = rule.max_points * (adjusted - rule.floor_rating) / (5.0 - rule.floor_rating)
    if reviews is None:
        reason = f"{rating:.1f}★ with an unknown number of reviews (counts as {adjusted:.2f})"
    elif reviews < _FEW_REVIEWS:
        reason = (f"{rating:.1f}★ from only {count_of(reviews, 'review')} "
                  f"(counts as {adjusted:.2f})")
    else:
        reason = f"{rating:.1f}★ from {count_of(reviews, 'review')} (counts as {adjusted:.2f})"
    return factor("reputation", "Reputation", points, rule.max_points, reason)


def _reachability(facts: CompanyFacts, rule: ReachabilityRule) -> Factor:
    points = 0.0
    have: list[str] = []
    lack: list[str] = []
    if facts["website"]:
        points += rule.website
        have.append("website")
    else:
        lack.append("website")
    if facts["email"]:
        kind = check_email(facts["email"], facts["domain"])["kind"]
        if kind == "personal" or kind == "free_mail":
            points += rule.email
            have.append("email")
        elif kind == "role":
            points += rule.role_email
            have.append("shared inbox email")
        else:
            lack.append("valid email")
    else:
        lack.append("email")
    if facts["phone"]:
        points += rule.phone
        have.append("phone")
    else:
        lack.append("phone")
    if facts["contact_name"]:
        points += rule.contact_name
        have.append("contact name")
    else:
        lack.append("contact name")
    reason = f"{join_words(have) or 'nothing'} on file"
    if lack:
        reason += f"; missing {join_words(lack)}"
    return factor("reachability", "Reachability", points, rule.max_points, reason)


def _industry_fit(facts: CompanyFacts, rules: GenericQualification) -> Factor:
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


def _company_size(facts: CompanyFacts, rules: GenericQualification) -> Factor:
    rule = rules.company_size
    employees = facts["employee_count"]
    if employees is None:
        return factor("company_size", "Company size", 0, rule.max_points, "company size unknown")
    band = next((b for b in rule.bands if employees <= b.max_employees), rule.bands[-1])
    shown = facts["company_size"] or str(employees)
    return factor("company_size", "Company size", band.points, rule.max_points,
                  f"{shown} employees ({band.label})")


def _contact_seniority(facts: CompanyFacts, rules: GenericQualification) -> Factor:
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
        parts.append(f"serves {mix}; no service lines flagged")
    else:
        parts.append("no service lines flagged")
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
    if rating is None or rating <= 0:
        return "no reviews found"
    if reviews is None:
        return f"{rating:.1f}★"
    return f"{rating:.1f}★ from {count_of(reviews, 'review')}"


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


def reasoning(facts: CompanyFacts, factors: list[Factor], score: int, tier: str) -> str:
    """The paragraph shown to sales: the company's profile, then why it scored as it did."""
    text = profile_sentence(facts) + f" Scores {score}/100, tier {tier}"
    best, worst = strongest(factors), weakest(factors)
    if best:
        text += f": strongest on {_names(best)}"
    if worst:
        text += f"{';' if best else ':'} weakest on {_names(worst)}"
    return text + "."


def _names(factors: list[Factor]) -> str:
    # "OEM certifications" keeps its acronym; "Customer mix" reads as "customer mix".
    return join_words([
        f["name"] if f["name"][1:2].isupper() else f["name"][:1].lower() + f["name"][1:]
        for f in factors
    ])


def fit_assessment(factors: list[Factor], score: int, tier: str) -> str:
    """How well the lead matches the ideal customer, its strengths and what holds it back."""
    text = f"{_FIT_LABEL.get(tier, 'Fit')} ({score}/100)."
    best, worst = strongest(factors), weakest(factors)
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
        "C": "Add to a nurture sequence and revisit when new signals appear.",
        "D": "Do not pursue now; keep on a long-term nurture list.",
    }[tier]]
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
        if reviews is not None and reviews < _FEW_REVIEWS:
            steps.append(f"Only {count_of(reviews, 'review')}: check recent activity before "
                         "investing time.")
        if len(facts["services"]) >= 2 and tier != "D":
            steps.append(f"Open with their {service_phrase(facts['services'])} mix: "
                         "multi-trade work is the strongest hook.")
    return steps
