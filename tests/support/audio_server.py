"""A local server speaking OpenAI's audio wire format: transcriptions and speech.

    POST /v1/audio/transcriptions   multipart/form-data: file, model, response_format
                                    -> {"text": "..."} (json / verbose_json) or plain text
    POST /v1/audio/speech           JSON {model, input, voice, response_format}
                                    -> audio bytes (WAV or raw PCM here)

Tests script what the "speaker" said per audio file (:meth:`AudioServer.says`), check
the bearer key, inject latency and failures (HTTP status codes, a hang), and read every
request back (:attr:`AudioServer.requests`). Speech is a real WAV: a tone as long as the
text takes to say, so clients can parse what they get.

    with AudioServer(api_key="test-key") as server:
        server.says(wav_bytes, "How much does it cost?")
        ...  # SALES_AGENT_VOICE_BASE_URL=server.base_url
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import threading
import time
import wave
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TRANSCRIPTIONS_PATH = "/v1/audio/transcriptions"
SPEECH_PATH = "/v1/audio/speech"
SAMPLE_RATE = 16_000
_AUDIO_MAGIC = (b"RIFF", b"ID3", b"OggS", b"fLaC", b"\xff\xfb", b"\xff\xf3")


def tone_wav(seconds: float, frequency: float = 440.0) -> bytes:
    """A mono 16-bit WAV of a sine tone: stands in for recorded speech."""
    frames = int(SAMPLE_RATE * seconds)
    samples = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)))
        for i in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples)
    return buffer.getvalue()


@dataclass(frozen=True)
class AudioRequest:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    fields: dict[str, str]  # form fields (transcriptions) or JSON body (speech)
    file: bytes | None = None
    filename: str | None = None
    file_content_type: str | None = None


@dataclass
class AudioServer:
    api_key: str | None = None
    latency_s: float = 0.0
    requests: list[AudioRequest] = field(default_factory=list)
    _transcripts: dict[str, str] = field(default_factory=dict)
    _failures: deque[int] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # -- scripting -------------------------------------------------------------------------
    def says(self, audio: bytes, text: str) -> None:
        """Transcribe ``audio`` (by content) as ``text``."""
        self._transcripts[hashlib.sha256(audio).hexdigest()] = text

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests with ``status`` (0 = hang past any timeout)."""
        self._failures.extend([status] * times)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> AudioServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- answering -------------------------------------------------------------------------
    def _next_failure(self) -> int | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def transcript_of(self, audio: bytes) -> str:
        return self._transcripts.get(hashlib.sha256(audio).hexdigest(), "")


def _error(message: str, kind: str = "invalid_request_error") -> bytes:
    return json.dumps(
        {"error": {"message": message, "type": kind, "param": None, "code": None}}
    ).encode()


def _handler_for(server: AudioServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            if server.latency_s:
                time.sleep(server.latency_s)
            failure = server._next_failure()
            if failure == 0:
                time.sleep(60)  # a hang: the client's timeout must fire first
                return
            if failure is not None:
                self._send(
                    failure, _error(f"injected {failure}", "server_error"), "application/json"
                )
                return
            if server.api_key and headers.get("authorization") != f"Bearer {server.api_key}":
                self._send(
                    401, _error("Incorrect API key provided", "invalid_api_key"), "application/json"
                )
                return
            if self.path == TRANSCRIPTIONS_PATH:
                self._transcribe(headers, body)
            elif self.path == SPEECH_PATH:
                self._speak(headers, body)
            else:
                self._send(404, _error(f"unknown path {self.path}"), "application/json")

        def _transcribe(self, headers: dict[str, str], body: bytes) -> None:
            content_type = headers.get("content-type", "")
            if not content_type.startswith("multipart/form-data"):
                self._send(400, _error("expected multipart/form-data"), "application/json")
                return
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + body
            )
            fields: dict[str, str] = {}
            audio: bytes | None = None
            filename = file_type = None
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                raw = part.get_payload(decode=True)  # bytes for a non-multipart part
                payload = raw if isinstance(raw, bytes) else b""
                if name == "file":
                    audio, filename = payload, part.get_filename()
                    file_type = part.get_content_type()
                elif isinstance(name, str):
                    fields[name] = payload.decode()
            server.requests.append(
                AudioRequest(TRANSCRIPTIONS_PATH, headers, fields, audio, filename, file_type)
            )
            if "model" not in fields:
                self._send(400, _error("you must provide a model parameter"), "application/json")
                return
            if not audio or not audio.startswith(_AUDIO_MAGIC):
                self._send(400, _error("Invalid file format."), "application/json")
                return
            text = server.transcript_of(audio)
            if fields.get("response_format") == "text":
                self._send(200, text.encode(), "text/plain; charset=utf-8")
                return
            answer: dict[str, Any] = {"text": text}
            if fields.get("response_format") == "verbose_json":
                answer |= {"language": "english", "duration": len(audio) / (2 * SAMPLE_RATE)}
            self._send(200, json.dumps(answer).encode(), "application/json")

        def _speak(self, headers: dict[str, str], body: bytes) -> None:
            try:
                request = json.loads(body)
            except json.JSONDecodeError:
                self._send(400, _error("body is not JSON"), "application/json")
                return
            server.requests.append(
                AudioRequest(SPEECH_PATH, headers, {k: str(v) for k, v in request.items()})
            )
            text = str(request.get("input") or "")
            if not text or "model" not in request or "voice" not in request:
                self._send(400, _error("model, voice and input are required"), "application/json")
                return
            seconds = min(0.02 * len(text), 3.0)  # short, but proportional to the text
            audio = tone_wav(seconds, frequency=220.0)
            fmt = request.get("response_format", "mp3")
            if fmt == "wav":
                self._send(HTTPStatus.OK, audio, "audio/wav")
            elif fmt == "pcm":
                self._send(HTTPStatus.OK, audio[44:], "audio/L16")
            else:
                self._send(
                    400,
                    _error(f"this test server speaks wav and pcm, not {fmt}"),
                    "application/json",
                )

    return Handler
