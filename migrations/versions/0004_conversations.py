"""conversations: sessions, turns, and the lead's do-not-contact flag

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # server_default false: existing leads are contactable, and the add is instant.
    op.add_column(
        "leads",
        sa.Column("do_not_contact", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    # agent_executions is the biggest table: build its index without blocking stage writes.
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_agent_executions_created_at",
            "agent_executions",
            ["created_at"],
            unique=False,
            postgresql_concurrently=True,
            if_not_exists=True,
        )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("turn_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open', 'handed_off', 'unsubscribed')", name=op.f("ck_conversations_status")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            ondelete="CASCADE",
            name=op.f("fk_conversations_lead_id_leads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index("ix_conversations_lead_id", "conversations", ["lead_id"], unique=False)
    op.create_table(
        "conversation_turns",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("input_mode", sa.String(length=8), nullable=False),
        sa.Column("prospect_text", sa.Text(), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("intent", sa.String(length=32), nullable=True),
        sa.Column("output", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'started', 'succeeded', 'failed')",
            name=op.f("ck_conversation_turns_state"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            ondelete="CASCADE",
            name=op.f("fk_conversation_turns_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_turns")),
        sa.UniqueConstraint(
            "conversation_id", "seq", name=op.f("uq_conversation_turns_conversation_id_seq")
        ),
    )
    op.create_index(
        "ix_conversation_turns_created_at", "conversation_turns", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_turns_created_at", table_name="conversation_turns")
    op.drop_table("conversation_turns")
    op.drop_index("ix_conversations_lead_id", table_name="conversations")
    op.drop_table("conversations")
    op.drop_index("ix_agent_executions_created_at", table_name="agent_executions")
    op.drop_column("leads", "do_not_contact")
