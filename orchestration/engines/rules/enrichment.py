"""Enrichment from what the lead already carries: known fields, derived facts, confidence.

Provider lookups (Apollo, Hunter, the lead's website) are separate integrations; this
module only organises and checks the data that arrived with the lead, and never invents
values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from orchestration.config.rules import Enrichment
from orchestration.engines.rules.contacts import EmailCheck, PhoneCheck
from orchestration.engines.rules.facts import SERVICE_KEYS

# Lead columns worth carrying forward, in the order people read a contact card.
LEAD_FIELDS: tuple[str, ...] = (
    "company_name", "website", "domain", "email", "phone", "contact_name", "contact_title",
    "industry", "company_size", "employee_count", "street", "city", "state", "zip",
)
PROFILE_FIELDS: tuple[str, ...] = ("linkedin_url", "estimated_revenue", "address_full")
# Words that mark a raw column or value as a social profile, by network.
_SOCIAL_NETWORKS: dict[str, tuple[str, ...]] = {
    "facebook": ("facebook.com", "fb.com"),
    "instagram": ("instagram.com",),
    "x": ("twitter.com", "x.com"),
    "youtube": ("youtube.com",),
    "yelp": ("yelp.com",),
    "linkedin": ("linkedin.com",),
}
SERVICE_KEYWORDS: dict[str, str] = {
    "solar": "solar installation",
    "battery": "battery storage",
    "generator": "standby generators",
    "inverters": "inverters",
    "hvac": "HVAC",
    "electrical": "electrical contracting",
    "plumbing": "plumbing",
    "roofing": "roofing",
}


class KnownField(TypedDict):
    """One field's value and where it came from."""

    value: Any
    source: str  # "csv" (arrived with the lead) or "derived" (worked out from other fields)


def known_fields(lead: Mapping[str, Any]) -> dict[str, KnownField]:
    """Every non-empty field the lead arrived with, marked as coming from the CSV."""
    profile: Mapping[str, Any] = lead.get("profile") or {}
    found: dict[str, KnownField] = {}
    for name in LEAD_FIELDS:
        if _present(lead.get(name)):
            found[name] = KnownField(value=lead[name], source="csv")
    for name in PROFILE_FIELDS:
        if _present(profile.get(name)):
            found[name] = KnownField(value=profile[name], source="csv")
    return found


def social_profiles(lead: Mapping[str, Any]) -> dict[str, str]:
    """Social profile URLs found in the profile or in unknown CSV columns, by network."""
    profile: Mapping[str, Any] = lead.get("profile") or {}
    candidates = [str(profile.get("linkedin_url") or "")]
    candidates += [str(value) for value in (lead.get("raw") or {}).values()]
    found: dict[str, str] = {}
    for value in candidates:
        url = value.strip()
        lowered = url.lower()
        if not lowered.startswith(("http://", "https://", "www.")):
            continue
        for network, hosts in _SOCIAL_NETWORKS.items():
            if network not in found and any(f"{host}/" in lowered for host in hosts):
                found[network] = url if lowered.startswith("http") else f"https://{url}"
    return found


def service_keywords(lead: Mapping[str, Any]) -> list[str]:
    """Search keywords for the company's work: service lines, OEM brands, certifications."""
    profile: Mapping[str, Any] = lead.get("profile") or {}
    capabilities: Mapping[str, Any] = profile.get("capabilities") or {}
    keywords = [SERVICE_KEYWORDS[key] for key in SERVICE_KEYS if capabilities.get(key) is True]
    if capabilities.get("commercial") is True:
        keywords.append("commercial")
    if capabilities.get("residential") is True:
        keywords.append("residential")
    if capabilities.get("gc") is True:
        keywords.append("general contracting")
    keywords += [f"{oem} certified" for oem in profile.get("oems") or [] if str(oem).strip()]
    keywords += [str(c).strip() for c in profile.get("certifications") or [] if str(c).strip()]
    unique: dict[str, str] = {}
    for keyword in keywords:
        unique.setdefault(keyword.lower(), keyword)
    return list(unique.values())


def confidence(
    fields: Mapping[str, KnownField],
    email: EmailCheck | None,
    phone: PhoneCheck | None,
    has_services: bool,
    rules: Enrichment,
) -> float:
    """How complete and usable the record is, 0-1, by the weights in ``scoring.toml``."""
    weights, credit = rules.confidence_weights, rules.partial_credit
    score = weights.company_name * ("company_name" in fields)
    score += weights.website * ("website" in fields)
    if email is not None:
        score += weights.email * {
            "personal": 1.0,
            "role": credit.role_email,
            "free_mail": credit.free_mail_email,
            "invalid": 0.0,
        }[email["kind"]]
    if phone is not None:
        score += weights.phone * (1.0 if phone["valid"] else credit.invalid_phone)
    score += weights.contact_name * ("contact_name" in fields)
    score += weights.contact_title * ("contact_title" in fields)
    address_parts = sum(part in fields for part in ("street", "city", "state", "zip"))
    score += weights.address * address_parts / 4
    what_they_do = has_services or "industry" in fields
    how_big = "company_size" in fields or "employee_count" in fields
    score += weights.firmographics * (what_they_do + how_big) / 2
    return round(min(score, 1.0), 2)


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return not (isinstance(value, list | dict) and not value)
