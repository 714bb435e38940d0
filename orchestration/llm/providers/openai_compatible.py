"""Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama...) through ``langchain-openai``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from orchestration.llm.config import ModelChoice
from orchestration.llm.providers.base import (
    ChatMessage,
    Completion,
    ProviderError,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    StreamChunk,
)

_JSON_OBJECT = {"type": "json_object"}


class OpenAICompatibleProvider:
    """One ``ChatOpenAI`` per (model, endpoint, key): its HTTP pool is shared by threads."""

    name = "openai"

    def __init__(self, choice: ModelChoice) -> None:
        self.model = choice.model
        self._chat = ChatOpenAI(
            model=choice.model,
            base_url=choice.base_url,
            api_key=SecretStr(choice.api_key),
            timeout=choice.timeout_s,
            max_retries=choice.max_retries,
            max_tokens=choice.max_output_tokens,
            temperature=choice.temperature,
            # Ask for the usage chunk on streams even on non-OpenAI endpoints: cost needs it.
            stream_usage=True,
        )

    def complete(self, messages: Sequence[ChatMessage], *, json_output: bool) -> Completion:
        # Sent as extra_body: the same JSON on the wire, but a ``response_format`` argument
        # sends langchain through the SDK's ``parse()`` path, ~0.7 ms more CPU per call.
        extra: dict[str, Any] = (
            {"extra_body": {"response_format": _JSON_OBJECT}} if json_output else {}
        )
        with _mapped_errors():
            answer = self._chat.invoke(_to_langchain(messages), **extra)
        usage = answer.usage_metadata or {"input_tokens": 0, "output_tokens": 0}
        model = str(answer.response_metadata.get("model_name") or self.model)
        return Completion(
            text=_text_of(answer),
            model=model,
            input_tokens=int(usage.get("input_tokens", 0)),
            output_tokens=int(usage.get("output_tokens", 0)),
        )

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[StreamChunk]:
        with _mapped_errors():
            for chunk in self._chat.stream(_to_langchain(messages)):
                text = _text_of(chunk)
                if text:
                    yield StreamChunk(text=text)
                if chunk.usage_metadata:
                    yield StreamChunk(
                        input_tokens=int(chunk.usage_metadata.get("input_tokens", 0)),
                        output_tokens=int(chunk.usage_metadata.get("output_tokens", 0)),
                    )


def _to_langchain(messages: Sequence[ChatMessage]) -> list[BaseMessage]:
    kinds: dict[str, type[BaseMessage]] = {
        "system": SystemMessage,
        "user": HumanMessage,
        "assistant": AIMessage,
    }
    return [kinds[m.role](content=m.content) for m in messages]


def _text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Translate the openai SDK's errors into the provider-neutral ones."""
    try:
        yield
    except openai.APITimeoutError as exc:
        raise ProviderTimeoutError(f"no answer in time: {exc}") from exc
    except openai.RateLimitError as exc:
        raise ProviderRateLimitedError(f"rate limited (429): {exc.message}") from exc
    except openai.APIStatusError as exc:
        raise ProviderError(f"HTTP {exc.status_code}: {exc.message}") from exc
    except openai.APIConnectionError as exc:
        raise ProviderError(f"connection failed: {exc}") from exc
    except ProviderError:
        raise
    except Exception as exc:
        # An unreadable 200 (malformed JSON) surfaces as a decode or validation error.
        raise ProviderError(f"unreadable response: {type(exc).__name__}: {exc}") from exc
