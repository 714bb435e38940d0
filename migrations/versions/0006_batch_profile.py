"""batches: the qualification profile a batch asked for

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Empty for every earlier batch: their leads were scored by the row's format.
    op.add_column("batches", sa.Column("profile", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("batches", "profile")
