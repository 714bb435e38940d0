"""A worker killed with SIGKILL mid-batch loses no lead once a new worker starts."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from db.models import Batch
from db.session import read_only
from tests.integration.helpers import (
    executions_per_lead,
    leads_by_status,
    wait_for_batch,
    wait_for_done_count,
)
from tests.integration.test_pipeline import submit_file
from tests.support.servers import apply_env, claim_redis_db
from tests.support.worker import start_worker_process
from workers.celery_app import app
from workers.queues import PIPELINE_STAGES, REQUEUE_STALLED_LEADS

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

    # And a new worker starts, and the stalled-lead sweep (which `sales-agent beat` runs every
    # minute) runs once the batch stops moving: a message the kill caught between the queue
    # and the unacked hash has no copy left on the broker, only Postgres knows of it
    second = start_worker_process(private_broker, name="rescuer")
    try:
        wait_until_idle(batch_id, quiet_seconds=3)
        app.send_task(REQUEUE_STALLED_LEADS, kwargs={"idle_seconds": 2})
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


def wait_until_idle(batch_id: uuid.UUID, quiet_seconds: float, timeout: float = 120) -> None:
    """Until the batch is finished or its done count has not moved for ``quiet_seconds``."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        batch = current_batch(batch_id)
        if batch.status == "finished":
            return
        if batch.done_count != last:
            last, since = batch.done_count, time.monotonic()
        elif time.monotonic() - since >= quiet_seconds:
            return
        time.sleep(0.2)


def current_batch(batch_id: uuid.UUID) -> Batch:
    with read_only() as session:
        batch = session.get(Batch, batch_id)
    assert batch is not None
    return batch
