"""What intake hands back: the lead drafts, the rejected rows, and what the file was."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

# A LeadDraft is a plain dict with exactly these keys (None when unknown), so it goes
# straight into an executemany insert and into task payloads. See the team's contract.
LeadDraft = dict[str, Any]

LEAD_DRAFT_KEYS: Final = (
    "csv_index", "company_name", "name_key", "website", "domain", "email", "phone",
    "contact_name", "contact_title", "industry", "company_size", "employee_count",
    "street", "city", "state", "zip", "profile", "raw",
)


@dataclass(frozen=True)
class Rejection:
    """A row that did not become a lead.

    row: 1-based data row (header and blank lines not counted; position for JSON).
    reason: readable and self-contained, e.g. "row 7: missing company name".
    """

    row: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "reason": self.reason}


@dataclass
class ParseResult:
    """The outcome of reading one file or payload.

    total_rows counts every data row looked at (accepted + rejected); blank lines are
    not rows. format is "dealer" or "generic".
    """

    leads: list[LeadDraft]
    rejections: list[Rejection]
    total_rows: int
    format: str
    source: str = "upload"
    raw_columns: list[str] = field(default_factory=list)
