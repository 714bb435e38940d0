"""Acceptance rules for one row, and the readable reasons a rejected row gets.

A lead must name its company and offer at least one way to reach or identify it
(website or domain, phone, email). An email that is present but malformed is dropped
when another route exists; when it was the only route the row is rejected for it, since
that is the value the user has to fix.
"""

from __future__ import annotations

from api.csv_safety import is_formula_like
from api.intake.normalize import collapse_spaces, name_key


class RowRejected(Exception):
    """Raised while building a draft; the parser turns it into a Rejection."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def quote(value: str, limit: int = 40) -> str:
    """A cell value for a reason text: single-quoted, one line, cut to ``limit``."""
    text = collapse_spaces(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def require_company_name(value: str) -> tuple[str, str]:
    """(company name with spaces collapsed, its matching key); reject when absent.

    ``value`` is a cleaned cell (stripped, "" when empty or null-like).
    """
    name = value
    if not name:
        raise RowRejected("missing company name")
    if "  " in name or "\n" in name or "\t" in name or "\r" in name:
        name = collapse_spaces(name)
    key = name_key(name)
    if not key:
        raise RowRejected(f"company name {quote(name)} has no letters or digits")
    return name, key


def require_contact_route(
    *,
    website: str | None,
    phone: str | None,
    email: str | None,
    email_given: str | None,
    phone_given: str | None,
    website_given: str | None,
) -> None:
    """Reject a row with no usable website/domain, phone or email.

    The *_given arguments are the cells as written, to say which value was unusable.
    """
    if website or phone or email:
        return
    if email_given:
        # Checked here, not in the hot path: only rows with no other route get this far.
        if is_formula_like(email_given):
            raise RowRejected(
                f"invalid email {quote(email_given)}: starts with a spreadsheet formula "
                "character (= + - @)"
            )
        raise RowRejected(f"invalid email {quote(email_given)}")
    unusable = []
    if phone_given:
        unusable.append(f"phone {quote(phone_given)} is not a valid number")
    if website_given:
        unusable.append(f"website {quote(website_given)} is not a web address")
    detail = f" ({'; '.join(unusable)})" if unusable else ""
    raise RowRejected(f"no website, phone or email{detail}")
