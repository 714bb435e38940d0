"""Why a provider call produced no answer; each maps to a status in the enrichment output."""

from __future__ import annotations


class ProviderError(Exception):
    """A provider call that gave no usable answer; ``status`` is what the lead records."""

    status = "error"

    def __init__(self, provider: str, detail: str) -> None:
        super().__init__(f"{provider}: {detail}")
        self.provider = provider
        self.detail = detail
        self.attempts = 1  # HTTP requests made before giving up (set by the caller)


class ProviderUnavailable(ProviderError):
    """5xx, timeout or connection failure: counts against the provider's circuit breaker."""

    status = "unavailable"


class ProviderThrottled(ProviderError):
    """429 (or our shared rate limit) and no room left in the lookup's time budget."""

    status = "rate_limited"

    def __init__(self, provider: str, detail: str, retry_after_s: float | None = None) -> None:
        super().__init__(provider, detail)
        self.retry_after_s = retry_after_s


class ProviderRejected(ProviderError):
    """A 4xx other than 429: a bad key, bad parameters. Retrying will not help."""

    status = "rejected"

    def __init__(self, provider: str, detail: str, http_status: int) -> None:
        super().__init__(provider, detail)
        self.http_status = http_status


class CircuitOpen(ProviderError):
    """The provider's shared circuit breaker is open: no call was made."""

    status = "circuit_open"
