"""Throwaway databases on a server: for migration checks and test sessions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import URL, make_url


def _admin_dsn(url: URL) -> str:
    admin = url.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False)


def create_database(url: URL | str) -> str:
    url = make_url(url)
    with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{url.database}"')
    return url.render_as_string(hide_password=False)


def drop_database(url: URL | str) -> None:
    url = make_url(url)
    with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@contextmanager
def scratch_database(server_url: URL | str, prefix: str = "sales_agent_scratch") -> Iterator[str]:
    """A new empty database on the same server, dropped afterwards; yields its URL."""
    url = make_url(server_url).set(database=f"{prefix}_{uuid.uuid4().hex[:8]}")
    created = create_database(url)
    try:
        yield created
    finally:
        drop_database(url)
