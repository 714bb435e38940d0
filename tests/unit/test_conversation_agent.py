"""The conversation graph: grounded replies, memory across turns, unsubscribe, replays."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from orchestration.agents.base import RunContext
from orchestration.agents.conversation.agent import ConversationAgent
from orchestration.agents.conversation.state import merge_messages
from tests.support.conversations import BDR_SLOTS
from tests.support.leads import FIXED_NOW, strong_dealer, through_stages


def processed_lead(**fields: Any) -> dict[str, Any]:
    """A strong dealer after qualification..marketing, with the BDR's proposed slots."""
    lead = through_stages(
        strong_dealer(**fields), "qualification", "enrichment", "growth", "marketing"
    )
    lead["stage_outputs"]["bdr"] = {"slots": BDR_SLOTS, "approval_status": "awaiting_approval"}
    return lead


@pytest.fixture
def agent() -> ConversationAgent:
    return ConversationAgent(checkpointer=InMemorySaver(), clock=lambda: FIXED_NOW)


def say(
    agent: ConversationAgent, session: str, turn: int, text: str, lead: dict[str, Any]
) -> tuple[Any, list[str]]:
    pieces: list[str] = []
    result = agent.reply(session, f"turn-{turn}", text, lead, pieces.append)
    return result, pieces


def test_a_reply_is_grounded_in_the_lead_and_offers_the_bdr_slots(agent) -> None:
    # Given a lead the pipeline qualified, with slots the BDR proposed
    lead = processed_lead()
    assert lead["stage_outputs"]["qualification"]["tier"] in ("A", "B")  # an outreach lead

    # When the prospect asks to hear more
    result, pieces = say(agent, "s1", 1, "Sounds interesting, tell me more", lead)

    # Then the reply names the company, what it is, and offers exactly the BDR's times
    assert result.intent == "interest"
    assert "Sunrise Power Solutions" in result.reply
    assert "Elite" in result.reply
    assert "Austin, TX" in result.reply
    for number, slot in enumerate(BDR_SLOTS, start=1):
        assert f"{number}. {slot['label']}" in result.reply
    # And it streamed in many pieces that add up to the reply
    assert len(pieces) > 20
    assert "".join(pieces).strip() == result.reply


def test_without_a_bdr_proposal_the_agent_proposes_times_in_the_lead_zone(agent) -> None:
    lead = strong_dealer()
    result, _ = say(agent, "s1", 1, "Can we book a call?", lead)
    assert result.intent == "scheduling"
    # Next business days after Wednesday 11 June 2025, Central time (Austin, TX)
    assert "Thu 12 Jun, 10:00 AM CDT" in result.reply


def test_five_turns_remember_the_name_the_offered_times_and_the_pick(agent) -> None:
    # Given a lead with no contact name on file
    lead = processed_lead(contact_name=None, email="dana@sunrisepower.com")

    # When the prospect introduces themselves, asks about price, picks a time, asks for a
    # person and finally unsubscribes
    first, _ = say(agent, "s1", 1, "Hi, this is Dana. Tell me more about what you do.", lead)
    second, _ = say(agent, "s1", 2, "How much does it cost?", lead)
    third, _ = say(agent, "s1", 3, "The second one works for me.", lead)
    fourth, _ = say(agent, "s1", 4, "Can I talk to a real person?", lead)
    fifth, _ = say(agent, "s1", 5, "Please unsubscribe me.", lead)

    # Then every turn is numbered and recognised
    assert [r.turn for r in (first, second, third, fourth, fifth)] == [1, 2, 3, 4, 5]
    assert [r.intent for r in (first, second, third, fourth, fifth)] == [
        "interest",
        "pricing",
        "scheduling",
        "human_handoff",
        "unsubscribe",
    ]
    # And the name given in turn 1 is used in turn 2
    assert second.reply.startswith("Hi Dana")
    # And "the second one" means the second time offered two turns before
    assert "Fri 13 Jun, 2:00 PM CDT it is" in third.reply
    assert third.memory["chosen_slot"] == BDR_SLOTS[1]
    assert "d***@sunrisepower.com" in third.reply
    # And the hand-off and the unsubscribe are flagged for the task to act on
    assert fourth.handoff
    assert not fourth.do_not_contact
    assert fifth.do_not_contact
    assert "won't hear from us again" in fifth.reply
    # And the dialogue holds ten lines, prospect and agent alternating
    roles = [m["role"] for m in agent.history("s1")]
    assert roles == ["prospect", "agent"] * 5


def test_an_unsubscribe_confirmation_carries_no_sales_content(agent) -> None:
    result, _ = say(agent, "s1", 1, "unsubscribe", processed_lead())
    assert result.do_not_contact
    assert "call" not in result.reply.lower()
    assert "AM CDT" not in result.reply


def test_sessions_do_not_share_memory(agent) -> None:
    lead = processed_lead(contact_name=None)
    say(agent, "a", 1, "This is Dana, tell me more", lead)
    other, _ = say(agent, "b", 1, "How much is it?", lead)
    assert other.reply.startswith("Hi there")


def test_a_turn_run_twice_replays_the_same_reply_without_doubling_the_dialogue(agent) -> None:
    # Given a turn that was answered
    lead = processed_lead()
    first, _ = say(agent, "s1", 1, "How much does it cost?", lead)

    # When the same turn id runs again (a redelivered task)
    again, pieces = say(agent, "s1", 1, "How much does it cost?", lead)

    # Then the same reply streams again and the dialogue still has one copy of the turn
    assert again.replayed
    assert again.reply == first.reply
    assert "".join(pieces).strip() == first.reply
    assert len(agent.history("s1")) == 2


def test_merging_messages_replaces_by_id_and_appends_new_ones() -> None:
    left = [
        {"id": "t1:prospect", "role": "prospect", "text": "hi", "turn_id": "t1", "intent": None}
    ]
    right = [
        {"id": "t1:prospect", "role": "prospect", "text": "hi", "turn_id": "t1", "intent": "other"},
        {"id": "t1:agent", "role": "agent", "text": "hello", "turn_id": "t1", "intent": "other"},
    ]
    merged = merge_messages(left, right)  # type: ignore[arg-type]
    assert [m["id"] for m in merged] == ["t1:prospect", "t1:agent"]
    assert merged[0]["intent"] == "other"


def test_a_one_off_run_answers_the_message_and_leaves_no_thread(agent) -> None:
    saver = agent.checkpointer
    outcome = agent.run({**processed_lead(), "message": "how much does it cost"}, RunContext())
    assert outcome.output["intent"] == "pricing"
    assert "Sunrise Power Solutions" in outcome.output["reply"]
    assert list(saver.list(None)) == []
