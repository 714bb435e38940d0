"""Unit-test fixtures shared by several files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from settings import get_settings
from tests.support.model_answers import llm_env
from tests.support.model_server import ModelServer


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelServer]:
    """A local model server speaking the OpenAI wire format, with the llm engine's settings
    pointing at it (2 s call limit) and no decision cache (no Redis in unit tests)."""
    with ModelServer() as started:
        for name, value in llm_env(started, SALES_AGENT_LLM_TIMEOUT_S="2").items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SALES_AGENT_REDIS_URL", "")
        get_settings.cache_clear()
        yield started
    get_settings.cache_clear()
