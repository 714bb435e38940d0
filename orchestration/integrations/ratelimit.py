"""A rate limit per provider shared by every worker process and host, kept in Redis.

GCRA (a leaky bucket held as one timestamp): each call moves the provider's "theoretical
arrival time" one interval on; a caller arriving too early is told how long to wait. The
clock is Redis's own (``TIME``), so hosts with skewed clocks still share one limit. When a
provider answers 429 with a reset time, :meth:`pause` holds every worker back until then.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

import redis.asyncio as aredis

from orchestration.integrations import keys
from orchestration.integrations.errors import ProviderThrottled

# Returns 0 when the call may go now, else the milliseconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat - burst
if now < allow_at then return allow_at - now end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now + 1000)
return 0
"""


class SharedRateLimiter:
    """``await limiter.acquire("hunter", deadline)`` before every request to a provider."""

    def __init__(self, client: aredis.Redis, rates_per_second: Mapping[str, float]) -> None:
        self._redis = client
        self._rates = dict(rates_per_second)
        self._script = client.register_script(_ACQUIRE)

    def rate(self, provider: str) -> float | None:
        rate = self._rates.get(provider)
        return rate if rate and rate > 0 else None

    async def acquire(self, provider: str, deadline: float) -> float:
        """Wait for the provider's next free slot; return the seconds waited.

        ``deadline`` is a ``time.monotonic()`` instant: when the slot comes later than
        that, :class:`ProviderThrottled` is raised at once rather than sleeping in vain.
        """
        rate = self.rate(provider)
        if rate is None:
            return 0.0
        interval_ms = max(1, int(1000 / rate))
        burst_ms = interval_ms * max(0, int(rate) - 1)  # up to one second's worth at once
        waited = 0.0
        while True:
            wait_ms = int(
                await self._script(
                    keys=[keys.rate_tat(provider), keys.rate_paused(provider)],
                    args=[interval_ms, burst_ms],
                )
            )
            if wait_ms <= 0:
                return waited
            wait_s = wait_ms / 1000
            if time.monotonic() + wait_s > deadline:
                raise ProviderThrottled(
                    provider,
                    f"rate limit: next slot in {wait_s:.1f} s, past the time budget",
                    retry_after_s=wait_s,
                )
            await asyncio.sleep(wait_s)
            waited += wait_s

    async def pause(self, provider: str, seconds: float) -> None:
        """Hold every worker's calls to ``provider`` for ``seconds`` (its 429 said so)."""
        if seconds > 0:
            await self._redis.set(keys.rate_paused(provider), "1", px=max(1, int(seconds * 1000)))
