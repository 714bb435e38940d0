"""batches: progress counters kept by the writes, so a status poll reads one row

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Lead statuses change in several places (stage writes, dispatch, BDR decisions, the
# delivery guard); a trigger keeps the per-status counts exact whichever of them runs.
# Only a real change counts, and only for leads of a batch.
STATUS_COUNTS_FUNCTION = """
CREATE FUNCTION batches_count_lead_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE batches
  SET lead_counts = lead_counts || jsonb_build_object(
        OLD.status, COALESCE((lead_counts ->> OLD.status)::int, 0) - 1,
        NEW.status, COALESCE((lead_counts ->> NEW.status)::int, 0) + 1)
  WHERE id = NEW.batch_id;
  RETURN NULL;
END
$$
"""
STATUS_COUNTS_TRIGGER = """
CREATE TRIGGER leads_count_status
AFTER UPDATE OF status ON leads
FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.batch_id IS NOT NULL)
EXECUTE FUNCTION batches_count_lead_status()
"""

# Batches stored before this migration get their counters from the rows once. The
# upstream agreement uses the default tier thresholds (80/60/40) as of this revision.
BACKFILL = """
UPDATE batches AS b SET
  lead_counts = COALESCE((
    SELECT jsonb_object_agg(status, n) FROM (
      SELECT status, count(*) AS n FROM leads WHERE batch_id = b.id GROUP BY status) s
  ), '{}'::jsonb),
  tier_counts = COALESCE((
    SELECT jsonb_object_agg(tier, n) FROM (
      SELECT tier, count(*) AS n FROM leads
      WHERE batch_id = b.id AND tier IS NOT NULL GROUP BY tier) t
  ), '{}'::jsonb),
  stage_counts = COALESCE((
    SELECT jsonb_object_agg(stage, jsonb_build_object(
      'succeeded', ok, 'failed', bad, 'cost_usd', cost)) FROM (
      SELECT stage, count(*) FILTER (WHERE success) AS ok,
             count(*) FILTER (WHERE NOT success) AS bad,
             COALESCE(sum(cost_usd), 0) AS cost
      FROM agent_executions WHERE batch_id = b.id GROUP BY stage) e
  ), '{}'::jsonb),
  first_stage_at = (SELECT min(created_at) FROM agent_executions WHERE batch_id = b.id),
  last_stage_at = (SELECT max(created_at) FROM agent_executions WHERE batch_id = b.id);

UPDATE batches AS b SET
  upstream_leads = u.leads, upstream_same_tier = u.same_tier,
  upstream_gold = u.gold, upstream_gold_in_ab = u.gold_in_ab
FROM (
  SELECT batch_id,
         count(*) AS leads,
         count(*) FILTER (WHERE tier = CASE WHEN up >= 80 THEN 'A' WHEN up >= 60 THEN 'B'
                                            WHEN up >= 40 THEN 'C' ELSE 'D' END) AS same_tier,
         count(*) FILTER (WHERE up >= 60) AS gold,
         count(*) FILTER (WHERE up >= 60 AND tier IN ('A', 'B')) AS gold_in_ab
  FROM (
    SELECT batch_id, tier, (profile ->> 'icp_score')::float AS up FROM leads
    WHERE batch_id IS NOT NULL AND tier IS NOT NULL
      AND jsonb_typeof(profile -> 'icp_score') = 'number'
  ) scored
  GROUP BY batch_id
) AS u
WHERE b.id = u.batch_id;
"""


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    empty = sa.text("'{}'::jsonb")
    for name in ("lead_counts", "stage_counts", "tier_counts"):
        op.add_column(
            "batches",
            sa.Column(name, postgresql.JSONB(), server_default=empty, nullable=False),
        )
    for name in ("upstream_leads", "upstream_same_tier", "upstream_gold", "upstream_gold_in_ab"):
        op.add_column("batches", _counter(name))
    op.add_column("batches", sa.Column("first_stage_at", sa.DateTime(timezone=True)))
    op.add_column("batches", sa.Column("last_stage_at", sa.DateTime(timezone=True)))
    op.execute(BACKFILL)
    op.execute(STATUS_COUNTS_FUNCTION)
    op.execute(STATUS_COUNTS_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS leads_count_status ON leads")
    op.execute("DROP FUNCTION IF EXISTS batches_count_lead_status()")
    for name in (
        "last_stage_at", "first_stage_at", "upstream_gold_in_ab", "upstream_gold",
        "upstream_same_tier", "upstream_leads", "tier_counts", "stage_counts", "lead_counts",
    ):
        op.drop_column("batches", name)
