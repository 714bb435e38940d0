"""`sales-agent check FILE`: intake only, for a first look at a file before it is loaded.

Nothing is stored and no server is needed: the file goes through the same parsing,
validation and in-batch duplicate marking as an upload (api/intake, in the order
api/submit.py runs them), so the rejections and duplicates reported are the ones an upload
of the file would get. Repeats of leads stored earlier are found by the dispatcher in
Postgres and are not looked for here.

Rows are 1-based data rows, as everywhere in intake: the header is not counted, nor are
blank lines, and a quoted cell spanning lines is one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.intake import LeadDraft, Rejection, stream_leads
from api.intake.dedupe import InBatchDuplicates
from api.intake.gcpause import paused_gc


@dataclass(frozen=True)
class Duplicate:
    """A row that repeats an earlier one of the same file."""

    row: int
    of_row: int  # the first row of the company it repeats
    rule: str  # see api.intake.dedupe.RULES
    confidence: float
    reason: str  # e.g. "same phone as row 3"
    company_name: str


@dataclass(frozen=True)
class CheckedFile:
    total_rows: int
    accepted: int
    rejected: list[Rejection]
    duplicates: list[Duplicate]

    def to_json(self) -> dict[str, Any]:
        """The machine-readable report: accepted count, rejections, duplicates."""
        return {
            "accepted": self.accepted,
            "rejected": [rejection.to_dict() for rejection in self.rejected],
            "duplicates": [
                {"row": d.row, "of_row": d.of_row, "rule": d.rule, "confidence": d.confidence}
                for d in self.duplicates
            ],
        }


def check_file(path: Path) -> CheckedFile:
    """Read ``path`` as an upload is read; raises IntakeError when the file is unusable."""
    return check_data(path.read_bytes(), source=path.name)


def check_data(data: bytes | str, *, source: str = "upload") -> CheckedFile:
    """The intake report of a CSV file's content (bytes as uploaded, or text)."""
    stream = stream_leads(data, source=source)
    marker = InBatchDuplicates()
    accepted = 0
    duplicates: list[Duplicate] = []
    with paused_gc():
        for draft in stream:
            accepted += 1
            if marker.mark(draft):
                duplicates.append(_duplicate(draft))
    return CheckedFile(stream.total_rows, accepted, list(stream.rejections), duplicates)


def _duplicate(draft: LeadDraft) -> Duplicate:
    return Duplicate(
        row=draft["csv_index"],
        of_row=draft["duplicate_of_row"],
        rule=draft["duplicate_rule"],
        confidence=draft["duplicate_confidence"],
        reason=draft["duplicate_reason"],
        company_name=draft["company_name"],
    )
