"""Conversation: one chat turn with a prospect (intent, reply, next step)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orchestration.llm.prompting import PromptSpec

Intent = Literal[
    "interested",
    "question",
    "objection",
    "schedule_meeting",
    "not_interested",
    "unsubscribe",
    "other",
]


class ConversationTurn(BaseModel):
    """The model's reading of the prospect's message and the reply to send."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    reply: str = Field(min_length=1, max_length=1200)
    next_action: Literal["reply", "book_meeting", "hand_to_human", "end"]


CONVERSATION = PromptSpec(
    agent="conversation",
    version="c1",
    role=(
        "You answer a prospect chatting with a sales team that serves solar, battery, "
        "generator and HVAC contractors. Recognise the intent of the prospect's last "
        "message, reply briefly and helpfully, and choose the next action."
    ),
    task="Read the conversation so far and the prospect's last message, then answer.",
)

# For streamed replies (orchestration.llm.stream.stream_reply): plain text, no JSON.
CONVERSATION_REPLY = PromptSpec(
    agent="conversation",
    version="c1-stream",
    role=(
        "You answer a prospect chatting with a sales team that serves solar, battery, "
        "generator and HVAC contractors. Reply briefly, helpfully and in plain text."
    ),
    task="Reply to the prospect's last message in the conversation below.",
)
