"""Marketing: campaign strategy and personalised content per channel."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orchestration.llm.prompting import PromptSpec

Channel = Literal["email", "linkedin", "phone", "direct_mail"]


class ChannelContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    subject: str | None = Field(default=None, max_length=120, description="email/mail only")
    body: str = Field(min_length=20, max_length=2000)
    call_opener: str | None = Field(default=None, max_length=400, description="phone only")


class MarketingPlan(BaseModel):
    """The model's campaign for one lead; no placeholder like [Name] may remain."""

    model_config = ConfigDict(extra="forbid")

    strategy: str = Field(min_length=20, max_length=800)
    channels: list[ChannelContent] = Field(min_length=1, max_length=4)


MARKETING = PromptSpec(
    agent="marketing",
    version="m1",
    role=(
        "You plan B2B outreach campaigns to contractors and dealers. You choose channels "
        "only among those the data shows a contact for, and write personalised content that "
        "names the lead's real attributes (company, location, certifications, services). "
        "Never leave a placeholder such as [Name] or {company} in the text."
    ),
    task=(
        "Plan the campaign for this lead: a strategy for its tier and growth score, and the "
        "content for each available channel."
    ),
)
