"""Stored checkpoint values: compression that round-trips and tells readers what it did."""

from __future__ import annotations

import os

import pytest
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from orchestration.checkpoint.codec import EMPTY, MIN_COMPRESSED_BYTES, BlobCodec

serde = JsonPlusSerializer()
LEAD_STATE = {
    "company_name": "Acme Solar & Electric",
    "profile": {"oems": ["Generac", "Tesla"], "capabilities": {"solar": True, "hvac": None}},
    "notes": "Elite dealer, residential and commercial installs. " * 40,
}


@pytest.mark.parametrize("compression", ["zlib", "zstd"])
def test_a_large_value_is_stored_smaller_and_reads_back_unchanged(compression):
    codec = BlobCodec(compression)
    typed = serde.dumps_typed(LEAD_STATE)

    stored = codec.dump_value(typed)

    assert len(stored) < len(typed[1])
    assert codec.load_value(stored) == typed
    assert serde.loads_typed(codec.load_value(stored)) == LEAD_STATE


@pytest.mark.parametrize("compression", ["zlib", "zstd"])
def test_a_reader_without_compression_reads_what_a_compressing_writer_stored(compression):
    typed = serde.dumps_typed(LEAD_STATE)

    stored = BlobCodec(compression).dump_value(typed)

    assert BlobCodec(None).load_value(stored) == typed
    assert BlobCodec.stored_type(stored) == f"{typed[0]}+{compression}"


def test_small_and_incompressible_values_are_stored_as_they_are():
    codec = BlobCodec("zlib")
    small = serde.dumps_typed("qualified")
    noise = ("bytes", os.urandom(MIN_COMPRESSED_BYTES * 4))

    assert codec.compress(small) == small
    assert codec.compress(noise) == noise


def test_records_and_writes_keep_their_parent_channel_and_task_path():
    codec = BlobCodec("zlib")
    checkpoint = serde.dumps_typed({"id": "1ef-2", "channel_versions": {"lead": "1"}})
    write = serde.dumps_typed(LEAD_STATE)

    record = codec.load_record(codec.dump_record(checkpoint, "1ef-1"))
    root = codec.load_record(codec.dump_record(checkpoint, None))
    stored_write = codec.load_write(codec.dump_write("lead", write, "~__pregel_pull, enrich"))

    assert record == (checkpoint, "1ef-1")
    assert root == (checkpoint, None)
    assert stored_write == ("lead", write, "~__pregel_pull, enrich")


def test_a_cleared_channel_and_a_foreign_type_suffix_pass_through():
    # An encrypting serde tags its own types with "+aes"; that is not a compression codec.
    encrypted = ("msgpack+aes", b"\x00" * 2048)

    assert BlobCodec.decompress(encrypted) == encrypted
    assert BlobCodec(None).load_value(BlobCodec(None).dump_value(EMPTY)) == EMPTY


def test_an_unknown_compression_is_refused():
    with pytest.raises(ValueError, match="unknown compression"):
        BlobCodec("lz4")  # type: ignore[arg-type]


def test_bytes_that_are_not_an_envelope_are_refused():
    with pytest.raises(ValueError, match="envelope"):
        BlobCodec(None).load_record(BlobCodec(None).dump_value(("json", b"{}")))
