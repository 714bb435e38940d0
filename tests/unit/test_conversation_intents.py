"""Intent recognition and reply pieces of the conversation's rules engine."""

from __future__ import annotations

import pytest

from orchestration.engines.rules.conversation import (
    choose_slot,
    follow_up_when,
    prospect_name,
    recognise_intent,
    tokens,
)
from orchestration.engines.rules.schedule import Slot

SLOTS = [
    Slot(
        start="2025-06-12T10:00:00-05:00",
        end="2025-06-12T10:20:00-05:00",
        label="Thu 12 Jun, 10:00 AM CDT",
    ),
    Slot(
        start="2025-06-13T14:00:00-05:00",
        end="2025-06-13T14:20:00-05:00",
        label="Fri 13 Jun, 2:00 PM CDT",
    ),
    Slot(
        start="2025-06-16T11:00:00-05:00",
        end="2025-06-16T11:20:00-05:00",
        label="Mon 16 Jun, 11:00 AM CDT",
    ),
]


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Sounds interesting, tell me more", "interest"),
        ("Yes, we're looking for something like this", "interest"),
        ("How much does it cost per month?", "pricing"),
        ("Can you send me a quote?", "pricing"),
        ("Can we book a call next week?", "scheduling"),
        ("I'm free at 2pm", "scheduling"),
        ("We already use ServiceTitan and we're happy with it", "objection"),
        ("Too expensive for a shop our size", "objection"),
        ("Not interested, thanks", "objection"),
        ("Busy season right now, maybe later", "not_now"),
        ("Check back next quarter", "not_now"),
        ("Please unsubscribe me", "unsubscribe"),
        ("STOP", "unsubscribe"),
        ("Not interested. Remove me from your list.", "unsubscribe"),
        ("Can I talk to a real person?", "human_handoff"),
        ("Are you a bot?", "human_handoff"),
        ("Hello", "other"),
    ],
)
def test_each_message_gets_the_intent_a_sales_person_would_read(message: str, intent: str) -> None:
    assert recognise_intent(message).intent == intent


def test_the_cues_that_decided_are_kept_for_review() -> None:
    match = recognise_intent("How much does it cost?")
    assert match.intent == "pricing"
    assert set(match.cues) == {"how much", "cost"}


def test_stop_inside_a_sentence_is_not_an_unsubscribe() -> None:
    assert recognise_intent("Don't stop, tell me more").intent == "interest"


def test_a_bare_pick_is_scheduling_only_after_times_were_offered() -> None:
    assert recognise_intent("The second", slots_offered=True).intent == "scheduling"
    assert recognise_intent("The second", slots_offered=False).intent == "other"


@pytest.mark.parametrize(
    ("message", "index"),
    [
        ("The second one works for me", 1),
        ("option 3 please", 2),
        ("1st", 0),
        ("Thursday is good", 0),
        ("Monday works", 2),
        ("any of them", None),
        ("the fourth one", None),
    ],
)
def test_the_picked_slot_is_read_by_position_or_weekday(message: str, index: int | None) -> None:
    assert choose_slot(message, SLOTS) == index


def test_a_prospect_who_introduces_themselves_is_named() -> None:
    assert prospect_name("Hi, this is Dana from Sunrise") == "Dana"
    assert prospect_name("This is Sam, tell me more") == "Sam"
    assert prospect_name("My name is Jo-Ann") == "Jo-Ann"
    assert prospect_name("I'm busy right now") is None
    assert prospect_name("hello there") is None


def test_a_not_now_keeps_when_to_come_back() -> None:
    assert follow_up_when("Try me again next quarter") == "next quarter"
    assert follow_up_when("in two weeks maybe") == "in two weeks"
    assert follow_up_when("not now") is None


def test_streamed_pieces_join_back_to_the_exact_reply() -> None:
    reply = "Hi Dana,  pricing is per crew.\n\n1. Thu 12 Jun, 10:00 AM CDT"
    pieces = tokens(reply)
    assert len(pieces) > 5
    assert "".join(pieces) == reply
