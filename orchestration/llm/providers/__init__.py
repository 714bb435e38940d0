"""Chat providers behind one interface: OpenAI-compatible (langchain-openai) and Cerebras."""

from orchestration.llm.providers.base import (
    ChatMessage,
    ChatProvider,
    Completion,
    ProviderError,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    StreamChunk,
)
from orchestration.llm.providers.registry import provider_for

__all__ = [
    "ChatMessage",
    "ChatProvider",
    "Completion",
    "ProviderError",
    "ProviderRateLimitedError",
    "ProviderTimeoutError",
    "StreamChunk",
    "provider_for",
]
