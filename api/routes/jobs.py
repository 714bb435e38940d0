"""Jobs: the state of any task id the API handed out, from our own records."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import read_now
from api.schemas import JobOut
from db.models import AgentExecution, Job

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


def _find_job(session: Session, task_id: str) -> JobOut | None:
    job = session.get(Job, task_id)
    if job is not None:
        return JobOut(
            job_id=job.id, kind=job.kind, state=job.state,
            batch_id=job.batch_id, lead_id=job.lead_id, error=job.error,
            created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
        )
    # A stage task id: one lookup on ix_agent_executions_task_id.
    execution = session.scalars(
        select(AgentExecution).where(AgentExecution.task_id == task_id).limit(1)
    ).first()
    if execution is None:
        return None
    return JobOut(
        job_id=task_id,
        kind=f"{execution.stage}.run",
        state="succeeded" if execution.success else "failed",
        batch_id=execution.batch_id,
        lead_id=execution.lead_id,
        error=execution.error,
        created_at=execution.created_at,
        finished_at=execution.created_at,
    )


@router.get(
    "/{task_id}",
    response_model=JobOut,
    responses={503: {"description": "the database is busy; retry after `Retry-After` s"}},
)
async def get_job(task_id: str) -> JobOut:
    """State of a job (a batch dispatch, or any stage task id found in a lead's history)."""
    job = await read_now(lambda session: _find_job(session, task_id))
    if job is None:
        raise HTTPException(404, detail=f"no job {task_id}")
    return job
