"""The state the enrichment graph passes between its nodes."""

from __future__ import annotations

from typing import Any, TypedDict

from orchestration.engines.rules.contacts import EmailCheck, PhoneCheck
from orchestration.engines.rules.enrichment import KnownField


class EnrichmentState(TypedDict, total=False):
    """Enrichment of one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord being enriched (input)
    skip: bool  # batch option skip_enrichment: pass the lead through untouched (input)
    known: dict[str, KnownField]  # fields the lead arrived with, each with its source
    email_check: EmailCheck | None  # what the email address is good for (None: no email)
    phone_check: PhoneCheck | None  # whether the phone can be dialled (None: no phone)
    derived: dict[str, Any]  # facts worked out from the fields: social links, keywords
    fields: dict[str, KnownField]  # the merged record: known plus derived fields
    confidence: float  # completeness and usability of the record, 0-1
    missing: list[str]  # contact fields still unknown, for the next enrichment step
