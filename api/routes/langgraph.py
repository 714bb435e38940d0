"""``/api/langgraph/invoke``: one agent, one lead, through that agent's queue.

The API never runs an agent itself: it records a job, sends ``<agent>.invoke`` to the
agent's queue and either waits for the result (up to ``timeout_s``) or streams the run's
progress (one event per graph node) as Server-Sent Events.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from kombu.exceptions import OperationalError as BrokerOperationalError
from pydantic import BaseModel, Field, model_validator

from api.event_streams import StreamUnavailableError, sse_response, wait_for_final
from api.intake import IntakeError, parse_records
from api.routes.agents import workers_cache
from db.models import Job, JobState
from db.repositories import conversations as lead_repository
from db.repositories.batches import update_job
from db.session import read_only, unit_of_work
from settings import get_settings
from workers.celery_app import app as celery_app
from workers.queues import PIPELINE_STAGES
from workers.streams import StreamTimeoutError, invoke_topic

router = APIRouter(prefix="/api/langgraph", tags=["agents"])

MAX_TIMEOUT_S = 300.0


class InvokeIn(BaseModel):
    """Which agent, on which lead, and how to wait."""

    agent: str = Field(..., description=f"One of: {', '.join(PIPELINE_STAGES)}.")
    input: dict[str, Any] = Field(
        ...,
        description=(
            'The lead: {"lead_id": "…"} for a stored lead (with its earlier stage outputs), '
            "or the lead's fields (generic or dealer column names, as in a JSON batch)."
        ),
    )
    stream: bool = Field(False, description="Stream progress as Server-Sent Events.")
    timeout_s: float | None = Field(
        None,
        gt=0,
        le=MAX_TIMEOUT_S,
        description=(
            "How long to wait for the result (or the stream's end); "
            "SALES_AGENT_INVOKE_TIMEOUT_S when omitted."
        ),
    )

    @model_validator(mode="after")
    def _known_agent(self) -> InvokeIn:
        if self.agent not in PIPELINE_STAGES:
            raise ValueError(f"unknown agent {self.agent!r}; agents: {', '.join(PIPELINE_STAGES)}")
        return self


class InvokeOut(BaseModel):
    job_id: str
    agent: str
    state: str
    result: dict[str, Any]


def _lead_input(body: InvokeIn) -> tuple[dict[str, Any] | None, str | None]:
    """(lead fields, None) or (None, lead id); 422/404/409 when unusable."""
    raw_id = body.input.get("lead_id")
    if raw_id is not None and len(body.input) == 1:
        try:
            lead_id = uuid.UUID(str(raw_id))
        except ValueError:
            raise HTTPException(422, detail=f"lead_id {raw_id!r} is not a UUID") from None
        with read_only() as session:
            found = lead_repository.load_lead(session, lead_id)
        if found is None:
            raise HTTPException(404, detail=f"no lead {lead_id}")
        if found[1]:
            raise HTTPException(409, detail=f"lead {lead_id} unsubscribed (do not contact)")
        return None, str(lead_id)
    try:
        parsed = parse_records([body.input], source="invoke")
    except IntakeError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    if parsed.rejections or not parsed.leads:
        reason = parsed.rejections[0].reason if parsed.rejections else "no lead in input"
        raise HTTPException(422, detail=f"input is not a usable lead: {reason}")
    return parsed.leads[0], None


def _send(body: InvokeIn) -> str:
    lead, lead_id = _lead_input(body)
    job_id = str(uuid.uuid4())
    task = f"{body.agent}.invoke"
    with unit_of_work() as session:
        session.add(
            Job(
                id=job_id,
                kind=task,
                lead_id=uuid.UUID(lead_id) if lead_id else None,
                state=JobState.queued,
            )
        )
    try:
        celery_app.send_task(
            task, kwargs={"job_id": job_id, "lead": lead, "lead_id": lead_id}, task_id=job_id
        )
    except BrokerOperationalError as exc:
        with unit_of_work() as session:
            update_job(session, job_id, JobState.failed, "the broker was unreachable; not sent")
        raise HTTPException(503, detail="the queue is unreachable; try again") from exc
    return job_id


def _timeout_detail(agent: str, job_id: str, timeout_s: float) -> str:
    workers, _ = workers_cache.by_queue()
    hint = "" if workers.get(agent) else f"; no worker is consuming the {agent!r} queue right now"
    return (
        f"agent {agent} did not answer within {timeout_s:g} s{hint}. The job is still "
        f"queued or running: poll GET /api/jobs/{job_id}"
    )


@router.post(
    "/invoke",
    response_model=InvokeOut,
    responses={
        200: {"content": {"text/event-stream": {}}},
        404: {"description": "no such lead"},
        409: {"description": "the lead unsubscribed"},
        502: {"description": "the agent failed"},
        504: {"description": "no answer within timeout_s"},
    },
)
async def invoke(body: InvokeIn) -> Response:
    """Run one agent on one lead through the agent's queue (as a dry run: nothing is
    stored on the lead, nothing is sent). Waits for the result, or with ``stream=true``
    answers with Server-Sent Events: ``job``, ``started``, one ``node`` per graph node,
    then ``done`` (with the result) or ``error``."""
    timeout_s = body.timeout_s or get_settings().invoke_timeout_s
    job_id = await run_in_threadpool(_send, body)
    topic = invoke_topic(job_id)
    if body.stream:
        return sse_response(
            topic, timeout_s, first={"type": "job", "job_id": job_id, "agent": body.agent}
        )
    try:
        final = await wait_for_final(topic, timeout_s)
    except StreamUnavailableError as exc:
        raise HTTPException(503, detail=f"{exc}; poll GET /api/jobs/{job_id}") from exc
    except StreamTimeoutError as exc:
        detail = await run_in_threadpool(_timeout_detail, body.agent, job_id, timeout_s)
        raise HTTPException(504, detail=detail) from exc
    if final["type"] == "error":
        raise HTTPException(502, detail=f"agent {body.agent} failed: {final.get('message')}")
    result = {k: v for k, v in final.items() if k not in ("seq", "type")}
    out = InvokeOut(job_id=job_id, agent=body.agent, state=JobState.succeeded, result=result)
    return JSONResponse(out.model_dump(mode="json"))
