"""The process's checkpoint savers, configured from settings.

Workers resume paused graphs (a BDR draft awaiting approval, a conversation) on any
process, so every process builds its saver the same way: the same key prefix, TTL and
compression, on a binary Redis client of its own (the savers need ``decode_responses=False``,
unlike the text-mode client in :mod:`workers.lifecycle`).
"""

from __future__ import annotations

import os

import redis
import redis.asyncio

from orchestration.checkpoint.codec import Compression
from orchestration.checkpoint.redis_saver import AsyncRedisCheckpointSaver, RedisCheckpointSaver
from settings import Settings, get_settings

_saver: RedisCheckpointSaver | None = None
_saver_pid: int | None = None


def _compression(settings: Settings) -> bool | Compression:
    return False if settings.checkpoint_compression == "none" else settings.checkpoint_compression


def get_checkpointer() -> RedisCheckpointSaver:
    """This process's sync saver, created on first use (again after a fork)."""
    global _saver, _saver_pid
    if _saver is None or _saver_pid != os.getpid():
        settings = get_settings()
        _saver = RedisCheckpointSaver(
            redis.Redis.from_url(settings.redis_url),
            ttl_seconds=settings.checkpoint_ttl_seconds,
            compress=_compression(settings),
        )
        _saver_pid = os.getpid()
    return _saver


def new_async_checkpointer() -> AsyncRedisCheckpointSaver:
    """An async saver on a new client; the caller owns it (one per event loop)."""
    settings = get_settings()
    return AsyncRedisCheckpointSaver(
        redis.asyncio.Redis.from_url(settings.redis_url),
        ttl_seconds=settings.checkpoint_ttl_seconds,
        compress=_compression(settings),
    )


def reset_checkpointer() -> None:
    """Forget the saver (tests switch servers; workers call this after fork)."""
    global _saver, _saver_pid
    _saver = None
    _saver_pid = None
