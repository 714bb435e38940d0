"""The state the conversation graph keeps per session (one checkpoint thread per session)."""

from __future__ import annotations

from typing import Annotated, Literal, TypedDict

from orchestration.engines.rules.conversation import LeadContext, Memory


class Message(TypedDict):
    """One line of the dialogue. ``id`` is ``<turn_id>:prospect`` or ``<turn_id>:agent``."""

    id: str
    role: Literal["prospect", "agent"]
    text: str
    turn_id: str
    intent: str | None  # the prospect's recognised intent (on both lines of a turn)


def merge_messages(left: list[Message] | None, right: list[Message] | None) -> list[Message]:
    """Append new messages; a message whose id is already there replaces it in place.

    A turn that runs twice (a redelivered task) therefore leaves one copy of each line.
    """
    merged = list(left or [])
    position = {message["id"]: i for i, message in enumerate(merged)}
    for message in right or []:
        if message["id"] in position:
            merged[position[message["id"]]] = message
        else:
            position[message["id"]] = len(merged)
            merged.append(message)
    return merged


class ConversationState(TypedDict, total=False):
    """One session's dialogue and what it has learned; inputs are set per turn."""

    turn_id: str  # this turn's id, chosen by the API (input)
    text: str  # what the prospect said this turn (input)
    messages: Annotated[list[Message], merge_messages]  # the whole dialogue, oldest first
    turn: int  # number of this turn in the session, from 1
    context: LeadContext  # what the pipeline knows about the lead, refreshed every turn
    intent: str  # this turn's recognised intent
    cues: list[str]  # the phrases the intent was recognised from
    memory: Memory  # name, offered and chosen slots, topics: kept across turns
    draft_reply: str  # the grounded reply the rules wrote for this turn
    reply: str  # the reply as sent (the draft, or the model's rewrite of it)
    do_not_contact: bool  # the prospect unsubscribed (sticky: stays set)
    handoff: bool  # the prospect asked for a person (sticky: stays set)
