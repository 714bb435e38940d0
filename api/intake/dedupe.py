"""Duplicate detection: inside one batch, and against leads already stored.

The same dealer appears once per OEM locator that lists it, each time with a slightly
different name ("Smith Electric, Inc." / "Smith Electric LLC") but the same phone or
domain. Keys are checked strongest first: email, domain, phone, then name. Names only
match within the same state, since franchises share a name across states.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Final

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.models import Lead

FUZZY_NAME_MIN_SCORE: Final = 92.0
_EXACT_KEYS: Final = ("email", "domain", "phone")
_QUERY_CHUNK: Final = 5000  # well under the driver's bind-parameter limit


def mark_in_batch_duplicates(leads: list[dict[str, Any]]) -> int:
    """Flag every lead that repeats an earlier one of the same batch; return how many.

    Sets ``duplicate_of_row`` (csv_index of the first occurrence, or None) and
    ``duplicate_reason`` (e.g. "same domain as row 3") on every draft.

    Exact keys are dict look-ups. Fuzzy names (token-sort ratio >= 92) are compared only
    within a block of earlier first occurrences sharing state and first letter, which
    keeps the work near-linear: an 8,000-row file takes a few tens of milliseconds.
    """
    # key value -> (row that carried it, first occurrence that row stands for)
    seen: dict[str, dict[str, tuple[int, int]]] = {kind: {} for kind in _EXACT_KEYS}
    seen_names: dict[tuple[str, str], tuple[int, int]] = {}
    # (state, first letter) -> token-sorted names of first occurrences, and their rows
    blocks: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
    flagged = 0
    for lead in leads:
        row: int = lead["csv_index"]
        key: str = lead.get("name_key") or ""
        state: str = lead.get("state") or ""
        root, reason = _exact_match(lead, seen)
        if reason is None and key:
            hit = seen_names.get((state, key))
            if hit is not None:
                root, reason = hit[1], _same("name", *hit)
        sorted_key = " ".join(sorted(key.split()))
        block_key = (state, key[:1])
        if reason is None and key and block_key in blocks:
            names, rows = blocks[block_key]
            best = process.extractOne(
                sorted_key, names, scorer=fuzz.ratio, score_cutoff=FUZZY_NAME_MIN_SCORE
            )
            if best is not None:
                root = rows[best[2]]
                reason = f"similar name to row {root} ({best[1]:.0f}% alike)"

        if reason is None:
            root = row
            lead["duplicate_of_row"] = None
            if key:
                names, rows = blocks.setdefault(block_key, ([], []))
                names.append(sorted_key)
                rows.append(row)
        else:
            lead["duplicate_of_row"] = root
            flagged += 1
        lead["duplicate_reason"] = reason
        # Later rows may match this one through a key its first occurrence lacked.
        for kind in _EXACT_KEYS:
            value = lead.get(kind)
            if value:
                seen[kind].setdefault(value, (row, root))
        if key:
            seen_names.setdefault((state, key), (row, root))
    return flagged


def _exact_match(
    lead: dict[str, Any], seen: dict[str, dict[str, tuple[int, int]]]
) -> tuple[int, str | None]:
    """(first occurrence, reason) for the strongest key an earlier row shares, else (0, None)."""
    for kind in _EXACT_KEYS:
        value = lead.get(kind)
        if value:
            hit = seen[kind].get(value)
            if hit is not None:
                return hit[1], _same(kind, *hit)
    return 0, None


def _same(kind: str, matched_row: int, root: int) -> str:
    if matched_row == root:
        return f"same {kind} as row {root}"
    return f"same {kind} as row {matched_row}, itself a duplicate of row {root}"


def find_stored_duplicates(
    session: Session,
    leads: list[dict[str, Any]],
    *,
    exclude_batch_id: uuid.UUID | None = None,
) -> dict[int, tuple[uuid.UUID, str]]:
    """Match drafts against stored leads: csv_index -> (stored lead id, reason).

    Exact keys only (email, domain, phone, and name_key within the same state), each as
    a few bulk ``IN`` queries served by the leads table's indexes. Fuzzy names are left
    to the in-batch pass: against the database they would need every stored name of the
    batch's states pulled into Python (growing with the table, not the batch) or a
    trigram index the schema does not have. A stored lead that is itself a duplicate is
    reported as the lead it duplicates. ``exclude_batch_id`` ignores the rows of that
    batch, for callers that look after inserting.
    """
    wanted: dict[str, set[str]] = {kind: set() for kind in (*_EXACT_KEYS, "name_key")}
    for lead in leads:
        for kind, values in wanted.items():
            value = lead.get(kind)
            if value:
                values.add(value)

    stored: dict[str, dict[str, uuid.UUID]] = {}
    for kind in _EXACT_KEYS:
        column: InstrumentedAttribute[str | None] = getattr(Lead, kind)
        stored[kind] = {}
        for value, lead_id, duplicate_of in _query(
            session, column, wanted[kind], exclude_batch_id, extra=None
        ):
            stored[kind].setdefault(value, duplicate_of or lead_id)
    stored_names: dict[tuple[str, str], uuid.UUID] = {}
    for name, lead_id, duplicate_of, state in _query(
        session, Lead.name_key, wanted["name_key"], exclude_batch_id, extra=Lead.state
    ):
        stored_names.setdefault((name, state or ""), duplicate_of or lead_id)

    matches: dict[int, tuple[uuid.UUID, str]] = {}
    for lead in leads:
        for kind in _EXACT_KEYS:
            value = lead.get(kind)
            found = stored[kind].get(value) if value else None
            if found is not None:
                matches[lead["csv_index"]] = (found, f"same {kind} as existing lead {found}")
                break
        else:
            key = lead.get("name_key")
            found = stored_names.get((key, lead.get("state") or "")) if key else None
            if found is not None:
                reason = f"same name and state as existing lead {found}"
                matches[lead["csv_index"]] = (found, reason)
    return matches


def _query(
    session: Session,
    column: InstrumentedAttribute[Any],
    values: Iterable[str],
    exclude_batch_id: uuid.UUID | None,
    extra: InstrumentedAttribute[Any] | None,
) -> list[tuple[Any, ...]]:
    """(value, id, duplicate_of[, extra]) of stored leads with column in values, oldest first."""
    ordered = sorted(values)
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(ordered), _QUERY_CHUNK):
        columns: list[Any] = [column, Lead.id, Lead.duplicate_of]
        if extra is not None:
            columns.append(extra)
        statement = (
            select(*columns)
            .where(column.in_(ordered[start : start + _QUERY_CHUNK]))
            .order_by(Lead.created_at, Lead.id)
        )
        if exclude_batch_id is not None:
            statement = statement.where(Lead.batch_id.is_distinct_from(exclude_batch_id))
        found.extend(tuple(row) for row in session.execute(statement))
    return found
