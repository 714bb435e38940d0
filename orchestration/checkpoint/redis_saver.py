"""LangGraph checkpoint savers on plain Redis (no RedisJSON or RediSearch modules).

``RedisCheckpointSaver`` wraps a ``redis.Redis`` client for sync code (Celery workers);
``AsyncRedisCheckpointSaver`` wraps a ``redis.asyncio.Redis`` client for async code (the
API). Both run the same operations (:mod:`.operations`) over the same keys (:mod:`.keys`),
so either can resume a thread the other wrote.

The client must be created with ``decode_responses=False`` (the default): values are
binary. Give the saver its own client rather than one shared with text-mode callers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from typing import Any, TypeVar

import redis
import redis.asyncio
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from redis.exceptions import WatchError

from orchestration.checkpoint.codec import Compression
from orchestration.checkpoint.keys import DEFAULT_PREFIX
from orchestration.checkpoint.operations import (
    DEFAULT_TTL_SECONDS,
    Listing,
    Operation,
    RedisSaverOperations,
    Step,
    Unwatch,
    Watch,
)

T = TypeVar("T")

# Optimistic transactions (prune, delete_for_runs) retry this often when a concurrent write
# keeps changing the thread under them.
MAX_ATTEMPTS = 5


class CheckpointConflictError(RuntimeError):
    """A maintenance operation kept losing its optimistic transaction to concurrent writes."""


class RedisCheckpointSaver(RedisSaverOperations):
    """Checkpoint saver for sync code on a ``redis.Redis`` client.

    Args:
        client: a client with ``decode_responses=False``.
        ttl_seconds: how long a thread lives after its last write (every key of the
            thread is refreshed on each write); ``None`` keeps threads until deleted.
        compress: ``True`` or ``"zlib"``, or ``"zstd"`` (needs ``zstandard``), to compress
            values of 512 bytes or more; reads understand either setting.
        prefix: the key prefix (see :mod:`orchestration.checkpoint.keys`).
        serde: the serializer; LangGraph's ``JsonPlusSerializer`` by default.

    The ``a*`` methods run the sync ones in a worker thread, so the saver also serves
    async callers without blocking their event loop.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        compress: bool | Compression = False,
        prefix: str = DEFAULT_PREFIX,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(ttl_seconds=ttl_seconds, compress=compress, prefix=prefix, serde=serde)
        _require_binary_responses(client.get_connection_kwargs())
        self.client = client

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        compress: bool | Compression = False,
        prefix: str = DEFAULT_PREFIX,
    ) -> RedisCheckpointSaver:
        """A saver on a new client for ``url`` (``redis://host:port/db``)."""
        return cls(
            redis.Redis.from_url(url), ttl_seconds=ttl_seconds, compress=compress, prefix=prefix
        )

    # The graph's path

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint ``config`` names, or the namespace's latest when it names none."""
        return self._run(lambda: self._get_tuple_op(config))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first: of ``config``'s thread (and namespace, if it names
        one), whose metadata contains ``filter``, older than ``before``, at most ``limit``.
        Without a config every thread is listed, which scans the keyspace."""
        listing = self._list_op(config, filter=filter, before=before, limit=limit)
        with self.client.pipeline(transaction=False) as pipe:
            reply: list[Any] | None = None
            while True:
                try:
                    step = listing.send(reply) if reply is not None else next(listing)
                except StopIteration:
                    return
                if isinstance(step, CheckpointTuple):
                    reply = []
                    yield step
                else:
                    reply = _sync_step(pipe, step)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store a checkpoint and the channel values that changed, in one transaction."""
        return self._run(lambda: self._put_op(config, checkpoint, metadata, new_versions))

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's pending writes against the checkpoint ``config`` names."""
        self._run(lambda: self._put_writes_op(config, writes, task_id, task_path))

    # Maintenance

    def delete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint, value and write of the thread, in all namespaces."""
        self._run(lambda: self._delete_thread_op(thread_id))

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints (and their writes) whose metadata names these runs.

        A run is found through its run key, which expires ``ttl_seconds`` after the run's
        last checkpoint; a thread kept alive by later runs keeps an older run's
        checkpoints until the thread itself expires or is pruned."""
        self._run(lambda: self._delete_for_runs_op(run_ids))

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint, value and write of one thread into another."""
        self._run(lambda: self._copy_thread_op(source_thread_id, target_thread_id))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """``keep_latest``: keep each namespace's latest checkpoint (and the ancestors its
        delta channels still replay); ``delete``: delete the threads."""
        self._run(lambda: self._prune_op(thread_ids, strategy))

    # Async callers: the same work in a worker thread

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """See :meth:`get_tuple`."""
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """See :meth:`list`."""
        found = self.list(config, filter=filter, before=before, limit=limit)
        while (item := await asyncio.to_thread(next, found, None)) is not None:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """See :meth:`put`."""
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """See :meth:`put_writes`."""
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        """See :meth:`delete_thread`."""
        await asyncio.to_thread(self.delete_thread, thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """See :meth:`delete_for_runs`."""
        await asyncio.to_thread(self.delete_for_runs, run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """See :meth:`copy_thread`."""
        await asyncio.to_thread(self.copy_thread, source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """See :meth:`prune`."""
        await asyncio.to_thread(lambda: self.prune(thread_ids, strategy=strategy))

    def _run(self, start: Callable[[], Operation[T]]) -> T:
        for _ in range(MAX_ATTEMPTS):
            operation = start()
            with self.client.pipeline(transaction=False) as pipe:
                try:
                    step = next(operation)
                    while True:
                        step = operation.send(_sync_step(pipe, step))
                except StopIteration as finished:
                    result: T = finished.value
                    return result
                except WatchError:
                    continue
        raise CheckpointConflictError(f"gave up after {MAX_ATTEMPTS} conflicting attempts")


class AsyncRedisCheckpointSaver(RedisSaverOperations):
    """Checkpoint saver for async code on a ``redis.asyncio.Redis`` client.

    Takes the same arguments as :class:`RedisCheckpointSaver`. Create it inside the event
    loop that uses it: its sync methods (``graph.get_state`` from a plain function, say)
    hand their work to that loop, and may only be called from another thread.
    """

    def __init__(
        self,
        client: redis.asyncio.Redis,
        *,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        compress: bool | Compression = False,
        prefix: str = DEFAULT_PREFIX,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(ttl_seconds=ttl_seconds, compress=compress, prefix=prefix, serde=serde)
        _require_binary_responses(client.connection_pool.connection_kwargs)
        self.client = client
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        compress: bool | Compression = False,
        prefix: str = DEFAULT_PREFIX,
    ) -> AsyncRedisCheckpointSaver:
        """A saver on a new async client for ``url`` (``redis://host:port/db``)."""
        return cls(
            redis.asyncio.Redis.from_url(url),
            ttl_seconds=ttl_seconds,
            compress=compress,
            prefix=prefix,
        )

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """See :meth:`RedisCheckpointSaver.get_tuple`."""
        return await self._run(lambda: self._get_tuple_op(config))

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """See :meth:`RedisCheckpointSaver.list`."""
        listing: Listing = self._list_op(config, filter=filter, before=before, limit=limit)
        async with self.client.pipeline(transaction=False) as pipe:
            reply: list[Any] | None = None
            while True:
                try:
                    step = listing.send(reply) if reply is not None else next(listing)
                except StopIteration:
                    return
                if isinstance(step, CheckpointTuple):
                    reply = []
                    yield step
                else:
                    reply = await _async_step(pipe, step)

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """See :meth:`RedisCheckpointSaver.put`."""
        return await self._run(lambda: self._put_op(config, checkpoint, metadata, new_versions))

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """See :meth:`RedisCheckpointSaver.put_writes`."""
        await self._run(lambda: self._put_writes_op(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        """See :meth:`RedisCheckpointSaver.delete_thread`."""
        await self._run(lambda: self._delete_thread_op(thread_id))

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """See :meth:`RedisCheckpointSaver.delete_for_runs`."""
        await self._run(lambda: self._delete_for_runs_op(run_ids))

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """See :meth:`RedisCheckpointSaver.copy_thread`."""
        await self._run(lambda: self._copy_thread_op(source_thread_id, target_thread_id))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """See :meth:`RedisCheckpointSaver.prune`."""
        await self._run(lambda: self._prune_op(thread_ids, strategy))

    # Sync callers: the same work on the saver's event loop

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._on_loop(self.aget_tuple(config))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        found = self.alist(config, filter=filter, before=before, limit=limit)

        async def next_found() -> CheckpointTuple | None:
            return await anext(found, None)

        while (item := self._on_loop(next_found())) is not None:
            yield item

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._on_loop(self.aput(config, checkpoint, metadata, new_versions))

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._on_loop(self.aput_writes(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._on_loop(self.adelete_thread(thread_id))

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._on_loop(self.adelete_for_runs(run_ids))

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._on_loop(self.acopy_thread(source_thread_id, target_thread_id))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self._on_loop(self.aprune(thread_ids, strategy=strategy))

    def _on_loop(self, work: Coroutine[Any, Any, T]) -> T:
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if self.loop is None or current is self.loop:
            work.close()
            raise asyncio.InvalidStateError(
                "AsyncRedisCheckpointSaver's sync methods only work from another thread than "
                "its event loop's (create it inside that loop); use the a* methods there, or "
                "RedisCheckpointSaver in sync code"
            )
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()

    async def _run(self, start: Callable[[], Operation[T]]) -> T:
        for _ in range(MAX_ATTEMPTS):
            operation = start()
            async with self.client.pipeline(transaction=False) as pipe:
                try:
                    step = next(operation)
                    while True:
                        step = operation.send(await _async_step(pipe, step))
                except StopIteration as finished:
                    result: T = finished.value
                    return result
                except WatchError:
                    continue
        raise CheckpointConflictError(f"gave up after {MAX_ATTEMPTS} conflicting attempts")


# redis-py's pipelines are only partly typed, hence ``Any`` for them below.


def _sync_step(pipe: Any, step: Step) -> list[Any]:
    if isinstance(step, Watch):
        pipe.watch(*step.keys)
        return []
    if isinstance(step, Unwatch):
        pipe.reset()
        return []
    if not step.commands:
        return []
    if pipe.watching and not step.atomic:
        # Between WATCH and MULTI the pipeline runs each command as it is issued.
        return [pipe.execute_command(*command) for command in step.commands]
    if step.atomic:
        pipe.multi()
    for command in step.commands:
        pipe.execute_command(*command)
    replies: list[Any] = pipe.execute()
    return replies


async def _async_step(pipe: Any, step: Step) -> list[Any]:
    if isinstance(step, Watch):
        await pipe.watch(*step.keys)
        return []
    if isinstance(step, Unwatch):
        await pipe.reset()
        return []
    if not step.commands:
        return []
    if pipe.watching and not step.atomic:
        return [await pipe.execute_command(*command) for command in step.commands]
    if step.atomic:
        pipe.multi()
    for command in step.commands:
        pipe.execute_command(*command)
    replies: list[Any] = await pipe.execute()
    return replies


def _require_binary_responses(connection_kwargs: dict[str, Any]) -> None:
    if connection_kwargs.get("decode_responses"):
        raise ValueError(
            "the checkpoint saver stores binary values: give it a Redis client created "
            "with decode_responses=False"
        )

