"""Serving a task's event stream (workers/streams.py) to an HTTP caller: as Server-Sent
Events, or by waiting for the final event."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aredis
from fastapi.responses import StreamingResponse
from redis.exceptions import RedisError

from settings import get_settings
from workers.streams import StreamTimeoutError, follow, log_key, sse

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _client() -> aredis.Redis:
    # One client per stream: a pub/sub holds its own connection for the stream's life anyway.
    return aredis.Redis.from_url(get_settings().redis_url)


async def _frames(
    topic: str, timeout_s: float, first: dict[str, Any] | None
) -> AsyncIterator[bytes]:
    if first is not None:
        yield sse(first)
    client = _client()
    try:
        async for event in follow(client, topic, timeout_s):
            yield sse(event)
    except StreamTimeoutError as exc:
        yield sse({"type": "error", "message": str(exc), "timeout": True})
    except RedisError as exc:
        # Headers are sent already: the stream can only end with an error event.
        yield sse({"type": "error", "message": f"live stream unavailable ({type(exc).__name__})"})
    finally:
        with contextlib.suppress(RedisError, OSError):
            await client.aclose()


def sse_response(
    topic: str, timeout_s: float, first: dict[str, Any] | None = None, status_code: int = 200
) -> StreamingResponse:
    """The topic's events as ``text/event-stream``; ``first`` is sent before them (ids)."""
    return StreamingResponse(
        _frames(topic, timeout_s, first),
        status_code=status_code,
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


async def replay_exists(topic: str) -> bool:
    """Whether the topic's replay log is still in Redis (it expires after the stream TTL)."""
    client = _client()
    try:
        return bool(await client.exists(log_key(topic)))
    except RedisError:
        return True  # let the stream itself report the outage
    finally:
        with contextlib.suppress(RedisError, OSError):
            await client.aclose()


class StreamUnavailableError(RuntimeError):
    """Redis, which carries the live events, did not answer."""


async def wait_for_final(topic: str, timeout_s: float) -> dict[str, Any]:
    """The topic's terminal event (``done`` or ``error``).

    Raises StreamTimeoutError when late, StreamUnavailableError when Redis fails.
    """
    client = _client()
    try:
        async for event in follow(client, topic, timeout_s):
            if event["type"] in ("done", "error"):
                return event
    except RedisError as exc:
        raise StreamUnavailableError(f"live events unavailable ({type(exc).__name__})") from exc
    finally:
        with contextlib.suppress(RedisError, OSError):
            await client.aclose()
    raise StreamTimeoutError(f"{topic} ended without a final event")
