"""The one way a provider request is made: rate limit, circuit breaker, timeout, retries.

Every attempt first takes a slot from the shared rate limit, then runs under the provider's
circuit breaker with a time limit. 429 and 5xx answers, timeouts and dropped connections
are retried; the wait honours the provider's own reset headers (``Retry-After``,
``X-RateLimit-Reset``, Close's ``RateLimit: ... reset=`` and ``rate_reset``) and otherwise
backs off exponentially with jitter. Nothing waits past the lookup's time budget.
Keys travel in headers or basic auth, never in URLs, so they cannot reach a log line.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy

from orchestration.integrations.breaker import ProviderBreaker
from orchestration.integrations.errors import (
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)
from orchestration.integrations.ratelimit import SharedRateLimiter

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_BACKOFF_BASE_S = 0.25
_BACKOFF_CAP_S = 8.0


@dataclass(frozen=True)
class ProviderAnswer:
    """A 2xx (or an expected 404) answer with its parsed JSON body."""

    status: int
    data: dict[str, Any]
    attempts: int
    latency_ms: float


@dataclass
class RequestSpec:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    not_found_ok: bool = False  # a 404 is an answer ("nobody by that name"), not an error


class ProviderHttp:
    """Requests to one provider's API root, with its auth, limit and breaker."""

    def __init__(
        self,
        provider: str,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        limiter: SharedRateLimiter,
        breaker: ProviderBreaker,
        timeout_s: float,
        max_retries: int,
        max_wait_s: float,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.provider = provider
        self._session = session
        self._base = base_url.rstrip("/")
        self._limiter = limiter
        self.breaker = breaker
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._max_retries = max_retries
        self._max_wait_s = max_wait_s
        self._headers = headers or {}

    async def request(self, spec: RequestSpec) -> ProviderAnswer:
        """Make the request; raise a :class:`ProviderError` when no answer comes in time."""
        started = time.monotonic()
        deadline = started + self._max_wait_s
        attempts = 0
        while True:
            await self._limiter.acquire(self.provider, deadline)
            attempts += 1
            try:
                status, data = await self.breaker.call(lambda: self._attempt(spec))
            except ProviderError as exc:
                exc.attempts = attempts
                if not isinstance(exc, ProviderUnavailable | ProviderThrottled):
                    raise
                wait = self._retry_wait(exc, attempts)
                if attempts > self._max_retries or time.monotonic() + wait > deadline:
                    raise
                log.info(
                    "%s %s: %s; retry %d in %.2f s",
                    self.provider,
                    spec.path,
                    exc.detail,
                    attempts,
                    wait,
                )
                await asyncio.sleep(wait)
                continue
            return ProviderAnswer(
                status=status,
                data=data,
                attempts=attempts,
                latency_ms=(time.monotonic() - started) * 1000,
            )

    def _retry_wait(self, exc: ProviderError, attempts: int) -> float:
        if isinstance(exc, ProviderThrottled) and exc.retry_after_s is not None:
            return exc.retry_after_s
        backoff = min(_BACKOFF_CAP_S, _BACKOFF_BASE_S * 2 ** (attempts - 1))
        return random.uniform(backoff / 2, backoff)

    async def _attempt(self, spec: RequestSpec) -> tuple[int, dict[str, Any]]:
        url = f"{self._base}/{spec.path.lstrip('/')}"
        try:
            async with self._session.request(
                spec.method,
                url,
                params=spec.params or None,
                json=spec.json,
                headers=self._headers,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                status = response.status
                headers = response.headers
        except TimeoutError as exc:
            raise ProviderUnavailable(self.provider, "no answer in time") from exc
        except aiohttp.ClientError as exc:
            raise ProviderUnavailable(
                self.provider, f"connection failed ({type(exc).__name__})"
            ) from exc
        data = _json_object(body)
        if status == 429:
            wait = reset_wait_s(headers, data)
            if wait is not None:
                await self._limiter.pause(self.provider, wait)
            raise ProviderThrottled(self.provider, "429 too many requests", retry_after_s=wait)
        if status >= 500:
            raise ProviderUnavailable(self.provider, f"server error {status}")
        if status == 404 and spec.not_found_ok:
            return status, data
        if status >= 400:
            raise ProviderRejected(self.provider, f"{status} {_error_text(data)}", status)
        return status, data


def reset_wait_s(headers: CIMultiDictProxy[str], body: dict[str, Any]) -> float | None:
    """Seconds the provider asks us to wait, from whichever signal it sent."""
    retry_after = headers.get("Retry-After")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                when = parsedate_to_datetime(retry_after)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                return max(0.0, when.timestamp() - time.time())
    reset = headers.get("X-RateLimit-Reset") or headers.get("RateLimit-Reset")
    if reset:
        try:
            value = float(reset)
        except ValueError:
            value = None
        if value is not None:
            # Epoch seconds when large, seconds from now when small (both are in use).
            return max(0.0, value - time.time()) if value > 1e9 else max(0.0, value)
    close_header = headers.get("RateLimit")  # Close: "limit=..., remaining=0, reset=1.5"
    if close_header:
        for part in close_header.split(","):
            name, _, value_text = part.strip().partition("=")
            if name == "reset":
                try:
                    return max(0.0, float(value_text))
                except ValueError:
                    break
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("rate_reset"), int | float):
        return max(0.0, float(error["rate_reset"]))  # Close's 429 body
    return None


def _json_object(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {"data": parsed}


def _error_text(data: dict[str, Any]) -> str:
    # Hunter: {"errors": [{"id", "code", "details"}]}; Apollo: {"error": "..."};
    # Close: {"error": "..."} or {"field-errors": {...}}.
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("details") or errors[0].get("id") or "")[:200]
    error = data.get("error")
    if isinstance(error, str):
        return error[:200]
    if isinstance(error, dict):
        return str(error.get("message") or "")[:200]
    if data.get("field-errors"):
        return f"invalid fields: {', '.join(map(str, data['field-errors']))}"[:200]
    return ""
