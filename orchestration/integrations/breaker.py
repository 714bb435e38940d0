"""One pybreaker circuit breaker per provider, its state shared by every worker in Redis.

pybreaker's own async support is Tornado's; here the asyncio call is made first and its
outcome is then *replayed* through ``breaker.call`` so that pybreaker's state machine
(counting, opening, half-open trial, closing) decides exactly as for a sync call. Before
the call, an open circuit whose reset timeout has not passed refuses at once.

``CircuitRedisStorage`` needs a *sync* Redis client built with ``decode_responses=False``
(it decodes the stored bytes itself). Its calls are single fast commands, made on the
integration loop's thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pybreaker
import redis

from orchestration.integrations import keys
from orchestration.integrations.errors import (
    CircuitOpen,
    ProviderError,
    ProviderUnavailable,
)

T = TypeVar("T")


def _not_an_outage(exc: BaseException) -> bool:
    # Only a provider that is down (5xx, timeouts, refused connections) should trip the
    # circuit; a 429 or a bad request says nothing about its health.
    return isinstance(exc, ProviderError) and not isinstance(exc, ProviderUnavailable)


class ProviderBreaker:
    """The circuit of one provider; ``await guard.call(coro_fn)`` runs a guarded call."""

    def __init__(
        self,
        provider: str,
        client: redis.Redis,
        *,
        fail_max: int,
        reset_timeout_s: float,
    ) -> None:
        if client.get_encoder().decode_responses:
            raise ValueError("CircuitRedisStorage needs a Redis client with decode_responses=False")
        self.provider = provider
        self._storage = pybreaker.CircuitRedisStorage(
            pybreaker.STATE_CLOSED, client, namespace=keys.breaker_namespace(provider)
        )
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout_s,
            state_storage=self._storage,
            exclude=[_not_an_outage],
            name=provider,
        )

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open``, as every worker sees it."""
        return self._breaker.current_state

    @property
    def fail_counter(self) -> int:
        return self._breaker.fail_counter

    async def call(self, func: Callable[[], Awaitable[T]]) -> T:
        """Await ``func()`` under the circuit; :class:`CircuitOpen` when it refuses."""
        if self._refuses_now():
            raise CircuitOpen(self.provider, "circuit open after repeated failures")
        try:
            result: T = await func()
        except ProviderError as exc:
            self._replay(exc)
            raise  # _replay re-raises; this line keeps type checkers informed
        self._replay(None)
        return result

    def _refuses_now(self) -> bool:
        if self._breaker.current_state != pybreaker.STATE_OPEN:
            return False
        opened_at = self._storage.opened_at
        reset = timedelta(seconds=self._breaker.reset_timeout)
        return opened_at is not None and datetime.now(UTC) < opened_at + reset

    def _replay(self, error: ProviderError | None) -> None:
        def outcome() -> Any:
            if error is not None:
                raise error
            return None

        try:
            self._breaker.call(outcome)
        except pybreaker.CircuitBreakerError as exc:
            # This failure was the one that opened the circuit (or another worker opened it
            # meanwhile): report the provider's own error, which says more.
            # A success that arrives while another worker holds the circuit open still
            # counts as an answer for this lead.
            if error is not None:
                raise error from exc
