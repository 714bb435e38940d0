"""Both providers through their real SDKs, over HTTP, against the local model server."""

from __future__ import annotations

import pytest

from orchestration.llm.config import ModelChoice
from orchestration.llm.providers import (
    ChatMessage,
    ProviderError,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    provider_for,
)
from tests.support.model_server import ModelServer, Reply

MESSAGES = [ChatMessage("system", "You answer in JSON."), ChatMessage("user", "Score Acme.")]


@pytest.fixture
def server():
    with ModelServer() as started:
        yield started


def choice_for(server: ModelServer, provider: str, **overrides) -> ModelChoice:
    base_url = server.openai_base_url if provider == "openai" else server.cerebras_base_url
    values = {
        "provider": provider,
        "model": "gpt-4o-mini",
        "base_url": base_url,
        "timeout_s": 2.0,
        "max_retries": 0,
        "max_output_tokens": 256,
        "temperature": 0.0,
        "api_key": f"{provider}-secret",
    }
    return ModelChoice(**{**values, **overrides})


@pytest.mark.parametrize("provider", ["openai", "cerebras"])
def test_a_completion_returns_text_and_the_reported_usage(server, provider):
    # Given a model answering a JSON object with known token counts
    server.script(Reply('{"score": 71}', usage=(120, 9)))

    # When the provider's SDK asks for a JSON answer
    answer = provider_for(choice_for(server, provider)).complete(MESSAGES, json_output=True)

    # Then the text and usage come back, and the request went out in the SDK's own shape
    assert answer.text == '{"score": 71}'
    assert (answer.input_tokens, answer.output_tokens) == (120, 9)
    request = server.requests[0]
    assert request.flavour == provider
    assert request.headers["authorization"] == f"Bearer {provider}-secret"
    assert request.body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in request.messages] == ["system", "user"]


@pytest.mark.parametrize("provider", ["openai", "cerebras"])
def test_a_stream_yields_the_pieces_then_the_usage(server, provider):
    # Given an answer streamed four characters at a time
    server.script(Reply("Thanks for asking about solar.", chunk_chars=4, usage=(40, 8)))

    # When the provider streams it
    chunks = list(provider_for(choice_for(server, provider)).stream(MESSAGES))

    # Then the text arrives in pieces, in order, and the last chunk carries the usage
    text = "".join(c.text for c in chunks if not c.is_usage)
    assert text == "Thanks for asking about solar."
    assert len([c for c in chunks if not c.is_usage]) > 3
    assert chunks[-1].is_usage
    assert (chunks[-1].input_tokens, chunks[-1].output_tokens) == (40, 8)
    assert server.requests[0].stream


@pytest.mark.parametrize("provider", ["openai", "cerebras"])
def test_a_stream_cut_mid_way_is_a_provider_error(server, provider):
    server.script(Reply("a long answer that never finishes", chunk_chars=4, cut_after_chunks=2))
    with pytest.raises(ProviderError):
        list(provider_for(choice_for(server, provider)).stream(MESSAGES))


@pytest.mark.parametrize("provider", ["openai", "cerebras"])
@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply.error(500), ProviderError),
        (Reply.rate_limited(), ProviderRateLimitedError),
        (Reply.malformed(), ProviderError),
        (Reply.hang(4), ProviderTimeoutError),
    ],
    ids=["500", "429", "malformed", "timeout"],
)
def test_failures_map_to_provider_neutral_errors(server, provider, reply, error):
    server.script(reply)
    provider_client = provider_for(choice_for(server, provider, timeout_s=0.5))
    with pytest.raises(error):
        provider_client.complete(MESSAGES, json_output=True)


@pytest.mark.parametrize("provider", ["openai", "cerebras"])
def test_the_sdk_retries_a_500_when_retries_are_configured(server, provider):
    # Given one failure then a good answer, and one retry allowed
    server.script(Reply.error(503), Reply('{"ok": true}'))

    # When the provider calls
    answer = provider_for(choice_for(server, provider, max_retries=1)).complete(
        MESSAGES, json_output=True
    )

    # Then the retry got the answer
    assert answer.text == '{"ok": true}'
    assert len(server.requests) == 2


def test_one_client_per_configuration_is_shared(server):
    first = provider_for(choice_for(server, "openai"))
    assert provider_for(choice_for(server, "openai")) is first
    assert provider_for(choice_for(server, "openai", model="gpt-4o")) is not first


def test_the_api_key_never_shows_in_a_logged_choice(server):
    assert "openai-secret" not in repr(choice_for(server, "openai"))
