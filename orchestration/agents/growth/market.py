"""Where the growth graph counts competitors: the :class:`MarketData` port and its index.

Nodes never query the database. They ask a :class:`MarketData` found in the graph's
runtime context how many *other* stored companies offer the same service lines in the
lead's area. The Postgres implementation (``db/repositories/market.py``) and the in-memory
one below share :class:`CompetitorIndex`, so both count exactly the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from orchestration.config.rules import city_key_of
from orchestration.engines.rules.facts import facts_from_lead


@dataclass(frozen=True)
class MarketArea:
    """The area competitors are counted in: a metro's ZIP prefixes and cities, in one state."""

    state: str  # 2-letter code
    label: str  # for people: "Austin, TX metro", "Tyler, TX area", "ZIP 757xx area, TX"
    zip3s: frozenset[str]  # ZIP prefixes inside the area
    cities: frozenset[str]  # city keys (see city_key_of) inside the area


@dataclass(frozen=True)
class CompetitorCounts:
    """Other stored companies in an area: all of them, and those offering each service line."""

    area_leads: int  # other stored companies in the area, whatever they sell
    by_service: dict[str, int]  # service-line key -> other stored companies offering it


class MarketData(Protocol):
    """Counts of stored competitors; implemented over Postgres and in memory."""

    def count_competitors(
        self, area: MarketArea, services: Sequence[str], *, exclude_name_key: str | None = None
    ) -> CompetitorCounts:
        """Other companies in ``area`` (not ``exclude_name_key``) and who offers ``services``."""
        ...


@dataclass(frozen=True)
class StoredCompany:
    """One stored lead as competition counting sees it."""

    name_key: str  # company name without legal suffix: one company listed twice counts once
    zip3: str | None
    city: str | None  # city key
    services: frozenset[str]  # service-line keys, as the growth graph reads them


def stored_company(
    name_key: str,
    zip_code: str | None,
    city: str | None,
    industry: str | None,
    capabilities: Mapping[str, Any] | None,
) -> StoredCompany:
    """A stored lead's columns as :class:`StoredCompany`; services read as for any lead."""
    facts = facts_from_lead(
        {"industry": industry, "profile": {"capabilities": dict(capabilities or {})}}
    )
    digits = (zip_code or "").strip()
    return StoredCompany(
        name_key=name_key,
        zip3=digits[:3] if len(digits) >= 3 and digits[:3].isdigit() else None,
        city=city_key_of(city) if city and city.strip() else None,
        # Interned: a state holds thousands of companies but only a few service mixes.
        services=_interned(frozenset(facts["services"])),
    )


_SERVICE_MIXES: dict[frozenset[str], frozenset[str]] = {}


def _interned(services: frozenset[str]) -> frozenset[str]:
    return _SERVICE_MIXES.setdefault(services, services)


class CompetitorIndex:
    """The stored companies of one state, looked up by ZIP prefix and by city."""

    def __init__(self, companies: Iterable[StoredCompany]) -> None:
        self._by_zip3: dict[str, list[StoredCompany]] = defaultdict(list)
        self._by_city: dict[str, list[StoredCompany]] = defaultdict(list)
        self.size = 0
        for company in companies:
            self.size += 1
            if company.zip3:
                self._by_zip3[company.zip3].append(company)
            if company.city:
                self._by_city[company.city].append(company)

    def count(
        self, area: MarketArea, services: Sequence[str], exclude_name_key: str | None = None
    ) -> CompetitorCounts:
        """Companies in ``area`` other than ``exclude_name_key``, and who offers each line."""
        found: dict[str, set[str]] = defaultdict(set)
        for bucket in (
            *(self._by_zip3.get(z, ()) for z in area.zip3s),
            *(self._by_city.get(c, ()) for c in area.cities),
        ):
            for company in bucket:
                found[company.name_key] |= company.services
        found.pop(exclude_name_key or "", None)
        return CompetitorCounts(
            area_leads=len(found),
            by_service={s: sum(1 for offered in found.values() if s in offered) for s in services},
        )


class InMemoryMarketData:
    """Stored leads held in memory (unit tests, or a run over one file without a database)."""

    def __init__(self, leads: Iterable[Mapping[str, Any]]) -> None:
        by_state: dict[str, list[StoredCompany]] = defaultdict(list)
        for lead in leads:
            state = str(lead.get("state") or "").strip().upper()
            if not state or lead.get("duplicate_of"):
                continue
            profile = lead.get("profile") or {}
            name_key = str(lead.get("name_key") or lead.get("company_name") or "").lower()
            by_state[state].append(
                stored_company(
                    name_key,
                    lead.get("zip"),
                    lead.get("city"),
                    lead.get("industry"),
                    profile.get("capabilities"),
                )
            )
        self._indexes = {state: CompetitorIndex(rows) for state, rows in by_state.items()}

    def count_competitors(
        self, area: MarketArea, services: Sequence[str], *, exclude_name_key: str | None = None
    ) -> CompetitorCounts:
        index = self._indexes.get(area.state)
        if index is None:
            return CompetitorCounts(area_leads=0, by_service=dict.fromkeys(services, 0))
        return index.count(area, services, exclude_name_key)
