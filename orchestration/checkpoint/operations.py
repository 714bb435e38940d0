"""The saver's algorithms, written once for the sync and the async Redis client.

Each operation is a generator that does no I/O itself: it yields the round trips it needs
(a :class:`Round` of commands, a :class:`Watch` before an optimistic transaction),
receives each round's replies, and returns its result. ``list`` also yields the
``CheckpointTuple``s it finds. The two savers in :mod:`.redis_saver` only drive these
generators against ``redis.Redis`` or ``redis.asyncio.Redis``, so both speak to Redis in
exactly the same way.

On a graph's path: ``put`` and ``put_writes`` are one MULTI/EXEC round each, which also
refreshes the TTL of the thread's keys; ``get_tuple`` is three rounds (latest id, the
checkpoint and its write list, then its values and writes), two when the id is known.
Nothing scans: "latest" and "before" are lexicographic ranges on the thread's index. Only
``list`` without a config (every thread) scans the keyspace.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Collection, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    get_checkpoint_id,
    get_serializable_checkpoint_metadata,
    writes_sort_key,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from orchestration.checkpoint.codec import EMPTY, BlobCodec, Compression
from orchestration.checkpoint.keys import (
    DEFAULT_PREFIX,
    CheckpointKeys,
    CheckpointRef,
    ThreadKeys,
)

T = TypeVar("T")

Command = tuple[Any, ...]

# Checkpoints read per round while listing. With a filter, a page's metadata is checked
# before any full checkpoint is loaded.
LIST_PAGE_SIZE = 50
# A week: long enough for a person to answer an interrupt over a weekend; every write to
# the thread starts the clock again.
DEFAULT_TTL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Round:
    """Commands sent in one round trip; ``atomic`` wraps them in MULTI/EXEC."""

    commands: Sequence[Command]
    atomic: bool = False


@dataclass(frozen=True)
class Watch:
    """WATCH these keys: the next atomic round fails, and the operation starts over, if
    any of them changed meanwhile. Rounds in between run one command at a time."""

    keys: Sequence[str]


@dataclass(frozen=True)
class Unwatch:
    """Give up a WATCH without writing anything."""


Step = Round | Watch | Unwatch
Operation = Generator[Step, list[Any], T]
Listing = Generator[Step | CheckpointTuple, list[Any], None]


@dataclass
class _Loaded:
    """A checkpoint read in the first round, waiting for its values and writes."""

    ref: CheckpointRef
    checkpoint: Checkpoint
    parent_id: str | None
    metadata: CheckpointMetadata
    write_fields: list[bytes]

    @property
    def value_fields(self) -> list[str]:
        return [
            CheckpointKeys.value_field(self.ref.checkpoint_ns, channel, version)
            for channel, version in self.checkpoint["channel_versions"].items()
        ]


@dataclass
class _ThreadSnapshot:
    """Everything a maintenance operation needs to know about one thread."""

    refs: list[CheckpointRef] = field(default_factory=list)
    records: dict[CheckpointRef, tuple[Checkpoint, str | None]] = field(default_factory=dict)
    metadata: dict[CheckpointRef, CheckpointMetadata] = field(default_factory=dict)
    value_types: dict[str, str] = field(default_factory=dict)  # value field -> serde type
    write_fields: list[str] = field(default_factory=list)


class RedisSaverOperations(BaseCheckpointSaver[str]):
    """Key layout, serialisation and the operations shared by both Redis savers."""

    def __init__(
        self,
        *,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        compress: bool | Compression = False,
        prefix: str = DEFAULT_PREFIX,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        if ttl_seconds is not None and ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive, or None for no expiry")
        self.ttl_seconds = ttl_seconds
        self.keys = CheckpointKeys(prefix)
        self.codec = BlobCodec("zlib" if compress is True else compress or None)

    def get_next_version(self, current: str | None, channel: None) -> str:
        """Versions as LangGraph's own savers make them: a zero-padded counter that sorts
        as text, plus a random fraction so that two branches forked from one checkpoint
        never store different values under the same field."""
        if current is None:
            counter = 0
        elif isinstance(current, int):
            counter = current
        else:
            counter = int(current.split(".")[0])
        return f"{counter + 1:032}.{random.random():016}"

    # Writes

    def _put_op(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> Operation[RunnableConfig]:
        configurable = config["configurable"]
        thread_id = configurable["thread_id"]
        ref = CheckpointRef(configurable.get("checkpoint_ns", ""), checkpoint["id"])
        thread = self.keys.thread(str(thread_id))

        values = checkpoint["channel_values"]
        stored = {key: value for key, value in checkpoint.items() if key != "channel_values"}
        stored_metadata = get_serializable_checkpoint_metadata(config, metadata)
        parent_id: str | None = configurable.get("checkpoint_id")
        fields: list[Any] = [
            self.keys.checkpoint_field(ref),
            self.codec.dump_record(self.serde.dumps_typed(stored), parent_id),
            self.keys.metadata_field(ref),
            self.codec.dump_value(self.serde.dumps_typed(stored_metadata)),
        ]
        for channel, version in new_versions.items():
            typed = self.serde.dumps_typed(values[channel]) if channel in values else EMPTY
            fields += [self.keys.value_field(ref.checkpoint_ns, channel, version),
                       self.codec.dump_value(typed)]
        commands: list[Command] = [
            ("HSET", thread.data, *fields),
            ("ZADD", thread.index, 0, self.keys.checkpoint_field(ref)),
        ]
        expiring = list(thread.all)
        if run_id := stored_metadata.get("run_id"):
            run_key = self.keys.run(str(run_id))
            commands.append(("SADD", run_key, str(thread_id)))
            expiring.append(run_key)
        commands += self._expire(expiring)
        yield Round(commands, atomic=True)
        return _config(thread_id, ref.checkpoint_ns, ref.checkpoint_id)

    def _put_writes_op(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
    ) -> Operation[None]:
        if not writes:
            return
        configurable = config["configurable"]
        ref = CheckpointRef(configurable.get("checkpoint_ns", ""), configurable["checkpoint_id"])
        thread = self.keys.thread(str(configurable["thread_id"]))
        commands: list[Command] = []
        index: list[Any] = []
        for idx, (channel, value) in enumerate(writes):
            slot = WRITES_IDX_MAP.get(channel, idx)
            write_field = self.keys.write_field(ref, task_id, slot)
            stored = self.codec.dump_write(channel, self.serde.dumps_typed(value), task_path)
            # A task's regular writes are final once stored (a task run again must not
            # change them); special writes (error, interrupt, ...) replace the last one.
            commands.append(("HSET" if slot < 0 else "HSETNX", thread.data, write_field, stored))
            index += [0, write_field]
        commands.append(("ZADD", thread.index, *index))
        commands += self._expire(thread.all)
        yield Round(commands, atomic=True)

    def _expire(self, keys: Iterable[str]) -> list[Command]:
        if self.ttl_seconds is None:
            return []
        return [("EXPIRE", key, self.ttl_seconds) for key in keys]

    # Reads

    def _get_tuple_op(self, config: RunnableConfig) -> Operation[CheckpointTuple | None]:
        configurable = config["configurable"]
        thread_id = configurable["thread_id"]
        checkpoint_ns: str = configurable.get("checkpoint_ns", "")
        checkpoint_id = get_checkpoint_id(config)
        if checkpoint_id is None:
            low, high = self.keys.namespace_range(checkpoint_ns)
            index = self.keys.thread(str(thread_id)).index
            (latest,) = yield Round([("ZRANGE", index, high, low, "BYLEX", "REV", "LIMIT", 0, 1)])
            if not latest:
                return None
            ref = self.keys.parse_checkpoint_field(latest[0].decode())
        else:
            ref = CheckpointRef(checkpoint_ns, checkpoint_id)
        found = yield from self._load_tuples_op(thread_id, [ref])
        return found[0] if found else None

    def _list_op(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> Listing:
        before_id = get_checkpoint_id(before) if before else None
        if config is None:
            threads: list[Any] = yield from self._all_threads_op()
            checkpoint_ns: str | None = None
            exact_id: str | None = None
        else:
            threads = [config["configurable"]["thread_id"]]
            checkpoint_ns = config["configurable"].get("checkpoint_ns")
            exact_id = get_checkpoint_id(config)
        budget = _Budget(limit)
        for thread_id in threads:
            if budget.spent:
                return
            index = self.keys.thread(str(thread_id)).index
            if checkpoint_ns is not None and exact_id is None:
                # The graph's path: one namespace, newest first, a page per round trip.
                if before_id is None:
                    low, high = self.keys.namespace_range(checkpoint_ns)
                else:
                    low, high = self.keys.before_range(checkpoint_ns, before_id)
                while not budget.spent:
                    # Without a filter every checkpoint read is yielded: read no more than
                    # the limit still allows.
                    size = LIST_PAGE_SIZE if filter else budget.cap(LIST_PAGE_SIZE)
                    (members,) = yield Round(
                        [("ZRANGE", index, high, low, "BYLEX", "REV", "LIMIT", 0, size)]
                    )
                    page = [self.keys.parse_checkpoint_field(m.decode()) for m in members]
                    yield from self._emit_page_op(thread_id, page, filter, budget)
                    if len(members) < size:
                        break
                    high = b"(" + members[-1]
            elif checkpoint_ns is not None and exact_id is not None:
                if before_id is None or exact_id < before_id:
                    page = [CheckpointRef(checkpoint_ns, exact_id)]
                    yield from self._emit_page_op(thread_id, page, filter, budget)
            else:
                # Every namespace of the thread (no graph lists this way): the whole index.
                refs = yield from self._all_refs_op(index)
                refs = sorted(
                    (
                        ref for ref in refs
                        if (exact_id is None or ref.checkpoint_id == exact_id)
                        and (before_id is None or ref.checkpoint_id < before_id)
                    ),
                    key=lambda ref: ref.checkpoint_id,
                    reverse=True,
                )
                for start in range(0, len(refs), LIST_PAGE_SIZE):
                    if budget.spent:
                        break
                    page = refs[start : start + LIST_PAGE_SIZE]
                    yield from self._emit_page_op(thread_id, page, filter, budget)

    def _emit_page_op(
        self,
        thread_id: Any,
        page: list[CheckpointRef],
        filter: Mapping[str, Any] | None,
        budget: _Budget,
    ) -> Listing:
        known: dict[CheckpointRef, CheckpointMetadata] | None = None
        if filter:
            known = yield from self._matching_metadata_op(thread_id, page, filter)
            page = [ref for ref in page if ref in known]
        found = yield from self._load_tuples_op(thread_id, budget.take(page), known)
        for checkpoint_tuple in found:
            budget.spend()
            yield checkpoint_tuple

    def _all_refs_op(self, index: str) -> Operation[list[CheckpointRef]]:
        low, high = self.keys.all_checkpoints_range()
        (members,) = yield Round([("ZRANGE", index, low, high, "BYLEX")])
        return [self.keys.parse_checkpoint_field(m.decode()) for m in members]

    def _all_threads_op(self) -> Operation[list[str]]:
        threads: set[str] = set()
        cursor = 0
        pattern = self.keys.thread_scan_pattern()
        while True:
            ((cursor, found),) = yield Round(
                [("SCAN", cursor, "MATCH", pattern, "COUNT", 1000, "TYPE", "zset")]
            )
            threads.update(self.keys.thread_of_index_key(key.decode()) for key in found)
            if cursor == 0:
                return sorted(threads)

    def _matching_metadata_op(
        self, thread_id: Any, refs: list[CheckpointRef], filter: Mapping[str, Any]
    ) -> Operation[dict[CheckpointRef, CheckpointMetadata]]:
        if not refs:
            return {}
        data = self.keys.thread(str(thread_id)).data
        (stored,) = yield Round([("HMGET", data, *map(self.keys.metadata_field, refs))])
        matching: dict[CheckpointRef, CheckpointMetadata] = {}
        for ref, raw in zip(refs, stored, strict=True):
            if raw is None:
                continue
            metadata = self._load_metadata(raw)
            if all(metadata.get(key) == value for key, value in filter.items()):
                matching[ref] = metadata
        return matching

    def _load_tuples_op(
        self,
        thread_id: Any,
        refs: Sequence[CheckpointRef],
        known_metadata: Mapping[CheckpointRef, CheckpointMetadata] | None = None,
    ) -> Operation[list[CheckpointTuple]]:
        """Full tuples for ``refs`` in two rounds, skipping checkpoints that are gone."""
        if not refs:
            return []
        thread = self.keys.thread(str(thread_id))
        known = known_metadata or {}
        first: list[Command] = []
        for ref in refs:
            low, high = self.keys.writes_range(ref)
            fields = (self.keys.checkpoint_field(ref), self.keys.metadata_field(ref))
            first.append(("HMGET", thread.data, *fields))
            first.append(("ZRANGE", thread.index, low, high, "BYLEX"))
        replies = yield Round(first)

        loaded: list[_Loaded] = []
        for ref, (record, metadata), write_fields in zip(
            refs, replies[0::2], replies[1::2], strict=True
        ):
            if record is None:
                continue
            checkpoint, parent_id = self._load_record(record)
            metadata = known.get(ref) or self._load_metadata(metadata)
            loaded.append(_Loaded(ref, checkpoint, parent_id, metadata, write_fields))
        if not loaded:
            return []
        second: list[Command] = [
            ("HMGET", thread.data, *item.value_fields, *item.write_fields)
            for item in loaded
            if item.value_fields or item.write_fields
        ]
        stored_by_checkpoint = iter((yield Round(second)) if second else [])

        tuples: list[CheckpointTuple] = []
        for item in loaded:
            stored = next(stored_by_checkpoint) if item.value_fields or item.write_fields else []
            channels = list(item.checkpoint["channel_versions"])
            item.checkpoint["channel_values"] = self._load_channel_values(
                channels, stored[: len(channels)]
            )
            ref = item.ref
            tuples.append(
                CheckpointTuple(
                    config=_config(thread_id, ref.checkpoint_ns, ref.checkpoint_id),
                    checkpoint=item.checkpoint,
                    metadata=item.metadata,
                    parent_config=(
                        _config(thread_id, ref.checkpoint_ns, item.parent_id)
                        if item.parent_id
                        else None
                    ),
                    pending_writes=self._load_writes(item.write_fields, stored[len(channels) :]),
                )
            )
        return tuples

    def _load_record(self, stored: bytes) -> tuple[Checkpoint, str | None]:
        typed, parent_id = self.codec.load_record(stored)
        checkpoint: Checkpoint = self.serde.loads_typed(typed)
        return checkpoint, parent_id

    def _load_metadata(self, stored: bytes | None) -> CheckpointMetadata:
        if stored is None:
            return {}
        metadata: CheckpointMetadata = self.serde.loads_typed(self.codec.load_value(stored))
        return metadata

    def _load_channel_values(
        self, channels: Sequence[str], stored: Sequence[bytes | None]
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for channel, raw in zip(channels, stored, strict=True):
            if raw is None:
                continue
            typed = self.codec.load_value(raw)
            if typed[0] != EMPTY[0]:
                values[channel] = self.serde.loads_typed(typed)
        return values

    def _load_writes(
        self, fields: Sequence[bytes], stored: Sequence[bytes | None]
    ) -> list[PendingWrite]:
        ordered: list[tuple[tuple[str, str, int], PendingWrite]] = []
        for field_name, raw in zip(fields, stored, strict=True):
            if raw is None:
                continue
            ref = self.keys.parse_write_field(field_name.decode())
            channel, typed, task_path = self.codec.load_write(raw)
            ordered.append((
                writes_sort_key(task_path, ref.task_id, ref.idx),
                (ref.task_id, channel, self.serde.loads_typed(typed)),
            ))
        ordered.sort(key=lambda item: item[0])
        return [write for _, write in ordered]

    # Maintenance (not on a graph's path)

    def _delete_thread_op(self, thread_id: str) -> Operation[None]:
        thread = self.keys.thread(str(thread_id))
        refs = yield from self._all_refs_op(thread.index)
        stored: list[bytes | None] = []
        if refs:
            (stored,) = yield Round([("HMGET", thread.data, *map(self.keys.metadata_field, refs))])
        commands: list[Command] = [("DEL", *thread.all)]
        commands += [
            ("SREM", self.keys.run(run), str(thread_id)) for run in self._run_ids(stored)
        ]
        yield Round(commands, atomic=True)

    def _copy_thread_op(self, source_thread_id: str, target_thread_id: str) -> Operation[None]:
        source = self.keys.thread(str(source_thread_id))
        target = self.keys.thread(str(target_thread_id))
        # One MULTI, so the copy is a consistent snapshot even while the source is written.
        data, index = yield Round(
            [("HGETALL", source.data), ("ZRANGE", source.index, 0, -1)], atomic=True
        )
        if not index:
            return
        commands: list[Command] = [
            ("HSET", target.data, *(part for item in data.items() for part in item)),
            ("ZADD", target.index, *(part for member in index for part in (0, member))),
        ]
        expiring = list(target.all)
        metadata = [raw for name, raw in data.items() if name.startswith(b"metadata:")]
        for run in self._run_ids(metadata):
            commands.append(("SADD", self.keys.run(run), str(target_thread_id)))
            expiring.append(self.keys.run(run))
        commands += self._expire(expiring)
        yield Round(commands, atomic=True)

    def _prune_op(self, thread_ids: Sequence[str], strategy: str) -> Operation[None]:
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f"unknown prune strategy {strategy!r}; use 'keep_latest' or 'delete'")
        for thread_id in thread_ids:
            if strategy == "delete":
                yield from self._delete_thread_op(thread_id)
            else:
                yield from self._drop_checkpoints_op(thread_id, _all_but_latest)

    def _delete_for_runs_op(self, run_ids: Sequence[str]) -> Operation[None]:
        if not run_ids:
            return
        wanted = {str(run) for run in run_ids}
        run_keys = [self.keys.run(run) for run in sorted(wanted)]
        members = yield Round([("SMEMBERS", key) for key in run_keys])
        threads = sorted({thread.decode() for found in members for thread in found})

        def of_the_runs(snapshot: _ThreadSnapshot) -> set[CheckpointRef]:
            return {
                ref for ref, metadata in snapshot.metadata.items()
                if str(metadata.get("run_id")) in wanted
            }

        for thread_id in threads:
            yield from self._drop_checkpoints_op(thread_id, of_the_runs)
        yield Round([("DEL", *run_keys)])

    def _run_ids(self, stored_metadata: Iterable[bytes | None]) -> list[str]:
        runs = {self._load_metadata(raw).get("run_id") for raw in stored_metadata}
        return sorted(str(run) for run in runs if run)

    def _drop_checkpoints_op(
        self, thread_id: str, choose: Callable[[_ThreadSnapshot], Collection[CheckpointRef]]
    ) -> Operation[None]:
        """Delete the checkpoints ``choose`` picks, their writes and the channel values no
        remaining checkpoint refers to, in one transaction guarded by WATCH: a put that
        lands meanwhile restarts the operation instead of losing a value it refers to."""
        thread = self.keys.thread(thread_id)
        yield Watch(thread.all)
        snapshot = yield from self._snapshot_op(thread)
        dropped = set(choose(snapshot))
        if not dropped:
            yield Unwatch()
            return
        kept = [ref for ref in snapshot.refs if ref not in dropped]
        touched = {ref.checkpoint_ns for ref in dropped}
        referenced = {
            self.keys.value_field(ref.checkpoint_ns, channel, version)
            for ref in kept
            for channel, version in snapshot.records[ref][0]["channel_versions"].items()
        }
        orphan_values = [
            name for name in snapshot.value_types
            if self.keys.namespace_of_value_field(name) in touched and name not in referenced
        ]
        dropped_writes = [
            name for name in snapshot.write_fields
            if self.keys.parse_write_field(name).checkpoint in dropped
        ]
        dropped_checkpoints = [self.keys.checkpoint_field(ref) for ref in dropped]
        commands: list[Command] = [
            ("HDEL", thread.data, *dropped_checkpoints, *map(self.keys.metadata_field, dropped),
             *orphan_values, *dropped_writes),
            ("ZREM", thread.index, *dropped_checkpoints, *dropped_writes),
        ]
        kept_runs = {str(snapshot.metadata[ref].get("run_id")) for ref in kept}
        gone_runs = {
            str(run) for ref in dropped
            if (run := snapshot.metadata[ref].get("run_id")) and str(run) not in kept_runs
        }
        commands += [("SREM", self.keys.run(run), thread_id) for run in sorted(gone_runs)]
        yield Round(commands, atomic=True)

    def _snapshot_op(self, thread: ThreadKeys) -> Operation[_ThreadSnapshot]:
        members, names = yield Round([("ZRANGE", thread.index, 0, -1), ("HKEYS", thread.data)])
        snapshot = _ThreadSnapshot()
        for member in (raw.decode() for raw in members):
            if self.keys.is_write_field(member):
                snapshot.write_fields.append(member)
            else:
                snapshot.refs.append(self.keys.parse_checkpoint_field(member))
        if not snapshot.refs:
            return snapshot
        value_fields = [name for name in map(bytes.decode, names) if self.keys.is_value_field(name)]
        checkpoint_fields = [
            name for ref in snapshot.refs
            for name in (self.keys.checkpoint_field(ref), self.keys.metadata_field(ref))
        ]
        (stored,) = yield Round([("HMGET", thread.data, *checkpoint_fields, *value_fields)])
        pairs = len(checkpoint_fields)
        for ref, record, metadata in zip(
            snapshot.refs, stored[0:pairs:2], stored[1:pairs:2], strict=True
        ):
            if record is not None:
                snapshot.records[ref] = self._load_record(record)
                snapshot.metadata[ref] = self._load_metadata(metadata)
        snapshot.refs = [ref for ref in snapshot.refs if ref in snapshot.records]
        snapshot.value_types = {
            name: self.codec.stored_type(raw)
            for name, raw in zip(value_fields, stored[pairs:], strict=True)
            if raw is not None
        }
        return snapshot


def _all_but_latest(snapshot: _ThreadSnapshot) -> set[CheckpointRef]:
    """Every checkpoint but the latest of each namespace, and the ancestors that latest
    still needs: a DeltaChannel not snapshotted since rebuilds its value from the writes
    of the ancestors back to the one holding a stored value, so those ancestors stay
    (see ``BaseCheckpointSaver.prune``)."""
    by_namespace: dict[str, list[CheckpointRef]] = defaultdict(list)
    for ref in snapshot.refs:
        by_namespace[ref.checkpoint_ns].append(ref)
    keep: set[CheckpointRef] = set()
    for checkpoint_ns, refs in by_namespace.items():
        latest = max(refs, key=lambda ref: ref.checkpoint_id)
        keep.add(latest)
        pending = set(snapshot.metadata[latest].get("counters_since_delta_snapshot") or {})
        pending -= _stored_channels(snapshot, latest)
        parent_id = snapshot.records[latest][1]
        while pending and parent_id is not None:
            ancestor = CheckpointRef(checkpoint_ns, parent_id)
            if ancestor not in snapshot.records:
                break
            keep.add(ancestor)
            pending -= _stored_channels(snapshot, ancestor)
            parent_id = snapshot.records[ancestor][1]
    return set(snapshot.refs) - keep


def _stored_channels(snapshot: _ThreadSnapshot, ref: CheckpointRef) -> set[str]:
    """Channels whose value (not just a version) is stored at this checkpoint."""
    versions = snapshot.records[ref][0]["channel_versions"]
    return {
        channel for channel, version in versions.items()
        if snapshot.value_types.get(CheckpointKeys.value_field(ref.checkpoint_ns, channel, version))
        not in (None, EMPTY[0])
    }


class _Budget:
    """How many more tuples a ``list`` call may yield (``None``: no limit)."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit

    @property
    def spent(self) -> bool:
        return self.left is not None and self.left <= 0

    def cap(self, size: int) -> int:
        return size if self.left is None else max(min(size, self.left), 0)

    def take(self, page: list[CheckpointRef]) -> list[CheckpointRef]:
        return page if self.left is None else page[: max(self.left, 0)]

    def spend(self) -> None:
        if self.left is not None:
            self.left -= 1


def _config(thread_id: Any, checkpoint_ns: str, checkpoint_id: str) -> RunnableConfig:
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": checkpoint_ns,
            "checkpoint_id": checkpoint_id,
        }
    }
