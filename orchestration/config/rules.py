"""Load and validate the rule tables (``scoring.toml``) the ``rules`` engine scores with.

The file is meant to be edited by the people who own the sales process, so every mistake
must be reported with the file name and the entry at fault (:class:`RulesConfigError`),
never as a stack trace from deep inside a scoring node.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from settings import get_settings

Points = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RulesConfigError(ValueError):
    """The rule file is missing, is not valid TOML, or has a bad entry."""


class _Table(BaseModel):
    # Unknown keys are refused so that a misspelt entry is reported instead of ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Factor(_Table):
    max_points: Points

    def _point_fields(self) -> dict[str, float]:
        return {}

    @model_validator(mode="after")
    def _points_within_max(self) -> Self:
        for name, value in self._point_fields().items():
            if value > self.max_points:
                raise ValueError(f"{name} = {value} exceeds max_points = {self.max_points}")
        return self


# --- qualification: dealer rows -------------------------------------------------------------


class OemCertificationsRule(_Factor):
    points_by_count: list[Points] = Field(min_length=2)

    def _point_fields(self) -> dict[str, float]:
        return {f"points_by_count[{i}]": p for i, p in enumerate(self.points_by_count)}


class DealerProgramRule(_Factor):
    unlisted_tier_points: Points
    tiers: dict[str, Points]
    oem_tiers: dict[str, dict[str, Points]] = Field(default_factory=dict)

    @field_validator("tiers")
    @classmethod
    def _lowercase_keys(cls, tiers: dict[str, float]) -> dict[str, float]:
        return {normalise_tier_name(name): points for name, points in tiers.items()}

    @field_validator("oem_tiers")
    @classmethod
    def _lowercase_oem_keys(
        cls, oem_tiers: dict[str, dict[str, float]]
    ) -> dict[str, dict[str, float]]:
        return {
            normalise_tier_name(oem): {normalise_tier_name(n): p for n, p in tiers.items()}
            for oem, tiers in oem_tiers.items()
        }

    def _point_fields(self) -> dict[str, float]:
        fields = {"unlisted_tier_points": self.unlisted_tier_points} | {
            f"tiers.{name}": p for name, p in self.tiers.items()
        }
        for oem, tiers in self.oem_tiers.items():
            fields |= {f"oem_tiers.{oem}.{name}": p for name, p in tiers.items()}
        return fields


class ServiceBreadthRule(_Factor):
    points_per_service: Points


class MixRule(_Factor):
    both: Points
    commercial_only: Points
    residential_only: Points

    def _point_fields(self) -> dict[str, float]:
        return {
            "both": self.both,
            "commercial_only": self.commercial_only,
            "residential_only": self.residential_only,
        }


class ReputationRule(_Factor):
    prior_rating: Annotated[float, Field(ge=0, le=5)]
    prior_weight: Annotated[float, Field(ge=0)]
    floor_rating: Annotated[float, Field(ge=0, lt=5)]


class ReachabilityRule(_Factor):
    website: Points
    email: Points
    role_email: Points
    phone: Points
    contact_name: Points

    @model_validator(mode="after")
    def _sum_within_max(self) -> Self:
        total = self.website + self.email + self.phone + self.contact_name
        if total > self.max_points:
            raise ValueError(
                f"website + email + phone + contact_name = {total} exceeds "
                f"max_points = {self.max_points}"
            )
        if self.role_email > self.email:
            raise ValueError("role_email must not exceed email")
        return self


class DealerQualification(_Table):
    oem_certifications: OemCertificationsRule
    dealer_program: DealerProgramRule
    service_breadth: ServiceBreadthRule
    market_mix: MixRule
    reputation: ReputationRule
    reachability: ReachabilityRule


# --- qualification: generic rows ------------------------------------------------------------


class IndustryFitRule(_Factor):
    unlisted_industry_points: Points
    industries: dict[str, Points] = Field(min_length=1)

    @field_validator("industries")
    @classmethod
    def _lowercase_keys(cls, industries: dict[str, float]) -> dict[str, float]:
        return {name.strip().lower(): points for name, points in industries.items()}

    def _point_fields(self) -> dict[str, float]:
        return {"unlisted_industry_points": self.unlisted_industry_points} | {
            f"industries.{name}": p for name, p in self.industries.items()
        }


class SizeBand(_Table):
    max_employees: Annotated[int, Field(ge=1)]
    points: Points
    label: str


class CompanySizeRule(_Factor):
    bands: list[SizeBand] = Field(min_length=1)

    @field_validator("bands")
    @classmethod
    def _ascending(cls, bands: list[SizeBand]) -> list[SizeBand]:
        limits = [band.max_employees for band in bands]
        if limits != sorted(set(limits)):
            raise ValueError("bands must be listed by increasing max_employees")
        return bands

    def _point_fields(self) -> dict[str, float]:
        return {f"bands[{i}].points": band.points for i, band in enumerate(self.bands)}


class SeniorityLevel(_Table):
    label: str
    points: Points
    keywords: list[str] = Field(min_length=1)

    @field_validator("keywords")
    @classmethod
    def _lowercase(cls, keywords: list[str]) -> list[str]:
        return [keyword.strip().lower() for keyword in keywords]


class ContactSeniorityRule(_Factor):
    unlisted_title_points: Points
    levels: list[SeniorityLevel] = Field(min_length=1)

    def _point_fields(self) -> dict[str, float]:
        return {"unlisted_title_points": self.unlisted_title_points} | {
            f"levels[{i}].points": level.points for i, level in enumerate(self.levels)
        }


class GenericQualification(_Table):
    industry_fit: IndustryFitRule
    company_size: CompanySizeRule
    contact_seniority: ContactSeniorityRule
    reachability: ReachabilityRule


class Qualification(_Table):
    dealer: DealerQualification
    generic: GenericQualification


# --- enrichment -----------------------------------------------------------------------------


class ConfidenceWeights(_Table):
    company_name: Fraction
    website: Fraction
    email: Fraction
    phone: Fraction
    contact_name: Fraction
    contact_title: Fraction
    address: Fraction
    firmographics: Fraction

    @model_validator(mode="after")
    def _sum_to_one(self) -> Self:
        total = sum(self.model_dump().values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"weights must add up to 1 (they add up to {total:g})")
        return self


class PartialCredit(_Table):
    role_email: Fraction
    free_mail_email: Fraction
    invalid_phone: Fraction


class Enrichment(_Table):
    confidence_weights: ConfidenceWeights
    partial_credit: PartialCredit


# --- growth ---------------------------------------------------------------------------------


class MarketRule(_Factor):
    unlisted_state_points: Points
    states: dict[str, Points]

    @field_validator("states")
    @classmethod
    def _uppercase_keys(cls, states: dict[str, float]) -> dict[str, float]:
        return {code.strip().upper(): points for code, points in states.items()}

    def _point_fields(self) -> dict[str, float]:
        return {"unlisted_state_points": self.unlisted_state_points} | {
            f"states.{code}": p for code, p in self.states.items()
        }


class MetroRule(_Factor):
    cities: dict[str, Points]

    @field_validator("cities")
    @classmethod
    def _normalise_keys(cls, cities: dict[str, float]) -> dict[str, float]:
        return {metro_key_of(name): points for name, points in cities.items()}

    def _point_fields(self) -> dict[str, float]:
        return {f"cities.{name}": p for name, p in self.cities.items()}


class ServiceDemandRule(_Factor):
    services: dict[str, Points]


class OemMomentumRule(_Factor):
    points_per_oem: Points


class CompetitionRule(_Factor):
    multi_trade_relief: Fraction
    unknown_mix_points: Points
    crowding: dict[str, Fraction]

    def _point_fields(self) -> dict[str, float]:
        return {"unknown_mix_points": self.unknown_mix_points}


class Growth(_Table):
    market: MarketRule
    metro: MetroRule
    service_demand: ServiceDemandRule
    customer_mix: MixRule
    oem_momentum: OemMomentumRule
    competition: CompetitionRule


# --- marketing, outreach, BDR ---------------------------------------------------------------


class Marketing(_Table):
    high_growth_min: Annotated[int, Field(ge=0, le=100)]
    cadence_days: dict[str, list[Annotated[int, Field(ge=0)]]]

    @field_validator("cadence_days")
    @classmethod
    def _every_tier_has_four_ascending_days(
        cls, cadence: dict[str, list[int]]
    ) -> dict[str, list[int]]:
        missing = {"A", "B", "C", "D"} - cadence.keys()
        if missing:
            raise ValueError(f"cadence_days lacks tier(s) {', '.join(sorted(missing))}")
        for tier, days in cadence.items():
            if len(days) < 4 or days != sorted(days):
                raise ValueError(f"cadence_days.{tier} needs 4 or more increasing day offsets")
        return cadence


class Outreach(_Table):
    sender_name: str = Field(min_length=1)
    sender_team: str = Field(min_length=1)
    value_proposition: str = Field(min_length=1)
    meeting_minutes: Annotated[int, Field(ge=10, le=120)]


class Bdr(_Table):
    slot_times: list[str] = Field(min_length=1)
    business_day_start: str
    business_day_end: str

    @model_validator(mode="after")
    def _times_are_clock_times(self) -> Self:
        for name, value in [
            *((f"slot_times[{i}]", t) for i, t in enumerate(self.slot_times)),
            ("business_day_start", self.business_day_start),
            ("business_day_end", self.business_day_end),
        ]:
            if not _CLOCK_TIME.match(value):
                raise ValueError(f"{name} = {value!r} is not a HH:MM time")
        if self.business_day_start >= self.business_day_end:
            raise ValueError("business_day_start must be before business_day_end")
        for time in self.slot_times:
            if not self.business_day_start <= time < self.business_day_end:
                raise ValueError(f"slot time {time} is outside business hours")
        return self


class RulesConfig(_Table):
    """Every table of ``scoring.toml``, validated."""

    qualification: Qualification
    enrichment: Enrichment
    growth: Growth
    marketing: Marketing
    outreach: Outreach
    bdr: Bdr

    @model_validator(mode="after")
    def _groups_add_up_to_100(self) -> Self:
        groups: dict[str, BaseModel] = {
            "qualification.dealer": self.qualification.dealer,
            "qualification.generic": self.qualification.generic,
            "growth": self.growth,
        }
        for group_name, group in groups.items():
            factors = {name: getattr(group, name) for name in type(group).model_fields}
            total = sum(factor.max_points for factor in factors.values())
            if abs(total - 100) > 1e-6:
                listed = ", ".join(f"{n}={f.max_points:g}" for n, f in factors.items())
                raise ValueError(
                    f"max_points of [{group_name}] must add up to 100, not {total:g} ({listed})"
                )
        latest_end = _minutes_of(self.bdr.business_day_end) - self.outreach.meeting_minutes
        for start in self.bdr.slot_times:
            if _minutes_of(start) > latest_end:
                raise ValueError(
                    f"a {self.outreach.meeting_minutes}-minute meeting at {start} "
                    f"ends after business_day_end {self.bdr.business_day_end}"
                )
        return self


def _minutes_of(clock_time: str) -> int:
    hours, minutes = clock_time.split(":")
    return int(hours) * 60 + int(minutes)


def normalise_tier_name(name: str) -> str:
    """``"Elite+"``, ``"ELITE  PLUS"`` and ``"elite plus"`` name the same dealer tier."""
    return " ".join(name.replace("+", " plus").lower().split())


def metro_key_of(city_and_state: str) -> str:
    """``"Austin, TX"`` -> ``"austin, tx"``: the key metro tables are compared by."""
    city, _, state = city_and_state.rpartition(",")
    return f"{' '.join(city.lower().split())}, {state.strip().lower()}"


def parse_rules(text: str, source: str = "<string>") -> RulesConfig:
    """Validate rule tables given as TOML text; ``source`` names them in errors."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesConfigError(f"{source} is not valid TOML: {exc}") from None
    try:
        return RulesConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            _describe(error["loc"], error["msg"]) for error in exc.errors(include_url=False)
        )
        raise RulesConfigError(f"{source} has bad rule tables: {problems}") from None


def _describe(location: tuple[int | str, ...], message: str) -> str:
    message = message.removeprefix("Value error, ")
    if not location:
        return message
    return f"[{'.'.join(str(part) for part in location)}] {message}"


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> RulesConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesConfigError(f"cannot read rule file {path}: {exc.strerror}") from None
    return parse_rules(text, source=str(path))


def load_rules(path: Path | str | None = None) -> RulesConfig:
    """The rule tables at ``path`` (default: ``settings.scoring_config``), read once per path."""
    chosen = Path(path) if path is not None else get_settings().scoring_config
    # Keyed by the path as given: resolving it would cost a file-system walk on every run.
    return _load_cached(chosen.expanduser())


def clear_rules_cache() -> None:
    """Forget loaded rule files, so the next :func:`load_rules` reads them again."""
    _load_cached.cache_clear()
