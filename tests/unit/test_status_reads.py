"""Pollers of one batch share its status reads (api/progress.py StatusReads)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from api import progress
from api.progress import StatusReads


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """Stand in for the database: every read is recorded and takes 50 ms."""
    made: list[uuid.UUID] = []

    async def fake_read_now(read: Callable[[Any], Any]) -> Any:
        await asyncio.sleep(0.05)
        return read(None)

    def fake_build(_: Any, batch_id: uuid.UUID) -> Any:
        made.append(batch_id)
        return None if batch_id.int == 0 else _Status(batch_id)

    monkeypatch.setattr(progress, "read_now", fake_read_now)
    monkeypatch.setattr(progress, "build_batch_status", fake_build)
    return made


class _Status:
    def __init__(self, batch_id: uuid.UUID) -> None:
        self.batch_id = batch_id

    def model_dump_json(self) -> str:
        return f'{{"batch_id": "{self.batch_id}"}}'


def test_concurrent_polls_of_one_batch_share_one_read(reads):
    batch = uuid.uuid4()
    cache = StatusReads(max_age=10)

    async def crowd() -> list[bytes | None]:
        return await asyncio.gather(*(cache.get(batch) for _ in range(100)))

    bodies = asyncio.run(crowd())

    assert reads == [batch]
    assert set(bodies) == {f'{{"batch_id": "{batch}"}}'.encode()}


def test_a_poll_after_max_age_reads_again_and_unknown_batches_are_none(reads):
    batch, missing = uuid.uuid4(), uuid.UUID(int=0)
    cache = StatusReads(max_age=0.01)

    async def two_polls_apart() -> tuple[bytes | None, bytes | None, bytes | None]:
        first = await cache.get(batch)
        await asyncio.sleep(0.02)
        return first, await cache.get(batch), await cache.get(missing)

    first, second, unknown = asyncio.run(two_polls_apart())

    assert reads == [batch, batch, missing]
    assert first == second
    assert unknown is None


def test_a_poller_that_goes_away_does_not_cancel_the_others_read(reads):
    batch = uuid.uuid4()
    cache = StatusReads(max_age=10)

    async def one_leaves() -> bytes | None:
        leaving = asyncio.create_task(cache.get(batch))
        staying = asyncio.create_task(cache.get(batch))
        await asyncio.sleep(0.01)
        leaving.cancel()
        return await staying

    assert asyncio.run(one_leaves()) is not None
    assert reads == [batch]
