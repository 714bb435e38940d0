"""The state the BDR graph passes between its nodes."""

from __future__ import annotations

from typing import Any, TypedDict

from orchestration.engines.rules.bdr import Draft
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.engines.rules.schedule import Slot


class BdrState(TypedDict, total=False):
    """The BDR's preparation for one lead; nodes fill it from top to bottom."""

    lead: dict[str, Any]  # the LeadRecord, with earlier stage outputs (input)
    now: str  # ISO timestamp the slots are counted from (input; fixed in tests)
    dry_run: bool  # batch option: finish without waiting for approval (input)
    facts: CompanyFacts  # what the lead's data says about the company
    talking_points: list[str]  # what to know before the conversation, from earlier stages
    angle: str | None  # the growth opportunity to mention, if any
    first_channel: str | None  # the first channel marketing planned, if it ran
    timezone: str  # IANA zone of the lead, from its state
    slots: list[Slot]  # proposed meeting times in the lead's zone
    draft: Draft  # the outreach message awaiting a decision
    approval_status: str  # "awaiting_approval", or "completed (dry run)"
