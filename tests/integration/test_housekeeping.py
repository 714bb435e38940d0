"""Housekeeping that `sales-agent beat` schedules, run through a real worker: expired
cache rows, and leads whose messages the broker lost."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from api.intake import parse_leads
from db.models import Batch, EnrichmentCache, Lead
from db.repositories.batches import BatchOptions, NewBatch, create_batch
from db.session import read_only, unit_of_work
from tests.integration.helpers import executions_per_lead, wait_for_batch
from workers.celery_app import app
from workers.queues import (
    PIPELINE_STAGES,
    PURGE_ENRICHMENT_CACHE,
    REQUEUE_STALLED_LEADS,
    STAGE_TASKS,
)


def test_expired_provider_answers_are_purged_and_fresh_ones_kept(servers, worker):
    # Given one provider answer past its TTL and one still fresh
    now = datetime.now(UTC)
    with unit_of_work() as session:
        session.execute(delete(EnrichmentCache))
        session.execute(insert(EnrichmentCache), [
            {"provider": "hunter", "cache_key": "stale.example", "payload": {"emails": []},
             "expires_at": now - timedelta(days=1)},
            {"provider": "hunter", "cache_key": "fresh.example", "payload": {"emails": []},
             "expires_at": now + timedelta(days=1)},
        ])

    # When the scheduled purge runs on the worker
    app.send_task(PURGE_ENRICHMENT_CACHE)

    # Then only the fresh answer is left
    deadline = time.monotonic() + 30
    while True:
        with read_only() as session:
            keys = set(session.scalars(select(EnrichmentCache.cache_key)))
        if keys == {"fresh.example"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert keys == {"fresh.example"}


def test_every_scheduled_task_is_a_registered_task():
    # Given the beat schedule, then each entry names a task some worker can run
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    app.loader.import_default_modules()
    assert scheduled <= set(app.tasks)


def test_leads_whose_messages_were_lost_are_published_again(servers, worker, examples_dir):
    # Given a running batch whose leads were marked dispatched but whose messages never
    # reached a worker (lost between BRPOP and the unacked hash), one of them after
    # qualification already ran
    parsed = parse_leads((examples_dir / "generic.csv").read_bytes(), source="generic.csv")
    with unit_of_work() as session:
        batch_id = create_batch(
            session,
            NewBatch(name="lost", source="generic.csv", engine="rules",
                     options=BatchOptions(dry_run=True), total_rows=2, leads=parsed.leads[:2]),
            dispatch_task_id=str(uuid.uuid4()),
        )
        session.execute(update(Batch).where(Batch.id == batch_id).values(status="running"))
        session.execute(
            update(Lead).where(Lead.batch_id == batch_id)
            .values(dispatched=True, status="queued",
                    updated_at=func.now() - timedelta(minutes=30))
        )
    # (one lead is sent on its own, so it stops after qualification as if the rest was lost)
    first = read_lead_ids(batch_id)[0]
    app.send_task(STAGE_TASKS["qualification"],
                  args=({"lead_id": str(first), "batch_id": str(batch_id)},),
                  chain=[])
    wait_for_stage(first, "qualification")
    with unit_of_work() as session:
        session.execute(update(Lead).where(Lead.batch_id == batch_id)
                        .values(updated_at=func.now() - timedelta(minutes=30)))

    # When the sweep `sales-agent beat` schedules runs
    app.send_task(REQUEUE_STALLED_LEADS, kwargs={"idle_seconds": 60})

    # Then the batch finishes, each lead through every stage exactly once
    batch = wait_for_batch(batch_id, timeout=60)
    assert batch.done_count == 2
    for stages in executions_per_lead(batch_id).values():
        assert stages == list(PIPELINE_STAGES)


def read_lead_ids(batch_id: uuid.UUID) -> list[uuid.UUID]:
    with read_only() as session:
        return list(session.scalars(
            select(Lead.id).where(Lead.batch_id == batch_id).order_by(Lead.csv_index)
        ))


def wait_for_stage(lead_id: uuid.UUID, stage: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with read_only() as session:
            current = session.scalar(select(Lead.current_stage).where(Lead.id == lead_id))
        if current == stage:
            return
        time.sleep(0.1)
    raise AssertionError(f"lead {lead_id} did not finish {stage}")
