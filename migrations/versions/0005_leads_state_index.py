"""leads: index on state, for the growth agent's per-state competitor counts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # db/repositories/market.py loads one state's stored leads at a time.
    op.create_index("ix_leads_state", "leads", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_state", table_name="leads")
