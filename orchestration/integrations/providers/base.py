"""What every provider lookup shares: the cache in front, the timing, the call record."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from orchestration.integrations.cache import EnrichmentCache, Fetched
from orchestration.integrations.calls import SKIPPED_NO_KEY, ProviderCall, call_record
from orchestration.integrations.errors import ProviderError
from orchestration.integrations.http import ProviderHttp


@dataclass(frozen=True)
class Lookup:
    """A lookup's normalised facts (None: no answer) and the record of how it went."""

    call: ProviderCall
    data: dict[str, Any] | None

    @property
    def answered(self) -> bool:
        return self.data is not None


def skipped(provider: str, operation: str, reason: str = SKIPPED_NO_KEY) -> Lookup:
    return Lookup(call_record(provider, operation, reason), None)


async def cached_lookup(
    cache: EnrichmentCache,
    provider: str,
    operation: str,
    key: str,
    fetch: Callable[[], Awaitable[Fetched]],
) -> Lookup:
    """Serve ``operation`` from the cache or by ``fetch``; provider errors become a record.

    The payload of a fetch is ``{"found": bool, ...facts}``; "found": False is a real
    answer (nobody there), cached like any other.
    """
    started = time.monotonic()
    attempts = 0

    async def counted_fetch() -> Fetched:
        nonlocal attempts
        fetched = await fetch()
        attempts = int(fetched.payload.pop("_attempts", 1))
        return fetched

    try:
        result = await cache.get_or_fetch(provider, f"{operation}:{key}", counted_fetch)
    except ProviderError as exc:
        return Lookup(
            call_record(
                provider,
                operation,
                exc.status,
                latency_ms=(time.monotonic() - started) * 1000,
                attempts=max(attempts, exc.attempts),
                error=exc.detail,
            ),
            None,
        )
    payload = dict(result.payload)
    found = bool(payload.pop("found", True))
    if result.source == "provider":
        status = "ok" if found else "not_found"
    else:
        status = "cached" if found else "cached: not_found"
    return Lookup(
        call_record(
            provider,
            operation,
            status,
            cost_usd=result.cost_usd,
            latency_ms=(time.monotonic() - started) * 1000,
            attempts=attempts,
        ),
        payload if found else {},
    )


class CachedProviderClient:
    """A paid provider's lookups, each served from the cache or fetched; without a key (no
    HTTP client) every lookup is recorded as skipped and costs nothing."""

    provider: str

    def __init__(self, http: ProviderHttp | None, cache: EnrichmentCache) -> None:
        self._http = http
        self._cache = cache

    @property
    def enabled(self) -> bool:
        return self._http is not None

    async def _lookup(
        self,
        operation: str,
        key: str,
        fetch: Callable[[ProviderHttp], Awaitable[Fetched]],
    ) -> Lookup:
        """``operation`` for ``key``: skipped without a key, else :func:`cached_lookup`."""
        http = self._http
        if http is None:
            return skipped(self.provider, operation)
        return await cached_lookup(self._cache, self.provider, operation, key, lambda: fetch(http))
