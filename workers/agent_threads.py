"""Which checkpoint threads each agent has written: the index that reset walks.

    agent:threads:<agent>   SET of thread ids with checkpoints of that agent

Reset of "all" threads of an agent reads this set (SSCAN), never ``KEYS``. Members are
added when a run writes its first checkpoint of a thread and removed when reset deletes
the thread; a thread that expires by TTL leaves a stale member, which reset's delete of an
absent thread ignores.
"""

from __future__ import annotations

from collections.abc import Iterator

import redis


def index_key(agent: str) -> str:
    return f"agent:threads:{agent}"


def remember_thread(client: redis.Redis, agent: str, thread_id: str) -> None:
    """Note that ``agent`` keeps checkpoints under ``thread_id``."""
    client.sadd(index_key(agent), thread_id)


def forget_thread(client: redis.Redis, agent: str, thread_id: str) -> None:
    client.srem(index_key(agent), thread_id)


def threads_of(client: redis.Redis, agent: str) -> Iterator[str]:
    """Every thread id noted for ``agent``, in batches (SSCAN)."""
    for member in client.sscan_iter(index_key(agent), count=500):
        yield member.decode() if isinstance(member, bytes) else str(member)
