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
from typing import Annotated, Any, Literal, Self

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


# --- qualification: shared pieces ----------------------------------------------------------


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
    half_trust_reviews: Annotated[float, Field(ge=0)]
    floor_rating: Annotated[float, Field(ge=0, lt=5)]


class ContactabilityRule(_Factor):
    website: Points
    email: Points
    role_email: Points
    phone: Points

    @model_validator(mode="after")
    def _sum_within_max(self) -> Self:
        total = self.website + self.email + self.phone
        if total > self.max_points:
            raise ValueError(
                f"website + email + phone = {total} exceeds max_points = {self.max_points}"
            )
        if self.role_email > self.email:
            raise ValueError("role_email must not exceed email")
        return self


class Adjustments(_Table):
    """Small factors added to every profile's fit: they rank leads within a band."""

    contactability: ContactabilityRule
    reputation: ReputationRule

    @model_validator(mode="after")
    def _stay_small(self) -> Self:
        total = self.contactability.max_points + self.reputation.max_points
        if total > 10:
            raise ValueError(
                f"adjustments may add at most 10 points together, not {total:g}: they rank "
                "leads within a band and must never make the bulk of a score"
            )
        return self


def _non_decreasing(points: list[float], what: str) -> list[float]:
    # More evidence must never score lower (a lead better on every signal ranks higher).
    if points != sorted(points):
        raise ValueError(f"more {what} must never earn less: points must not decrease")
    return points


def _words(words: list[str]) -> list[str]:
    return [" ".join(word.lower().split()) for word in words if word.strip()]


Dimension = Annotated[float, Field(ge=0, le=100)]
# The trades of the MEP+R dimension.
ICP_TRADES: tuple[str, ...] = ("mechanical", "electrical", "plumbing", "roofing")


class _Dimension(_Table):
    weight: Annotated[float, Field(gt=0, le=100)]


# --- qualification: the ICP profile ---------------------------------------------------------


class ResimercialRule(_Dimension):
    both: Dimension
    commercial: Dimension
    residential: Dimension
    top_program_tier: Dimension
    top_program_tier_lines: list[str] = Field(default_factory=list)
    generator_oem: Dimension
    unknown: Dimension
    commercial_words: list[str]
    residential_words: list[str]

    _lower = field_validator("commercial_words", "residential_words")(_words)


class MultiOemRule(_Dimension):
    points_by_count: list[Dimension] = Field(min_length=2)

    @field_validator("points_by_count")
    @classmethod
    def _never_less_for_more(cls, points: list[float]) -> list[float]:
        return _non_decreasing(points, "OEMs")


class MeprRule(_Dimension):
    points_by_trades: list[Dimension] = Field(min_length=2)
    multi_trade_words: list[str] = Field(default_factory=list)
    trade_words: dict[str, list[str]]

    _lower = field_validator("multi_trade_words")(_words)

    @field_validator("points_by_trades")
    @classmethod
    def _never_less_for_more(cls, points: list[float]) -> list[float]:
        return _non_decreasing(points, "trades")

    @field_validator("trade_words")
    @classmethod
    def _known_trades(cls, words: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(words) - set(ICP_TRADES)
        if unknown:
            raise ValueError(
                f"unknown trade(s) {', '.join(sorted(unknown))} (known: {', '.join(ICP_TRADES)})"
            )
        return {trade: _words(listed) for trade, listed in words.items()}


class OmRule(_Dimension):
    points_by_words: list[Dimension] = Field(min_length=2)
    top_program_tier: Dimension
    maintenance_flag: Dimension
    words: list[str]

    _lower = field_validator("words")(_words)

    @field_validator("points_by_words")
    @classmethod
    def _never_less_for_more(cls, points: list[float]) -> list[float]:
        return _non_decreasing(points, "O&M words")


class IcpProfile(_Table):
    """The customer's ICP: four dimensions, each 0-100, combined by weight."""

    scorer: Literal["icp"]
    description: str
    resimercial: ResimercialRule
    multi_oem: MultiOemRule
    mepr: MeprRule
    om: OmRule

    @model_validator(mode="after")
    def _weights_add_up_to_100(self) -> Self:
        total = sum(d.weight for d in (self.resimercial, self.multi_oem, self.mepr, self.om))
        if abs(total - 100) > 1e-6:
            raise ValueError(f"dimension weights must add up to 100, not {total:g}")
        return self


# --- qualification: the generic B2B profile ------------------------------------------------


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


class GenericProfile(_Table):
    """Generic B2B fit: industry, company size and the contact's seniority."""

    scorer: Literal["generic"]
    description: str
    industry_fit: IndustryFitRule
    company_size: CompanySizeRule
    contact_seniority: ContactSeniorityRule

    @model_validator(mode="after")
    def _maxima_add_up_to_100(self) -> Self:
        parts = (self.industry_fit, self.company_size, self.contact_seniority)
        total = sum(part.max_points for part in parts)
        if abs(total - 100) > 1e-6:
            raise ValueError(f"max_points must add up to 100, not {total:g}")
        return self


Profile = Annotated[IcpProfile | GenericProfile, Field(discriminator="scorer")]
# The product lines an OEM certification can imply (see [qualification.oem_lines]).
OEM_LINES: tuple[str, ...] = ("hvac", "generator", "solar", "battery", "inverters", "smart_panel")


class ProgramTiers(_Table):
    """Dealer program tiers ranked per OEM program: 3 top, 2 upper, 1 membership."""

    award_labels: list[str] = Field(default_factory=list)
    plain_labels: list[str] = Field(default_factory=list)
    general: dict[str, Annotated[int, Field(ge=1, le=3)]]  # the `any` table
    by_oem: dict[str, dict[str, Annotated[int, Field(ge=1, le=3)]]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _oem_tables(cls, data: Any) -> Any:
        # In the file, `any` is the general table and every other table is one OEM's own.
        if not isinstance(data, dict):
            return data
        labels = {key: data[key] for key in ("award_labels", "plain_labels") if key in data}
        tables = {k: v for k, v in data.items() if k not in labels and isinstance(v, dict)}
        scalars = {k: v for k, v in data.items() if k not in labels and k not in tables}
        general = tables.pop("any", {})
        return labels | scalars | {"general": general, "by_oem": tables}

    @field_validator("award_labels", "plain_labels")
    @classmethod
    def _normalise_labels(cls, labels: list[str]) -> list[str]:
        return [normalise_tier_name(label) for label in labels]

    @field_validator("general")
    @classmethod
    def _normalise_names(cls, ranks: dict[str, int]) -> dict[str, int]:
        return {normalise_tier_name(name): rank for name, rank in ranks.items()}

    @field_validator("by_oem")
    @classmethod
    def _normalise_oems(cls, tables: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        return {
            normalise_tier_name(oem): {normalise_tier_name(n): r for n, r in ranks.items()}
            for oem, ranks in tables.items()
        }


class Qualification(_Table):
    generic_format_profile: str
    profiles: dict[str, Profile] = Field(min_length=1)
    adjustments: Adjustments
    oem_lines: dict[str, list[str]]
    program_tiers: ProgramTiers

    @field_validator("oem_lines")
    @classmethod
    def _known_lines(cls, lines: dict[str, list[str]]) -> dict[str, list[str]]:
        for oem, listed in lines.items():
            unknown = set(listed) - set(OEM_LINES)
            if unknown:
                raise ValueError(
                    f"oem_lines.{oem} names unknown line(s) {', '.join(sorted(unknown))} "
                    f"(known: {', '.join(OEM_LINES)})"
                )
        return {normalise_tier_name(oem): listed for oem, listed in lines.items()}

    @model_validator(mode="after")
    def _generic_profile_exists(self) -> Self:
        if self.generic_format_profile not in self.profiles:
            raise ValueError(
                f"generic_format_profile {self.generic_format_profile!r} is not a profile "
                f"(profiles: {', '.join(sorted(self.profiles))})"
            )
        return self

    def profile(self, name: str) -> IcpProfile | GenericProfile:
        """The profile called ``name``; :class:`RulesConfigError` names the choices if none."""
        try:
            return self.profiles[name]
        except KeyError:
            raise RulesConfigError(
                f"no qualification profile {name!r} (profiles: {', '.join(sorted(self.profiles))})"
            ) from None


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
    def _factor_groups_add_up_to_100(self) -> Self:
        groups: dict[str, BaseModel] = {"growth": self.growth}
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
