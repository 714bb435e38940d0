"""BDR: the outreach draft a human approves, with the reason for a meeting."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from orchestration.llm.prompting import PromptSpec


class OutreachDraft(BaseModel):
    """The model's outreach draft for one lead."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=5, max_length=120)
    body: str = Field(min_length=40, max_length=2500)
    meeting_purpose: str = Field(min_length=10, max_length=300)
    research_notes: list[str] = Field(default_factory=list, max_length=6)


BDR = PromptSpec(
    agent="bdr",
    version="b1",
    role=(
        "You are a business development representative writing a first outreach email to a "
        "contractor or dealer. The draft goes to a human for approval before it is sent. "
        "It must be specific to the lead, short, and propose a meeting; never invent facts "
        "and never leave placeholders."
    ),
    task=(
        "Write the outreach draft for this lead from the research below; the meeting slots "
        "are proposed separately, so do not name times."
    ),
)
