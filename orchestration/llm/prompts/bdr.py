"""BDR: the outreach draft a human approves, with the reason for a meeting.

A lead with an email address gets an email (:data:`BDR`, :class:`OutreachDraft`); a lead
reached only by phone gets a call script and a voicemail (:data:`BDR_CALL`,
:class:`CallDraft`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from orchestration.llm.prompting import PromptSpec


class OutreachDraft(BaseModel):
    """The model's outreach email for one lead."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=5, max_length=120)
    body: str = Field(min_length=40, max_length=2500)
    meeting_purpose: str = Field(min_length=10, max_length=300)
    research_notes: list[str] = Field(default_factory=list, max_length=6)


class CallDraft(BaseModel):
    """The model's call script and voicemail for one lead reached by phone."""

    model_config = ConfigDict(extra="forbid")

    script: str = Field(min_length=40, max_length=2500)
    voicemail: str = Field(min_length=20, max_length=600)
    meeting_purpose: str = Field(min_length=10, max_length=300)
    research_notes: list[str] = Field(default_factory=list, max_length=6)


_WRITING_RULES = (
    "Name the company as the data gives it, without a legal suffix (LLC, Inc.); write "
    "names and places in normal case, never in capitals; never state a number, rating or "
    "review count the data does not give, and never leave placeholders."
)

BDR = PromptSpec(
    agent="bdr",
    version="b2",
    role=(
        "You are a business development representative writing a first outreach email to a "
        "contractor or dealer. The draft goes to a human for approval before it is sent. "
        "It must be specific to the lead, short, and propose a meeting; never invent facts. "
        + _WRITING_RULES
    ),
    task=(
        "Write the outreach draft for this lead from the research below; the meeting slots "
        "are proposed separately, so do not name times."
    ),
)

BDR_CALL = PromptSpec(
    agent="bdr",
    version="b2-call",
    role=(
        "You are a business development representative preparing a first phone call to a "
        "contractor or dealer that has no email address on file. A human approves the script "
        "before calling. Write what to say when someone answers (who you are, why you call "
        "this company, one idea that fits their business, the ask for a meeting) and a "
        "voicemail of at most four sentences; never invent facts. " + _WRITING_RULES
    ),
    task=(
        "Write the call script and voicemail for this lead from the research below; the "
        "meeting slots are offered separately, so do not name times."
    ),
)
