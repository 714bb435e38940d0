"""What one provider call costs, so every lead's enrichment carries its price.

List prices of the entry paid plans, per billable call, in USD; adjust to your contract.
A call is billable only when the provider says it charges for it: Hunter counts a domain
search or email finder only when it returns something, Apollo charges a credit per matched
record; Close and LinkedIn (links read from the lead's own site) cost nothing per call.
"""

from __future__ import annotations

from decimal import Decimal

PRICE_PER_CALL_USD: dict[tuple[str, str], Decimal] = {
    # provider, operation          USD per billable call
    ("hunter", "domain_search"): Decimal("0.0490"),  # 1 credit; Starter: $49 / 1,000 credits
    ("hunter", "email_finder"): Decimal("0.0490"),  # 1 credit, only when an email is found
    ("apollo", "organization_enrich"): Decimal("0.0400"),  # 1 credit per matched company
    ("apollo", "people_match"): Decimal("0.0400"),  # 1 credit per matched person
    ("close", "search"): Decimal("0"),  # included in the CRM seat
    ("close", "create_lead"): Decimal("0"),
    ("close", "update_lead"): Decimal("0"),
    ("website", "home_page"): Decimal("0"),  # our own bandwidth
}


def price(provider: str, operation: str, *, billable: bool) -> Decimal:
    """The cost of one call: its list price when the provider bills it, else zero."""
    if not billable:
        return Decimal(0)
    return PRICE_PER_CALL_USD.get((provider, operation), Decimal(0))
