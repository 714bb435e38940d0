"""The conversation agent: one prospect turn in, one grounded reply streamed out.

Unlike the pipeline agents it is stateful: its graph is compiled with the checkpointer and
each session is one checkpoint thread, so any worker can take the next turn. The task that
calls it loads the lead from Postgres and persists the turn; the agent touches neither the
database nor the queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver

from orchestration.agents.base import Agent, RunContext, StageOutcome
from orchestration.agents.conversation.graph import ConversationGraph, build_graph
from orchestration.agents.conversation.nodes import ConversationRuntime
from orchestration.agents.conversation.speakers import ModelSpeaker, RulesSpeaker, Speaker
from orchestration.agents.conversation.state import ConversationState
from orchestration.config.rules import RulesConfig, load_rules
from orchestration.engines.rules.conversation import Memory, tokens
from settings import get_settings

AGENT_NAME = "conversation"
OnToken = Callable[[str], None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TurnResult:
    """What one turn decided, for the task to persist and publish."""

    turn_id: str
    turn: int  # number of the turn in the session, from 1
    intent: str
    cues: list[str]
    reply: str
    do_not_contact: bool  # the prospect has unsubscribed (in this turn or before)
    handoff: bool  # the prospect has asked for a person
    memory: Memory
    engine: str
    cost_usd: float
    replayed: bool  # the turn had already run (a redelivered task): nothing was recomputed

    def output(self) -> dict[str, Any]:
        """JSON for the turn row and the stream's final event."""
        return {
            "turn_id": self.turn_id,
            "turn": self.turn,
            "intent": self.intent,
            "cues": self.cues,
            "reply": self.reply,
            "do_not_contact": self.do_not_contact,
            "handoff": self.handoff,
            "chosen_slot": self.memory.get("chosen_slot"),
            "engine": self.engine,
            "cost_usd": self.cost_usd,
        }


class ConversationAgent(Agent):
    """Intent by rules, a reply grounded in the lead, memory per session in checkpoints.

    checkpointer: where sessions live (the process's Redis saver unless given).
    speaker: streams the reply (the rules draft unless given; see speakers.py).
    """

    name = AGENT_NAME
    queue = AGENT_NAME

    def __init__(
        self,
        checkpointer: BaseCheckpointSaver[str] | None = None,
        speaker: Speaker | None = None,
        rules: RulesConfig | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        super().__init__()
        self._checkpointer = checkpointer
        self._speaker = speaker or RulesSpeaker()
        self._rules = rules
        self._clock = clock

    @property
    def checkpointer(self) -> BaseCheckpointSaver[str]:
        if self._checkpointer is None:
            from orchestration.checkpoint.runtime import get_checkpointer

            self._checkpointer = get_checkpointer()
        return self._checkpointer

    def build_graph(self) -> ConversationGraph:
        return build_graph(self.checkpointer)

    def _runtime(self, lead: dict[str, Any]) -> ConversationRuntime:
        return ConversationRuntime(
            lead=lead,
            now=self._clock().isoformat(),
            rules=self._rules or load_rules(),
            speaker=self._speaker,
        )

    def reply(
        self, session_id: str, turn_id: str, text: str, lead: dict[str, Any], on_token: OnToken
    ) -> TurnResult:
        """Run one turn of session ``session_id``, calling ``on_token`` per streamed piece.

        A turn id the session has already answered is not run again: its stored reply is
        streamed once more, so a redelivered task neither doubles the dialogue nor changes
        what the prospect was told.
        """
        config: RunnableConfig = {"configurable": {"thread_id": session_id}}
        answered = self._answered(config, turn_id)
        if answered is not None:
            for piece in tokens(answered["reply"]):
                on_token(piece)
            return self._result(answered, turn_id, replayed=True)
        final: dict[str, Any] = {}
        turn_input: ConversationState = {"turn_id": turn_id, "text": text}
        for mode, chunk in self.graph.stream(
            turn_input, config, context=self._runtime(lead), stream_mode=["custom", "values"]
        ):
            if mode == "custom":
                on_token(cast(dict[str, str], chunk)["token"])
            else:
                final = cast(dict[str, Any], chunk)
        return self._result(final, turn_id, replayed=False)

    def _answered(self, config: RunnableConfig, turn_id: str) -> dict[str, Any] | None:
        values: dict[str, Any] = dict(self.graph.get_state(config).values or {})
        agent_id = f"{turn_id}:agent"
        for message in values.get("messages") or []:
            if message["id"] == agent_id:
                return {**values, "reply": message["text"], "intent": message["intent"]}
        return None

    def _result(self, values: dict[str, Any], turn_id: str, *, replayed: bool) -> TurnResult:
        turns = [m["turn_id"] for m in values.get("messages") or [] if m["role"] == "prospect"]
        return TurnResult(
            turn_id=turn_id,
            turn=turns.index(turn_id) + 1 if turn_id in turns else int(values.get("turn", 0)),
            intent=str(values["intent"]),
            cues=list(values.get("cues") or []) if not replayed else [],
            reply=str(values["reply"]),
            do_not_contact=bool(values.get("do_not_contact")),
            handoff=bool(values.get("handoff")),
            memory=values.get("memory") or Memory(),
            # An unsubscribe is always confirmed by the rules; a replay costs nothing.
            engine="rules" if values["intent"] == "unsubscribe" else self._speaker.engine,
            cost_usd=0.0 if replayed else self._speaker.cost_usd,
            replayed=replayed,
        )

    def history(self, session_id: str) -> list[dict[str, Any]]:
        """The session's dialogue as the checkpoint holds it, oldest first."""
        config: RunnableConfig = {"configurable": {"thread_id": session_id}}
        return list(self.graph.get_state(config).values.get("messages") or [])

    def forget(self, session_id: str) -> None:
        """Drop the session's checkpoints: its next turn starts without memory."""
        self.checkpointer.delete_thread(session_id)

    # The generic Agent interface (used by one-off invocations): a single stateless turn
    # answering ``lead["message"]``, on a throwaway thread that is deleted afterwards.
    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        text = str(lead.get("message") or "Tell me more.")
        return {"turn_id": "invoke", "text": text}

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        output = {
            "intent": final_state["intent"],
            "cues": final_state.get("cues") or [],
            "reply": final_state["reply"],
            "do_not_contact": bool(final_state.get("do_not_contact")),
        }
        return StageOutcome(output=output, engine=self._speaker.engine, cost_usd=0.0)

    def run(self, lead: dict[str, Any], context: RunContext) -> StageOutcome:
        thread = f"invoke-{uuid.uuid4()}"
        config: RunnableConfig = {"configurable": {"thread_id": thread}}
        try:
            final = self.graph.invoke(
                self.initial_state(lead, context), config, context=self._runtime(lead)
            )
        finally:
            self.checkpointer.delete_thread(thread)
        return self.outcome(final, context)


@cache
def get_conversation_agent() -> ConversationAgent:
    """The process-wide conversation agent (its saver is created after the worker fork).

    Kept apart from the pipeline registry on purpose: the conversation is not a stage.
    """
    return ConversationAgent(speaker=_configured_speaker())


def _configured_speaker() -> Speaker:
    """The model speaks when the engine is ``llm``; the rules draft otherwise."""
    if get_settings().engine == "llm":
        return ModelSpeaker()
    return RulesSpeaker()
