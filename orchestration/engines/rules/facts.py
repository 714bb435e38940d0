"""What a lead record says about the company, in one typed shape every agent reads.

Lead records come from two very different sources (dealer-locator exports with OEM and
capability columns, and generic CRM-style lists); :func:`facts_from_lead` turns either
into :class:`CompanyFacts` so scoring and writing never dig through raw dicts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, TypedDict

from orchestration.config.rules import RulesConfig, load_rules
from orchestration.engines.rules.programs import oem_product_lines, read_program_tier
from orchestration.engines.rules.text import (
    clean_value,
    display_company,
    display_place,
    join_words,
)

# Service lines in the order sentences list them ("solar, battery and generator work").
SERVICE_KEYS: tuple[str, ...] = (
    "solar", "battery", "generator", "inverters", "hvac", "electrical", "plumbing", "roofing",
)
SERVICE_LABELS: dict[str, str] = {
    "solar": "solar",
    "battery": "battery",
    "generator": "generator",
    "inverters": "inverter",
    "hvac": "HVAC",
    "electrical": "electrical",
    "plumbing": "plumbing",
    "roofing": "roofing",
}
# Service lines an OEM's product line implies (a Generac dealer installs generators).
_LINE_SERVICES: dict[str, str] = {
    "hvac": "hvac", "generator": "generator", "solar": "solar", "battery": "battery",
    "inverters": "inverters",
}
# Columns some exports carry for an operations-and-maintenance offer.
_MAINTENANCE_COLUMNS: tuple[str, ...] = (
    "has_ops_maintenance", "has_maintenance", "has_om", "offers_maintenance",
)
_TRUE_CELLS = frozenset({"true", "yes", "y", "1", "t", "x"})
# Words in a generic row's industry that reveal its service lines.
_INDUSTRY_SERVICE_WORDS: tuple[tuple[str, str], ...] = (
    ("solar", "solar"),
    ("photovoltaic", "solar"),
    ("battery", "battery"),
    ("storage", "battery"),
    ("generator", "generator"),
    ("backup power", "generator"),
    ("inverter", "inverters"),
    ("hvac", "hvac"),
    ("heating", "hvac"),
    ("cooling", "hvac"),
    ("air conditioning", "hvac"),
    ("mechanical", "hvac"),
    ("electric", "electrical"),
    ("plumb", "plumbing"),
    ("roof", "roofing"),
)
_NUMBER = re.compile(r"\d[\d,]*")


class CompanyFacts(TypedDict):
    """The facts about one lead that scoring and writing use."""

    kind: Literal["dealer", "generic"]  # which input format the lead came from
    company: str  # display name, e.g. "A & A Genpro Inc."
    city: str | None  # city as given
    state: str | None  # 2-letter state code when recognisable
    location: str | None  # "Austin, TX", "Austin", "TX" or None: only parts that parse, cased
    oems: list[str]  # OEM certifications, original casing
    oem_count: int  # number of OEM certifications
    oem_source: str | None  # OEM whose dealer locator listed the lead
    dealer_tier: str | None  # the tier cell as given, e.g. "Award Winner, Carrier Authorized"
    program_tier: str | None  # the program tier it names, when known ("Elite Plus")
    program_rank: int  # 0 no tier cell, 1 membership, 2 upper tier, 3 the program's top tier
    program_awards: list[str]  # award and marketing labels found in the tier cell
    oem_lines: dict[str, str]  # product line the OEMs imply -> the OEM: {"generator": "Generac"}
    certifications: list[str]  # other certifications listed
    services: list[str]  # service-line keys (SERVICE_KEYS order)
    services_inferred: bool  # True when services come from the OEMs or the industry, not flags
    services_flagged: list[str]  # the services the capability flags say (has_* true)
    commercial: bool | None  # serves commercial customers (None = unknown)
    residential: bool | None  # serves residential customers (None = unknown)
    general_contractor: bool  # flagged as a general contractor
    rating: float | None  # average review rating, only when on a 0-5 scale and reviewed
    review_count: int | None  # number of reviews (0: no reviews yet)
    rating_scale_invalid: bool  # a rating outside 0-5 was given: bad data, never shown
    maintenance_flag: bool | None  # an O&M / maintenance column says so (None = unknown)
    raw_name: str  # the company name as given, for word signals ("... HOME SERVICES LLC")
    website: str | None
    domain: str | None
    email: str | None
    phone: str | None  # E.164
    contact_name: str | None
    contact_title: str | None
    street: str | None
    zip: str | None
    linkedin_url: str | None
    industry: str | None
    company_size: str | None  # size band as given, e.g. "11-50"
    employee_count: int | None  # employee_count, else the upper end of company_size


def facts_from_lead(lead: Mapping[str, Any], rules: RulesConfig | None = None) -> CompanyFacts:
    """Read a LeadRecord (see the team's lead contract) into :class:`CompanyFacts`.

    ``rules`` (default: the configured tables) supplies the program-tier table and the
    product lines of each OEM.
    """
    tables = (rules or load_rules()).qualification
    profile: Mapping[str, Any] = lead.get("profile") or {}
    capabilities: Mapping[str, Any] = profile.get("capabilities") or {}
    oems = [clean_value(str(o)) for o in profile.get("oems") or [] if str(o).strip()]
    oem_source = _text(profile.get("oem_source"))
    oem_names = tuple(oems) + ((oem_source,) if oem_source and oem_source not in oems else ())
    lines = oem_product_lines(oem_names, tables.oem_lines)
    program = read_program_tier(_text(profile.get("dealer_tier")), oem_names,
                                tables.program_tiers)
    flagged = [key for key in SERVICE_KEYS if capabilities.get(key) is True]
    industry = _text(lead.get("industry"))
    implied = {_LINE_SERVICES[line] for line in lines if line in _LINE_SERVICES}
    implied |= set(_services_in(industry))
    services = [key for key in SERVICE_KEYS if key in flagged or key in implied]
    rating, reviews, rating_invalid = _rating_of(profile)
    city, state = _text(lead.get("city")), _text(lead.get("state"))
    raw_name = str(lead.get("company_name") or "").strip()
    return CompanyFacts(
        kind=_kind_of(profile),
        company=display_company(raw_name or "this company"),
        city=city,
        state=state,
        location=display_place(city, state),
        oems=oems,
        oem_count=max(_int(profile.get("oem_count")) or 0, len(oems)),
        oem_source=oem_source,
        dealer_tier=_text(profile.get("dealer_tier")),
        program_tier=program.label,
        program_rank=program.rank,
        program_awards=list(program.awards),
        oem_lines=lines,
        certifications=[clean_value(str(c)) for c in profile.get("certifications") or []
                        if str(c).strip()],
        services=services,
        services_inferred=bool(set(services) - set(flagged)),
        services_flagged=flagged,
        commercial=_flag(capabilities.get("commercial")),
        residential=_flag(capabilities.get("residential")),
        general_contractor=capabilities.get("gc") is True,
        rating=rating,
        review_count=reviews,
        rating_scale_invalid=rating_invalid,
        maintenance_flag=_maintenance_flag(lead.get("raw")),
        raw_name=raw_name,
        website=_text(lead.get("website")),
        domain=_text(lead.get("domain")),
        email=_text(lead.get("email")),
        phone=_text(lead.get("phone")),
        contact_name=_text(lead.get("contact_name")),
        contact_title=_text(lead.get("contact_title")),
        street=_text(lead.get("street")),
        zip=_text(lead.get("zip")),
        linkedin_url=_text(profile.get("linkedin_url")),
        industry=industry,
        company_size=_text(lead.get("company_size")),
        employee_count=_int(lead.get("employee_count")) or employees_in(lead.get("company_size")),
    )


def employees_in(size_band: object) -> int | None:
    """The upper end of a size band: ``"11-50"`` -> 50, ``"1,000+"`` -> 1000, ``"25"`` -> 25."""
    if not isinstance(size_band, str):
        return None
    numbers = [int(n.replace(",", "")) for n in _NUMBER.findall(size_band)]
    return max(numbers) if numbers else None


def service_phrase(services: list[str]) -> str:
    """``["solar", "battery", "generator"]`` -> ``"solar, battery and generator"``."""
    return join_words([SERVICE_LABELS[key] for key in services])


def mix_phrase(facts: CompanyFacts) -> str | None:
    """Who the company serves, in words, or None when unknown."""
    if facts["commercial"] and facts["residential"]:
        return "both commercial and residential customers"
    if facts["commercial"]:
        return "commercial customers"
    if facts["residential"]:
        return "residential customers"
    return None


def dealer_title(facts: CompanyFacts) -> str:
    """``"Elite Plus Generac dealer"``, ``"Generac dealer"`` or ``"dealer"``.

    Only a program tier the table ranks above membership becomes part of a title: a
    locator's "Standard", an award or scraped junk ("1 Years in Business") never does.
    """
    tier = facts["program_tier"] if facts["program_rank"] >= 2 else None
    return " ".join(part for part in (tier, facts["oem_source"], "dealer") if part)


def _rating_of(profile: Mapping[str, Any]) -> tuple[float | None, int | None, bool]:
    """(rating, review count, rating given outside 0-5): a rating counts only on a 0-5 scale
    and with reviews behind it; 0 with no reviews is "no reviews", not a bad reputation."""
    rating, reviews = _float(profile.get("rating")), _int(profile.get("review_count"))
    if reviews is not None and reviews < 0:
        reviews = None
    if rating is None or rating <= 0:
        return None, reviews, False
    if reviews == 0:  # a rating with no review behind it is a scraper's default, not a rating
        return None, 0, False
    if rating > 5:
        return None, reviews, True
    return rating, reviews, False


def _maintenance_flag(raw: object) -> bool | None:
    if not isinstance(raw, Mapping):
        return None
    for column in _MAINTENANCE_COLUMNS:
        value = raw.get(column)
        if isinstance(value, str) and value.strip():
            return value.strip().lower() in _TRUE_CELLS
    return None


def _kind_of(profile: Mapping[str, Any]) -> Literal["dealer", "generic"]:
    declared = profile.get("source_format")
    if declared in ("dealer", "generic"):
        return "dealer" if declared == "dealer" else "generic"
    looks_like_dealer = profile.get("oems") or profile.get("dealer_tier") or any(
        (profile.get("capabilities") or {}).values()
    )
    return "dealer" if looks_like_dealer else "generic"


def _services_in(industry: str | None) -> list[str]:
    if not industry:
        return []
    text = industry.lower()
    found = {service for word, service in _INDUSTRY_SERVICE_WORDS if word in text}
    return [key for key in SERVICE_KEYS if key in found]


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.replace(",", "")))
        except ValueError:
            return None
    return None


def _float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
