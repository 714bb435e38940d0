"""The state the BDR graph passes between its nodes, and the decision that resumes it."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from orchestration.engines.rules.bdr import Draft, DraftChannel, DraftEdit, FollowUp
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.schedule import Slot
from orchestration.integrations.calendar.meeting import Meeting

Action = Literal["approve", "edit", "reject"]


class Decision(TypedDict, total=False):
    """A person's answer to the draft: the value ``Command(resume=...)`` carries."""

    action: Action  # approve as drafted, approve with changes, or reject
    draft: DraftEdit  # changed subject/body (email) or script/voicemail (call), for edit
    slot: str  # ISO start of the chosen time: a proposed one, or a new one (edit)
    by: str  # who decided, for the record
    reason: str  # why (mostly for rejections)
    decided_at: str  # ISO UTC time the decision was recorded


class BdrState(TypedDict, total=False):
    """The BDR's preparation for one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord, with earlier stage outputs (input)
    now: str  # ISO timestamp the slots are counted from (input; fixed in tests)
    dry_run: bool  # batch option: finish without waiting for approval (input)
    engine: str  # "rules" or "llm": who writes the draft (input)
    facts: CompanyFacts  # what the lead's data says about the company
    talking_points: list[str]  # what to know before the conversation, from earlier stages
    angle: str | None  # the growth opportunity to mention, if any
    draft_channel: DraftChannel  # email if an address is usable, else phone, else contact_form
    timezone: str  # IANA zone of the lead, from its state
    slots: list[Slot]  # proposed meeting times in the lead's zone
    draft: Draft  # the outreach message awaiting a decision
    approval_status: str  # awaiting_approval, completed (dry run), approved or rejected
    decision: Decision  # what the person decided (after the pause)
    final_draft: Draft  # the draft as approved, with any edits
    meeting: Meeting  # the booked call (approved only)
    follow_ups: list[FollowUp]  # touches after the booking (approved only)
    outcome_reason: str  # the lead's outcome in words, e.g. "rejected by dana: not now"
    # Set by the llm path only (the rules path adds nothing):
    decided_by: str  # "llm", or "rules-fallback" when the model's draft was not usable
    llm: dict[str, Any]  # provider, model, tokens, cost, meeting purpose, research notes
    llm_fallback: dict[str, Any]  # why the rules draft stands: reason and detail
    cost_usd: float  # what the model call of this run cost
