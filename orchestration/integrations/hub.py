"""The process's integrations, built from settings on the integration loop, after fork.

:func:`get_integrations` gives one :class:`Integrations` per process (a forked child
builds its own). Nothing opens at construction: sessions and Redis clients are created on
first use, on the loop that will use them, and only for what is configured; a process
whose providers all lack keys and whose website reading is off never touches the network.
"""

from __future__ import annotations

import logging
import os
import threading

import aiohttp
import redis
import redis.asyncio as aredis
from aiohttp.abc import AbstractResolver

from orchestration.integrations.breaker import ProviderBreaker
from orchestration.integrations.cache import EnrichmentCache
from orchestration.integrations.http import ProviderHttp
from orchestration.integrations.loop import run_sync
from orchestration.integrations.providers.apollo import ApolloClient
from orchestration.integrations.providers.close import CloseClient
from orchestration.integrations.providers.hunter import HunterClient
from orchestration.integrations.ratelimit import SharedRateLimiter
from orchestration.integrations.web.fetch import SafeFetcher, policy_from_settings
from settings import Settings, get_settings

log = logging.getLogger(__name__)

PAID_PROVIDERS = ("hunter", "apollo", "close")


class IntegrationsNotConfiguredError(RuntimeError):
    """A provider is configured but there is no Redis for its shared limits and breaker."""


class Integrations:
    """Provider clients, the caches, the website fetcher; open with :meth:`open` on the loop."""

    def __init__(self, settings: Settings, *, resolver: AbstractResolver | None = None) -> None:
        self.settings = settings
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None
        self._redis: aredis.Redis | None = None
        self._sync_redis: redis.Redis | None = None
        self._breakers: dict[str, ProviderBreaker] = {}
        self.hunter: HunterClient
        self.apollo: ApolloClient
        self.close: CloseClient
        self.fetcher: SafeFetcher
        self.cache: EnrichmentCache

    def has_key(self, provider: str) -> bool:
        secret = getattr(self.settings, f"{provider}_api_key")
        return bool(secret.get_secret_value().strip())

    @property
    def reads_websites(self) -> bool:
        return self.settings.fetch_websites

    @property
    def opened(self) -> bool:
        return self._session is not None

    async def open(self) -> None:
        """Create sessions and clients on the running loop (idempotent; no await before
        the session is set, so concurrent first calls on one loop build it once)."""
        if self._session is not None:
            return
        settings = self.settings
        if not settings.redis_url:
            raise IntegrationsNotConfiguredError(
                "provider lookups need SALES_AGENT_REDIS_URL (shared rate limits, breakers, cache)"
            )
        # The breakers are built first: theirs is the only Redis I/O here, so a Redis that
        # is down fails this call before anything needing a clean-up exists.
        for provider in PAID_PROVIDERS:
            if self.has_key(provider):
                self.breaker(provider)
        self._redis = aredis.Redis.from_url(settings.redis_url, decode_responses=True)
        limiter = SharedRateLimiter(self._redis, settings.provider_rate_limits)
        self.cache = EnrichmentCache(
            self._redis,
            settings.enrichment_cache_ttl_days,
            settings.enrichment_hot_cache_ttl_s,
            lock_wait_s=settings.provider_max_wait_s,
        )
        self.fetcher = SafeFetcher(policy_from_settings(settings), resolver=self._resolver)
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=64, limit_per_host=16),
            trust_env=False,
            headers={"Accept": "application/json"},
        )
        self.hunter = HunterClient(self._http("hunter", session, limiter), self.cache)
        self.apollo = ApolloClient(self._http("apollo", session, limiter), self.cache)
        self.close = CloseClient(self._http("close", session, limiter))
        self._session = session  # last: a set session means "fully open"

    def breaker(self, provider: str) -> ProviderBreaker:
        """The provider's shared circuit breaker (sync Redis; usable before :meth:`open`)."""
        if provider not in self._breakers:
            if self._sync_redis is None:
                self._sync_redis = redis.Redis.from_url(
                    self.settings.redis_url, decode_responses=False
                )
            self._breakers[provider] = ProviderBreaker(
                provider,
                self._sync_redis,
                fail_max=self.settings.breaker_fail_max,
                reset_timeout_s=self.settings.breaker_reset_timeout_s,
            )
        return self._breakers[provider]

    def _http(
        self, provider: str, session: aiohttp.ClientSession, limiter: SharedRateLimiter
    ) -> ProviderHttp | None:
        if not self.has_key(provider):
            return None
        key = getattr(self.settings, f"{provider}_api_key").get_secret_value().strip()
        headers: dict[str, str] = {}
        if provider == "hunter":
            headers["X-API-KEY"] = key
        elif provider == "apollo":
            headers["x-api-key"] = key
            headers["Cache-Control"] = "no-cache"
        else:  # Close: basic auth, the key as user name and no password
            headers["Authorization"] = aiohttp.encode_basic_auth(key, "")
        return ProviderHttp(
            provider,
            session,
            getattr(self.settings, f"{provider}_base_url"),
            limiter=limiter,
            breaker=self.breaker(provider),
            timeout_s=self.settings.provider_timeout_s,
            max_retries=self.settings.provider_max_retries,
            max_wait_s=self.settings.provider_max_wait_s,
            headers=headers,
        )

    async def aclose(self) -> None:
        """Close what :meth:`open` created (tests; worker shutdown)."""
        session, self._session = self._session, None
        if session is not None:
            await self.fetcher.close()
            await session.close()
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
        if self._sync_redis is not None:
            self._sync_redis.close()
            self._sync_redis = None
        self._breakers.clear()


_lock = threading.Lock()
_instance: tuple[int, Integrations] | None = None


def get_integrations() -> Integrations:
    """This process's integrations, from the current settings (rebuilt after a fork)."""
    global _instance
    with _lock:
        if _instance is None or _instance[0] != os.getpid():
            _instance = (os.getpid(), Integrations(get_settings()))
        return _instance[1]


def close_integrations(timeout_s: float = 5.0) -> bool:
    """Close this process's provider sessions and Redis clients (worker shutdown), so open
    connections end cleanly instead of with "Unclosed client session" warnings. Returns
    whether there was anything open to close."""
    global _instance
    with _lock:
        found, _instance = _instance, None
    if found is None or found[0] != os.getpid() or not found[1].opened:
        return False
    try:
        run_sync(found[1].aclose(), timeout_s)
    except Exception as exc:  # shutting down: a slow or broken close must not block it
        log.warning("provider sessions not closed cleanly: %s", type(exc).__name__)
    return True
