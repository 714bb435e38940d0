"""SSE keep-alives: a stream with nothing to say yet still shows proxies it is alive, and a
reader that leaves stops listening."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
import redis

from api import event_streams
from api.event_streams import KEEPALIVE_FRAME, sse_frames
from workers.streams import EventPublisher, channel_key

if TYPE_CHECKING:
    from tests.support.servers import TestServers


def test_an_idle_stream_sends_keepalives_until_its_events_arrive(servers: TestServers) -> None:
    # Given a reply that starts late
    topic = f"test:{uuid.uuid4().hex}"
    publisher = EventPublisher(redis.Redis.from_url(servers.redis_url), topic, ttl_s=60)

    # When a reader follows it with a short keep-alive while the reply is still coming
    async def follow_late_reply() -> list[bytes]:
        frames: list[bytes] = []

        async def read() -> None:
            async for frame in sse_frames(topic, timeout_s=10, keepalive_s=0.1):
                frames.append(frame)

        reader = asyncio.create_task(read())
        await asyncio.sleep(0.5)
        publisher.publish("token", text="Hi")
        publisher.publish("done", text="Hi")
        await asyncio.wait_for(reader, 5)
        return frames

    frames = asyncio.run(follow_late_reply())

    # Then comments kept the line busy while it waited, and every event followed, in order
    first_event = next(i for i, frame in enumerate(frames) if frame != KEEPALIVE_FRAME)
    assert first_event >= 3
    assert all(frame == KEEPALIVE_FRAME for frame in frames[:first_event])
    events = [frame.split(b"\n")[0] for frame in frames[first_event:]]
    assert events == [b"event: token", b"event: done"]


def test_a_reader_that_leaves_stops_listening(servers: TestServers) -> None:
    # Given a reader waiting on a stream that has said nothing yet
    topic = f"test:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(servers.redis_url)

    channel = channel_key(topic)

    async def leave_once_listening() -> tuple[bytes, int]:
        frames = sse_frames(topic, timeout_s=10, keepalive_s=0.1)
        first = await anext(frames)
        listening = 0
        for _ in range(50):  # subscribing may take a few keep-alives on a busy machine
            listening = client.pubsub_numsub(channel)[0][1]
            if listening:
                break
            await anext(frames)
        # When it goes away (the HTTP client closed the connection)
        await frames.aclose()
        return first, listening

    first, listening = asyncio.run(leave_once_listening())

    # Then it had a keep-alive while subscribed, and nobody listens to the topic any more
    assert first == KEEPALIVE_FRAME
    assert listening == 1
    # (the unsubscribe is sent as the reader goes; Redis counts it a moment later)
    deadline = time.monotonic() + 5
    while client.pubsub_numsub(channel)[0][1] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert client.pubsub_numsub(channel) == [(channel.encode(), 0)]


def test_a_reader_that_breaks_ends_the_stream_with_its_error(
    servers: TestServers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stream whose reading fails in a way nobody planned for
    async def broken_follow(*_: object) -> AsyncIterator[dict[str, object]]:
        await asyncio.sleep(0.25)
        raise ValueError("corrupt event")
        yield {}  # an async generator, like the real one

    monkeypatch.setattr(event_streams, "follow", broken_follow)

    # When a reader follows it
    async def read_all() -> list[bytes]:
        return [frame async for frame in sse_frames("test:broken", timeout_s=10, keepalive_s=0.1)]

    # Then the stream ends with that error (after its keep-alives) instead of idling forever
    with pytest.raises(ValueError, match="corrupt event"):
        asyncio.run(asyncio.wait_for(read_all(), 5))
