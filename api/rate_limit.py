"""Requests per minute per API key, shared by every API process through Redis.

A sliding window over two fixed one-minute windows: the count is this minute's requests
plus last minute's weighted by how much of it is still inside the last 60 s (no bursts of
twice the limit at a minute's edge, as a plain fixed window allows). Refused requests count
too, so a client that keeps hammering stays refused until it slows down.

Each process counts on its own and settles with Redis at most every ``SYNC_S`` per key
(INCRBY of what it counted, GET of last minute, one round trip): a Redis call per request
measurably slowed 200 status polls/s (p99 over a second on two cores). The price is that
several processes together may overshoot the limit by what each counted in ``SYNC_S``;
one process alone never does.

When Redis cannot be reached each process goes on limiting by its own count: the limit
protects the API from one noisy client, and an outage of the limiter must not become an
outage of the API (`/health` reports Redis).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
import weakref
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aredis
from redis.exceptions import RedisError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from settings import get_settings

logger = logging.getLogger(__name__)

WINDOW_S = 60
SYNC_S = 0.1
_MAX_BUCKETS = 10_000
LIMITED_PREFIX = "/api"
_REDIS_TIMEOUT_S = 0.5
_REDIS_CONNECTIONS = 8


def window_key(key_id: str, window: int) -> str:
    """``ratelimit:api:<sha256 of the key, 16 hex>:<minute number>``."""
    return f"ratelimit:api:{key_id}:{window}"


def key_id(api_key: str) -> str:
    # Only a digest goes to Redis: the key itself is a secret.
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def sliding_count(previous: int, current: int, elapsed_s: float) -> float:
    """Requests in the last minute, estimated from two fixed windows."""
    return previous * (1 - elapsed_s / WINDOW_S) + current


@dataclass
class _Bucket:
    """One key's count in this process for one window."""

    window: int
    pending: int = 0  # counted here, not yet added in Redis
    current: int = 0  # this window's total in Redis at the last settle
    previous: int = 0  # last window's total in Redis
    settled_at: float = 0.0
    settling: bool = False


class RateLimitMiddleware:
    """Answers ``429`` with ``Retry-After`` once a key exceeds
    ``SALES_AGENT_RATE_LIMIT_PER_MINUTE`` on ``/api`` routes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # One client per event loop: a client's connections belong to the loop that made
        # them (the test client runs each session on a loop of its own).
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aredis.Redis] = (
            weakref.WeakKeyDictionary()
        )
        self._buckets: dict[str, _Bucket] = {}

    def _client(self) -> aredis.Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            # A few connections, waited for: a burst of requests must queue for one rather
            # than open a connection each (measured: hundreds of connects per second
            # under 200 polls/s slowed every answer and ran out of connections).
            pool = aredis.BlockingConnectionPool.from_url(
                get_settings().redis_url,
                max_connections=_REDIS_CONNECTIONS,
                timeout=_REDIS_TIMEOUT_S,
                socket_timeout=_REDIS_TIMEOUT_S,
                socket_connect_timeout=_REDIS_TIMEOUT_S,
            )
            client = aredis.Redis(connection_pool=pool)
            self._clients[loop] = client
        return client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = get_settings().rate_limit_per_minute
        if scope["type"] != "http" or limit <= 0 or not scope["path"].startswith(LIMITED_PREFIX):
            await self.app(scope, receive, send)
            return
        api_key = _header(scope, b"x-api-key")
        if api_key is None:  # refused by the key check anyway
            await self.app(scope, receive, send)
            return
        retry_after = await self._retry_after(key_id(api_key), limit)
        if retry_after is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            {"detail": f"rate limit of {limit} requests per minute exceeded for this API key"},
            status_code=429,
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)

    async def _retry_after(self, ident: str, limit: int) -> int | None:
        """Seconds to wait when this request is over the limit, else None."""
        now = time.time()
        window = int(now // WINDOW_S)
        bucket = self._bucket(ident, window)
        bucket.pending += 1
        if not bucket.settling and now - bucket.settled_at >= SYNC_S:
            await self._settle(ident, bucket, now)
        elapsed = now - window * WINDOW_S
        current = bucket.current + bucket.pending
        if sliding_count(bucket.previous, current, elapsed) <= limit:
            return None
        return _seconds_until_under(bucket.previous, current, elapsed, limit)

    def _bucket(self, ident: str, window: int) -> _Bucket:
        bucket = self._buckets.get(ident)
        if bucket is None or bucket.window != window:
            if len(self._buckets) >= _MAX_BUCKETS:
                # Keys seen only in past windows count for nothing any more.
                self._buckets = {k: b for k, b in self._buckets.items() if b.window == window}
            # What was counted but not yet settled goes into the new window.
            carried = bucket.pending if bucket is not None else 0
            bucket = _Bucket(window, pending=carried)
            self._buckets[ident] = bucket
        return bucket

    async def _settle(self, ident: str, bucket: _Bucket, now: float) -> None:
        bucket.settling = True
        sent = bucket.pending
        current_key = window_key(ident, bucket.window)
        try:
            async with self._client().pipeline(transaction=False) as pipe:
                pipe.incrby(current_key, sent)
                pipe.expire(current_key, 2 * WINDOW_S)
                pipe.get(window_key(ident, bucket.window - 1))
                replies: list[Any] = await pipe.execute()
        except (RedisError, OSError) as exc:
            logger.warning("rate limit counted in this process only: Redis unavailable (%s)", exc)
        else:
            bucket.pending -= sent
            bucket.current = int(replies[0])
            bucket.previous = int(replies[2] or 0)
        finally:
            bucket.settled_at = now
            bucket.settling = False


def _seconds_until_under(previous: int, current: int, elapsed: float, limit: int) -> int:
    """Whole seconds until the estimate drops to the limit, if no other request comes."""
    remaining = WINDOW_S - elapsed
    if current <= limit:
        # Last minute's share fades linearly through the rest of this minute.
        fades_at = WINDOW_S * (previous + current - limit) / previous
        return max(1, math.ceil(min(fades_at - elapsed, remaining)))
    # This minute alone is over: next minute it weighs as "previous" and fades from there.
    return max(1, math.ceil(remaining + WINDOW_S * (current - limit) / current))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
