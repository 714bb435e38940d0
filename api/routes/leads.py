"""Leads: one lead with its execution history."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import read_now
from api.schemas import ExecutionOut, LeadOut, LeadWithHistory
from db.models import AgentExecution, Lead

router = APIRouter(prefix="/api/leads", tags=["leads"])


def _lead_with_history(session: Session, lead_id: uuid.UUID) -> LeadWithHistory | None:
    lead = session.get(Lead, lead_id)
    if lead is None:
        return None
    # At most one row per stage (unique lead_id, stage): an index read, not an aggregate.
    executions = session.scalars(
        select(AgentExecution)
        .where(AgentExecution.lead_id == lead_id)
        .order_by(AgentExecution.created_at, AgentExecution.id)
    )
    history = [ExecutionOut.model_validate(e) for e in executions]
    return LeadWithHistory(**LeadOut.model_validate(lead).model_dump(), executions=history)


@router.get(
    "/{lead_id}",
    response_model=LeadWithHistory,
    responses={503: {"description": "the database is busy; retry after `Retry-After` s"}},
)
async def get_lead(lead_id: uuid.UUID) -> LeadWithHistory:
    """The lead, its current status and outcome, and every stage execution so far."""
    found = await read_now(lambda session: _lead_with_history(session, lead_id))
    if found is None:
        raise HTTPException(404, detail=f"no lead {lead_id}")
    return found
