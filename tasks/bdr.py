"""The ``bdr``-queue tasks: the stage (``bdr.run``), the decision's resume, the follow-ups.

Follow-ups are due days after the booking, far beyond the broker's visibility timeout
(a Redis message held unacked longer than that is delivered again, so a long countdown
would run twice). They are therefore kept in Postgres (``follow_ups``: due_at, status) and
carried by ``bdr.follow_up`` messages whose countdown never exceeds
``min(follow_up_hop_seconds, visibility_timeout / 2)``: a message that wakes before its
follow-up is due sends itself again for the rest of the wait. Delivery is one conditional
``scheduled -> delivered`` UPDATE, so a duplicate message (a resume run twice, a sweep)
never delivers twice. ``bdr.sweep_follow_ups`` re-sends messages for follow-ups whose
chain was lost; run it from a scheduler (``celery beat``, cron) if queues may be purged.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from celery import Task

from db.bdr_models import DecisionStatus, FollowUpStatus
from db.models import JobState
from db.repositories.batches import update_job
from db.repositories.bdr import RESUME_TASK, get_decision, mark_decision_failed
from db.repositories.meetings import (
    DecisionApplied,
    apply_decision,
    deliver,
    follow_up_wait,
    mark_booked,
    mark_enqueued,
    meeting_of,
    stalled_follow_ups,
    unsent_follow_ups,
)
from db.session import unit_of_work
from orchestration.agents.bdr.agent import ApprovalNotResumableError, BdrAgent, BdrResult
from orchestration.agents.bdr.nodes import InvalidDecisionError
from orchestration.agents.bdr.state import Decision
from orchestration.agents.registry import get_agent
from orchestration.integrations.calendar import get_calendar_provider, render_ics
from orchestration.integrations.calendar.meeting import Meeting
from settings import get_settings
from tasks.stage import TRANSIENT_ERRORS, retry_countdown, stage_task
from workers.celery_app import app

log = logging.getLogger(__name__)

FOLLOW_UP_TASK = "bdr.follow_up"
SWEEP_TASK = "bdr.sweep_follow_ups"

run = stage_task("bdr")


def hop_countdown(seconds_until_due: float) -> float:
    """How long one follow-up message waits: the rest of the wait, capped well below the
    visibility timeout so the broker never hands the same message out twice."""
    settings = get_settings()
    cap = min(settings.follow_up_hop_seconds, settings.visibility_timeout // 2)
    return max(0.0, min(seconds_until_due, float(cap)))


def send_follow_up(follow_up_id: int, seconds_until_due: float) -> None:
    app.send_task(FOLLOW_UP_TASK, args=(follow_up_id,), countdown=hop_countdown(seconds_until_due))


@app.task(name=RESUME_TASK, bind=True, max_retries=None)
def resume(self: Task[Any, Any], lead_id: str) -> str:
    """Resume the lead's paused BDR graph with its recorded decision; book and schedule.

    Safe to run any number of times: the checkpoint returns the same result once resumed,
    and every write is keyed or conditional.
    """
    try:
        return _resume(uuid.UUID(lead_id))
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= get_settings().max_retries:
            # The decision stays recorded and the pause stays in Redis: sending bdr.resume
            # again (same lead id) picks it up once the outage is over.
            _record_job_failure(uuid.UUID(lead_id), f"{type(exc).__name__}: {exc}")
            raise
        log.warning("bdr resume of lead %s: %s; retrying", lead_id, exc)
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


def _record_job_failure(lead_id: uuid.UUID, error: str) -> None:
    try:
        with unit_of_work() as session:
            decision = get_decision(session, lead_id)
            if decision is not None:
                update_job(session, decision.job_id, JobState.failed, error)
    except TRANSIENT_ERRORS:
        log.warning("bdr resume of lead %s failed and could not be recorded: %s", lead_id, error)


def _resume(lead_id: uuid.UUID) -> str:
    with unit_of_work() as session:
        decision = get_decision(session, lead_id)
        if decision is None:
            log.error("bdr resume: lead %s has no recorded decision", lead_id)
            return "no decision"
        job_id, status, payload = decision.job_id, decision.status, dict(decision.decision)
        if status == DecisionStatus.recorded:
            update_job(session, job_id, JobState.started)
    if status == DecisionStatus.failed:
        return "failed"
    agent = cast(BdrAgent, get_agent("bdr"))
    try:
        result = agent.decide(str(lead_id), cast(Decision, payload))
    except (ApprovalNotResumableError, InvalidDecisionError) as exc:
        if status == DecisionStatus.applied:
            return "already applied"  # a late duplicate after the checkpoint expired
        error = f"{type(exc).__name__}: {exc}"
        log.warning("bdr resume of lead %s refused: %s", lead_id, error)
        with unit_of_work() as session:
            mark_decision_failed(session, lead_id, error)
            update_job(session, job_id, JobState.failed, error)
        return "failed"
    with unit_of_work() as session:
        apply_decision(session, _applied(lead_id, result))
    if result.meeting is not None:
        _book(lead_id, result.meeting)
    _enqueue_follow_ups(lead_id)
    with unit_of_work() as session:
        update_job(session, job_id, JobState.succeeded)
    return result.approval_status


def _applied(lead_id: uuid.UUID, result: BdrResult) -> DecisionApplied:
    decision = result.decision
    patch: dict[str, Any] = {
        "approval_status": result.approval_status,
        "decision": {
            k: decision[k] for k in ("action", "by", "reason", "decided_at") if k in decision
        },
    }
    meeting_row: dict[str, Any] | None = None
    if result.final_draft is not None:
        patch["draft"] = result.final_draft
    if result.meeting is not None:
        meeting = result.meeting
        patch["meeting"] = {k: meeting[k] for k in ("uid", "start", "end", "label", "timezone")}
        meeting_row = {
            "uid": meeting["uid"],
            "starts_at": datetime.fromisoformat(meeting["start"]),
            "ends_at": datetime.fromisoformat(meeting["end"]),
            "timezone": meeting["timezone"],
            "label": meeting["label"],
            "summary": meeting["summary"],
            "ics": render_ics(meeting),
            "provider": get_settings().calendar_provider,
        }
    patch["follow_ups"] = [{"kind": f["kind"], "due_at": f["due_at"]} for f in result.follow_ups]
    return DecisionApplied(
        lead_id=lead_id,
        status="completed",
        outcome_reason=result.outcome_reason,
        bdr_patch=patch,
        meeting=meeting_row,
        follow_ups=[
            {
                "kind": f["kind"],
                "channel": f["channel"],
                "due_at": datetime.fromisoformat(f["due_at"]),
                "subject": f["subject"],
                "body": f["body"],
            }
            for f in result.follow_ups
        ],
    )


def _book(lead_id: uuid.UUID, meeting: Meeting) -> None:
    """Put the meeting on the calendar once: the provider is idempotent on the UID, and the
    ``pending -> booked`` update records it once."""
    with unit_of_work() as session:
        stored = meeting_of(session, lead_id)
        if stored is None or stored.status != "pending":
            return
    external_id = get_calendar_provider(get_settings().calendar_provider).book(meeting)
    with unit_of_work() as session:
        mark_booked(session, lead_id, external_id)


def _enqueue_follow_ups(lead_id: uuid.UUID) -> None:
    """Send the first message of each follow-up not yet sent. Sent before it is marked:
    a crash in between sends a duplicate message (harmless), never none."""
    with unit_of_work() as session:
        unsent = unsent_follow_ups(session, lead_id)
    for follow_up_id, seconds_until_due in unsent:
        send_follow_up(follow_up_id, seconds_until_due)
    if unsent:
        with unit_of_work() as session:
            mark_enqueued(session, [follow_up_id for follow_up_id, _ in unsent])


_RETRY_TRANSIENT: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": get_settings().retry_backoff_max,
    "retry_jitter": True,
    "max_retries": 10,
}


@app.task(name=FOLLOW_UP_TASK, **_RETRY_TRANSIENT)
def follow_up(follow_up_id: int) -> str:
    """Deliver one follow-up when it is due, or wait another hop; once, however often sent."""
    with unit_of_work() as session:
        found = follow_up_wait(session, follow_up_id)
        if found is None:
            return "gone"
        status, seconds_until_due = found
        if status != FollowUpStatus.scheduled:
            return f"already {status}"
        delivered = deliver(session, follow_up_id) if seconds_until_due <= 0 else None
    if delivered is None:
        if seconds_until_due <= 0:
            return "already delivered"  # another message won the conditional update
        send_follow_up(follow_up_id, seconds_until_due)
        return "waiting"
    # No outbound mail provider is configured: delivery puts the written message in the
    # outbox (the row), where the rep's mail tool or the CRM sync picks it up.
    log.info(
        "follow-up %s (%s, %s) for lead %s delivered",
        follow_up_id,
        delivered.kind,
        delivered.channel,
        delivered.lead_id,
    )
    return "delivered"


@app.task(name=SWEEP_TASK, **_RETRY_TRANSIENT)
def sweep_follow_ups(limit: int = 500) -> int:
    """Re-send messages for scheduled follow-ups whose chain was lost; returns how many."""
    older_than = datetime.now(UTC) - timedelta(seconds=get_settings().visibility_timeout)
    with unit_of_work() as session:
        stalled = stalled_follow_ups(session, older_than, limit)
    for follow_up_id in stalled:
        send_follow_up(follow_up_id, 0)
    return len(stalled)
