"""Start-up checks of the API's secrets: refuse placeholders, warn about the dev key."""

from __future__ import annotations

import logging

from settings import Settings

logger = logging.getLogger(__name__)


class UnsafeSettingsError(RuntimeError):
    """The API must not start with these settings (a known key outside development...)."""


def check_key_settings(settings: Settings) -> None:
    """Refuse to build the API with placeholder secrets; warn about the development key."""
    if problems := settings.api_start_problems():
        raise UnsafeSettingsError("the API refuses to start: " + "; ".join(problems))
    if settings.uses_dev_api_key:
        logger.warning(
            "the API accepts the well-known development key %r (SALES_AGENT_ENVIRONMENT="
            "development); set SALES_AGENT_API_KEY before anyone else can reach this API",
            settings.api_key.get_secret_value(),
        )


_dev_key_warned = False


def warn_dev_key_used() -> None:
    """Log once per process that a request got in with the development key (a request
    log full of the same line would hide everything else)."""
    global _dev_key_warned
    if not _dev_key_warned:
        _dev_key_warned = True
        logger.warning("a request authenticated with the development API key")
