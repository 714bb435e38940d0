"""Live event streams from tasks to API callers: Redis pub/sub plus a replay log.

A task publishes each event (a reply token, a node finished, the result) twice in one
round trip: onto a pub/sub channel for callers already listening, and onto a list so that
a caller who subscribes late replays what it missed. Events carry a sequence number; a
reader subscribes first, then replays the list, then follows the channel, dropping any
sequence number it has already seen. No event is lost to the race between a task's first
token and a caller's subscription, and none is delivered twice.

    stream:<topic>          pub/sub channel of one stream's events (JSON)
    stream:<topic>:log      LIST of the same events, expiring ``ttl`` after the last one

Topics: ``conversation:<session id>:<turn id>`` (a reply), ``invoke:<job id>`` (an agent
invocation).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
import redis
import redis.asyncio as aredis

# An event of one of these types is a stream's last.
TERMINAL_TYPES = frozenset({"done", "error"})


def channel_key(topic: str) -> str:
    return f"stream:{topic}"


def log_key(topic: str) -> str:
    return f"stream:{topic}:log"


def conversation_topic(session_id: str, turn_id: str) -> str:
    return f"conversation:{session_id}:{turn_id}"


def invoke_topic(job_id: str) -> str:
    return f"invoke:{job_id}"


class EventPublisher:
    """Publishes one stream's events in order (used by a task, synchronously).

    Sequence numbers restart at 1 when a retried task publishes again; readers skip the
    numbers they have seen, so a deterministic rerun adds nothing to what callers got.
    """

    def __init__(self, client: redis.Redis, topic: str, ttl_s: int) -> None:
        self._client = client
        self._channel = channel_key(topic)
        self._log = log_key(topic)
        self._ttl_s = ttl_s
        self._seq = 0

    def publish(self, event_type: str, **fields: Any) -> None:
        self._seq += 1
        data = orjson.dumps({"seq": self._seq, "type": event_type, **fields})
        pipe = self._client.pipeline(transaction=False)
        pipe.rpush(self._log, data)
        if self._seq == 1 or event_type in TERMINAL_TYPES:
            pipe.expire(self._log, self._ttl_s)
        pipe.publish(self._channel, data)
        pipe.execute()


class StreamTimeoutError(TimeoutError):
    """The stream's last event did not arrive in time."""


async def follow(
    client: aredis.Redis, topic: str, timeout_s: float
) -> AsyncIterator[dict[str, Any]]:
    """Every event of ``topic``, from the first, until a terminal one.

    Raises :class:`StreamTimeoutError` when ``timeout_s`` passes without the terminal event.
    """
    deadline = time.monotonic() + timeout_s
    pubsub = client.pubsub()
    await pubsub.subscribe(channel_key(topic))
    try:
        last_seq = 0
        for raw in await client.lrange(log_key(topic), 0, -1):
            event = orjson.loads(raw)
            if event["seq"] > last_seq:
                last_seq = event["seq"]
                yield event
                if event["type"] in TERMINAL_TYPES:
                    return
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StreamTimeoutError(f"no final event on {topic} within {timeout_s:g} s")
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=min(remaining, 1.0)
            )
            if message is None:
                continue
            event = orjson.loads(message["data"])
            if event["seq"] <= last_seq:
                continue
            last_seq = event["seq"]
            yield event
            if event["type"] in TERMINAL_TYPES:
                return
    finally:
        # The caller may have gone (a closed SSE connection cancels us mid-read): release
        # the connection without letting a dead socket raise over the real outcome.
        with contextlib.suppress(redis.RedisError, OSError):
            await pubsub.unsubscribe()
        with contextlib.suppress(redis.RedisError, OSError):
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def sse(event: dict[str, Any]) -> bytes:
    """One Server-Sent Events frame: the event type as ``event:``, the JSON as ``data:``."""
    return b"event: " + str(event["type"]).encode() + b"\ndata: " + orjson.dumps(event) + b"\n\n"
