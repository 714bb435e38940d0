"""Lead records tests build on, following the LeadRecord contract (intake's LeadDraft keys
plus id, batch_id, duplicate_of, duplicate_reason, stage_outputs)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.agents.base import RunContext
from orchestration.agents.registry import get_agent

EXAMPLES_CSV = Path(__file__).resolve().parents[2] / "examples" / "dealers.csv"
# A Wednesday afternoon in Chicago; the next business day is Thursday 12 June 2025.
FIXED_NOW = datetime(2025, 6, 11, 20, 0, tzinfo=UTC)
CAPABILITY_KEYS = ("hvac", "solar", "inverters", "generator", "battery", "electrical",
                   "plumbing", "roofing", "commercial", "residential", "gc")


def dealer_lead(*, profile: dict[str, Any] | None = None,
                capabilities: Mapping[str, bool | None] | None = None,
                **fields: Any) -> dict[str, Any]:
    """A dealer-locator lead: single-OEM Premier Generac dealer in Austin unless overridden."""
    caps: dict[str, bool | None] = dict.fromkeys(CAPABILITY_KEYS)
    caps.update(capabilities or {"generator": True, "residential": True})
    lead_profile: dict[str, Any] = {
        "source_format": "dealer", "oem_source": "Generac", "oems": ["Generac"], "oem_count": 1,
        "dealer_tier": "Premier", "certifications": [], "capabilities": caps, "rating": 4.6,
        "review_count": 60, "icp_score": None, "icp_tier": None, "component_scores": {},
        "evidence": {}, "estimated_revenue": None, "linkedin_url": None, "address_full": None,
    }
    lead_profile.update(profile or {})
    lead: dict[str, Any] = {
        "id": "7d9e2f44-0000-4000-8000-000000000001", "batch_id": None, "csv_index": 1,
        "company_name": "Sunrise Power Solutions", "name_key": "sunrise power solutions",
        "website": "https://sunrisepower.com/", "domain": "sunrisepower.com", "email": None,
        "phone": "+15125550100", "contact_name": None, "contact_title": None,
        "industry": None, "company_size": None, "employee_count": None,
        "street": "1200 Main St", "city": "Austin", "state": "TX", "zip": "78701",
        "profile": lead_profile, "raw": {}, "duplicate_of": None, "duplicate_reason": None,
        "stage_outputs": {},
    }
    lead.update(fields)
    return lead


def strong_dealer(**fields: Any) -> dict[str, Any]:
    """Elite Generac dealer, 3 OEMs, solar + battery + generator, resimercial, 4.8 from 212."""
    return dealer_lead(
        profile={"oems": ["Generac", "Kohler", "Cummins"], "oem_count": 3,
                 "dealer_tier": "Elite", "rating": 4.8, "review_count": 212},
        capabilities={"solar": True, "battery": True, "generator": True, "commercial": True,
                      "residential": True},
        **fields,
    )


def weak_dealer(**fields: Any) -> dict[str, Any]:
    """Authorized single-OEM generator dealer, no website, 5.0 from only 3 reviews."""
    defaults: dict[str, Any] = {"company_name": "Lone Oak Generators", "website": None,
                                "domain": None, "city": "Tyler"}
    defaults.update(fields)
    return dealer_lead(profile={"dealer_tier": "Authorized", "rating": 5.0, "review_count": 3},
                       **defaults)


def no_fit_dealer(**fields: Any) -> dict[str, Any]:
    """A tier-D lead: no OEM, no program, no known trade or market, nothing in the name."""
    defaults: dict[str, Any] = {"company_name": "Smith & Sons LLC"}
    defaults.update(fields)
    return dealer_lead(capabilities=dict.fromkeys(CAPABILITY_KEYS),
                       profile={"oem_source": None, "oems": [], "oem_count": 0,
                                "dealer_tier": None}, **defaults)


def generic_lead(**fields: Any) -> dict[str, Any]:
    """A generic-format lead: a small solar installer with an owner as contact."""
    lead: dict[str, Any] = {
        "id": "7d9e2f44-0000-4000-8000-000000000002", "batch_id": None, "csv_index": 2,
        "company_name": "Brightwave Solar", "name_key": "brightwave solar",
        "website": "https://brightwavesolar.com/", "domain": "brightwavesolar.com",
        "email": "dana@brightwavesolar.com", "phone": "+16025550142",
        "contact_name": "Dana Whitfield", "contact_title": "Owner", "industry": "Solar Energy",
        "company_size": "11-50", "employee_count": None, "street": None, "city": "Phoenix",
        "state": "AZ", "zip": None, "profile": {"source_format": "generic"}, "raw": {},
        "duplicate_of": None, "duplicate_reason": None, "stage_outputs": {},
    }
    lead.update(fields)
    return lead


def through_stages(lead: dict[str, Any], *stages: str,
                   context: RunContext | None = None) -> dict[str, Any]:
    """The lead after the named stages ran, with their outputs in ``stage_outputs``."""
    lead = copy.deepcopy(lead)
    for stage in stages:
        outcome = get_agent(stage).run(lead, context or RunContext())
        lead["stage_outputs"][stage] = outcome.output
    return lead


def sample_csv_leads(*, distinct: bool = False) -> list[dict[str, Any]]:
    """Every good row of examples/dealers.csv as a LeadRecord.

    distinct: leave out rows intake flags as repeats of an earlier row (the same dealer
    listed by two OEM locators), whose text may rightly be the same.
    """
    from api.intake import mark_in_batch_duplicates, parse_leads

    result = parse_leads(EXAMPLES_CSV.read_bytes(), source=EXAMPLES_CSV.name)
    drafts = result.leads
    if distinct:
        mark_in_batch_duplicates(drafts)
        drafts = [d for d in drafts if not d.get("duplicate_reason")]
    return [
        dict(draft, id=f"00000000-0000-4000-8000-{index:012d}", batch_id=None,
             duplicate_of=None, duplicate_reason=None, stage_outputs={})
        for index, draft in enumerate(drafts)
    ]
