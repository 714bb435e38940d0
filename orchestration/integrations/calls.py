"""The record of one provider lookup, as it appears in the enrichment output's "providers"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict

SKIPPED_NO_KEY = "skipped: no key"


class ProviderCall(TypedDict):
    """One lookup: who, what, how it went, what it cost."""

    provider: str  # hunter, apollo, linkedin, website, close
    operation: str  # e.g. domain_search, organization_enrich, home_page
    status: str  # ok, not_found, cached, skipped: no key, unavailable, circuit_open, ...
    cost_usd: float  # money spent by this lookup (0 when served from cache)
    latency_ms: float
    attempts: int  # HTTP requests made (retries included); 0 when cached or skipped
    error: str | None  # why there is no answer, in plain words (never a key or an address)


def call_record(
    provider: str,
    operation: str,
    status: str,
    *,
    cost_usd: Decimal | float = 0,
    latency_ms: float = 0.0,
    attempts: int = 0,
    error: str | None = None,
) -> ProviderCall:
    return ProviderCall(
        provider=provider,
        operation=operation,
        status=status,
        cost_usd=float(cost_usd),
        latency_ms=round(latency_ms, 1),
        attempts=attempts,
        error=error,
    )


def total_cost(calls: list[ProviderCall] | list[dict[str, Any]]) -> float:
    """Money spent by ``calls``, rounded to the execution row's precision."""
    return round(sum(float(call.get("cost_usd") or 0) for call in calls), 6)
