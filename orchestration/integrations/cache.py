"""Provider answers cached twice: Redis (hot, hours) in front of Postgres (the record, days).

A repeated company never costs a second paid call within the provider's TTL: the answer is
read from Redis, else from ``enrichment_cache`` (and Redis is warmed), else the provider is
called once and both are written. While one worker pays for a lookup, others asking for the
same key wait for its answer instead of paying again. "Nothing found" is an answer and is
cached too; failures are not. A cache that is down costs money, never the lead: lookups
then go to the provider.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import orjson
import redis.asyncio as aredis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from db.repositories import enrichment_cache as repository
from db.session import read_only, unit_of_work
from orchestration.integrations import keys

log = logging.getLogger(__name__)

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_POLL_S = 0.05


@dataclass(frozen=True)
class Fetched:
    """A fresh provider answer and what it cost."""

    payload: dict[str, Any]
    cost_usd: Decimal


@dataclass(frozen=True)
class CacheResult:
    payload: dict[str, Any]
    source: Literal["redis", "postgres", "provider"]
    cost_usd: Decimal  # spent now: zero unless the provider was called


class EnrichmentCache:
    """``await cache.get_or_fetch(provider, key, fetch)``; ``fetch`` runs only on a miss."""

    def __init__(
        self,
        client: aredis.Redis,
        ttl_days: Mapping[str, int],
        hot_ttl_s: int,
        *,
        lock_wait_s: float = 15.0,
    ) -> None:
        self._redis = client
        self._ttl_days = dict(ttl_days)
        self._hot_ttl_s = hot_ttl_s
        self._lock_wait_s = lock_wait_s
        self._release = client.register_script(_RELEASE)

    def ttl(self, provider: str) -> timedelta:
        return timedelta(days=self._ttl_days.get(provider, 30))

    async def get_or_fetch(
        self, provider: str, key: str, fetch: Callable[[], Awaitable[Fetched]]
    ) -> CacheResult:
        found = await self._read(provider, key)
        if found is not None:
            return found
        token = secrets.token_hex(8)
        holding = await self._lock(provider, key, token)
        if not holding:
            waited = await self._wait_for_other(provider, key)
            if waited is not None:
                return waited
        try:
            fetched = await fetch()
            await self._write(provider, key, fetched)
            return CacheResult(fetched.payload, "provider", fetched.cost_usd)
        finally:
            if holding:
                await self._unlock(provider, key, token)

    async def _read(self, provider: str, key: str) -> CacheResult | None:
        try:
            hot = await self._redis.get(keys.hot_cache(provider, key))
        except RedisError as exc:
            log.warning("hot cache unreadable (%s)", type(exc).__name__)
            hot = None
        if hot is not None:
            return CacheResult(orjson.loads(hot), "redis", Decimal(0))
        stored = await asyncio.to_thread(self._read_postgres, provider, key)
        if stored is None:
            return None
        await self._warm(provider, key, stored.payload, stored.expires_at)
        return CacheResult(stored.payload, "postgres", Decimal(0))

    def _read_postgres(self, provider: str, key: str) -> repository.CachedAnswer | None:
        try:
            with read_only() as session:
                return repository.get_fresh(session, provider, key, datetime.now(UTC))
        except SQLAlchemyError as exc:
            log.warning("enrichment cache unreadable (%s)", type(exc).__name__)
            return None

    async def _write(self, provider: str, key: str, fetched: Fetched) -> None:
        expires_at = datetime.now(UTC) + self.ttl(provider)
        await asyncio.to_thread(self._write_postgres, provider, key, fetched, expires_at)
        await self._warm(provider, key, fetched.payload, expires_at)

    def _write_postgres(
        self, provider: str, key: str, fetched: Fetched, expires_at: datetime
    ) -> None:
        try:
            with unit_of_work() as session:
                repository.store(
                    session, provider, key, fetched.payload, fetched.cost_usd, expires_at
                )
        except SQLAlchemyError as exc:
            log.warning("enrichment cache not written (%s)", type(exc).__name__)

    async def _warm(
        self, provider: str, key: str, payload: dict[str, Any], expires_at: datetime
    ) -> None:
        left = int((expires_at - datetime.now(UTC)).total_seconds())
        ttl = min(self._hot_ttl_s, left)
        if ttl <= 0:
            return
        try:
            await self._redis.set(keys.hot_cache(provider, key), orjson.dumps(payload), ex=ttl)
        except RedisError as exc:
            log.warning("hot cache not written (%s)", type(exc).__name__)

    async def _lock(self, provider: str, key: str, token: str) -> bool:
        try:
            return bool(
                await self._redis.set(
                    keys.cache_lock(provider, key),
                    token,
                    nx=True,
                    px=int(self._lock_wait_s * 1000),
                )
            )
        except RedisError:
            return True  # no Redis, no coordination: each worker looks up for itself

    async def _unlock(self, provider: str, key: str, token: str) -> None:
        with contextlib.suppress(RedisError):  # the lock expires by itself
            await self._release(keys=[keys.cache_lock(provider, key)], args=[token])

    async def _wait_for_other(self, provider: str, key: str) -> CacheResult | None:
        """Another worker is paying for this key: wait for its answer, within limits."""
        deadline = time.monotonic() + self._lock_wait_s
        while time.monotonic() < deadline:
            await asyncio.sleep(_POLL_S)
            found = await self._read(provider, key)
            if found is not None:
                return found
            try:
                if not await self._redis.exists(keys.cache_lock(provider, key)):
                    return None  # it gave up (the provider failed): try ourselves
            except RedisError:
                return None
        return None
