"""What a checkpoint write sends to Redis: one transaction that also keeps the thread alive."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.serde.types import INTERRUPT

from orchestration.checkpoint import RedisCheckpointSaver
from orchestration.checkpoint.keys import CheckpointRef
from orchestration.checkpoint.operations import RedisSaverOperations, Round

CONFIG: Any = {"configurable": {"thread_id": "lead-1", "checkpoint_ns": ""}}


def _rounds(operation: Any) -> list[Round]:
    """Run an operation whose rounds need no replies, collecting what it would send."""
    sent: list[Round] = []
    try:
        step = next(operation)
        while True:
            assert isinstance(step, Round)
            sent.append(step)
            step = operation.send([None] * len(step.commands))
    except StopIteration:
        return sent


def _put(saver: RedisSaverOperations, **metadata: Any) -> Round:
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = {"lead": {"company_name": "Acme"}, "stage": "qualification"}
    checkpoint["channel_versions"] = {"lead": "1", "stage": "2"}
    stored_metadata: Any = {"step": 1, **metadata}
    (sent,) = _rounds(saver._put_op(CONFIG, checkpoint, stored_metadata, {"stage": "2"}))
    return sent


def test_a_put_is_one_transaction_that_refreshes_every_key_of_the_thread():
    saver = RedisSaverOperations(ttl_seconds=3600)

    sent = _put(saver, run_id="run-1")

    expired = {cmd[1] for cmd in sent.commands if cmd[0] == "EXPIRE" and cmd[2] == 3600}
    assert sent.atomic
    assert [cmd[0] for cmd in sent.commands] == [
        "HSET", "ZADD", "SADD", "EXPIRE", "EXPIRE", "EXPIRE"
    ]
    assert expired == {*saver.keys.thread("lead-1").all, saver.keys.run("run-1")}


def test_a_put_writes_only_the_channels_that_changed():
    saver = RedisSaverOperations(ttl_seconds=None)

    sent = _put(saver)

    (hset,) = [cmd for cmd in sent.commands if cmd[0] == "HSET"]
    values = [name for name in hset[2::2] if saver.keys.is_value_field(name)]
    assert values == [saver.keys.value_field("", "stage", "2")]


def test_without_a_ttl_nothing_is_set_to_expire():
    saver = RedisSaverOperations(ttl_seconds=None)

    sent = _put(saver)

    assert not [cmd for cmd in sent.commands if cmd[0] == "EXPIRE"]


def test_a_retried_task_keeps_its_first_writes_but_an_interrupt_is_replaced():
    saver = RedisSaverOperations()
    config: Any = {"configurable": {**CONFIG["configurable"], "checkpoint_id": "1ef-1"}}

    (sent,) = _rounds(
        saver._put_writes_op(config, [("stage", "enrichment"), (INTERRUPT, "ask")], "task-1", "")
    )

    by_command = {cmd[2]: cmd[0] for cmd in sent.commands if cmd[0] in ("HSET", "HSETNX")}
    checkpoint = CheckpointRef("", "1ef-1")
    assert sent.atomic
    assert by_command == {
        saver.keys.write_field(checkpoint, "task-1", 0): "HSETNX",
        saver.keys.write_field(checkpoint, "task-1", -3): "HSET",
    }


@pytest.mark.parametrize("ttl", [0, -5])
def test_a_ttl_that_is_not_positive_is_refused(ttl: int):
    with pytest.raises(ValueError, match="ttl_seconds"):
        RedisSaverOperations(ttl_seconds=ttl)


def test_versions_sort_as_text_in_the_order_they_were_made():
    saver = RedisSaverOperations()

    versions = [saver.get_next_version(None, None)]
    for _ in range(11):
        versions.append(saver.get_next_version(versions[-1], None))

    assert sorted(versions) == versions
    assert versions[-1].startswith(f"{12:032}.")


def test_a_client_that_decodes_replies_to_text_is_refused():
    # Stored values are binary; a text-mode client would fail on the first read instead.
    with pytest.raises(ValueError, match="decode_responses=False"):
        RedisCheckpointSaver(redis.Redis(decode_responses=True))
