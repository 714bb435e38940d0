"""OpenAI-compatible audio: ``POST /audio/transcriptions`` and ``POST /audio/speech``.

The same wire format is served by OpenAI, Azure-style proxies and local servers (whisper
servers, openedai-speech, LocalAI), so one client covers them: point ``base_url`` at the
API root (ending in ``/v1``). Transient failures (429, 5xx, timeouts, dropped connections)
are retried with a short backoff; 4xx answers are not.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from orchestration.integrations.voice.base import (
    Speech,
    Transcript,
    VoiceError,
    VoiceInputError,
)

T = TypeVar("T")

_CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/L16",
}
_TRANSIENT_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


class _TransientError(VoiceError):
    pass


@dataclass(frozen=True)
class OpenAIAudioConfig:
    base_url: str  # API root, e.g. "https://api.openai.com/v1"
    api_key: str
    stt_model: str = "whisper-1"
    tts_model: str = "tts-1"
    tts_voice: str = "alloy"
    tts_format: str = "mp3"
    timeout_s: float = 30.0
    max_retries: int = 2


class OpenAIAudio:
    """Speech to text and text to speech over the OpenAI audio endpoints."""

    def __init__(self, config: OpenAIAudioConfig) -> None:
        self._config = config
        self._root = config.base_url.rstrip("/")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._config.api_key}"} if self._config.api_key else {}

    async def transcribe(self, audio: bytes, *, filename: str, content_type: str) -> Transcript:
        if not audio:
            raise VoiceInputError("the audio is empty")

        async def call(session: aiohttp.ClientSession) -> Transcript:
            form = aiohttp.FormData()
            form.add_field(
                "file",
                audio,
                filename=filename or "turn.wav",
                content_type=content_type or "application/octet-stream",
            )
            form.add_field("model", self._config.stt_model)
            form.add_field("response_format", "json")
            async with session.post(
                f"{self._root}/audio/transcriptions", data=form, headers=self._headers()
            ) as response:
                await _raise_for_status(response, "transcription")
                body: dict[str, Any] = await response.json(content_type=None)
            text = body.get("text")
            if not isinstance(text, str):
                raise VoiceError("transcription answer has no text")
            return Transcript(
                text=text.strip(), language=body.get("language"), duration_s=body.get("duration")
            )

        return await self._with_retries(call)

    async def synthesize(self, text: str) -> Speech:
        fmt = self._config.tts_format

        async def call(session: aiohttp.ClientSession) -> Speech:
            payload = {
                "model": self._config.tts_model,
                "input": text,
                "voice": self._config.tts_voice,
                "response_format": fmt,
            }
            async with session.post(
                f"{self._root}/audio/speech", json=payload, headers=self._headers()
            ) as response:
                await _raise_for_status(response, "speech")
                audio = await response.read()
                content_type = response.headers.get("Content-Type", "").split(";")[0]
            if not audio:
                raise VoiceError("speech answer is empty")
            return Speech(
                audio=audio, content_type=content_type or _CONTENT_TYPES.get(fmt, "audio/mpeg")
            )

        return await self._with_retries(call)

    async def _with_retries(self, call: Callable[[aiohttp.ClientSession], Awaitable[T]]) -> T:
        timeout = aiohttp.ClientTimeout(total=self._config.timeout_s)
        attempt = 0
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                try:
                    return await call(session)
                except (TimeoutError, _TransientError, aiohttp.ClientConnectionError) as exc:
                    attempt += 1
                    if attempt > self._config.max_retries:
                        reason = str(exc) or type(exc).__name__
                        raise VoiceError(f"audio provider unavailable: {reason}") from exc
                    await asyncio.sleep(random.uniform(0, 0.2 * 2**attempt))


async def _raise_for_status(response: aiohttp.ClientResponse, what: str) -> None:
    if response.status < 400:
        return
    detail = (await response.text())[:300]
    message = f"{what} failed: HTTP {response.status} {detail}".strip()
    if response.status in _TRANSIENT_STATUS:
        raise _TransientError(message)
    if response.status in (400, 413, 415, 422):
        raise VoiceInputError(message)
    raise VoiceError(message)
