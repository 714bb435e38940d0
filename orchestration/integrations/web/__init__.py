"""The lead's own website: fetched safely, read for contact email addresses."""

from orchestration.integrations.web.emails import EmailExtractor
from orchestration.integrations.web.fetch import (
    FetchError,
    FetchFailed,
    FetchPolicy,
    FetchRefused,
    FetchResult,
    FetchTimeout,
    RobotsDisallowed,
    SafeFetcher,
    TooManyRedirects,
)
from orchestration.integrations.web.guard import AddressGuard, BlockedAddress

__all__ = [
    "AddressGuard",
    "BlockedAddress",
    "EmailExtractor",
    "FetchError",
    "FetchFailed",
    "FetchPolicy",
    "FetchRefused",
    "FetchResult",
    "FetchTimeout",
    "RobotsDisallowed",
    "SafeFetcher",
    "TooManyRedirects",
]
