"""The provider-neutral chat interface and the errors every provider maps its SDK's onto."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Completion:
    """A whole answer: its text and the tokens the provider reported."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class StreamChunk:
    """One piece of a streamed answer: text, or (last) the usage of the whole call."""

    text: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None

    @property
    def is_usage(self) -> bool:
        return self.input_tokens is not None


class ProviderError(Exception):
    """The provider failed: 5xx, a refused connection, an unreadable response."""


class ProviderTimeoutError(ProviderError):
    """No answer within the configured timeout."""


class ProviderRateLimitedError(ProviderError):
    """429 after the SDK's own retries."""


class ChatProvider(Protocol):
    """A chat model endpoint. Implementations are thread-safe: one is shared by all threads
    of a worker process."""

    name: str
    model: str

    def complete(self, messages: Sequence[ChatMessage], *, json_output: bool) -> Completion:
        """One non-streaming call. json_output asks the endpoint for a JSON object."""
        ...

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[StreamChunk]:
        """Stream the answer's text; the last chunk carries the usage (``is_usage``)."""
        ...
