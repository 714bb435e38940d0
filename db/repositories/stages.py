"""Reads and writes of one pipeline stage for one lead: the hot path of every batch.

Both are single, fixed SQL statements run on an autocommit connection: one round trip
each, and psycopg prepares them server-side after a few runs. The write inserts the
execution row, updates the lead and bumps the batch's counters (done, per stage, per tier,
upstream agreement) in one statement, so a stage's effects are all-or-nothing, a second run
of the same stage changes nothing, and the status API reads the batch row alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
from sqlalchemy import func, update
from sqlalchemy.orm import Session

from db.models import TERMINAL_LEAD_STATUSES, Batch, Lead
from settings import get_settings

LEAD_RECORD_COLUMNS = (
    "csv_index", "company_name", "name_key", "website", "domain", "email", "phone",
    "contact_name", "contact_title", "industry", "company_size", "employee_count",
    "street", "city", "state", "zip", "profile", "raw", "duplicate_reason", "stage_outputs",
)
# Lead columns an agent may set (StageOutcome.lead_updates), plus the outcome columns.
UPDATABLE_LEAD_COLUMNS = ("score", "tier", "growth_score", "email")
_OUTCOME_COLUMNS = ("outcome_reason", "error_stage", "error_message")

_LOAD_SQL = f"""
SELECT l.id, l.batch_id, l.duplicate_of, l.status, l.do_not_contact,
       {", ".join(f"l.{c}" for c in LEAD_RECORD_COLUMNS)},
       b.stop_on_duplicate, b.skip_enrichment, b.create_in_crm, b.dry_run, b.engine,
       b.profile AS batch_profile, e.success AS existing_success, e.output AS existing_output
FROM leads AS l
LEFT JOIN batches AS b ON b.id = l.batch_id
LEFT JOIN agent_executions AS e ON e.lead_id = l.id AND e.stage = %(stage)s
WHERE l.id = %(lead_id)s
"""

_KEEP_OR_SET = ",\n       ".join(
    f"{c} = COALESCE(%({c})s, {c})" for c in (*UPDATABLE_LEAD_COLUMNS, *_OUTCOME_COLUMNS)
)
_WRITE_SQL = f"""
WITH inserted AS (
  INSERT INTO agent_executions
    (lead_id, batch_id, stage, task_id, engine, input, output, success, error, attempts,
     latency_ms, cost_usd)
  VALUES (%(lead_id)s, %(batch_id)s, %(stage)s, %(task_id)s, %(engine)s,
          CAST(%(input)s AS jsonb), CAST(%(output)s AS jsonb), %(success)s, %(error)s,
          %(attempts)s, %(latency_ms)s, %(cost_usd)s)
  ON CONFLICT (lead_id, stage) DO NOTHING
  RETURNING lead_id
), updated AS (
  UPDATE leads
  SET status = %(status)s,
      current_stage = %(stage)s,
      stage_outputs = stage_outputs || jsonb_build_object(%(stage)s, CAST(%(output)s AS jsonb)),
      {_KEEP_OR_SET},
      updated_at = now(),
      finished_at = CASE WHEN %(terminal)s THEN now() ELSE finished_at END
  WHERE id IN (SELECT lead_id FROM inserted)
  RETURNING batch_id, tier,
            CASE WHEN jsonb_typeof(profile -> 'icp_score') = 'number'
                 THEN (profile ->> 'icp_score')::float END AS upstream
), tiered AS (
  -- The qualification write sets the tier: count it, and how it agrees with the score the
  -- file carried (its own band under our thresholds; its GOLD floor is 60 whatever ours are).
  SELECT batch_id, tier, upstream,
         upstream IS NOT NULL AS has_upstream,
         CASE WHEN upstream >= %(tier_a_min)s THEN 'A' WHEN upstream >= %(tier_b_min)s THEN 'B'
              WHEN upstream >= %(tier_c_min)s THEN 'C' ELSE 'D' END AS upstream_tier
  FROM updated WHERE CAST(%(tier)s AS text) IS NOT NULL AND tier IS NOT NULL
), bumped AS (
  UPDATE batches AS b
  SET done_count = b.done_count + CASE WHEN %(terminal)s THEN 1 ELSE 0 END,
      stage_counts = jsonb_set(b.stage_counts, ARRAY[CAST(%(stage)s AS text)], jsonb_build_object(
        'succeeded', COALESCE((b.stage_counts #>> ARRAY[%(stage)s, 'succeeded'])::int, 0)
                     + CASE WHEN %(success)s THEN 1 ELSE 0 END,
        'failed', COALESCE((b.stage_counts #>> ARRAY[%(stage)s, 'failed'])::int, 0)
                  + CASE WHEN %(success)s THEN 0 ELSE 1 END,
        'cost_usd', COALESCE((b.stage_counts #>> ARRAY[%(stage)s, 'cost_usd'])::numeric, 0)
                    + CAST(%(cost_usd)s AS numeric))),
      tier_counts = CASE WHEN t.tier IS NULL THEN b.tier_counts
                         ELSE b.tier_counts || jsonb_build_object(
                           t.tier, COALESCE((b.tier_counts ->> t.tier)::int, 0) + 1) END,
      upstream_leads = b.upstream_leads + CASE WHEN t.has_upstream THEN 1 ELSE 0 END,
      upstream_same_tier = b.upstream_same_tier
        + CASE WHEN t.has_upstream AND t.upstream_tier = t.tier THEN 1 ELSE 0 END,
      upstream_gold = b.upstream_gold + CASE WHEN t.upstream >= 60 THEN 1 ELSE 0 END,
      upstream_gold_in_ab = b.upstream_gold_in_ab
        + CASE WHEN t.upstream >= 60 AND t.tier IN ('A', 'B') THEN 1 ELSE 0 END,
      first_stage_at = COALESCE(b.first_stage_at, now()),
      last_stage_at = now()
  FROM updated AS u LEFT JOIN tiered AS t ON true
  WHERE b.id = u.batch_id
  RETURNING b.done_count, b.accepted_count
)
SELECT (SELECT count(*) FROM updated) AS inserted,
       (SELECT done_count FROM bumped WHERE %(terminal)s) AS done_count,
       (SELECT accepted_count FROM bumped WHERE %(terminal)s) AS accepted_count
"""


@dataclass(frozen=True)
class StageInput:
    """Everything a stage needs, read in one query."""

    lead: dict[str, Any]  # the LeadRecord handed to the agent
    status: str
    do_not_contact: bool  # the prospect unsubscribed: no stage may work this lead on
    batch_options: dict[str, Any]
    existing_success: bool | None  # this stage's execution, when it already ran
    existing_output: dict[str, Any] | None


@dataclass(frozen=True)
class StageWrite:
    stage: str
    task_id: str | None
    engine: str
    input: dict[str, Any]
    output: dict[str, Any]
    success: bool
    error: str | None
    attempts: int
    latency_ms: float
    cost_usd: float
    status: str  # the lead's status after this stage
    lead_values: dict[str, Any]  # UPDATABLE_LEAD_COLUMNS and outcome columns to set
    terminal: bool  # the lead gets its outcome with this write


@dataclass(frozen=True)
class StageWritten:
    inserted: bool  # False: another delivery already wrote this stage
    done_count: int | None
    accepted_count: int | None


_LOAD_COLUMNS: tuple[str, ...] = ()


def load_stage_input(
    conn: psycopg.Connection[Any], lead_id: uuid.UUID, stage: str
) -> StageInput | None:
    global _LOAD_COLUMNS
    cursor = conn.execute(_LOAD_SQL, {"lead_id": lead_id, "stage": stage})
    row = cursor.fetchone()
    if row is None:
        return None
    if not _LOAD_COLUMNS:
        assert cursor.description is not None
        _LOAD_COLUMNS = tuple(column.name for column in cursor.description)
    m = dict(zip(_LOAD_COLUMNS, row, strict=True))
    lead = {c: m[c] for c in LEAD_RECORD_COLUMNS}
    lead["id"] = str(m["id"])
    lead["batch_id"] = str(m["batch_id"]) if m["batch_id"] else None
    lead["duplicate_of"] = str(m["duplicate_of"]) if m["duplicate_of"] else None
    options = {
        "stop_on_duplicate": bool(m["stop_on_duplicate"]),
        "skip_enrichment": bool(m["skip_enrichment"]),
        "create_in_crm": bool(m["create_in_crm"]),
        "dry_run": bool(m["dry_run"]),
        "engine": m["engine"] or "rules",
        "profile": m["batch_profile"],
    }
    return StageInput(
        lead=lead,
        status=m["status"],
        do_not_contact=bool(m["do_not_contact"]),
        batch_options=options,
        existing_success=m["existing_success"],
        existing_output=m["existing_output"],
    )


def write_stage(
    conn: psycopg.Connection[Any], lead_id: uuid.UUID, batch_id: uuid.UUID | None, write: StageWrite
) -> StageWritten:
    """Insert the execution row; only if it is new, update the lead and the batch counter."""
    unknown = set(write.lead_values) - {*UPDATABLE_LEAD_COLUMNS, *_OUTCOME_COLUMNS}
    if unknown:
        raise ValueError(f"stage {write.stage} may not set lead columns {sorted(unknown)}")
    output = orjson.dumps(write.output, default=str).decode()
    settings = get_settings()
    params: dict[str, Any] = {
        "lead_id": lead_id,
        "batch_id": batch_id,
        "stage": write.stage,
        "task_id": write.task_id,
        "engine": write.engine,
        "input": orjson.dumps(write.input, default=str).decode(),
        "output": output,
        "success": write.success,
        "error": write.error,
        "attempts": write.attempts,
        "latency_ms": write.latency_ms,
        "cost_usd": round(write.cost_usd, 6),
        "status": write.status,
        "terminal": write.terminal,
        "tier_a_min": settings.tier_a_min,
        "tier_b_min": settings.tier_b_min,
        "tier_c_min": settings.tier_c_min,
    }
    for column in (*UPDATABLE_LEAD_COLUMNS, *_OUTCOME_COLUMNS):
        params[column] = write.lead_values.get(column)
    row = conn.execute(_WRITE_SQL, params).fetchone()
    assert row is not None  # the statement always returns its one summary row
    inserted, done, accepted = row
    return StageWritten(inserted=bool(inserted), done_count=done, accepted_count=accepted)


def mark_lead_terminal_without_stage(
    session: Session, lead_id: uuid.UUID, status: str, reason: str, error_stage: str | None = None
) -> StageWritten:
    """Give a lead its outcome outside a stage write (e.g. the delivery guard gave up)."""
    result = session.execute(
        update(Lead)
        .where(Lead.id == lead_id, Lead.status.not_in([s.value for s in TERMINAL_LEAD_STATUSES]))
        .values(
            status=status,
            outcome_reason=reason,
            error_stage=error_stage,
            error_message=reason if status == "failed" else None,
            finished_at=func.now(),
            updated_at=func.now(),
        )
        .returning(Lead.batch_id)
    ).one_or_none()
    if result is None or result[0] is None:
        return StageWritten(inserted=result is not None, done_count=None, accepted_count=None)
    bumped = session.execute(
        update(Batch)
        .where(Batch.id == result[0])
        .values(done_count=Batch.done_count + 1)
        .returning(Batch.done_count, Batch.accepted_count)
    ).one()
    return StageWritten(inserted=True, done_count=bumped[0], accepted_count=bumped[1])
