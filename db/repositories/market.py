"""Competitor counts for the growth agent, from the stored leads in Postgres.

One query per state loads that state's stored companies (ZIP prefix, city, service lines)
through the ``ix_leads_state`` index into a :class:`CompetitorIndex`; every lead of that
state then counts its competitors in memory. The index is kept per process for a short
TTL: a batch of thousands of leads costs one query per state and minute, not one per lead,
and counts stay fresh enough for a score that moves in whole points.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from sqlalchemy import text

from db.session import autocommit
from orchestration.agents.growth.market import (
    CompetitorCounts,
    CompetitorIndex,
    MarketArea,
    stored_company,
)

DEFAULT_TTL_SECONDS = 60.0
# States kept at once; all 50 fit, so a national batch never reloads within the TTL.
DEFAULT_MAX_STATES = 64

# Duplicates are left out: they are the same company as the lead they point to.
STATE_COMPANIES = text("""
SELECT name_key, zip, city, industry, profile -> 'capabilities' AS capabilities
FROM leads
WHERE state = :state AND duplicate_of IS NULL
""")


class PostgresMarketData:
    """:class:`~orchestration.agents.growth.market.MarketData` over the ``leads`` table."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_states: int = DEFAULT_MAX_STATES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max_states = max_states
        self._clock = clock
        self._indexes: OrderedDict[str, tuple[float, CompetitorIndex]] = OrderedDict()
        # Worker threads share the agent: `_lock` guards the dicts for an instant, and one
        # lock per state lets a single thread load a cold state while its other threads
        # wait for that result (other states are not held up).
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}
        self.queries = 0  # state loads made, for tests and diagnostics

    def count_competitors(
        self, area: MarketArea, services: Sequence[str], *, exclude_name_key: str | None = None
    ) -> CompetitorCounts:
        """Other stored companies in ``area`` and how many offer each of ``services``."""
        return self._index_for(area.state).count(area, services, exclude_name_key)

    def clear(self) -> None:
        """Forget every loaded state, so the next count reads the database again."""
        with self._lock:
            self._indexes.clear()

    def _index_for(self, state: str) -> CompetitorIndex:
        fresh = self._fresh(state)
        if fresh is not None:
            return fresh
        with self._lock:
            loading = self._loading.setdefault(state, threading.Lock())
        with loading:
            fresh = self._fresh(state)  # loaded by another thread while this one waited
            if fresh is not None:
                return fresh
            loaded_at, index = self._clock(), self._load(state)
            with self._lock:
                self._indexes[state] = (loaded_at, index)
                self._indexes.move_to_end(state)
                while len(self._indexes) > self._max_states:
                    self._indexes.popitem(last=False)
            return index

    def _fresh(self, state: str) -> CompetitorIndex | None:
        now = self._clock()
        with self._lock:
            cached = self._indexes.get(state)
            if cached is None or now - cached[0] >= self._ttl:
                return None
            self._indexes.move_to_end(state)
            return cached[1]

    def _load(self, state: str) -> CompetitorIndex:
        with autocommit() as conn:
            rows = conn.execute(STATE_COMPANIES, {"state": state}).all()
        with self._lock:
            self.queries += 1
        return CompetitorIndex(
            stored_company(row.name_key, row.zip, row.city, row.industry, row.capabilities)
            for row in rows
        )
