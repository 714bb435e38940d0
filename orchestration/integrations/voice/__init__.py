"""Voice for conversations: speech-to-text and text-to-speech providers.

``voice_provider()`` builds the configured provider (OpenAI-compatible audio endpoints),
or raises :class:`VoiceNotConfiguredError` when no audio API is set.
"""

from __future__ import annotations

from orchestration.integrations.voice.base import (
    Speech,
    SpeechToText,
    TextToSpeech,
    Transcript,
    VoiceError,
    VoiceInputError,
    VoiceNotConfiguredError,
)
from orchestration.integrations.voice.openai_audio import OpenAIAudio, OpenAIAudioConfig
from settings import Settings, get_settings


def voice_provider(settings: Settings | None = None) -> OpenAIAudio:
    """The audio provider from settings (one object serves both directions)."""
    settings = settings or get_settings()
    if not settings.voice_base_url:
        raise VoiceNotConfiguredError(
            "voice is not configured: set SALES_AGENT_VOICE_BASE_URL to an "
            "OpenAI-compatible audio API"
        )
    return OpenAIAudio(
        OpenAIAudioConfig(
            base_url=settings.voice_base_url,
            api_key=settings.voice_api_key.get_secret_value(),
            stt_model=settings.voice_stt_model,
            tts_model=settings.voice_tts_model,
            tts_voice=settings.voice_tts_voice,
            tts_format=settings.voice_tts_format,
            timeout_s=settings.voice_timeout_s,
        )
    )


__all__ = [
    "OpenAIAudio",
    "OpenAIAudioConfig",
    "Speech",
    "SpeechToText",
    "TextToSpeech",
    "Transcript",
    "VoiceError",
    "VoiceInputError",
    "VoiceNotConfiguredError",
    "voice_provider",
]
