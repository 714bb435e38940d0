"""The lead's own website: fetched safely, read for contact email addresses.

Not yet called by the pipeline. In a Celery prefork worker the call site must own one event
loop per process, created in ``worker_process_init`` with the ``SafeFetcher`` opened on it
after fork (``policy_from_settings(get_settings())``), and run
``loop.run_until_complete(EmailExtractor(fetcher).extract_emails(website))`` under a
deadline of its own: never ``asyncio.run()`` per task with a pooled session.
"""

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
