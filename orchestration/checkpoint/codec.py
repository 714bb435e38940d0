"""How serialised values become the bytes stored in Redis, with optional compression.

The saver's serde turns every object into a typed pair ``(type, payload)``. This module
wraps those pairs in small msgpack envelopes and, when asked, compresses large payloads.
A compressed payload carries its codec in the type (``msgpack+zlib``, ``msgpack+zstd``),
so a reader decompresses whatever it finds, whatever its own setting: savers with and
without compression can share a thread, and switching compression on needs no migration.
"""

from __future__ import annotations

import zlib
from typing import Any, Literal

import ormsgpack

Compression = Literal["zlib", "zstd"]
Typed = tuple[str, bytes]

# Smaller payloads gain little and cost a compressor call on every put.
MIN_COMPRESSED_BYTES = 512
# The type LangGraph's own savers store for a channel cleared in this version.
EMPTY: Typed = ("empty", b"")
_CODECS: tuple[Compression, ...] = ("zlib", "zstd")


class BlobCodec:
    """Packs typed values into stored bytes and back, compressing when configured."""

    def __init__(self, compression: Compression | None = None) -> None:
        if compression is not None and compression not in _CODECS:
            raise ValueError(f"unknown compression {compression!r}; use one of {_CODECS}")
        if compression == "zstd":
            _zstd()  # fail at construction, not on the first large checkpoint
        self.compression = compression

    # Typed pairs

    def compress(self, typed: Typed) -> Typed:
        type_, payload = typed
        if self.compression is None or len(payload) < MIN_COMPRESSED_BYTES:
            return typed
        packed = _compress(self.compression, payload)
        if len(packed) >= len(payload):
            return typed
        return f"{type_}+{self.compression}", packed

    @staticmethod
    def decompress(typed: Typed) -> Typed:
        type_, payload = typed
        base, _, codec = type_.rpartition("+")
        if base and codec in _CODECS:
            return base, _decompress(codec, payload)
        return typed

    # Stored envelopes

    def dump_value(self, typed: Typed) -> bytes:
        """A channel value or metadata, as stored."""
        return ormsgpack.packb(list(self.compress(typed)))

    def load_value(self, stored: bytes) -> Typed:
        type_, payload = _unpack(stored, 2)
        return self.decompress((type_, payload))

    @staticmethod
    def stored_type(stored: bytes) -> str:
        """The serde type of a stored value, without decompressing its payload."""
        type_: str = _unpack(stored, 2)[0]
        return type_

    def dump_record(self, typed: Typed, parent_checkpoint_id: str | None) -> bytes:
        """A checkpoint (without its channel values) and the id of its parent."""
        type_, payload = self.compress(typed)
        return ormsgpack.packb([type_, payload, parent_checkpoint_id])

    def load_record(self, stored: bytes) -> tuple[Typed, str | None]:
        type_, payload, parent = _unpack(stored, 3)
        return self.decompress((type_, payload)), parent

    def dump_write(self, channel: str, typed: Typed, task_path: str) -> bytes:
        """One pending write: its channel, value and the path of the task that made it."""
        type_, payload = self.compress(typed)
        return ormsgpack.packb([channel, type_, payload, task_path])

    def load_write(self, stored: bytes) -> tuple[str, Typed, str]:
        channel, type_, payload, task_path = _unpack(stored, 4)
        return channel, self.decompress((type_, payload)), task_path


def _unpack(stored: bytes, size: int) -> list[Any]:
    fields = ormsgpack.unpackb(stored)
    if not isinstance(fields, list) or len(fields) != size:
        raise ValueError("not a checkpoint envelope written by this saver")
    return fields


def _compress(codec: str, payload: bytes) -> bytes:
    if codec == "zstd":
        compressed: bytes = _zstd().ZstdCompressor(level=3).compress(payload)
        return compressed
    return zlib.compress(payload, 6)


def _decompress(codec: str, payload: bytes) -> bytes:
    if codec == "zstd":
        restored: bytes = _zstd().ZstdDecompressor().decompress(payload)
        return restored
    return zlib.decompress(payload)


def _zstd() -> Any:
    # zstandard is optional: zlib (stdlib) is always there, zstd only when installed.
    try:
        import zstandard
    except ImportError as missing:  # pragma: no cover - depends on the environment
        raise RuntimeError("compress='zstd' needs the zstandard package") from missing
    return zstandard
