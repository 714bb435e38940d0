"""A batch's results as CSV or JSON text (REST and CLI share this)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

from sqlalchemy.orm import Session

from api.csv_safety import safe_record
from db.models import Lead
from db.repositories.batches import batch_results, get_batch
from orchestration.config.tiers import TIER_BANDS, TIER_PATHS

RESULT_COLUMNS = (
    "csv_index", "company_name", "website", "email", "phone", "city", "state", "status",
    "score", "tier", "growth_score", "outcome_reason", "error_stage", "error_message",
    "duplicate_reason", "duplicate_rule", "duplicate_confidence",
)
DERIVED_COLUMNS = (
    "band", "tier_path", "profile", "upstream_score", "upstream_band", "agreement", "reasoning",
    "channels", "outreach_kind", "outreach_subject",
)


def result_row(lead: Lead) -> dict[str, Any]:
    row: dict[str, Any] = {"lead_id": str(lead.id)}
    row.update({column: getattr(lead, column) for column in RESULT_COLUMNS})
    outputs = lead.stage_outputs or {}
    qualification = outputs.get("qualification", {})
    row["band"] = TIER_BANDS.get(lead.tier or "")
    row["tier_path"] = TIER_PATHS.get(lead.tier or "")
    row["profile"] = qualification.get("profile")
    upstream = qualification.get("upstream") or {}
    row["upstream_score"] = upstream.get("score")
    row["upstream_band"] = upstream.get("band")
    row["agreement"] = upstream.get("agreement")
    row["reasoning"] = qualification.get("reasoning")
    channels = outputs.get("marketing", {}).get("channels", [])
    row["channels"] = ",".join(
        c.get("channel", "") for c in channels if isinstance(c, dict)
    ) or None
    draft = outputs.get("bdr", {}).get("draft", {})
    # Drafts stored before calls existed are emails.
    row["outreach_kind"] = draft.get("kind", "email") if draft else None
    row["outreach_subject"] = draft.get("subject")
    return row


def export_results(session: Session, batch_id: uuid.UUID, fmt: str) -> str | None:
    if get_batch(session, batch_id) is None:
        return None
    rows = [result_row(lead) for lead in batch_results(session, batch_id)]
    if fmt == "json":
        return json.dumps({"batch_id": str(batch_id), "leads": rows}, default=str, indent=1)
    return results_csv(rows)


def results_csv(rows: list[dict[str, Any]]) -> str:
    """Result rows (see ``result_row``) as CSV text, one header line first.

    Names, cities and reasons come from uploaded files, so no text cell may run as a
    spreadsheet formula (api/csv_safety.py); numbers are written as they are.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["lead_id", *RESULT_COLUMNS, *DERIVED_COLUMNS])
    writer.writeheader()
    writer.writerows(safe_record(row) for row in rows)
    return buffer.getvalue()
