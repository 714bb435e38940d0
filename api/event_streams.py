"""Serving a task's event stream (workers/streams.py) to an HTTP caller: as Server-Sent
Events, or by waiting for the final event."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any, cast

import redis.asyncio as aredis
from fastapi.responses import StreamingResponse
from redis.exceptions import RedisError

from settings import get_settings
from workers.streams import StreamTimeoutError, follow, log_key, sse

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _client() -> aredis.Redis:
    # One client per stream: a pub/sub holds its own connection for the stream's life anyway.
    return aredis.Redis.from_url(get_settings().redis_url)


# An SSE comment: clients ignore it, proxies see traffic and keep an idle stream open.
KEEPALIVE_FRAME = b": keep-alive\n\n"
_END = object()


async def sse_frames(
    topic: str,
    timeout_s: float,
    first: dict[str, Any] | None = None,
    keepalive_s: float | None = None,
) -> AsyncGenerator[bytes, None]:
    """The topic's events as SSE frames, with a keep-alive comment whenever nothing was sent
    for ``keepalive_s`` (default: SALES_AGENT_SSE_KEEPALIVE_SECONDS): a slow model or a
    queue backlog must not look like a dead connection to a proxy in between."""
    keepalive = keepalive_s if keepalive_s is not None else get_settings().sse_keepalive_seconds
    if first is not None:
        yield sse(first)
    client = _client()
    # The events are read by a task of their own, so waiting for the next one can time out
    # (to send a keep-alive) without cancelling the read.
    received: asyncio.Queue[object] = asyncio.Queue()

    async def read() -> None:
        try:
            async for event in follow(client, topic, timeout_s):
                received.put_nowait(event)
        except (StreamTimeoutError, RedisError) as exc:
            received.put_nowait(exc)
        finally:
            # However reading ended (an unexpected error is raised again below), the stream
            # ends too rather than sending keep-alives forever.
            received.put_nowait(_END)

    reader = asyncio.create_task(read())
    waiting: asyncio.Future[object] | None = None
    try:
        while True:
            if waiting is None:
                waiting = asyncio.ensure_future(received.get())
            done, _ = await asyncio.wait({waiting}, timeout=keepalive)
            if not done:
                yield KEEPALIVE_FRAME
                continue
            item, waiting = waiting.result(), None
            if item is _END:
                return
            if isinstance(item, StreamTimeoutError):
                yield sse({"type": "error", "message": str(item), "timeout": True})
                return
            if isinstance(item, RedisError):
                # Headers are sent already: the stream can only end with an error event.
                message = f"live stream unavailable ({type(item).__name__})"
                yield sse({"type": "error", "message": message})
                return
            yield sse(cast(dict[str, Any], item))
    finally:
        # The caller may have gone: stop reading and release the connection.
        for pending in (waiting, reader):
            if pending is not None and not pending.done():
                pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, RedisError, OSError):
            await reader
        with contextlib.suppress(RedisError, OSError):
            await client.aclose()


def sse_response(
    topic: str, timeout_s: float, first: dict[str, Any] | None = None, status_code: int = 200
) -> StreamingResponse:
    """The topic's events as ``text/event-stream``; ``first`` is sent before them (ids)."""
    return StreamingResponse(
        sse_frames(topic, timeout_s, first),
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
