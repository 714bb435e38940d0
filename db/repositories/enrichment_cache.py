"""The provider answers kept in ``enrichment_cache``: read while fresh, upsert on a paid call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from db.models import EnrichmentCache


@dataclass(frozen=True)
class CachedAnswer:
    payload: dict[str, Any]
    cost_usd: Decimal  # what the original call cost (this read costs nothing)
    expires_at: datetime


def get_fresh(session: Session, provider: str, key: str, now: datetime) -> CachedAnswer | None:
    """The stored answer for ``(provider, key)`` unless it has expired."""
    row = session.execute(
        select(EnrichmentCache.payload, EnrichmentCache.cost_usd, EnrichmentCache.expires_at).where(
            EnrichmentCache.provider == provider,
            EnrichmentCache.cache_key == key,
            EnrichmentCache.expires_at > now,
        )
    ).one_or_none()
    if row is None:
        return None
    return CachedAnswer(payload=row.payload, cost_usd=row.cost_usd, expires_at=row.expires_at)


def store(
    session: Session,
    provider: str,
    key: str,
    payload: dict[str, Any],
    cost_usd: Decimal,
    expires_at: datetime,
) -> None:
    """Insert or refresh the answer (a later call replaces an expired one in place)."""
    statement = insert(EnrichmentCache).values(
        provider=provider,
        cache_key=key,
        payload=payload,
        cost_usd=cost_usd,
        expires_at=expires_at,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[EnrichmentCache.provider, EnrichmentCache.cache_key],
            set_={
                "payload": statement.excluded.payload,
                "cost_usd": statement.excluded.cost_usd,
                "expires_at": statement.excluded.expires_at,
                "created_at": statement.excluded.created_at,
            },
        )
    )


def purge_expired(session: Session, now: datetime) -> int:
    """Delete answers past their TTL; returns how many went."""
    result = session.execute(delete(EnrichmentCache).where(EnrichmentCache.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
