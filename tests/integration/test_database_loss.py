"""Connections to Postgres cut mid-batch: stages retry, and no lead is lost or failed."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.session import autocommit, reset_engine
from tests.integration.helpers import leads_by_status, wait_for_batch, wait_for_done_count
from tests.integration.test_pipeline import submit_file


def test_cut_database_connections_mid_batch_lose_no_lead(servers, worker, examples_dir):
    # Given a batch in flight
    batch_id = submit_file(examples_dir / "dealers.csv")

    # When every other connection to the database is cut, twice (as in a failover)
    database = make_url(servers.database_url).database
    cuts = 0
    for round_ in range(2):
        wait_for_done_count(batch_id, at_least=20 + 40 * round_)
        with autocommit() as conn:
            cut = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).scalar_one()
        cuts += cut
        reset_engine()  # this test's own pooled connections were cut too
    assert cuts >= 2

    # Then the batch still finishes, every lead with an outcome and none failed
    batch = wait_for_batch(batch_id)
    statuses = leads_by_status(batch_id)
    assert sum(statuses.values()) == batch.accepted_count
    assert statuses.get("failed", 0) == 0
