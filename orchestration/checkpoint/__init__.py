"""LangGraph checkpoints on plain Redis: the project's own saver, sync and async.

The official ``langgraph-checkpoint-redis`` needs the RedisJSON and RediSearch modules,
which plain Redis 7, Valkey and most managed Redis lack; these savers use core data
structures only (hashes, sorted sets, sets). Keys live under ``agent:checkpoint:`` (see
:mod:`orchestration.checkpoint.keys`) and expire ``ttl_seconds`` after the thread's last
write. The official ``langgraph-checkpoint-conformance`` suite runs against them in
``tests/integration/test_checkpointer.py``.
"""

from orchestration.checkpoint.codec import Compression
from orchestration.checkpoint.keys import DEFAULT_PREFIX, CheckpointKeys
from orchestration.checkpoint.operations import DEFAULT_TTL_SECONDS
from orchestration.checkpoint.redis_saver import (
    AsyncRedisCheckpointSaver,
    CheckpointConflictError,
    RedisCheckpointSaver,
)

__all__ = [
    "DEFAULT_PREFIX",
    "DEFAULT_TTL_SECONDS",
    "AsyncRedisCheckpointSaver",
    "CheckpointConflictError",
    "CheckpointKeys",
    "Compression",
    "RedisCheckpointSaver",
]
