"""The conversation on the llm engine: the model's reply streams, grounded by the rules
draft; a failing model falls back to the draft; an unsubscribe never reaches the model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from orchestration.agents.conversation.agent import ConversationAgent
from orchestration.agents.conversation.speakers import ModelSpeaker
from settings import Settings
from tests.support.leads import FIXED_NOW, strong_dealer
from tests.support.model_server import ModelServer, Reply

MODEL_REPLY = "Hi Dana! Happy to walk you through it. Would Thu 12 Jun, 10:00 AM CDT suit you?"


@pytest.fixture
def server() -> Iterator[ModelServer]:
    with ModelServer() as started:
        yield started


def agent_on(server: ModelServer) -> ConversationAgent:
    settings = Settings(
        llm_base_url=server.openai_base_url,
        openai_api_key="sk-test",
        llm_model="gpt-4o-mini",
        llm_max_retries=0,
        llm_timeout_s=2.0,
        redis_url="",
    )
    return ConversationAgent(
        checkpointer=InMemorySaver(), speaker=ModelSpeaker(settings), clock=lambda: FIXED_NOW
    )


def test_the_model_reply_streams_piece_by_piece_grounded_by_the_draft(server):
    server.script(Reply(content=MODEL_REPLY, chunk_chars=8))
    agent = agent_on(server)
    pieces: list[str] = []

    result = agent.reply("s1", "t1", "This is Dana, tell me more", strong_dealer(), pieces.append)

    # Then the prospect got the model's words, as they streamed
    assert result.reply == MODEL_REPLY
    assert result.engine == "llm"
    assert len(pieces) == len(MODEL_REPLY) // 8 + 1
    # And the model was given the dialogue and the draft written from the lead's data
    request = server.requests[-1]
    assert request.stream
    data = request.data_block()
    assert data["conversation"][-1] == {"role": "prospect", "text": "This is Dana, tell me more"}
    assert "Sunrise Power Solutions" in data["draft_reply"]
    assert "Thu 12 Jun, 10:00 AM CDT" in data["draft_reply"]


def test_a_failing_model_falls_back_to_the_rules_draft(server):
    server.script(Reply.error(500))
    agent = agent_on(server)
    pieces: list[str] = []

    result = agent.reply("s1", "t1", "How much does it cost?", strong_dealer(), pieces.append)

    assert result.engine == "rules (llm fallback)"
    assert result.intent == "pricing"
    assert "Sunrise Power Solutions" in result.reply
    assert "".join(pieces).strip() == result.reply


def test_an_unsubscribe_is_confirmed_by_the_rules_without_asking_the_model(server):
    agent = agent_on(server)
    result = agent.reply("s1", "t1", "unsubscribe", strong_dealer(), lambda _: None)
    assert result.do_not_contact
    assert result.engine == "rules"
    assert "won't hear from us again" in result.reply
    assert server.requests == []
