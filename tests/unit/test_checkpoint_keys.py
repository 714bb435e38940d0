"""Checkpoint key naming: one prefix, two keys per thread, segments that cannot collide."""

from __future__ import annotations

import pytest

from orchestration.checkpoint import DEFAULT_PREFIX, CheckpointKeys
from orchestration.checkpoint.keys import CheckpointRef, escape, unescape

ROOT = CheckpointRef("", "1ef-0002")


def _in_range(member: str, bounds: tuple[bytes, bytes]) -> bool:
    """Redis ZRANGE BYLEX semantics: byte-wise comparison, ``[`` inclusive, ``(`` exclusive."""
    low, high = bounds
    value = member.encode()
    above = value >= low[1:] if low[:1] == b"[" else value > low[1:]
    below = value <= high[1:] if high[:1] == b"[" else value < high[1:]
    return above and below


def test_a_thread_is_two_keys_under_the_checkpoint_prefix():
    # Given the default key layout
    keys = CheckpointKeys()

    # When a thread's keys and a run's key are named
    thread = keys.thread("lead-42")
    run = keys.run("run-7")

    # Then they sit under agent:checkpoint: and say what they belong to
    assert DEFAULT_PREFIX == "agent:checkpoint:"
    assert thread.all == (
        "agent:checkpoint:thread:lead-42",
        "agent:checkpoint:thread:lead-42:index",
    )
    assert run == "agent:checkpoint:run:run-7"


def test_a_custom_prefix_replaces_the_default_one():
    keys = CheckpointKeys("agent:checkpoint:test-1a2b:")

    assert keys.thread("t").index == "agent:checkpoint:test-1a2b:thread:t:index"


def test_an_empty_prefix_is_refused():
    with pytest.raises(ValueError, match="prefix"):
        CheckpointKeys("")


@pytest.mark.parametrize("segment", ["", "plain", "child:abc", "a%3Ab", "100%", "x:y:%z", "ü:1"])
def test_escaped_segments_hold_no_separator_and_read_back_unchanged(segment: str):
    escaped = escape(segment)

    assert ":" not in escaped
    assert unescape(escaped) == segment


def test_a_thread_id_with_colons_cannot_reach_into_another_threads_keys():
    keys = CheckpointKeys()

    # Given a thread whose id looks like another thread's index key
    tricky = keys.thread("a:index")

    # Then its keys stay its own, and the scan pattern reads its id back
    assert tricky.data == "agent:checkpoint:thread:a%3Aindex"
    assert tricky.data not in keys.thread("a").all
    assert keys.thread_of_index_key(tricky.index) == "a:index"


def test_fields_name_what_they_hold_and_read_back_as_stored():
    keys = CheckpointKeys()
    nested = CheckpointRef("parent:task-1|child:task-2", "1ef-123")

    write = keys.parse_write_field(keys.write_field(nested, "task:9", -3))

    assert keys.checkpoint_field(ROOT) == "checkpoint::1ef-0002"
    assert keys.metadata_field(ROOT) == "metadata::1ef-0002"
    assert keys.value_field("child:1", "messages", 3) == "value:child%3A1:messages:3"
    assert keys.parse_checkpoint_field(keys.checkpoint_field(nested)) == nested
    assert (write.checkpoint, write.task_id, write.idx) == (nested, "task:9", -3)
    assert keys.namespace_of_value_field(keys.value_field("child:1", "messages", 3)) == "child:1"


def test_a_field_of_another_kind_is_not_read_as_a_checkpoint():
    keys = CheckpointKeys()

    with pytest.raises(ValueError, match="not a checkpoint field"):
        keys.parse_checkpoint_field(keys.metadata_field(ROOT))


def test_a_namespace_range_selects_that_namespaces_checkpoints_only():
    keys = CheckpointKeys()
    members = {
        ns: keys.checkpoint_field(CheckpointRef(ns, "1ef-0002"))
        for ns in ("", "child", "child:1", "child1", "chil")
    }
    a_write = keys.write_field(CheckpointRef("child", "1ef-0002"), "task", 0)

    for ns in members:
        selected = [other for other, m in members.items()
                    if _in_range(m, keys.namespace_range(ns))]
        assert selected == [ns], f"range of {ns!r} selected {selected}"
        assert not _in_range(a_write, keys.namespace_range(ns))
    assert all(_in_range(m, keys.all_checkpoints_range()) for m in members.values())
    assert not _in_range(a_write, keys.all_checkpoints_range())


def test_a_before_range_selects_only_older_checkpoints_of_the_namespace():
    keys = CheckpointKeys()
    ids = ["1ef-0001", "1ef-0002", "1ef-0003"]
    bounds = keys.before_range("", "1ef-0002")

    older = [cid for cid in ids if _in_range(keys.checkpoint_field(CheckpointRef("", cid)), bounds)]
    other_namespace = _in_range(keys.checkpoint_field(CheckpointRef("child", "1ef-0001")), bounds)

    assert older == ["1ef-0001"]
    assert not other_namespace


def test_a_writes_range_selects_one_checkpoints_writes():
    keys = CheckpointKeys()
    bounds = keys.writes_range(ROOT)

    assert _in_range(keys.write_field(ROOT, "task-a", 0), bounds)
    assert _in_range(keys.write_field(ROOT, "task-b", -1), bounds)
    assert not _in_range(keys.write_field(CheckpointRef("", "1ef-00020"), "task-a", 0), bounds)
    assert not _in_range(keys.write_field(CheckpointRef("", "1ef-0003"), "task-a", 0), bounds)
    assert not _in_range(keys.write_field(CheckpointRef("child", "1ef-0002"), "t", 0), bounds)
    assert not _in_range(keys.checkpoint_field(ROOT), bounds)
