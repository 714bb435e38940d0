"""Leads: one lead with its execution history."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import ReadSession
from api.schemas import ExecutionOut, LeadOut, LeadWithHistory
from db.models import AgentExecution, Lead

router = APIRouter(prefix="/api/leads", tags=["leads"])


@router.get("/{lead_id}", response_model=LeadWithHistory)
def get_lead(lead_id: uuid.UUID, session: Session = ReadSession) -> LeadWithHistory:
    """The lead, its current status and outcome, and every stage execution so far."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise HTTPException(404, detail=f"no lead {lead_id}")
    executions = session.scalars(
        select(AgentExecution)
        .where(AgentExecution.lead_id == lead_id)
        .order_by(AgentExecution.created_at, AgentExecution.id)
    )
    history = [ExecutionOut.model_validate(e) for e in executions]
    return LeadWithHistory(**LeadOut.model_validate(lead).model_dump(), executions=history)
