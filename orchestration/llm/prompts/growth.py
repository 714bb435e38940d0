"""Growth analysis: market opportunity, competitive landscape, growth-potential score."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orchestration.llm.prompting import PromptSpec


class GrowthFactor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=80)
    impact: Literal["positive", "negative", "neutral"]
    reason: str = Field(min_length=5, max_length=300)


class GrowthAssessment(BaseModel):
    """The model's growth analysis of one lead."""

    model_config = ConfigDict(extra="forbid")

    growth_score: int = Field(ge=0, le=100, description="growth potential 0-100")
    market_opportunity: str = Field(min_length=20, max_length=800)
    competitive_landscape: str = Field(min_length=20, max_length=800)
    factors: list[GrowthFactor] = Field(min_length=1, max_length=8)
    summary: str = Field(min_length=20, max_length=600)


GROWTH = PromptSpec(
    agent="growth",
    version="g1",
    role=(
        "You assess the growth potential of energy and home-services contractors (solar, "
        "battery, generator, HVAC, electrical) as sales prospects: their market opportunity "
        "in their state and metro, their competition among the other stored leads, and a "
        "growth-potential score 0-100 with the factors behind it."
    ),
    task=(
        "Assess this lead's growth potential from the data below (its services, market mix, "
        "certifications, location and the count of competitors offering the same services "
        "nearby). Name the facts behind every factor."
    ),
)
