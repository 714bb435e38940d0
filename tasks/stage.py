"""The one way a pipeline stage runs: load, run the agent's graph, persist, hand on.

Each agent queue's task module is a one-liner built by :func:`stage_task`; all the
delivery rules (idempotency, retries, the redelivery guard, early stops) live here.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from typing import Any

import psycopg
import redis
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from kombu.exceptions import OperationalError as BrokerOperationalError
from sqlalchemy.exc import InterfaceError, OperationalError

from db.models import LeadStatus
from db.repositories.stages import (
    StageWrite,
    StageWritten,
    load_stage_input,
    mark_lead_terminal_without_stage,
    write_stage,
)
from db.session import autocommit_driver, unit_of_work
from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.registry import get_agent
from settings import get_settings
from workers.celery_app import app
from workers.lifecycle import get_redis
from workers.queues import FINALIZE_BATCH, PIPELINE_STAGES, STAGE_TASKS

log = logging.getLogger(__name__)


DO_NOT_CONTACT_REASON = "do not contact: the prospect unsubscribed"


class TransientError(Exception):
    """A failure worth retrying: a provider timeout, a dropped connection."""


class LeadNotFoundError(LookupError):
    """The message names a lead that is not in the database (deleted, or wrong database)."""


TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    TransientError,
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,  # the stage hot path runs on the bare driver connection
    psycopg.InterfaceError,
    redis.ConnectionError,
    redis.TimeoutError,
    BrokerOperationalError,
    ConnectionError,
    TimeoutError,
    SoftTimeLimitExceeded,
)


def stage_payload(lead_id: uuid.UUID | str, batch_id: uuid.UUID | str | None) -> dict[str, Any]:
    """What travels between stages: ids only; each stage reloads what it needs."""
    return {"lead_id": str(lead_id), "batch_id": str(batch_id) if batch_id else None}


def retry_countdown(retries: int) -> float:
    """Exponential backoff with full jitter, capped well below the visibility timeout."""
    settings = get_settings()
    cap = min(settings.retry_backoff_max, settings.visibility_timeout // 4)
    return random.uniform(0, min(cap, 2 ** (retries + 1)))


def stop_chain(task: Task[Any, Any]) -> None:
    """End this lead's chain here (the documented way for protocol-2 messages)."""
    task.request.chain = None
    task.request.callbacks = None


def _redelivered(task: Task[Any, Any]) -> bool:
    """Set by the Redis transport on every message it restores (lost ack, rejected requeue),
    both in the delivery info and as a message header."""
    request = task.request
    return bool((request.delivery_info or {}).get("redelivered") or request.get("redelivered"))


def _delivery_guard_tripped(task: Task[Any, Any]) -> int:
    """Count deliveries of this exact message; >max means it keeps killing workers."""
    key = f"delivery:{task.request.id}:{task.request.retries}"
    client = get_redis()
    pipe = client.pipeline()
    pipe.incr(key)
    pipe.expire(key, get_settings().visibility_timeout * 4)
    count = int(pipe.execute()[0])
    return count if count > get_settings().max_deliveries else 0


def _finalize_if_done(written: StageWritten, batch_id: str | None) -> None:
    if (
        batch_id
        and written.done_count is not None
        and written.accepted_count is not None
        and written.done_count >= written.accepted_count
    ):
        app.send_task(FINALIZE_BATCH, args=(batch_id,))


def run_stage(task: Task[Any, Any], stage: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    lead_id = uuid.UUID(payload["lead_id"])
    batch_id = payload.get("batch_id")
    batch_uuid = uuid.UUID(batch_id) if batch_id else None

    deliveries = _delivery_guard_tripped(task) if _redelivered(task) else 0
    if deliveries:
        reason = f"{stage}: gave up after {deliveries} deliveries (the worker was lost each time)"
        log.error("lead %s %s", lead_id, reason)
        with unit_of_work() as session:
            written = mark_lead_terminal_without_stage(
                session, lead_id, LeadStatus.failed, reason, error_stage=stage
            )
        _finalize_if_done(written, batch_id)
        stop_chain(task)
        return None

    with autocommit_driver() as conn:
        loaded = load_stage_input(conn, lead_id, stage)
    if loaded is None:
        stop_chain(task)
        raise LeadNotFoundError(f"lead {lead_id} does not exist")

    if loaded.existing_success is not None:
        # A redelivery or a duplicate message: the stage already ran; never run it twice.
        ended = not loaded.existing_success or (loaded.existing_output or {}).get("stopped")
        if ended or stage == PIPELINE_STAGES[-1]:
            stop_chain(task)
            return None
        return stage_payload(lead_id, batch_id)
    if loaded.status in {LeadStatus.failed, LeadStatus.disqualified}:
        stop_chain(task)
        return None
    if loaded.do_not_contact:
        # The prospect unsubscribed (a conversation turn): no stage works this lead on.
        with unit_of_work() as session:
            written = mark_lead_terminal_without_stage(
                session, lead_id, LeadStatus.disqualified, DO_NOT_CONTACT_REASON
            )
        _finalize_if_done(written, batch_id)
        stop_chain(task)
        return None

    context = RunContext(batch_id=batch_id, **loaded.batch_options)
    started = time.perf_counter()
    try:
        outcome = get_agent(stage).run(loaded.lead, context)
    except TRANSIENT_ERRORS as exc:
        if task.request.retries < get_settings().max_retries:
            raise task.retry(exc=exc, countdown=retry_countdown(task.request.retries)) from exc
        _record_failure(task, stage, lead_id, batch_uuid, loaded.lead, exc, started)
        return None
    except Exception as exc:  # an agent bug or bad data: retrying will not help
        log.exception("lead %s failed at %s", lead_id, stage)
        _record_failure(task, stage, lead_id, batch_uuid, loaded.lead, exc, started)
        return None

    latency_ms = (time.perf_counter() - started) * 1000
    # What the agent was given, less the bulky parts stored elsewhere (raw and profile on
    # the lead, earlier outputs on their own rows); qualification keeps the profile it scored.
    left_out = {"raw", "stage_outputs"} | ({"profile"} if stage != "qualification" else set())
    agent_input = {k: v for k, v in loaded.lead.items() if k not in left_out}
    return _record_success(
        task, stage, lead_id, batch_uuid, outcome, latency_ms, context, agent_input
    )


def _record_success(
    task: Task[Any, Any],
    stage: str,
    lead_id: uuid.UUID,
    batch_id: uuid.UUID | None,
    outcome: StageOutcome,
    latency_ms: float,
    context: RunContext,
    agent_input: dict[str, Any],
) -> dict[str, Any] | None:
    last = stage == PIPELINE_STAGES[-1]
    lead_values = dict(outcome.lead_updates)
    output = dict(outcome.output)
    if outcome.stop_reason:
        output["stopped"] = outcome.stop_reason
        status = LeadStatus.disqualified
        lead_values["outcome_reason"] = outcome.stop_reason
    elif outcome.complete_reason:
        status = LeadStatus.completed
        lead_values["outcome_reason"] = outcome.complete_reason
    elif last:
        status = LeadStatus.completed if context.dry_run else LeadStatus.awaiting_approval
    else:
        status = LeadStatus.in_progress
    terminal = bool(outcome.stop_reason or outcome.complete_reason) or last
    write = StageWrite(
        stage=stage,
        task_id=task.request.id,
        engine=outcome.engine,
        input={"lead": agent_input, "options": context.__dict__},
        output=output,
        success=True,
        error=None,
        attempts=task.request.retries + 1,
        latency_ms=latency_ms,
        cost_usd=outcome.cost_usd,
        status=status,
        lead_values=lead_values,
        terminal=terminal,
    )
    with autocommit_driver() as conn:
        written = write_stage(conn, lead_id, batch_id, write)
    if not written.inserted:
        # A concurrent copy of this message wrote first; it carries the chain on.
        stop_chain(task)
        return None
    _finalize_if_done(written, str(batch_id) if batch_id else None)
    if terminal:
        stop_chain(task)
        return None
    return stage_payload(lead_id, batch_id)


def _record_failure(
    task: Task[Any, Any],
    stage: str,
    lead_id: uuid.UUID,
    batch_id: uuid.UUID | None,
    lead: dict[str, Any],
    exc: BaseException,
    started: float,
) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    write = StageWrite(
        stage=stage,
        task_id=task.request.id,
        engine="rules",
        input={"lead_id": str(lead_id)},
        output={},
        success=False,
        error=error,
        attempts=task.request.retries + 1,
        latency_ms=(time.perf_counter() - started) * 1000,
        cost_usd=0.0,
        status=LeadStatus.failed,
        lead_values={
            "error_stage": stage,
            "error_message": error,
            "outcome_reason": f"failed at {stage}",
        },
        terminal=True,
    )
    with autocommit_driver() as conn:
        written = write_stage(conn, lead_id, batch_id, write)
    _finalize_if_done(written, str(batch_id) if batch_id else None)
    stop_chain(task)
    log.warning("lead %s (%s) failed at %s: %s", lead_id, lead.get("company_name"), stage, error)


def stage_task(stage: str) -> Task[Any, Any]:
    """Register ``<stage>.run``: the Celery task for one agent queue."""

    @app.task(name=STAGE_TASKS[stage], bind=True, max_retries=None)
    def run(self: Task[Any, Any], payload: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return run_stage(self, stage, payload)
        except TRANSIENT_ERRORS as exc:
            # Postgres, Redis or the broker failed outside the agent (loading or recording):
            # nothing was written, so the whole stage is retried, chain included.
            if self.request.retries >= get_settings().max_retries:
                raise
            log.warning("lead %s at %s: %s; retrying", payload.get("lead_id"), stage, exc)
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc

    run.__doc__ = f"Run the {stage} agent for one lead and hand on to the next stage."
    return run
