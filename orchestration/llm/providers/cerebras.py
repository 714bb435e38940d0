"""Cerebras inference through ``cerebras-cloud-sdk``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx
from cerebras.cloud.sdk import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    Cerebras,
    DefaultHttpxClient,
    RateLimitError,
)

from orchestration.llm.config import ModelChoice
from orchestration.llm.providers.base import (
    ChatMessage,
    Completion,
    ProviderError,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    StreamChunk,
)

# The SDK keeps 20 idle connections by default; a threads worker has ~64 calls in flight,
# and reopening connections for the rest would add a handshake to every other call.
_LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=128)


class CerebrasProvider:
    """One ``Cerebras`` client per (model, endpoint, key), shared by a process's threads."""

    name = "cerebras"

    def __init__(self, choice: ModelChoice) -> None:
        self.model = choice.model
        self._max_tokens = choice.max_output_tokens
        self._temperature = choice.temperature
        self._client = Cerebras(
            api_key=choice.api_key,
            base_url=choice.base_url,
            timeout=choice.timeout_s,
            max_retries=choice.max_retries,
            http_client=DefaultHttpxClient(limits=_LIMITS, timeout=choice.timeout_s),
            # The warm-up GET costs a round trip at construction, inside some lead's stage.
            warm_tcp_connection=False,
        )

    def complete(self, messages: Sequence[ChatMessage], *, json_output: bool) -> Completion:
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if json_output else {}
        try:
            response: Any = self._client.chat.completions.create(
                model=self.model,
                messages=_payload(messages),
                max_completion_tokens=self._max_tokens,
                temperature=self._temperature,
                **extra,
            )
        except Exception as exc:
            raise _mapped(exc) from exc
        choices = getattr(response, "choices", None)
        if not choices:
            raise ProviderError(f"unreadable response: no choices in {type(response).__name__}")
        usage = getattr(response, "usage", None)
        return Completion(
            text=choices[0].message.content or "",
            model=str(getattr(response, "model", "") or self.model),
            input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[StreamChunk]:
        try:
            events: Any = self._client.chat.completions.create(
                model=self.model,
                messages=_payload(messages),
                max_completion_tokens=self._max_tokens,
                temperature=self._temperature,
                stream=True,
                stream_options={"include_usage": True},
            )
            for event in events:
                for choice in getattr(event, "choices", None) or []:
                    text = getattr(choice.delta, "content", None)
                    if text:
                        yield StreamChunk(text=text)
                usage = getattr(event, "usage", None)
                if usage is not None and usage.prompt_tokens is not None:
                    yield StreamChunk(
                        input_tokens=int(usage.prompt_tokens or 0),
                        output_tokens=int(usage.completion_tokens or 0),
                    )
        except ProviderError:
            raise
        except Exception as exc:
            raise _mapped(exc) from exc


def _payload(messages: Sequence[ChatMessage]) -> list[Any]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _mapped(exc: Exception) -> ProviderError:
    """The provider-neutral error for one of the Cerebras SDK's."""
    if isinstance(exc, APITimeoutError):
        return ProviderTimeoutError(f"no answer in time: {exc}")
    if isinstance(exc, RateLimitError):
        return ProviderRateLimitedError(f"rate limited (429): {exc.message}")
    if isinstance(exc, APIStatusError):
        return ProviderError(f"HTTP {exc.status_code}: {exc.message}")
    if isinstance(exc, APIConnectionError):
        return ProviderError(f"connection failed: {exc}")
    return ProviderError(f"unreadable response: {type(exc).__name__}: {exc}")
