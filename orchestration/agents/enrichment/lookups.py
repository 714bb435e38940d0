"""Running provider lookups from the graph's sync nodes on the process's integration loop.

A lookup that cannot finish (Redis down, the time budget spent, no Redis configured) turns
into a record with a status, never an exception: enrichment degrades, the stage goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from langgraph.runtime import Runtime
from redis.exceptions import RedisError

from orchestration.agents.enrichment.context import EnrichmentRuntime
from orchestration.integrations.calls import ProviderCall, call_record
from orchestration.integrations.hub import (
    Integrations,
    IntegrationsNotConfiguredError,
    get_integrations,
)
from orchestration.integrations.loop import run_sync

log = logging.getLogger(__name__)
T = TypeVar("T")
_INFRASTRUCTURE_ERRORS = (
    RedisError,
    OSError,
    aiohttp.ClientError,
    TimeoutError,
    IntegrationsNotConfiguredError,
)


def integrations_of(runtime: Runtime[EnrichmentRuntime] | None) -> Integrations:
    context = runtime.context if runtime is not None else None
    found = getattr(context, "integrations", None)
    return found if isinstance(found, Integrations) else get_integrations()


def run_lookups(
    integrations: Integrations,
    work: Callable[[], Awaitable[T]],
    failed: Callable[[str, str], T],
) -> T:
    """Run ``work()`` on the loop within the enrichment time budget.

    ``failed(status, reason)`` builds the result when the lookups could not run at all.
    """

    async def opened() -> T:
        await integrations.open()
        return await work()

    try:
        return run_sync(opened(), integrations.settings.enrichment_timeout_s)
    except IntegrationsNotConfiguredError as exc:
        return failed("skipped: no redis", str(exc))
    except _INFRASTRUCTURE_ERRORS as exc:
        log.warning("provider lookups degraded: %s", type(exc).__name__)
        status = "timeout" if isinstance(exc, TimeoutError) else "unavailable"
        return failed(status, f"{type(exc).__name__}")


def failed_calls(*operations: tuple[str, str]) -> Callable[[str, str], list[ProviderCall]]:
    """A ``failed`` builder recording each ``(provider, operation)`` with the status."""

    def build(status: str, reason: str) -> list[ProviderCall]:
        return [
            call_record(provider, operation, status, error=reason)
            for provider, operation in operations
        ]

    return build
