"""A worker killed with SIGKILL mid-batch loses no lead once a new worker starts."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.integration.helpers import (
    executions_per_lead,
    leads_by_status,
    wait_for_batch,
    wait_for_done_count,
)
from tests.integration.test_pipeline import submit_file
from tests.support.servers import apply_env, claim_redis_db
from tests.support.worker import start_worker_process
from workers.queues import PIPELINE_STAGES

VISIBILITY_TIMEOUT = 4  # seconds: how long an unacked message waits before redelivery


@pytest.fixture
def private_broker(servers):
    # A broker of its own, so the session worker cannot drain this batch.
    cleanups: list[Callable[[], None]] = []
    broker = claim_redis_db(servers.redis_url, cleanups)
    env = {**servers.env, "SALES_AGENT_BROKER_URL": broker,
           "SALES_AGENT_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    apply_env(env)
    try:
        yield env
    finally:
        apply_env(servers.env)
        for cleanup in cleanups:
            cleanup()


def test_sigkill_mid_batch_loses_no_lead(private_broker, examples_dir):
    # Given a worker running a 200+ lead batch
    first = start_worker_process(private_broker, name="doomed")
    batch_id = submit_file(examples_dir / "dealers.csv")
    try:
        wait_for_done_count(batch_id, at_least=30)
    finally:
        # When the whole worker is killed mid-batch, with messages in hand
        first.kill()
    done_at_kill = sum(
        n for s, n in leads_by_status(batch_id).items()
        if s in ("awaiting_approval", "completed", "disqualified", "failed")
    )
    time.sleep(VISIBILITY_TIMEOUT + 1)

    # And a new worker starts
    second = start_worker_process(private_broker, name="rescuer")
    try:
        batch = wait_for_batch(batch_id, timeout=240)
    finally:
        second.stop()

    # Then every lead got exactly one outcome, none failed, and no stage ran twice
    statuses = leads_by_status(batch_id)
    assert done_at_kill < batch.accepted_count, "the kill should land mid-batch"
    assert sum(statuses.values()) == batch.accepted_count
    assert statuses.get("failed", 0) == 0
    for stages in executions_per_lead(batch_id).values():
        assert len(stages) == len(set(stages))
        assert stages == list(PIPELINE_STAGES[: len(stages)])
