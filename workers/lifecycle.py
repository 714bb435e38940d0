"""Per-process resources, created after fork (STYLE §8)."""

from __future__ import annotations

import gc
import logging
from typing import Any

import redis
from celery.signals import worker_process_init, worker_process_shutdown, worker_shutdown

from db.session import reset_engine
from settings import get_settings

log = logging.getLogger(__name__)

_redis: redis.Redis | None = None


def get_redis() -> redis.Redis:
    """This process's Redis client (a small pool), created on first use."""
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(get_settings().redis_url, decode_responses=True)
    return _redis


@worker_process_init.connect
def _reset_after_fork(**_: Any) -> None:
    global _redis
    reset_engine()
    _redis = None
    # Everything imported before the fork is long-lived: keep the cyclic GC from walking
    # (and, by touching, un-sharing the copy-on-write pages of) those objects again.
    gc.freeze()


@worker_process_shutdown.connect  # a prefork child going away
@worker_shutdown.connect  # the worker itself (threads and solo pools run tasks in it)
def _close_provider_sessions(**_: Any) -> None:
    from orchestration.integrations.hub import close_integrations

    if close_integrations():
        log.info("provider sessions closed")
