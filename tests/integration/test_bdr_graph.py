"""The BDR pause on the project's Redis checkpointer: once per lead, durable, with a TTL."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
import redis
from langchain_core.runnables import RunnableConfig

from orchestration.agents.base import RunContext
from orchestration.agents.bdr.agent import BdrAgent, thread_id
from orchestration.agents.bdr.state import Decision
from orchestration.checkpoint.runtime import get_checkpointer, reset_checkpointer
from settings import get_settings
from tests.support.leads import FIXED_NOW, strong_dealer


@pytest.fixture
def lead(servers) -> dict[str, Any]:
    reset_checkpointer()  # built on the test servers' Redis
    return strong_dealer(id=str(uuid.uuid4()))


def thread_key(lead: dict[str, Any]) -> str:
    return f"agent:checkpoint:thread:{thread_id(lead['id']).replace(':', '%3A')}"


def checkpoints(lead: dict[str, Any]) -> int:
    config: RunnableConfig = {"configurable": {"thread_id": thread_id(lead["id"])}}
    return len(list(get_checkpointer().list(config)))


def test_the_pause_lives_in_redis_with_the_configured_ttl(lead) -> None:
    BdrAgent(clock=lambda: FIXED_NOW).run(lead, RunContext())

    client = redis.Redis.from_url(get_settings().redis_url)
    ttl = client.ttl(thread_key(lead))
    assert 0 < ttl <= get_settings().checkpoint_ttl_seconds
    assert checkpoints(lead) > 0


def test_running_the_stage_twice_pauses_once(lead) -> None:
    first = BdrAgent(clock=lambda: FIXED_NOW).run(lead, RunContext()).output
    written = checkpoints(lead)

    # A second process (a fresh agent) running the same stage message again, an hour later
    later = FIXED_NOW + timedelta(hours=1)
    second = BdrAgent(clock=lambda: later).run(lead, RunContext()).output

    assert second == first
    assert checkpoints(lead) == written


def test_two_copies_of_the_stage_at_once_pause_once(lead) -> None:
    outputs: list[dict[str, Any]] = []

    def run() -> None:
        outputs.append(BdrAgent().run(lead, RunContext()).output)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alone = strong_dealer(id=str(uuid.uuid4()))
    BdrAgent().run(alone, RunContext())

    assert outputs[0] == outputs[1]
    assert checkpoints(lead) == checkpoints(alone)


def test_a_dry_run_writes_no_checkpoint(lead) -> None:
    output = BdrAgent().run(lead, RunContext(dry_run=True)).output

    assert output["approval_status"] == "completed (dry run)"
    assert checkpoints(lead) == 0
    assert not redis.Redis.from_url(get_settings().redis_url).exists(thread_key(lead))


def test_a_fresh_process_resumes_and_a_repeat_changes_nothing(lead) -> None:
    BdrAgent(clock=lambda: FIXED_NOW).run(lead, RunContext())
    reset_checkpointer()  # a new client, as a restarted worker has
    decided: Decision = {"action": "approve", "decided_at": FIXED_NOW.isoformat(), "by": "dana"}

    first = BdrAgent().decide(lead["id"], decided)
    written = checkpoints(lead)
    again = BdrAgent().decide(lead["id"], {**decided, "action": "reject"})

    assert first.meeting is not None
    assert again == first
    assert checkpoints(lead) == written
