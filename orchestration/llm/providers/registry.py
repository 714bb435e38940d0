"""One provider client per process and configuration, safe to share between threads.

Clients hold HTTP connection pools, which must not cross a fork: the cache is keyed by the
process id, so a prefork child builds its own on first use and never reuses its parent's.
"""

from __future__ import annotations

import os
import threading

from orchestration.llm.config import ModelChoice
from orchestration.llm.providers.base import ChatProvider
from orchestration.llm.providers.cerebras import CerebrasProvider
from orchestration.llm.providers.openai_compatible import OpenAICompatibleProvider

_lock = threading.Lock()
_providers: dict[tuple[int, ModelChoice], ChatProvider] = {}


def provider_for(choice: ModelChoice) -> ChatProvider:
    """The shared client for ``choice`` in this process (built once, under a lock)."""
    key = (os.getpid(), choice)
    found = _providers.get(key)
    if found is not None:
        return found
    with _lock:
        found = _providers.get(key)
        if found is None:
            if len(_providers) > 64:  # settings changed many times (tests): drop the old ones
                _providers.clear()
            found = _build(choice)
            _providers[key] = found
        return found


def _build(choice: ModelChoice) -> ChatProvider:
    if choice.provider == "cerebras":
        return CerebrasProvider(choice)
    return OpenAICompatibleProvider(choice)
