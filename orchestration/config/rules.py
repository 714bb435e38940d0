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

from orchestration.engines.rules.text import find_placeholders
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

# The state-level demand proxies a market is described by (each 0-1, see scoring.toml).
MARKET_DRIVERS: tuple[str, ...] = ("construction", "hvac_load", "outage_risk", "solar_resource")
_STATE_CODE = re.compile(r"^[A-Z]{2}$")
_ZIP3 = re.compile(r"^\d{3}$")


class StateMarket(_Table):
    """Illustrative 0-1 demand proxies of one state; see ``[growth.market.states]``."""

    construction: Fraction  # new homes and commercial building
    hvac_load: Fraction  # heating and cooling load (climate)
    outage_risk: Fraction  # storms, wildfires, grid stress: standby-power demand
    solar_resource: Fraction  # sun plus incentives: solar and storage demand


class MarketRule(_Factor):
    # Used for a state code missing from `states` (territories, typos that look like codes).
    unlisted_state: StateMarket
    states: dict[str, StateMarket] = Field(min_length=1)
    # Per service line, how much each proxy drives its demand; weights add up to 1.
    drivers: dict[str, dict[str, Fraction]] = Field(min_length=1)
    # Demand at or above these marks a "high-growth" / "growing" market; below is "steady".
    high_growth_min: Fraction
    growing_min: Fraction

    @field_validator("states")
    @classmethod
    def _state_codes(cls, states: dict[str, StateMarket]) -> dict[str, StateMarket]:
        upper = {code.strip().upper(): market for code, market in states.items()}
        bad = [code for code in upper if not _STATE_CODE.match(code)]
        if bad:
            raise ValueError(f"state keys must be 2-letter codes, not {', '.join(bad)}")
        return upper

    @field_validator("drivers")
    @classmethod
    def _weights_are_known_and_add_up(
        cls, drivers: dict[str, dict[str, float]]
    ) -> dict[str, dict[str, float]]:
        for service, weights in drivers.items():
            unknown = set(weights) - set(MARKET_DRIVERS)
            if unknown:
                raise ValueError(
                    f"drivers.{service} names unknown proxies {', '.join(sorted(unknown))} "
                    f"(known: {', '.join(MARKET_DRIVERS)})"
                )
            total = sum(weights.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"drivers.{service} weights must add up to 1, not {total:g}")
        return drivers

    @model_validator(mode="after")
    def _growing_below_high_growth(self) -> Self:
        if self.growing_min >= self.high_growth_min:
            raise ValueError("growing_min must be below high_growth_min")
        return self


class MetroArea(_Table):
    """One metro area: matched by the lead's ZIP prefix, else by its city and state."""

    name: str = Field(min_length=1)
    state: str
    growth: Fraction  # illustrative 0-1 growth index (households and businesses added)
    zip3: list[str] = Field(default_factory=list)
    cities: list[str] = Field(default_factory=list)  # besides `name`, compared case-insensitively

    @field_validator("state")
    @classmethod
    def _state_code(cls, state: str) -> str:
        code = state.strip().upper()
        if not _STATE_CODE.match(code):
            raise ValueError(f"state must be a 2-letter code, not {state!r}")
        return code

    @field_validator("zip3")
    @classmethod
    def _three_digits(cls, prefixes: list[str]) -> list[str]:
        bad = [p for p in prefixes if not _ZIP3.match(p)]
        if bad:
            raise ValueError(f"zip3 entries must be 3 digits, not {', '.join(bad)}")
        return prefixes

    @property
    def label(self) -> str:
        """``"Austin, TX"``."""
        return f"{self.name}, {self.state}"

    @property
    def city_keys(self) -> frozenset[str]:
        """The metro's city names, lower-cased, the metro's own name included."""
        return frozenset(city_key_of(c) for c in (self.name, *self.cities))


class MetroRule(_Factor):
    areas: list[MetroArea] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_prefix_in_one_metro(self) -> Self:
        owner: dict[str, str] = {}
        for area in self.areas:
            for prefix in area.zip3:
                if prefix in owner:
                    raise ValueError(
                        f"zip3 {prefix} is listed for both {owner[prefix]} and {area.label}"
                    )
                owner[prefix] = area.label
        return self


class ServiceDemandRule(_Factor):
    services: dict[str, Points]


class CertificationsRule(_Factor):
    points_per_oem: Points
    # Trade credentials that open or strengthen a growth line: keyword = points. A keyword
    # matches whole words of a listed certification, case-insensitively.
    credentials: dict[str, Points] = Field(default_factory=dict)

    @field_validator("credentials")
    @classmethod
    def _lowercase_keys(cls, credentials: dict[str, float]) -> dict[str, float]:
        return {" ".join(name.lower().split()): p for name, p in credentials.items()}


class CompetitionRule(_Factor):
    multi_trade_relief: Fraction
    unknown_mix_points: Points
    # Competitors offering one service line in one area at which it counts as half crowded.
    half_saturation: Annotated[float, Field(gt=0)]
    # Stored leads in an area (any services) at which the counts fully replace `crowding`.
    full_evidence_leads: Annotated[int, Field(ge=1)]
    crowding: dict[str, Fraction]

    def _point_fields(self) -> dict[str, float]:
        return {"unknown_mix_points": self.unknown_mix_points}


class Growth(_Table):
    market: MarketRule
    metro: MetroRule
    service_demand: ServiceDemandRule
    customer_mix: MixRule
    certifications: CertificationsRule
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

    @field_validator("sender_name", "sender_team", "value_proposition")
    @classmethod
    def _no_template_slots(cls, text: str) -> str:
        # These lines are sent verbatim: a "{company}" here would reach the prospect as is.
        slots = find_placeholders(text)
        if slots:
            raise ValueError(
                f"is sent verbatim and must not contain template slots "
                f"({', '.join(slots)}); write the final text"
            )
        return text


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


def city_key_of(city: str) -> str:
    """``" St.  Louis "`` -> ``"st. louis"``: the key cities are compared by."""
    return " ".join(city.lower().split())


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
