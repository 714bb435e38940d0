"""Flag a batch's leads that repeat leads stored by earlier batches, inside Postgres.

Runs in the dispatcher before any chain is published, so the upload's `202` never waits
on it and a 100k-lead batch costs four set-based statements, not 100k lookups. Exact keys
only (email, domain, phone, then name within the same state), served by the leads
indexes; fuzzy names are matched inside the batch at intake. The first key that matches
wins; the oldest stored holder of a key is the match, reported as the lead it duplicates
when it is itself a duplicate.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

_MATCH_ON = {
    "email": ("n.email = m.email", "o.email", "email"),
    "domain": ("n.domain = m.domain", "o.domain", "domain"),
    "phone": ("n.phone = m.phone", "o.phone", "phone"),
    "name and state": (
        "n.name_key = m.name_key AND COALESCE(n.state, '') = m.state",
        "o.name_key, COALESCE(o.state, '') AS state",
        "name_key",
    ),
}


def _statement(what: str) -> str:
    condition, keys, column = _MATCH_ON[what]
    distinct = "o.name_key, COALESCE(o.state, '')" if column == "name_key" else f"o.{column}"
    return f"""
UPDATE leads AS n
SET duplicate_of = m.root,
    duplicate_reason = 'same {what} as existing lead ' || m.matched::text
        || CASE WHEN m.matched = m.root THEN ''
                ELSE ', itself a duplicate of ' || m.root::text END
FROM (
  SELECT DISTINCT ON ({distinct}) {keys}, o.id AS matched,
         COALESCE(o.duplicate_of, o.id) AS root
  FROM leads AS o
  WHERE o.{column} IN (
          SELECT {column} FROM leads WHERE batch_id = :batch_id AND {column} IS NOT NULL)
    AND o.batch_id IS DISTINCT FROM :batch_id
  ORDER BY {distinct}, o.created_at, o.id
) AS m
WHERE n.batch_id = :batch_id AND n.duplicate_of IS NULL AND {condition}
"""


_STATEMENTS = [text(_statement(what)) for what in _MATCH_ON]
_RECOUNT = text(
    "UPDATE batches SET duplicate_count = (SELECT count(*) FROM leads "
    "WHERE batch_id = :batch_id AND duplicate_reason IS NOT NULL) "
    "WHERE id = :batch_id RETURNING duplicate_count"
)


def flag_stored_duplicates(session: Session, batch_id: uuid.UUID) -> int:
    """Mark this batch's repeats of stored leads; returns the batch's duplicate count.

    Safe to run twice: only leads not yet flagged are considered.
    """
    params = {"batch_id": batch_id}
    for statement in _STATEMENTS:
        session.execute(statement, params)
    return int(session.execute(_RECOUNT, params).scalar_one())
