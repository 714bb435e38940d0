"""Competitor counts from stored leads in Postgres: right companies, one query per state."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import delete, text

from db.models import Batch, Lead
from db.repositories.market import STATE_COMPANIES, PostgresMarketData
from db.session import autocommit, unit_of_work
from orchestration.agents.base import RunContext
from orchestration.agents.growth.agent import GrowthAgent
from orchestration.agents.growth.market import MarketArea

# Not a real state: leads other tests store never land in this test's market.
STATE = "QX"
ALPHA = MarketArea(
    state=STATE, label="Alpha, QX area", zip3s=frozenset({"123"}), cities=frozenset({"alpha"})
)
StoreLead = Callable[..., uuid.UUID]


@pytest.fixture
def store(servers: Any) -> Iterator[StoreLead]:
    """Store leads in state QX in a batch of their own, removed after the test."""
    batch_id = uuid.uuid4()
    with unit_of_work() as session:
        session.add(Batch(id=batch_id, name="market data"))
    rows = iter(range(1, 1000))

    def store_lead(
        name: str,
        *,
        city: str | None = "Alpha",
        zip_code: str | None = None,
        services: tuple[str, ...] = ("generator",),
        industry: str | None = None,
        duplicate_of: uuid.UUID | None = None,
    ) -> uuid.UUID:
        lead_id = uuid.uuid4()
        with unit_of_work() as session:
            session.add(
                Lead(
                    id=lead_id,
                    batch_id=batch_id,
                    csv_index=next(rows),
                    company_name=name,
                    name_key=name.lower(),
                    city=city,
                    state=STATE,
                    zip=zip_code,
                    industry=industry,
                    duplicate_of=duplicate_of,
                    profile={"capabilities": dict.fromkeys(services, True)},
                )
            )
        return lead_id

    try:
        yield store_lead
    finally:
        with unit_of_work() as session:
            session.execute(delete(Lead).where(Lead.batch_id == batch_id))
            session.execute(delete(Batch).where(Batch.id == batch_id))


def lead_record(name: str, **fields: Any) -> dict[str, Any]:
    """The LeadRecord the stage task would hand the growth agent."""
    record: dict[str, Any] = {
        "company_name": name,
        "name_key": name.lower(),
        "city": "Alpha",
        "state": STATE,
        "zip": "12345",
        "profile": {"capabilities": {"generator": True}},
        "stage_outputs": {},
    }
    return record | fields


def test_growth_counts_stored_competitors_in_the_leads_area(store: StoreLead) -> None:
    # Given the lead itself stored, and around it in QX:
    store("Sunrise Power", zip_code="12345")
    rival = store("Rival A", city="Beta", zip_code="12399")  # same ZIP prefix, other town
    store("Rival A", city="Alpha", zip_code=None)  # the same rival listed by another OEM
    store("Rival B", zip_code=None, services=("generator", "solar"))
    store("Cool Air", services=("hvac",))  # in the area, but another line
    store("Backup Pros", services=(), industry="Backup Power Generators")  # a generic row
    store("Far Away", city="Gamma", zip_code="99999")  # another area
    store("Rival A Copy", duplicate_of=rival)  # a flagged duplicate of a stored lead

    # When the growth agent (with its default, Postgres market data) analyses the lead
    output = GrowthAgent().run(lead_record("Sunrise Power"), RunContext()).output

    # Then four other companies are in the area, three of them selling generators
    competition = output["competition"]
    assert competition["area"] == "Alpha, QX area"
    assert competition["area_leads"] == 4
    assert competition["competitors"] == {"generator": 3}
    assert competition["basis"].startswith(
        "counted among 4 other stored leads in the Alpha, QX area"
    )
    reason = next(f["reason"] for f in output["factors"] if f["key"] == "competition")
    assert "of 4 other stored companies in the Alpha, QX area, 3 offer generator work" in reason


def test_a_state_is_loaded_once_per_ttl(store: StoreLead) -> None:
    # Given two stored rivals and market data on a clock the test moves
    store("Rival A")
    store("Rival B")
    now = [1000.0]
    market = PostgresMarketData(ttl_seconds=60, clock=lambda: now[0])

    # When many leads of the state are counted, and a rival is stored meanwhile
    first = [market.count_competitors(ALPHA, ["generator"]) for _ in range(50)]
    store("Rival C")
    within_ttl = market.count_competitors(ALPHA, ["generator"])
    now[0] += 61
    after_ttl = market.count_competitors(ALPHA, ["generator"])

    # Then one query served the first 51 counts, and the next load sees the new rival
    assert {counts.by_service["generator"] for counts in first} == {2}
    assert within_ttl.by_service["generator"] == 2
    assert after_ttl.by_service["generator"] == 3
    assert market.queries == 2


def test_threads_counting_a_cold_state_share_one_load(store: StoreLead) -> None:
    # Given a stored rival and 16 worker threads counting the same cold state at once
    store("Rival A")
    market = PostgresMarketData()
    start = threading.Barrier(16)

    def count(_: int) -> int:
        start.wait()
        return market.count_competitors(ALPHA, ["generator"]).by_service["generator"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        counts = list(pool.map(count, range(16)))

    # Then every thread got the count, and the database was asked once
    assert counts == [1] * 16
    assert market.queries == 1


def test_the_state_query_is_served_by_an_index(servers: Any) -> None:
    # Given the planner told to avoid a sequential scan wherever an index can serve
    with autocommit() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        try:
            rows = conn.execute(text(f"EXPLAIN {STATE_COMPANIES.text}"), {"state": "TX"})
            plan = "\n".join(row[0] for row in rows)
        finally:
            conn.execute(text("RESET enable_seqscan"))

    # Then the per-state load reads through ix_leads_state
    assert "ix_leads_state" in plan
