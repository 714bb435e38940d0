"""Enrichment rules: known fields, derived facts, merging sources, and the confidence.

Provider lookups (Apollo, Hunter, the lead's website) are integrations
(``orchestration/integrations``); this module decides what to make of their answers: which
source wins per field, which email is worth using, and how far to trust the record. It
never invents values: every field carries the source that gave it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from orchestration.config.rules import Enrichment
from orchestration.engines.rules.contacts import EmailCheck, PhoneCheck
from orchestration.engines.rules.facts import SERVICE_KEYS

# Lead columns worth carrying forward, in the order people read a contact card.
LEAD_FIELDS: tuple[str, ...] = (
    "company_name",
    "website",
    "domain",
    "email",
    "phone",
    "contact_name",
    "contact_title",
    "industry",
    "company_size",
    "employee_count",
    "street",
    "city",
    "state",
    "zip",
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
    source: str  # csv (arrived with the lead), apollo, hunter, website, derived


# Which source wins each field, best first. The lead's own row wins contact fields (a
# person typed them); providers win what they measure better (head count, revenue); the
# company's own website wins its social links.
FIELD_PRECEDENCE: dict[str, tuple[str, ...]] = {
    "company_name": ("csv", "apollo", "hunter"),
    "website": ("csv", "apollo"),
    "domain": ("csv",),
    "email": ("csv", "hunter", "apollo"),
    "phone": ("csv", "apollo", "website"),
    "contact_name": ("csv", "apollo", "hunter"),
    "contact_title": ("csv", "apollo", "hunter"),
    "industry": ("csv", "apollo", "hunter"),
    "company_size": ("csv",),
    "employee_count": ("apollo", "csv", "hunter"),
    "annual_revenue": ("apollo", "csv"),
    "founded_year": ("apollo",),
    "description": ("apollo", "website"),
    "street": ("csv", "apollo"),
    "city": ("csv", "apollo"),
    "state": ("csv", "apollo"),
    "zip": ("csv", "apollo"),
    "linkedin_url": ("website", "apollo", "hunter", "csv", "derived"),
    "technologies": ("website", "apollo", "hunter"),
    "service_keywords": ("derived", "website", "apollo"),
}
# How far a value from each source is trusted, 0-1.
SOURCE_QUALITY: dict[str, float] = {
    "csv": 0.9,
    "apollo": 0.9,
    "hunter": 0.85,
    "website": 0.8,
    "derived": 0.6,
}
# Overall confidence = completeness x (QUALITY_FLOOR + (1 - floor) x mean source quality)
# x (ANSWER_FLOOR + (1 - floor) x share of attempted providers that answered).
QUALITY_FLOOR = 0.8
ANSWER_FLOOR = 0.85


def merge_fields(candidates: Mapping[str, Mapping[str, Any]]) -> dict[str, KnownField]:
    """One value per field: ``candidates[source][field]``, chosen by :data:`FIELD_PRECEDENCE`.

    Fields without a precedence rule take the first source that has them, csv first.
    """
    merged: dict[str, KnownField] = {}
    names = {name for values in candidates.values() for name in values}
    for name in sorted(names):
        order = FIELD_PRECEDENCE.get(name, ("csv", "apollo", "hunter", "website", "derived"))
        for source in order:
            value = (candidates.get(source) or {}).get(name)
            if _present(value):
                merged[name] = KnownField(value=value, source=source)
                break
    return merged


def source_quality(fields: Mapping[str, KnownField]) -> float:
    """Mean trust of the sources behind the record's fields (1.0 for an empty record)."""
    if not fields:
        return 1.0
    qualities = [SOURCE_QUALITY.get(field["source"], 0.5) for field in fields.values()]
    return round(sum(qualities) / len(qualities), 3)


def answered_share(statuses: list[str]) -> float | None:
    """Share of the provider lookups actually attempted that gave an answer; None if none."""
    attempted = [s for s in statuses if not s.startswith("skipped")]
    if not attempted:
        return None
    answered = [s for s in attempted if s in {"ok", "not_found", "cached", "cached: not_found"}]
    return round(len(answered) / len(attempted), 3)


def overall_confidence(completeness: float, quality: float, share: float | None) -> float:
    """Completeness discounted by weaker sources and by providers that did not answer."""
    answered = 1.0 if share is None else share
    value = completeness * (QUALITY_FLOOR + (1 - QUALITY_FLOOR) * quality)
    value *= ANSWER_FLOOR + (1 - ANSWER_FLOOR) * answered
    return round(min(max(value, 0.0), 1.0), 2)


def email_rank(
    kind: str,
    verification: str | None,
    provider_confidence: float | None,
    matches_domain: bool | None,
) -> float:
    """How good an address is to write to: named person > role inbox > free-mail; verified
    and on the company's own domain count extra. Invalid addresses rank 0."""
    base = {"personal": 3.0, "role": 1.5, "free_mail": 1.0, "invalid": 0.0}[kind]
    if base == 0.0:
        return 0.0
    if verification in {"valid", "verified"}:
        base += 0.5
    elif verification in {"invalid", "unavailable"}:
        return 0.1
    if matches_domain:
        base += 0.3
    if provider_confidence is not None:
        base += min(max(provider_confidence, 0.0), 100.0) / 200  # at most +0.5
    return round(base, 3)


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
        score += (
            weights.email
            * {
                "personal": 1.0,
                "role": credit.role_email,
                "free_mail": credit.free_mail_email,
                "invalid": 0.0,
            }[email["kind"]]
        )
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
