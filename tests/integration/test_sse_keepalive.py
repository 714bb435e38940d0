"""SSE keep-alives: a stream with nothing to say yet still shows proxies it is alive, and a
reader that leaves stops listening."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

import redis

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

    async def leave_after_a_keepalive() -> tuple[bytes, int]:
        frames = sse_frames(topic, timeout_s=10, keepalive_s=0.1)
        first = await anext(frames)
        listening = client.pubsub_numsub(channel)[0][1]
        # When it goes away (the HTTP client closed the connection)
        await frames.aclose()
        return first, listening

    first, listening = asyncio.run(leave_after_a_keepalive())

    # Then it had a keep-alive while subscribed, and nobody listens to the topic any more
    assert first == KEEPALIVE_FRAME
    assert listening == 1
    assert client.pubsub_numsub(channel) == [(channel.encode(), 0)]
