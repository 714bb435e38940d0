"""How a turn's grounded draft becomes the streamed reply: the engine strategy.

The rules speaker streams the draft itself, word by word. A model speaker (engine "llm")
rewrites the draft in the model's voice while streaming; whatever it says, the draft stays
the grounding and the fallback, so a failed model call still answers the prospect.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Protocol

from orchestration.engines.rules.conversation import tokens
from settings import Settings

log = logging.getLogger(__name__)


class Speaker(Protocol):
    """Streams one reply; ``engine`` names what produced it (stored with the turn)."""

    engine: str
    cost_usd: float

    def stream(self, draft: str, history: Sequence[tuple[str, str]]) -> Iterator[str]:
        """Yield the reply in pieces that join to the full text.

        history: earlier (role, text) lines of the session, oldest first.
        """
        ...


class RulesSpeaker:
    """The draft, as written, in word-sized pieces."""

    engine = "rules"
    cost_usd = 0.0

    def stream(self, draft: str, history: Sequence[tuple[str, str]]) -> Iterator[str]:
        yield from tokens(draft)


class ModelSpeaker:
    """The model's reply (engine "llm"), grounded by the rules draft, streamed as it comes.

    The model gets the dialogue and the draft (written from the lead's data: company,
    tier, services, meeting times) as its data block, through the LLM engine's injection
    guard. If the model fails before its first piece (no key, timeout, 5xx), the draft is
    streamed instead and ``engine`` says so; a failure mid-stream ends the reply where it
    stopped, since the pieces already sent cannot be taken back.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings  # None: the process's settings at each call
        self.engine = "llm"
        self.cost_usd = 0.0  # of the last reply

    def stream(self, draft: str, history: Sequence[tuple[str, str]]) -> Iterator[str]:
        # Imported here so a rules-only worker never loads the model SDKs.
        from orchestration.llm.prompts.conversation import CONVERSATION_REPLY
        from orchestration.llm.stream import stream_reply

        data = {
            "conversation": [{"role": role, "text": text} for role, text in history],
            "draft_reply": draft,
            "draft_reply_note": (
                "written from our records of this lead; keep its facts, names, prices and "
                "meeting times exactly, and add none"
            ),
        }
        self.engine = "llm"
        self.cost_usd = 0.0
        sent = False
        try:
            reply = stream_reply("conversation", CONVERSATION_REPLY, data, settings=self._settings)
            for piece in reply:
                if piece:
                    sent = True
                    yield piece
            self.cost_usd = reply.usage.cost_usd if reply.usage else 0.0
        except Exception as exc:  # provider errors, and a misconfigured model alike
            if sent:
                log.warning("model reply cut mid-stream: %s", type(exc).__name__)
                self.engine = "llm (cut short)"
                return
            log.warning("model reply failed (%s); streaming the rules draft", type(exc).__name__)
            self.engine = "rules (llm fallback)"
            yield from tokens(draft)
