"""Voice turns: speech to text in, text to speech out, against a local server speaking the
OpenAI audio wire format."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import uuid
import wave
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from orchestration.integrations.voice import (
    OpenAIAudio,
    OpenAIAudioConfig,
    VoiceError,
    VoiceInputError,
)
from settings import get_settings
from tests.support.audio_server import SPEECH_PATH, TRANSCRIPTIONS_PATH, AudioServer, tone_wav
from tests.support.conversations import stored_lead
from tests.support.servers import API_KEY_HEADER

KEY = API_KEY_HEADER
AUDIO_KEY = "sk-audio-test"


@pytest.fixture
def audio_server() -> Iterator[AudioServer]:
    with AudioServer(api_key=AUDIO_KEY) as server:
        yield server


def provider(server: AudioServer, **overrides: Any) -> OpenAIAudio:
    config = OpenAIAudioConfig(
        base_url=server.base_url, api_key=AUDIO_KEY, tts_format="wav", timeout_s=2.0
    )
    return OpenAIAudio(dataclasses.replace(config, **overrides))


def seconds_of(audio: bytes) -> float:
    with wave.open(io.BytesIO(audio)) as heard:
        return float(heard.getnframes()) / float(heard.getframerate())


def test_speech_is_transcribed_over_the_multipart_wire_format(audio_server):
    # Given the server hears "How much does it cost?" in this recording
    recording = tone_wav(0.5)
    audio_server.says(recording, "How much does it cost?")

    # When it is transcribed
    transcript = asyncio.run(
        provider(audio_server).transcribe(recording, filename="turn.wav", content_type="audio/wav")
    )

    # Then the words come back, and the request was a proper OpenAI transcription call
    assert transcript.text == "How much does it cost?"
    request = audio_server.requests[-1]
    assert request.path == TRANSCRIPTIONS_PATH
    assert request.fields["model"] == "whisper-1"
    assert request.filename == "turn.wav"
    assert request.file == recording
    assert request.headers["authorization"] == f"Bearer {AUDIO_KEY}"


def test_text_is_spoken_as_audio_of_the_configured_voice_and_format(audio_server):
    speech = asyncio.run(provider(audio_server).synthesize("Thanks, Dana. Thursday it is."))
    assert speech.content_type == "audio/wav"
    assert seconds_of(speech.audio) > 0.2
    request = audio_server.requests[-1]
    assert request.path == SPEECH_PATH
    assert request.fields == {
        "model": "tts-1",
        "input": "Thanks, Dana. Thursday it is.",
        "voice": "alloy",
        "response_format": "wav",
    }


def test_a_transient_failure_is_retried_and_a_bad_input_is_not(audio_server):
    recording = tone_wav(0.2)
    audio_server.says(recording, "hello")
    audio_server.fail_next(503)
    assert (
        asyncio.run(
            provider(audio_server).transcribe(recording, filename="a.wav", content_type="audio/wav")
        ).text
        == "hello"
    )

    calls = len(audio_server.requests)
    with pytest.raises(VoiceInputError, match="Invalid file format"):
        asyncio.run(
            provider(audio_server).transcribe(
                b"not audio at all", filename="a.txt", content_type="text/plain"
            )
        )
    assert len(audio_server.requests) == calls + 1


def test_a_wrong_key_and_a_hung_server_fail_clearly(audio_server):
    with pytest.raises(VoiceError, match="HTTP 401") as refused:
        asyncio.run(provider(audio_server, api_key="wrong").synthesize("hi"))
    assert "wrong" not in str(refused.value)  # the key is never echoed
    audio_server.fail_next(0, times=3)
    with pytest.raises(VoiceError, match="unavailable"):
        asyncio.run(provider(audio_server, timeout_s=0.3, max_retries=1).synthesize("hi"))


@pytest.fixture
def voice_client(servers, worker, audio_server) -> Iterator[TestClient]:
    settings = {
        "SALES_AGENT_VOICE_BASE_URL": audio_server.base_url,
        "SALES_AGENT_VOICE_API_KEY": AUDIO_KEY,
        "SALES_AGENT_VOICE_TTS_FORMAT": "wav",
    }
    os.environ.update(settings)
    get_settings.cache_clear()
    try:
        with TestClient(create_app(), headers=KEY) as client:
            yield client
    finally:
        for name in settings:
            os.environ.pop(name, None)
        get_settings.cache_clear()


def new_conversation(client: TestClient) -> str:
    response = client.post("/api/conversations", json={"lead_id": str(stored_lead())})
    conversation_id: str = response.json()["conversation_id"]
    return conversation_id


def test_a_spoken_turn_is_answered_in_text(voice_client, audio_server):
    # Given the prospect's recorded question
    recording = tone_wav(0.4)
    audio_server.says(recording, "How much does it cost?")
    conversation_id = new_conversation(voice_client)

    # When it is sent as audio, waiting for the reply
    response = voice_client.post(
        f"/api/conversations/{conversation_id}/audio",
        params={"stream": "false"},
        files={"file": ("question.wav", recording, "audio/wav")},
    )

    # Then the reply answers what was said, and says what was heard
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["transcript"] == "How much does it cost?"
    assert reply["intent"] == "pricing"
    turn = voice_client.get(f"/api/conversations/{conversation_id}").json()["turns"][0]
    assert turn["input_mode"] == "audio"
    assert turn["prospect_text"] == "How much does it cost?"


def test_a_spoken_turn_can_be_answered_in_speech(voice_client, audio_server):
    recording = tone_wav(0.4)
    audio_server.says(recording, "Can we book a call?")
    conversation_id = new_conversation(voice_client)

    response = voice_client.post(
        f"/api/conversations/{conversation_id}/audio",
        params={"voice": "true"},
        files={"file": ("q.wav", recording, "audio/wav")},
    )

    # Then audio comes back, spoken from exactly the stored reply
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav"
    assert response.headers["x-intent"] == "scheduling"
    assert seconds_of(response.content) > 0.2
    stored = voice_client.get(f"/api/conversations/{conversation_id}").json()["turns"][0]
    assert audio_server.requests[-1].fields["input"] == stored["reply"]
    # And the same reply can be fetched as audio again later
    again = voice_client.get(
        f"/api/conversations/{conversation_id}/turns/{stored['turn_id']}/audio"
    )
    assert again.status_code == 200
    assert again.headers["content-type"] == "audio/wav"


def test_a_text_turn_can_be_answered_in_speech(voice_client, audio_server):
    conversation_id = new_conversation(voice_client)
    response = voice_client.post(
        f"/api/conversations/{conversation_id}/messages",
        params={"voice": "true"},
        json={"text": "Tell me more"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert "Sunrise Power Solutions" in audio_server.requests[-1].fields["input"]


def test_audio_that_is_not_understood_is_refused(voice_client, audio_server):
    conversation_id = new_conversation(voice_client)
    url = f"/api/conversations/{conversation_id}/audio"
    not_audio = voice_client.post(url, files={"file": ("a.txt", b"hello", "text/plain")})
    assert not_audio.status_code == 422
    assert "could not be transcribed" in not_audio.json()["detail"]
    silence = voice_client.post(url, files={"file": ("s.wav", tone_wav(0.1), "audio/wav")})
    assert silence.status_code == 422
    assert "no speech" in silence.json()["detail"]
    missing = voice_client.post(url)
    assert missing.status_code == 422
    unknown = voice_client.post(
        f"/api/conversations/{uuid.uuid4()}/audio",
        files={"file": ("s.wav", tone_wav(0.1), "audio/wav")},
    )
    assert unknown.status_code == 404


def test_without_a_voice_provider_audio_turns_are_503(servers, worker):
    with TestClient(create_app(), headers=KEY) as client:
        conversation_id = new_conversation(client)
        response = client.post(
            f"/api/conversations/{conversation_id}/audio",
            files={"file": ("a.wav", tone_wav(0.1), "audio/wav")},
        )
    assert response.status_code == 503
    assert "SALES_AGENT_VOICE_BASE_URL" in response.json()["detail"]
