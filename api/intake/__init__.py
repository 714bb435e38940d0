"""Lead intake: CSV or JSON in, normalised lead drafts and per-row rejections out.

``parse_leads`` / ``parse_records`` read and validate (``stream_leads``: the same, one draft
at a time, so an upload can be stored while it is parsed); ``mark_in_batch_duplicates`` flags
repeats inside the batch (repeats of stored leads are flagged in Postgres at dispatch, see
db/repositories/duplicates.py). Nothing here touches the database.
"""

from api.intake.dedupe import mark_in_batch_duplicates
from api.intake.errors import IntakeError
from api.intake.parser import LeadStream, parse_leads, parse_records, stream_leads
from api.intake.result import LEAD_DRAFT_KEYS, LeadDraft, ParseResult, Rejection

__all__ = [
    "LEAD_DRAFT_KEYS",
    "IntakeError",
    "LeadDraft",
    "LeadStream",
    "ParseResult",
    "Rejection",
    "mark_in_batch_duplicates",
    "parse_leads",
    "parse_records",
    "stream_leads",
]
