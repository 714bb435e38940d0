"""Pipeline bookkeeping: publish a batch's per-lead chains in slices; finalize a batch."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Task, chain
from sqlalchemy import func

from db.models import BatchStatus, JobState
from db.repositories.batches import (
    get_batch,
    mark_dispatched,
    next_dispatch_slice,
    set_batch_status,
    unfinished_lead_count,
    update_job,
)
from db.repositories.duplicates import flag_stored_duplicates
from db.repositories.enrichment_cache import purge_expired
from db.repositories.stalled import (
    claim_stalled_leads,
    finished_but_running,
    idle_running_batches,
)
from db.session import unit_of_work
from settings import get_settings
from tasks.stage import TRANSIENT_ERRORS, stage_payload
from workers.celery_app import app
from workers.queues import (
    DISPATCH_BATCH,
    FINALIZE_BATCH,
    PIPELINE_STAGES,
    PURGE_ENRICHMENT_CACHE,
    REQUEUE_STALLED_LEADS,
    STAGE_TASKS,
)

log = logging.getLogger(__name__)


def lead_chain(lead_id: uuid.UUID, batch_id: uuid.UUID, start: str = PIPELINE_STAGES[0]) -> Any:
    """qualification → enrichment → growth → marketing → bdr, each on its own queue
    (from ``start`` on, for a lead whose earlier stages are done)."""
    first, *rest = PIPELINE_STAGES[PIPELINE_STAGES.index(start):]
    return chain(
        app.signature(STAGE_TASKS[first], args=(stage_payload(lead_id, batch_id),)),
        *(app.signature(STAGE_TASKS[stage]) for stage in rest),
    )


# Both bookkeeping tasks are idempotent, so any database or broker hiccup is simply retried.
_RETRY_TRANSIENT: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": get_settings().retry_backoff_max,
    "retry_jitter": True,
    "max_retries": 10,
}


@app.task(name=DISPATCH_BATCH, bind=True, **_RETRY_TRANSIENT)
def dispatch_batch(self: Task[Any, Any], batch_id: str, job_id: str | None = None) -> int:
    """Publish one slice of chains, then hand the rest of the batch to a fresh message.

    Chains are published before their leads are marked, so a crash in between re-publishes
    (stages are idempotent) rather than loses a lead.
    """
    batch_uuid = uuid.UUID(batch_id)
    job_id = job_id or self.request.id
    size = get_settings().dispatch_slice_size
    with unit_of_work() as session:
        batch = get_batch(session, batch_uuid)
        if batch is None or batch.status in (BatchStatus.cancelled, BatchStatus.finished):
            if job_id:
                update_job(session, job_id, JobState.succeeded)
            return 0
        if batch.status == BatchStatus.queued:
            flag_stored_duplicates(session, batch_uuid)
            set_batch_status(session, batch_uuid, BatchStatus.dispatching)
            if job_id:
                update_job(session, job_id, JobState.started)
        lead_ids = next_dispatch_slice(session, batch_uuid, size)
    for lead_id in lead_ids:
        lead_chain(lead_id, batch_uuid).apply_async()
    with unit_of_work() as session:
        mark_dispatched(session, lead_ids)
        more = len(lead_ids) == size
        if not more:
            set_batch_status(session, batch_uuid, BatchStatus.running, dispatched_at=func.now())
            if job_id:
                update_job(session, job_id, JobState.succeeded)
    if more:
        app.send_task(DISPATCH_BATCH, args=(batch_id,), kwargs={"job_id": job_id})
    elif not lead_ids:
        # Every lead may already be done (or the batch was empty): check once more.
        app.send_task(FINALIZE_BATCH, args=(batch_id,))
    log.info("batch %s: published %d chains%s", batch_id, len(lead_ids), " (more)" if more else "")
    return len(lead_ids)


@app.task(name=FINALIZE_BATCH, bind=True, **_RETRY_TRANSIENT)
def finalize_batch(self: Task[Any, Any], batch_id: str) -> bool:
    """Mark the batch finished once Postgres says every lead has an outcome."""
    batch_uuid = uuid.UUID(batch_id)
    with unit_of_work() as session:
        batch = get_batch(session, batch_uuid)
        if batch is None or batch.status in (BatchStatus.finished, BatchStatus.cancelled):
            return False
        if batch.status in (BatchStatus.queued, BatchStatus.dispatching):
            return False  # the dispatcher sends finalize again when it is done
        if unfinished_lead_count(session, batch_uuid):
            return False
        set_batch_status(session, batch_uuid, BatchStatus.finished, finished_at=func.now())
    log.info("batch %s finished", batch_id)
    return True


@app.task(name=PURGE_ENRICHMENT_CACHE, **_RETRY_TRANSIENT)
def purge_enrichment_cache() -> int:
    """Delete provider answers past their TTL (reads already ignore them; this keeps the
    table small). Scheduled hourly by `sales-agent beat`."""
    with unit_of_work() as session:
        purged = purge_expired(session, datetime.now(UTC))
    log.info("enrichment cache: %d expired answer(s) purged", purged)
    return purged


@app.task(name=REQUEUE_STALLED_LEADS, **_RETRY_TRANSIENT)
def requeue_stalled_leads(idle_seconds: float | None = None, limit: int = 1000) -> int:
    """Publish again the chains of leads the broker lost; finalize batches whose finalize
    message was lost. Scheduled every minute by `sales-agent beat`; returns leads re-sent.

    Only batches where no lead moved for ``idle_seconds`` (SALES_AGENT_STALLED_BATCH_SECONDS)
    are looked at (see db/repositories/stalled.py). A re-sent chain starts after the lead's
    last finished stage; should the lost message turn up after all, stages are idempotent.
    """
    idle = get_settings().stalled_batch_seconds if idle_seconds is None else idle_seconds
    idle_since = func.now() - timedelta(seconds=idle)
    with unit_of_work() as session:
        unfinalized = finished_but_running(session)
        idle_batches = idle_running_batches(session, idle_since)
    for batch_id in unfinalized:
        app.send_task(FINALIZE_BATCH, args=(str(batch_id),))
    resent = 0
    for batch_id in idle_batches:
        with unit_of_work() as session:
            stalled = claim_stalled_leads(session, batch_id, idle_since, limit)
        # Claimed (touched) first, then published: a publish that fails leaves the lead to
        # the next sweep, never to nobody.
        for lead in stalled:
            start = _next_stage(lead.last_stage)
            lead_chain(lead.lead_id, lead.batch_id, start=start).apply_async()
        if stalled:
            log.warning("batch %s: %d stalled lead(s) published again", batch_id, len(stalled))
        resent += len(stalled)
    return resent


def _next_stage(last_stage: str | None) -> str:
    if last_stage is None:
        return PIPELINE_STAGES[0]
    return PIPELINE_STAGES[min(PIPELINE_STAGES.index(last_stage) + 1, len(PIPELINE_STAGES) - 1)]
