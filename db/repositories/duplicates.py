"""Flag a batch's leads that repeat leads stored by earlier batches, inside Postgres.

Runs in the dispatcher before any chain is published, so the upload's `202` never waits
on it and a 100k-lead batch costs a handful of set-based statements, not 100k lookups.
The rules are intake's exact ones (api/intake/dedupe.py), strongest first; the first that
matches wins, and the oldest stored lead it matches is reported, or the lead that one
repeats when it is itself a duplicate. Fuzzy names are matched inside the batch only.

A host that unrelated leads share is no company key here either: hosts of the kept list
(api/intake/shared_hosts.py), and any host that three different names with three
different phones carry among the stored leads and this batch. On such a host only the
same page (``page_key``: host and path) counts, with the phone or the name agreeing.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.intake.shared_hosts import (
    FREE_MAIL_DOMAINS,
    ROLE_MAILBOXES,
    SHARED_AFTER,
    SHARED_HOSTS,
)

# Hosts and pages carried by SHARED_AFTER different names with as many different phones.
_SHARED = f"""
  SELECT s.{{column}} FROM leads AS s
  WHERE s.{{column}} IN (
          SELECT {{column}} FROM leads WHERE batch_id = :batch_id AND {{column}} IS NOT NULL)
  GROUP BY s.{{column}}
  HAVING count(DISTINCT s.name_key) >= {SHARED_AFTER}
     AND count(DISTINCT COALESCE(s.phone, s.id::text)) >= {SHARED_AFTER}
"""
_ON_SHARED_HOST = (
    f"(n.domain = ANY(:shared_hosts) OR n.domain IN ({_SHARED.format(column='domain')}))"
)

# Two leads of one name are two companies when their own sites differ, or their phones
# and cities both differ (intake's ``_conflict``).
_CITY = "regexp_replace(lower({0}.city), '[^a-z0-9]+', '', 'g')"
_NO_CONFLICT = f"""NOT (
      COALESCE(COALESCE(n.domain, n.page_key) <> COALESCE(o.domain, o.page_key), false)
      OR COALESCE(n.phone <> o.phone AND {_CITY.format("n")} <> {_CITY.format("o")}, false))"""

# rule -> (what the reason says, confidence, join condition, further condition)
_RULES: Final[dict[str, tuple[str, float, str, str]]] = {
    "email": (
        "email", 0.98, "o.email = n.email",
        "split_part(n.email, '@', 2) <> ALL(:shared_hosts)"
        " AND NOT (split_part(n.email, '@', 1) = ANY(:role_mailboxes)"
        "          AND split_part(n.email, '@', 2) = ANY(:free_mail))",
    ),
    "domain": (
        "domain", 0.95, "o.domain = n.domain",
        f"NOT {_ON_SHARED_HOST}"
        " AND (o.page_key = n.page_key OR o.phone = n.phone OR o.name_key = n.name_key)",
    ),
    "url": (
        "web page", 0.95, "o.page_key = n.page_key",
        f"(n.domain IS NULL OR {_ON_SHARED_HOST})"
        " AND n.page_key <> ALL(:shared_hosts)"
        f" AND n.page_key NOT IN ({_SHARED.format(column='page_key')})"
        " AND (o.phone = n.phone OR o.name_key = n.name_key)",
    ),
    "phone": ("phone", 0.95, "o.phone = n.phone", "true"),
    "name_state": (
        "name and state", 0.90, "o.name_key = n.name_key",
        # An expression on o.state: probing by name alone is selective; a fresh batch has
        # no statistics yet, and the planner would otherwise AND in the state index.
        f"COALESCE(o.state, '') = n.state AND {_NO_CONFLICT}",
    ),
    "name_area_code": (
        "name and area code", 0.85, "o.name_key = n.name_key",
        "(n.state IS NULL OR o.state IS NULL) AND n.phone LIKE '+1%'"
        f" AND left(o.phone, 5) = left(n.phone, 5) AND {_NO_CONFLICT}",
    ),
    "name_city": (
        "name and city", 0.80, "o.name_key = n.name_key",
        f"(n.state IS NULL OR o.state IS NULL) AND {_CITY.format('o')} = {_CITY.format('n')}"
        f" AND {_NO_CONFLICT}",
    ),
}


def _statement(rule: str) -> str:
    what, confidence, join, condition = _RULES[rule]
    return f"""
WITH m AS (
  SELECT DISTINCT ON (n.id) n.id, o.id AS matched, COALESCE(o.duplicate_of, o.id) AS root
  FROM leads AS n
  JOIN leads AS o ON {join} AND o.batch_id IS DISTINCT FROM :batch_id
  WHERE n.batch_id = :batch_id AND n.duplicate_of IS NULL AND {condition}
  ORDER BY n.id, o.created_at, o.id
)
UPDATE leads AS l
SET duplicate_of = m.root,
    duplicate_reason = 'same {what} as existing lead ' || m.matched::text
        || CASE WHEN m.matched = m.root THEN ''
                ELSE ', itself a duplicate of ' || m.root::text END,
    duplicate_rule = '{rule}',
    duplicate_confidence = {confidence}
FROM m
WHERE l.id = m.id
"""


_STATEMENTS = [text(_statement(rule)) for rule in _RULES]
_RECOUNT = text(
    "UPDATE batches SET duplicate_count = (SELECT count(*) FROM leads "
    "WHERE batch_id = :batch_id AND duplicate_reason IS NOT NULL) "
    "WHERE id = :batch_id RETURNING duplicate_count"
)
_LISTS: Final[dict[str, Any]] = {
    "shared_hosts": sorted(SHARED_HOSTS),
    "role_mailboxes": sorted(ROLE_MAILBOXES),
    "free_mail": sorted(FREE_MAIL_DOMAINS),
}


def flag_stored_duplicates(session: Session, batch_id: uuid.UUID) -> int:
    """Mark this batch's repeats of stored leads; returns the batch's duplicate count.

    Each flagged lead gets ``duplicate_of``, ``duplicate_reason``, ``duplicate_rule`` and
    ``duplicate_confidence``. Safe to run twice: only leads not yet flagged are considered.
    """
    params = {"batch_id": batch_id, **_LISTS}
    for statement in _STATEMENTS:
        session.execute(statement, params)
    return int(session.execute(_RECOUNT, params).scalar_one())
