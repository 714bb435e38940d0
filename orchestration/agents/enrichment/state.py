"""The state the enrichment graph passes between its nodes."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from orchestration.engines.rules.contacts import EmailCheck, PhoneCheck
from orchestration.engines.rules.enrichment import KnownField
from orchestration.integrations.calls import ProviderCall


class EnrichmentState(TypedDict, total=False):
    """Enrichment of one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord being enriched (input)
    skip: bool  # batch option skip_enrichment: pass the lead through untouched (input)
    sync_crm: bool  # batch wants the lead in the CRM and is not a dry run (input)
    known: dict[str, KnownField]  # fields the lead arrived with, each with its source
    lookups: list[str]  # the lookup nodes with something to ask a provider (the rest skip)
    # Provider answers; the lookup nodes run in parallel and each adds its calls (skipped
    # lookups are recorded by collect_known_fields).
    provider_calls: Annotated[list[ProviderCall], operator.add]  # every lookup, in order
    company: dict[str, Any] | None  # Apollo's organization record (None: no answer)
    hunter_company: dict[str, Any] | None  # Hunter's domain record: pattern, social, tech
    people: list[dict[str, Any]]  # named people found by Hunter / Apollo, with sources
    site: dict[str, Any] | None  # facts read from the home page (None: not read)
    linkedin: dict[str, Any]  # {url, source, guess}: the company page and who named it
    email_check: EmailCheck | None  # the lead's own email (None: no email)
    phone_check: PhoneCheck | None  # the best phone (None: no phone)
    best_email: dict[str, Any] | None  # the address to write to: {email, source, check, rank}
    derived: dict[str, Any]  # facts worked out from the fields: social links, keywords
    fields: dict[str, KnownField]  # the merged record: one value and source per field
    confidence: float  # completeness x source quality x providers answering, 0-1
    confidence_factors: dict[str, float | None]  # the three factors behind the confidence
    missing: list[str]  # contact fields still unknown, for the next enrichment step
    crm: dict[str, Any] | None  # CRM sync result (None: not asked for)
