"""Qualification: ICP fit score, tier, and the reasons a sales person reads."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orchestration.engines.rules.factors import Factor
from orchestration.engines.rules.facts import CompanyFacts
from orchestration.llm.prompting import PromptSpec


class QualificationDecision(BaseModel):
    """The model's qualification of one lead."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=0, le=100, description="ICP fit 0-100")
    tier: Literal["A", "B", "C", "D"] = Field(description="A best fit ... D not worth pursuing")
    reasoning: str = Field(
        min_length=20, max_length=1500, description="why this score, naming the lead's own facts"
    )
    fit_assessment: str = Field(min_length=5, max_length=400)
    contact_quality: str = Field(min_length=5, max_length=400)
    sales_potential: Literal["high", "medium", "low", "very low"]
    recommendations: list[str] = Field(min_length=1, max_length=6)


# The role names the tier thresholds, which come from settings: build the spec with
# qualification_prompt(); QUALIFICATION below uses the default thresholds.
_TEMPLATE = PromptSpec(
    agent="qualification",
    version="q2",
    role=(
        "You qualify B2B sales leads for a company selling to solar, battery, generator, "
        "HVAC and electrical contractors and dealers. The ideal customer profile has four "
        "dimensions, each 0-100, weighted: resimercial 35% (serves both residential and "
        "commercial customers), multi-OEM 25% (certified by several manufacturers), MEP+R "
        "25% (several trades: mechanical/HVAC, electrical, plumbing, roofing) and O&M 15% "
        "(offers service and maintenance). An empty flag is unknown, not no: OEMs imply "
        "trades (generator brands electrical, HVAC brands mechanical). Contactability and "
        "reputation only rank leads within a tier. Score the fit 0-100, tier it "
        "(A >= {a}, B >= {b}, C >= {c}, else D) and explain the decision so a sales "
        "person can act on it."
    ),
    task=(
        "Qualify this lead. Base every statement on the data below, name the facts you "
        "used, and say what is missing. The rules engine's factors are included as a "
        "reference; you may disagree with them when the data supports it."
    ),
)


def qualification_prompt(a_min: int, b_min: int, c_min: int) -> PromptSpec:
    """The prompt with the configured tier thresholds written into the role."""
    return PromptSpec(
        agent=_TEMPLATE.agent,
        version=f"{_TEMPLATE.version}-{a_min}-{b_min}-{c_min}",
        role=_TEMPLATE.role.format(a=a_min, b=b_min, c=c_min),
        task=_TEMPLATE.task,
    )


QUALIFICATION = qualification_prompt(80, 60, 40)


def qualification_data(
    facts: CompanyFacts, factors: list[Factor], rules_score: int
) -> dict[str, Any]:
    """What the model sees: company facts (emails and phones reduced to whether they
    exist and how they look, never the values) and the rules reference."""
    email = facts.get("email")
    return {
        "company": facts["company"],
        "profile_kind": facts["kind"],
        "location": facts.get("location"),
        "industry": facts.get("industry"),
        "website_domain": facts.get("domain"),
        "oem_certifications": facts.get("oems", []),
        "dealer_program_tier": facts.get("program_tier"),
        "dealer_program_rank": facts.get("program_rank"),
        "oem_product_lines": sorted(facts.get("oem_lines", {})),
        "other_certifications": facts.get("certifications", []),
        "service_lines": facts.get("services", []),
        "serves_commercial": facts.get("commercial"),
        "serves_residential": facts.get("residential"),
        "general_contractor": facts.get("general_contractor"),
        "rating": facts.get("rating"),
        "review_count": facts.get("review_count"),
        "contact_name": facts.get("contact_name"),
        "contact_title": facts.get("contact_title"),
        "has_email": bool(email),
        "email_is_role_address": _role_address(email),
        "has_phone": bool(facts.get("phone")),
        "has_linkedin": bool(facts.get("linkedin_url")),
        "rules_reference": {
            "score": rules_score,
            "factors": [
                {
                    "name": f["name"],
                    "points": f["points"],
                    "max_points": f["max_points"],
                    "reason": f["reason"],
                }
                for f in factors
            ],
        },
    }


_ROLE_LOCALS = {"info", "sales", "contact", "office", "admin", "hello", "support", "service"}


def _role_address(email: str | None) -> bool | None:
    if not email or "@" not in email:
        return None
    return email.split("@", 1)[0].lower() in _ROLE_LOCALS
