"""leads: the rule and confidence of a duplicate flag, and the page key shared hosts match on

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same expression as db.models.PAGE_KEY_SQL when this migration was written: a
# migration keeps its own copy, so a later change to the model cannot rewrite history.
PAGE_KEY_SQL = r"lower(rtrim(regexp_replace(website, '^https?://(www\.)?', ''), '/'))"


def upgrade() -> None:
    # Leads flagged before this migration keep their reason; their rule stays empty.
    op.add_column("leads", sa.Column("duplicate_rule", sa.String(length=32), nullable=True))
    op.add_column("leads", sa.Column("duplicate_confidence", sa.Float(), nullable=True))
    # Generated, so every stored lead has its page key at once and no writer can forget it.
    op.add_column(
        "leads",
        sa.Column(
            "page_key",
            sa.String(length=1024),
            sa.Computed(PAGE_KEY_SQL, persisted=True),
            nullable=True,
        ),
    )
    op.create_index("ix_leads_page_key", "leads", ["page_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_page_key", table_name="leads")
    op.drop_column("leads", "page_key")
    op.drop_column("leads", "duplicate_confidence")
    op.drop_column("leads", "duplicate_rule")
