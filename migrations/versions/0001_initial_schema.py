"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 07:29:18.723603
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('batches',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('source', sa.String(length=512), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('engine', sa.String(length=20), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('accepted_count', sa.Integer(), nullable=False),
    sa.Column('rejected_count', sa.Integer(), nullable=False),
    sa.Column('duplicate_count', sa.Integer(), nullable=False),
    sa.Column('done_count', sa.Integer(), nullable=False),
    sa.Column('rejections', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('stop_on_duplicate', sa.Boolean(), nullable=False),
    sa.Column('skip_enrichment', sa.Boolean(), nullable=False),
    sa.Column('create_in_crm', sa.Boolean(), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('dispatch_task_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'dispatching', 'running', 'finished', 'cancelled')", name=op.f('ck_batches_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches'))
    )
    op.create_table('enrichment_cache',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('cache_key', sa.String(length=512), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('cost_usd', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrichment_cache')),
    sa.UniqueConstraint('provider', 'cache_key', name=op.f('uq_enrichment_cache_provider_cache_key'))
    )
    op.create_index('ix_enrichment_cache_expires_at', 'enrichment_cache', ['expires_at'], unique=False)
    op.create_table('jobs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=True),
    sa.Column('lead_id', sa.Uuid(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'started', 'succeeded', 'failed')", name=op.f('ck_jobs_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_table('pipeline_test_executions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('lead_id', sa.Uuid(), nullable=True),
    sa.Column('lead_name', sa.String(length=512), nullable=False),
    sa.Column('csv_index', sa.Integer(), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.Column('error_stage', sa.String(length=32), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('total_latency_ms', sa.Float(), nullable=False),
    sa.Column('total_cost_usd', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('stages', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('timeline', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('stop_on_duplicate', sa.Boolean(), nullable=False),
    sa.Column('skip_enrichment', sa.Boolean(), nullable=False),
    sa.Column('create_in_crm', sa.Boolean(), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_test_executions'))
    )
    op.create_table('leads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=True),
    sa.Column('csv_index', sa.Integer(), nullable=True),
    sa.Column('company_name', sa.String(length=512), nullable=False),
    sa.Column('name_key', sa.String(length=512), nullable=False),
    sa.Column('website', sa.String(length=1024), nullable=True),
    sa.Column('domain', sa.String(length=255), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('contact_name', sa.String(length=255), nullable=True),
    sa.Column('contact_title', sa.String(length=255), nullable=True),
    sa.Column('industry', sa.String(length=255), nullable=True),
    sa.Column('company_size', sa.String(length=64), nullable=True),
    sa.Column('employee_count', sa.Integer(), nullable=True),
    sa.Column('street', sa.String(length=512), nullable=True),
    sa.Column('city', sa.String(length=255), nullable=True),
    sa.Column('state', sa.String(length=64), nullable=True),
    sa.Column('zip', sa.String(length=16), nullable=True),
    sa.Column('profile', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('raw', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('duplicate_of', sa.Uuid(), nullable=True),
    sa.Column('duplicate_reason', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('dispatched', sa.Boolean(), nullable=False),
    sa.Column('current_stage', sa.String(length=32), nullable=True),
    sa.Column('outcome_reason', sa.Text(), nullable=True),
    sa.Column('error_stage', sa.String(length=32), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('tier', sa.String(length=1), nullable=True),
    sa.Column('growth_score', sa.Integer(), nullable=True),
    sa.Column('stage_outputs', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'queued', 'in_progress', 'awaiting_approval', 'completed', 'disqualified', 'failed')", name=op.f('ck_leads_status')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_leads_batch_id_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leads')),
    sa.UniqueConstraint('batch_id', 'csv_index', name=op.f('uq_leads_batch_id_csv_index'))
    )
    op.create_index('ix_leads_undispatched', 'leads', ['batch_id', 'csv_index'], unique=False, postgresql_where=sa.text('NOT dispatched'))
    # Each stage rewrites its lead's row; room on the page lets Postgres update in place
    # (HOT) without touching every index.
    op.execute('ALTER TABLE leads SET (fillfactor = 70)')
    op.create_index('ix_leads_batch_id_status', 'leads', ['batch_id', 'status'], unique=False)
    op.create_index('ix_leads_domain', 'leads', ['domain'], unique=False)
    op.create_index('ix_leads_email', 'leads', ['email'], unique=False)
    op.create_index('ix_leads_name_key', 'leads', ['name_key'], unique=False)
    op.create_index('ix_leads_phone', 'leads', ['phone'], unique=False)
    op.create_table('agent_executions',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('lead_id', sa.Uuid(), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=True),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=True),
    sa.Column('engine', sa.String(length=20), nullable=False),
    sa.Column('input', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('output', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('latency_ms', sa.Float(), nullable=False),
    sa.Column('cost_usd', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_agent_executions_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_executions')),
    sa.UniqueConstraint('lead_id', 'stage', name=op.f('uq_agent_executions_lead_id_stage'))
    )
    op.create_index('ix_agent_executions_batch_id_stage', 'agent_executions', ['batch_id', 'stage', 'success'], unique=False)
    op.create_index('ix_agent_executions_task_id', 'agent_executions', ['task_id'], unique=False)
    


def downgrade() -> None:
    
    op.drop_index('ix_agent_executions_task_id', table_name='agent_executions')
    op.drop_index('ix_agent_executions_batch_id_stage', table_name='agent_executions')
    op.drop_table('agent_executions')
    op.drop_index('ix_leads_phone', table_name='leads')
    op.drop_index('ix_leads_name_key', table_name='leads')
    op.drop_index('ix_leads_email', table_name='leads')
    op.drop_index('ix_leads_domain', table_name='leads')
    op.drop_index('ix_leads_batch_id_status', table_name='leads')
    op.drop_index('ix_leads_undispatched', table_name='leads', postgresql_where=sa.text('NOT dispatched'))
    op.drop_table('leads')
    op.drop_table('pipeline_test_executions')
    op.drop_table('jobs')
    op.drop_index('ix_enrichment_cache_expires_at', table_name='enrichment_cache')
    op.drop_table('enrichment_cache')
    op.drop_table('batches')
    
