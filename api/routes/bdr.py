"""BDR approval: the drafts waiting for a person, decisions on them, the booked meeting.

A decision is recorded in Postgres first (one per lead, only while the lead awaits
approval), and only after that commit is ``bdr.resume`` sent to the ``bdr`` queue, where
the lead's paused graph resumes from its Redis checkpoint on whichever worker takes it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal, Self, cast

from fastapi import APIRouter, HTTPException, Query, Response, status
from kombu.exceptions import OperationalError as BrokerOperationalError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from api.deps import ReadSession
from db.models import LeadStatus
from db.repositories.bdr import (
    RESUME_TASK,
    RecordedDecision,
    lead_for_decision,
    pending_leads,
    record_decision,
    withdraw_decision,
)
from db.repositories.meetings import meeting_of
from db.session import unit_of_work
from orchestration.config.rules import load_rules
from orchestration.engines.rules import schedule
from workers.celery_app import app

router = APIRouter(tags=["bdr"])
# The texts of each kind of draft (orchestration.engines.rules.bdr.Draft); spelled here so
# the API does not import the engine, which pulls in agent code.
DRAFT_FIELDS: dict[str, tuple[str, str]] = {
    "email": ("subject", "body"),
    "call": ("script", "voicemail"),
}


def draft_kind_of(draft: dict[str, Any]) -> Literal["email", "call"]:
    """A stored draft's kind; drafts stored before calls had a kind of their own are emails."""
    return "call" if draft.get("kind") == "call" else "email"


class SlotOut(BaseModel):
    start: str = Field(..., description="ISO 8601 with the lead's UTC offset")
    end: str
    label: str = Field(..., description="as the lead reads it, e.g. 'Thu 12 Jun, 10:00 AM CDT'")


class DraftOut(BaseModel):
    """A written message to send (subject, body), or a call to make (script, voicemail)."""

    kind: Literal["email", "call"] = Field(
        "email", description="call when the lead is reached by phone only, else email"
    )
    channel: str = Field(..., description="email, phone or contact_form (the website's)")
    to: str | None = Field(
        None, description="masked email address or phone number, or the website (contact_form)"
    )
    subject: str | None = Field(None, description="email only")
    body: str | None = Field(None, description="email only: the message with the proposed times")
    script: str | None = Field(
        None, description="call only: what to say when someone answers, with the times to offer"
    )
    voicemail: str | None = Field(None, description="call only: the message to leave")


class PendingLeadOut(BaseModel):
    lead_id: uuid.UUID
    batch_id: uuid.UUID | None
    company_name: str
    kind: Literal["email", "call"] | None = Field(None, description="the draft's kind")
    subject: str | None = Field(None, description="the email draft's subject (None for a call)")
    draft: DraftOut | None
    slots: list[SlotOut]
    timezone: str | None
    since: datetime | None = Field(None, description="when the draft started waiting")


class PendingOut(BaseModel):
    leads: list[PendingLeadOut]
    count: int


class DraftEditIn(BaseModel):
    """Changed text; a field left out keeps the drafted text. An email takes subject and
    body, a call script and voicemail."""

    model_config = ConfigDict(extra="forbid")

    subject: str | None = Field(None, min_length=1, max_length=300)
    body: str | None = Field(None, min_length=1, max_length=20_000)
    script: str | None = Field(None, min_length=1, max_length=20_000)
    voicemail: str | None = Field(None, min_length=1, max_length=5_000)


class DecisionIn(BaseModel):
    """Approve the draft as it is, approve it with changes (edit), or reject it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"action": "approve", "slot": "2025-06-12T10:00:00-05:00", "by": "dana"},
                {"action": "edit", "draft": {"subject": "20 minutes on Thursday?"}, "by": "dana"},
                {"action": "reject", "reason": "already a customer", "by": "dana"},
            ]
        },
    )

    action: Literal["approve", "edit", "reject"]
    draft: DraftEditIn | None = Field(None, description="edit only: the changed subject/body")
    slot: AwareDatetime | None = Field(
        None,
        description="start of the meeting: one of the proposed slots (default: the first); "
        "edit may name another future time in the lead's business hours",
    )
    by: str | None = Field(None, max_length=255, description="who decided, for the record")
    reason: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _fits_the_action(self) -> Self:
        if self.action == "reject" and (self.draft is not None or self.slot is not None):
            raise ValueError("a rejection takes no draft or slot")
        if self.action == "approve" and self.draft is not None:
            raise ValueError("approve sends the draft as it is: use action 'edit' to change it")
        if self.action == "edit" and self.draft is None and self.slot is None:
            raise ValueError("an edit needs a changed draft or slot")
        return self


class DecisionAccepted(BaseModel):
    lead_id: uuid.UUID
    action: str
    job_id: str = Field(..., description="the bdr.resume task id; poll /api/jobs/{job_id}")
    status_url: str
    lead_url: str


@router.get("/api/bdr/pending", response_model=PendingOut)
def list_pending(
    batch_id: uuid.UUID | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    session: Session = ReadSession,
) -> PendingOut:
    """Leads whose outreach draft awaits a decision, the longest-waiting first."""
    leads = [
        PendingLeadOut(
            lead_id=lead.lead_id,
            batch_id=lead.batch_id,
            company_name=lead.company_name,
            kind=draft_kind_of(lead.bdr["draft"]) if lead.bdr.get("draft") else None,
            subject=(lead.bdr.get("draft") or {}).get("subject"),
            draft=lead.bdr.get("draft"),
            slots=lead.bdr.get("slots") or [],
            timezone=lead.bdr.get("timezone"),
            since=lead.since,
        )
        for lead in pending_leads(session, batch_id=batch_id, limit=limit, offset=offset)
    ]
    return PendingOut(leads=leads, count=len(leads))


@router.post(
    "/api/leads/{lead_id}/bdr/decision",
    response_model=DecisionAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        404: {"description": "no such lead"},
        409: {"description": "the lead is not awaiting approval, or already decided"},
    },
)
def decide(
    lead_id: uuid.UUID, body: DecisionIn, session: Session = ReadSession
) -> DecisionAccepted:
    """Record a decision on the lead's draft and resume its BDR run on the ``bdr`` queue.

    One decision per lead: a second one, or one on a lead that is not awaiting approval,
    is refused with 409. Approve and edit book the meeting and schedule the follow-ups;
    reject ends the lead as completed, with who rejected it as the outcome.
    """
    found = lead_for_decision(session, lead_id)
    if found is None:
        raise HTTPException(404, detail=f"no lead {lead_id}")
    lead_status, bdr_output = found
    if lead_status == LeadStatus.awaiting_approval and body.draft is not None:
        _check_edit(body.draft, bdr_output)
    if lead_status == LeadStatus.awaiting_approval and body.slot is not None:
        _check_slot(body, bdr_output)
    decision: dict[str, Any] = {
        "action": body.action,
        "decided_at": datetime.now(UTC).isoformat(),
        **({"by": body.by} if body.by else {}),
        **({"reason": body.reason} if body.reason else {}),
        **({"slot": body.slot.isoformat()} if body.slot else {}),
        **({"draft": body.draft.model_dump(exclude_none=True)} if body.draft else {}),
    }
    job_id = str(uuid.uuid4())
    with unit_of_work() as writer:
        recorded = record_decision(writer, lead_id, decision, job_id)
    if not isinstance(recorded, RecordedDecision):
        raise HTTPException(409 if recorded.lead_found else 404, detail=recorded.message)
    try:
        app.send_task(RESUME_TASK, args=(str(lead_id),), task_id=job_id)
    except BrokerOperationalError as exc:
        # Not sent, so not decided: undo the record, so the person can simply try again.
        with unit_of_work() as writer:
            withdraw_decision(writer, lead_id, job_id)
        raise HTTPException(
            503, detail="the queue is unreachable; the decision was not recorded, try again"
        ) from exc
    return DecisionAccepted(
        lead_id=lead_id,
        action=body.action,
        job_id=job_id,
        status_url=f"/api/jobs/{job_id}",
        lead_url=f"/api/leads/{lead_id}",
    )


def _check_edit(edit: DraftEditIn, bdr_output: dict[str, Any]) -> None:
    """Refuse (422) changes to fields the draft does not have (a subject for a call)."""
    kind = draft_kind_of(bdr_output.get("draft") or {})
    foreign = [
        field
        for field in ("subject", "body", "script", "voicemail")
        if getattr(edit, field) is not None and field not in DRAFT_FIELDS[kind]
    ]
    if foreign:
        raise HTTPException(
            422,
            detail=f"the draft is {'a call' if kind == 'call' else 'an email'}: edit "
            f"{' and '.join(DRAFT_FIELDS[kind])}, not {', '.join(foreign)}",
        )


def _check_slot(body: DecisionIn, bdr_output: dict[str, Any]) -> None:
    """Refuse (422) a time the BDR graph would refuse, before anything is recorded."""
    assert body.slot is not None
    proposed = cast(list[schedule.Slot], bdr_output.get("slots") or [])
    if schedule.find_slot(proposed, body.slot) is not None:
        return
    if body.action != "edit":
        raise HTTPException(
            422,
            detail="slot is not one of the proposed times: "
            + ", ".join(s["start"] for s in proposed)
            + "; use action 'edit' to pick another time",
        )
    rules = load_rules()
    zone_name = bdr_output.get("timezone") or "UTC"
    wanted = schedule.slot_at(body.slot, zone_name, rules.outreach.meeting_minutes)
    if body.slot <= datetime.now(UTC) or not schedule.within_business_hours(
        wanted, rules.bdr.business_day_start, rules.bdr.business_day_end
    ):
        raise HTTPException(
            422,
            detail=f"slot {body.slot.isoformat()} is not a future time within business hours "
            f"({rules.bdr.business_day_start}-{rules.bdr.business_day_end} {zone_name}, "
            "business days)",
        )


@router.get(
    "/api/leads/{lead_id}/meeting.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "the invitation"},
        404: {"description": "no meeting booked for this lead"},
    },
)
def meeting_invitation(lead_id: uuid.UUID, session: Session = ReadSession) -> Response:
    """The booked meeting's RFC 5545 invitation, to import into any calendar."""
    meeting = meeting_of(session, lead_id)
    if meeting is None:
        raise HTTPException(404, detail=f"no meeting booked for lead {lead_id}")
    return Response(
        content=meeting.ics,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meeting-{lead_id}.ics"'},
    )
