"""The Alembic history builds the models' schema, and unwinds cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from db.scratch import scratch_database
from tests.support.servers import alembic_config


def test_upgrade_then_downgrade_then_upgrade(servers):
    # Given an empty database
    with scratch_database(servers.database_url) as url:
        config = alembic_config(url)
        engine = create_engine(url)
        try:
            # When migrated to head, then it has every table and matches the models
            command.upgrade(config, "head")
            tables = set(inspect(engine).get_table_names())
            assert {"leads", "batches", "agent_executions", "enrichment_cache",
                    "pipeline_test_executions", "jobs"} <= tables
            command.check(config)

            # When downgraded to base, then only Alembic's own table is left
            command.downgrade(config, "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

            # And it can come back up
            command.upgrade(config, "head")
        finally:
            engine.dispose()
