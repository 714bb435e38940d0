"""What the conversation needs from a voice provider: speech to text, and text to speech."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class VoiceError(Exception):
    """The audio provider failed or refused; the message says which and why (never a key)."""


class VoiceNotConfiguredError(VoiceError):
    """No audio provider is configured (``SALES_AGENT_VOICE_BASE_URL`` is empty)."""


class VoiceInputError(VoiceError):
    """The provider rejected the audio itself (unsupported format, empty, too long)."""


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None = None
    duration_s: float | None = None


@dataclass(frozen=True)
class Speech:
    audio: bytes
    content_type: str  # e.g. "audio/mpeg", "audio/wav"


class SpeechToText(Protocol):
    async def transcribe(self, audio: bytes, *, filename: str, content_type: str) -> Transcript:
        """The words spoken in ``audio``."""
        ...


class TextToSpeech(Protocol):
    async def synthesize(self, text: str) -> Speech:
        """``text`` spoken, as an audio file."""
        ...
