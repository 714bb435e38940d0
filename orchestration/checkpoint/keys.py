"""Every Redis key and field the checkpoint saver writes, in one place.

With the default prefix ``agent:checkpoint:`` a thread ``T`` is two keys, and a run ``R``
(when checkpoint metadata names one) one more::

    agent:checkpoint:thread:T          HASH, the thread's data:
        checkpoint:NS:ID               checkpoint ID of namespace NS (without channel
                                       values) and the id of its parent
        metadata:NS:ID                 that checkpoint's metadata
        value:NS:CHANNEL:VERSION       a channel's value at a version
        write:NS:ID:TASK:IDX           a pending write of task TASK against checkpoint ID
    agent:checkpoint:thread:T:index    ZSET, score 0, of the checkpoint:... and write:...
                                       field names above, in text order
    agent:checkpoint:run:R             SET of the thread ids holding checkpoints of run R

Why this shape:

- A thread is two keys, so two EXPIREs on every write age it as a unit: it lives ``ttl``
  seconds after its last write, and no checkpoint outlives the values and writes it refers
  to. Deleting a thread is one DEL.
- Checkpoint ids are time-ordered (uuid6), so the index gives "latest" and "before" as
  lexicographic ranges (``ZRANGE ... BYLEX``) instead of scans, and a checkpoint's writes
  as the range ``write:NS:ID:``.
- Channel values are keyed by version, so a checkpoint that leaves a channel unchanged
  does not rewrite it.
- A run key (used only by ``delete_for_runs``) expires ``ttl`` seconds after that run's
  last checkpoint.

Every segment (thread id, namespace, channel, version, task id, run id) is escaped so that
``:`` only ever separates segments: ``%`` becomes ``%25`` and ``:`` becomes ``%3A``. A
namespace such as ``child:abc`` is therefore stored as ``child%3Aabc``, and the root
namespace ``""`` as an empty segment (``checkpoint::1ef...``).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "agent:checkpoint:"

_SEPARATOR = ":"
# The byte after ":"; "p:" <= member < "p;" selects exactly the members starting with "p:".
_AFTER_SEPARATOR = ";"
_CHECKPOINT = "checkpoint"
_METADATA = "metadata"
_VALUE = "value"
_WRITE = "write"


def escape(segment: str) -> str:
    """One key segment with ``%`` and ``:`` escaped, so ``:`` can separate segments."""
    return segment.replace("%", "%25").replace(":", "%3A")


def unescape(segment: str) -> str:
    return segment.replace("%3A", ":").replace("%25", "%")


@dataclass(frozen=True)
class ThreadKeys:
    """The two keys of one thread (see the module docstring)."""

    data: str
    index: str

    @property
    def all(self) -> tuple[str, str]:
        return self.data, self.index


@dataclass(frozen=True)
class CheckpointRef:
    """One checkpoint of a thread: its namespace and id."""

    checkpoint_ns: str
    checkpoint_id: str


@dataclass(frozen=True)
class WriteRef:
    """Where a pending write sits: its checkpoint, its task and its index in the task."""

    checkpoint: CheckpointRef
    task_id: str
    idx: int


class CheckpointKeys:
    """Builds and parses the saver's keys, hash fields and index ranges under one prefix."""

    def __init__(self, prefix: str = DEFAULT_PREFIX) -> None:
        if not prefix:
            raise ValueError("the checkpoint key prefix must not be empty")
        self.prefix = prefix

    def thread(self, thread_id: str) -> ThreadKeys:
        data = f"{self.prefix}thread:{escape(thread_id)}"
        return ThreadKeys(data=data, index=f"{data}:index")

    def run(self, run_id: str) -> str:
        return f"{self.prefix}run:{escape(run_id)}"

    def thread_scan_pattern(self) -> str:
        """A SCAN pattern matching each thread's index key (admin paths only)."""
        return f"{_glob_escape(self.prefix)}thread:*:index"

    def thread_of_index_key(self, key: str) -> str:
        """The thread id of a key matched by :meth:`thread_scan_pattern`."""
        return unescape(key[len(self.prefix) + len("thread:") : -len(":index")])

    # Fields of the thread's hash (the checkpoint and write fields are index members too)

    @staticmethod
    def checkpoint_field(ref: CheckpointRef) -> str:
        return _join(_CHECKPOINT, ref.checkpoint_ns, ref.checkpoint_id)

    @staticmethod
    def metadata_field(ref: CheckpointRef) -> str:
        return _join(_METADATA, ref.checkpoint_ns, ref.checkpoint_id)

    @staticmethod
    def value_field(checkpoint_ns: str, channel: str, version: str | int | float) -> str:
        return _join(_VALUE, checkpoint_ns, channel, str(version))

    @staticmethod
    def write_field(ref: CheckpointRef, task_id: str, idx: int) -> str:
        return _join(_WRITE, ref.checkpoint_ns, ref.checkpoint_id, task_id) + f":{idx}"

    @staticmethod
    def parse_checkpoint_field(field: str) -> CheckpointRef:
        kind, ns, checkpoint_id = field.split(_SEPARATOR)
        _expect(kind, _CHECKPOINT, field)
        return CheckpointRef(unescape(ns), unescape(checkpoint_id))

    @staticmethod
    def parse_write_field(field: str) -> WriteRef:
        kind, ns, checkpoint_id, task_id, idx = field.split(_SEPARATOR)
        _expect(kind, _WRITE, field)
        return WriteRef(CheckpointRef(unescape(ns), unescape(checkpoint_id)),
                        unescape(task_id), int(idx))

    @staticmethod
    def is_value_field(field: str) -> bool:
        return field.startswith(_VALUE + _SEPARATOR)

    @staticmethod
    def is_write_field(field: str) -> bool:
        return field.startswith(_WRITE + _SEPARATOR)

    @staticmethod
    def namespace_of_value_field(field: str) -> str:
        return unescape(field.split(_SEPARATOR)[1])

    # Lexicographic ranges over the index (bytes, as ZRANGE BYLEX takes them)

    @staticmethod
    def all_checkpoints_range() -> tuple[bytes, bytes]:
        return _prefix_range(_CHECKPOINT + _SEPARATOR)

    @staticmethod
    def namespace_range(checkpoint_ns: str) -> tuple[bytes, bytes]:
        """``(min, max)`` selecting every checkpoint of one namespace."""
        return _prefix_range(_join(_CHECKPOINT, checkpoint_ns) + _SEPARATOR)

    @staticmethod
    def before_range(checkpoint_ns: str, before_id: str) -> tuple[bytes, bytes]:
        """``(min, max)`` selecting the namespace's checkpoints older than ``before_id``."""
        low, _ = CheckpointKeys.namespace_range(checkpoint_ns)
        before = CheckpointKeys.checkpoint_field(CheckpointRef(checkpoint_ns, before_id))
        return low, b"(" + before.encode()

    @staticmethod
    def writes_range(ref: CheckpointRef) -> tuple[bytes, bytes]:
        """``(min, max)`` selecting every write of one checkpoint."""
        return _prefix_range(_join(_WRITE, ref.checkpoint_ns, ref.checkpoint_id) + _SEPARATOR)


def _join(kind: str, *segments: str) -> str:
    return _SEPARATOR.join((kind, *(escape(segment) for segment in segments)))


def _expect(kind: str, expected: str, field: str) -> None:
    if kind != expected:
        raise ValueError(f"{field!r} is not a {expected} field")


def _prefix_range(prefix: str) -> tuple[bytes, bytes]:
    encoded = prefix.encode()
    return b"[" + encoded, b"(" + encoded[: -len(_SEPARATOR)] + _AFTER_SEPARATOR.encode()


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
