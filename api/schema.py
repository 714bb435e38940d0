"""The database schema: migrate it once, or wait until it is migrated.

`sales-agent migrate` is the one step that changes the schema (a release step: a compose
service the others depend on, the Procfile's `release:` line). It takes a Postgres advisory
lock first, so migrations started together run one after the other: the first upgrades,
the others find the schema at head and do nothing. Without the lock, two processes racing
on a fresh database both create `alembic_version` and one dies on a unique violation.

`api`, `worker`, `beat` and `flower` against configured servers only wait for the schema
to reach head, for a bounded time, then refuse to start with a message naming the step.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

# One fixed advisory lock key for "the schema of this database is being migrated"
# (an arbitrary 64-bit constant; advisory locks are per database).
MIGRATION_LOCK_KEY = 0x5A1E5A6E7_0001


class SchemaNotReadyError(RuntimeError):
    """The database is not at the latest migration (and did not get there in time)."""


@dataclass(frozen=True)
class MigrationRun:
    """What one `migrate` did: the revision it found and the one it left."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("postgresql://unused"))
    return script.get_current_head()


def _engine(database_url: str) -> Engine:
    # NullPool: closing the connection really ends the session, and with it the session
    # lock (a pooled connection would keep holding it).
    return create_engine(database_url, poolclass=pool.NullPool)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _lock(connection: Connection, poll_s: float = 0.2) -> None:
    """Take the migration lock, polling outside any transaction.

    A blocking ``pg_advisory_lock`` would wait inside a transaction, and a migration that
    runs ``CREATE INDEX CONCURRENTLY`` waits for every open transaction to end: the two
    waiters deadlock. The lock belongs to the session, so it outlives each commit, and
    Alembic then runs its own transaction on the same connection.
    """
    while True:
        taken = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
        ).scalar()
        connection.commit()
        if taken:
            return
        time.sleep(poll_s)


def upgrade_under_lock(database_url: str) -> MigrationRun:
    """Upgrade to head while holding the migration advisory lock; idempotent."""
    engine = _engine(database_url)
    try:
        with engine.connect() as connection:
            _lock(connection)
            try:
                before = _current_revision(connection)
                connection.commit()
                if before != head_revision():
                    config = alembic_config(database_url)
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    connection.commit()
                after = _current_revision(connection)
                connection.commit()
            finally:
                # After a failed migration the transaction is aborted: end it, or the
                # unlock would fail too and hide the migration's own error.
                connection.rollback()
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()
    finally:
        engine.dispose()
    return MigrationRun(before, after)


def wait_for_head(database_url: str, timeout_s: float, poll_s: float = 0.5) -> None:
    """Return once the schema is at head; raise :class:`SchemaNotReadyError` after
    ``timeout_s`` seconds (a database that cannot be reached counts as not ready)."""
    head = head_revision()
    deadline = time.monotonic() + timeout_s
    engine = _engine(database_url)
    current: Any = None
    reason = ""
    try:
        while True:
            try:
                with engine.connect() as connection:
                    current = _current_revision(connection)
                if current == head:
                    return
                reason = f"the database is at revision {current or 'none (empty)'}"
            except OperationalError as exc:
                reason = f"the database cannot be reached ({str(exc.orig or exc).strip()})"
            if time.monotonic() >= deadline:
                break
            time.sleep(min(poll_s, max(0.0, deadline - time.monotonic())))
    finally:
        engine.dispose()
    raise SchemaNotReadyError(
        f"{reason}, not at the latest migration {head}, after waiting {timeout_s:g} s: "
        "run `sales-agent migrate` (the release step) first"
    )
