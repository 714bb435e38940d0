"""Alembic environment: the URL comes from settings, the schema from db.models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import db.models  # noqa: F401  (registers every table on the metadata)
from db.base import Base
from settings import get_settings

target_metadata = Base.metadata


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    if not url:
        raise SystemExit("SALES_AGENT_DATABASE_URL is not set (or run `sales-agent migrate`)")
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
