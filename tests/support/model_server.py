"""A local model server speaking the OpenAI and Cerebras chat-completions wire formats.

The real client libraries (``langchain-openai``/``openai`` and ``cerebras-cloud-sdk``) talk to
it over HTTP, so tests exercise their serialisation, streaming parser, timeouts and error
mapping. Each test scripts the answers: a queue of :class:`Reply` values, or a function of the
:class:`ModelRequest`, with latency and failure injection (HTTP 500/429, a hang past the
client's timeout, malformed JSON, a stream cut mid-way). It counts requests in flight and
keeps the peak, which is how the concurrency bench proves calls overlap.

Both SDKs post to ``/v1/chat/completions``: the OpenAI client with ``base_url=<url>/v1``, the
Cerebras one with ``base_url=<url>``. A request is answered in Cerebras' dialect (``time_info``
on the completion) when its User-Agent names the Cerebras SDK.

    with ModelServer(latency_s=0.5) as server:
        server.respond_with(lambda request: Reply.json({"score": 80}))
        ...  # point SALES_AGENT_LLM_BASE_URL at server.openai_base_url
"""

from __future__ import annotations

import json
import math
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMPLETIONS_PATH = "/v1/chat/completions"
TCP_WARMING_PATH = "/v1/tcp_warming"  # the Cerebras SDK pings it when a client is created


@dataclass(frozen=True)
class ModelRequest:
    """One chat-completions request as the server received it."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def flavour(self) -> str:
        """``cerebras`` when the Cerebras SDK sent it, else ``openai``."""
        agent = self.headers.get("user-agent", "").lower()
        return "cerebras" if "cerebras" in agent else "openai"

    def text_of(self, role: str) -> str:
        """All message contents of one role, joined (system prompt, user turns...)."""
        return "\n".join(
            str(m.get("content") or "") for m in self.messages if m.get("role") == role
        )

    def data_block(self) -> dict[str, Any]:
        """The JSON between ``<lead_data>`` tags in the user message (the engine's data block)."""
        user = self.text_of("user")
        start, end = user.find("<lead_data>"), user.rfind("</lead_data>")
        if start < 0 or end < start:
            return {}
        found = json.loads(user[start + len("<lead_data>") : end])
        return found if isinstance(found, dict) else {}


@dataclass(frozen=True)
class Reply:
    """What the server answers to one request.

    content: the assistant message (streamed in ``chunk_chars`` pieces when asked to stream).
    delay_s: wait before the first byte; None uses the server's ``latency_s``.
    status: an HTTP error status (500, 429...) answered with an OpenAI-style error body.
    raw_body: bytes sent verbatim with status 200 (malformed JSON, a truncated object...).
    usage: (prompt_tokens, completion_tokens); None estimates ~4 characters per token.
    cut_after_chunks: streaming only, drop the connection after this many content chunks.
    """

    content: str = ""
    delay_s: float | None = None
    status: int = 200
    raw_body: bytes | None = None
    usage: tuple[int, int] | None = None
    chunk_chars: int = 12
    chunk_delay_s: float = 0.0
    cut_after_chunks: int | None = None
    retry_after_s: float | None = None

    @classmethod
    def json(cls, value: Any, **kwargs: Any) -> Reply:
        return cls(content=json.dumps(value), **kwargs)

    @classmethod
    def error(cls, status: int = 500, **kwargs: Any) -> Reply:
        return cls(status=status, **kwargs)

    @classmethod
    def rate_limited(cls, retry_after_s: float = 0.0) -> Reply:
        return cls(status=429, retry_after_s=retry_after_s)

    @classmethod
    def malformed(cls) -> Reply:
        """A 200 whose body is not JSON at all: the SDKs must raise, not return garbage."""
        return cls(raw_body=b'{"id": "chatcmpl-broken", "choices": [{"message": ')

    @classmethod
    def hang(cls, seconds: float) -> Reply:
        """Answer only after ``seconds``: longer than the client's timeout, it is a timeout."""
        return cls(content="{}", delay_s=seconds)


Responder = Callable[[ModelRequest], "Reply | str"]


@dataclass
class _Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    peak_in_flight: int = 0
    completed: int = 0


class ModelServer:
    """A threaded HTTP server on 127.0.0.1 (a free port), started by ``with`` or ``start()``."""

    def __init__(self, *, latency_s: float = 0.0, responder: Responder | None = None) -> None:
        self.latency_s = latency_s
        self._responder = responder
        self._queue: deque[Reply | str] = deque()
        self._requests: list[ModelRequest] = []
        self._stats = _Stats()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.model_server = self
        # A short poll keeps stop() quick: tests start and stop a server each.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="model-server", daemon=True
        )

    # Lifecycle ---------------------------------------------------------------------------
    def start(self) -> ModelServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on injected latency
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_base_url(self) -> str:
        """The ``base_url`` for OpenAI-compatible clients (they append ``/chat/completions``)."""
        return f"{self.url}/v1"

    @property
    def cerebras_base_url(self) -> str:
        """The ``base_url`` for the Cerebras SDK (it appends ``/v1/chat/completions``)."""
        return self.url

    # Scripting ---------------------------------------------------------------------------
    def script(self, *replies: Reply | str) -> None:
        """Queue answers, used in order before the responder function."""
        with self._stats.lock:
            self._queue.extend(replies)

    def respond_with(self, responder: Responder) -> None:
        """Answer every request the queue does not cover with ``responder(request)``."""
        self._responder = responder

    def reset(self) -> None:
        """Forget queued answers, recorded requests and counters (between bench phases)."""
        with self._stats.lock:
            self._queue.clear()
            self._requests.clear()
            self._stats.peak_in_flight = self._stats.in_flight
            self._stats.completed = 0

    # What happened -----------------------------------------------------------------------
    @property
    def requests(self) -> list[ModelRequest]:
        with self._stats.lock:
            return list(self._requests)

    @property
    def in_flight(self) -> int:
        return self._stats.in_flight

    @property
    def peak_in_flight(self) -> int:
        return self._stats.peak_in_flight

    @property
    def completed(self) -> int:
        return self._stats.completed

    # Used by the handler -----------------------------------------------------------------
    def _begin(self, request: ModelRequest) -> Reply:
        with self._stats.lock:
            self._requests.append(request)
            self._stats.in_flight += 1
            self._stats.peak_in_flight = max(self._stats.peak_in_flight, self._stats.in_flight)
            scripted = self._queue.popleft() if self._queue else None
        answer: Reply | str | None = scripted
        if answer is None and self._responder is not None:
            try:
                answer = self._responder(request)
            except Exception as exc:  # a broken test script shows up as a 500, not a hang
                answer = Reply(status=500, content=f"responder failed: {exc!r}")
        if answer is None:
            return Reply(status=500, content="no scripted reply for this request")
        return Reply(content=answer) if isinstance(answer, str) else answer

    def _end(self) -> None:
        with self._stats.lock:
            self._stats.in_flight -= 1
            self._stats.completed += 1

    def _sleep(self, seconds: float) -> bool:
        """Wait, unless the server is stopping; True when the wait ran its course."""
        return not self._stopping.wait(seconds) if seconds > 0 else True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The bench opens ~100 connections at once; the default backlog of 5 would drop SYNs and
    # add a 1 s retransmit to some calls, which reads as model latency.
    request_queue_size = 256
    model_server: ModelServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the SDKs pool their connections
    # Buffered writes, flushed once per response (or per SSE event), and no Nagle: headers
    # and body in separate small segments would wait ~40 ms on the client's delayed ACK,
    # which would read as model latency.
    wbufsize = 64 * 1024
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        """Quiet: the test output is not the place for one line per request."""

    def do_GET(self) -> None:
        if self.path.startswith(TCP_WARMING_PATH):
            self._send_json(200, {})
        else:
            self._send_json(404, _error_body("not found", "not_found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.startswith(COMPLETIONS_PATH):
            self._send_json(404, _error_body(f"no route {self.path}", "not_found"))
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, _error_body("request body is not JSON", "invalid_request"))
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = ModelRequest(self.path, body, headers)
        owner = self.server.model_server
        reply = owner._begin(request)
        try:
            delay = owner.latency_s if reply.delay_s is None else reply.delay_s
            if not owner._sleep(delay):
                return
            self._answer(request, reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing left to tell it
        finally:
            owner._end()

    def _answer(self, request: ModelRequest, reply: Reply) -> None:
        if reply.status != 200:
            extra = {}
            if reply.retry_after_s is not None:
                extra["retry-after"] = str(reply.retry_after_s)
            message = reply.content or HTTPStatus(reply.status).phrase
            self._send_json(reply.status, _error_body(message, "server_error"), extra)
            return
        if reply.raw_body is not None:
            self._send_bytes(200, reply.raw_body, "application/json")
            return
        if request.stream:
            self._stream(request, reply)
            return
        self._send_json(200, _completion(request, reply))

    def _stream(self, request: ModelRequest, reply: Reply) -> None:
        """Server-sent events, as the APIs send them: a role chunk, content deltas, a
        finish chunk, a usage chunk when ``stream_options.include_usage`` asks (Cerebras
        always sends it), then ``data: [DONE]``. Chunked transfer keeps the connection."""
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        owner = self.server.model_server
        base = _envelope(request, "chat.completion.chunk")
        self._event({**base, "choices": [_delta({"role": "assistant", "content": ""})]})
        for index, piece in enumerate(_pieces(reply.content, reply.chunk_chars)):
            if reply.cut_after_chunks is not None and index >= reply.cut_after_chunks:
                # A dropped stream: no terminating chunk, the client sees the socket close.
                self.close_connection = True
                self.wfile.flush()
                return
            if index and not owner._sleep(reply.chunk_delay_s):
                return
            self._event({**base, "choices": [_delta({"content": piece})]})
        self._event({**base, "choices": [_delta({}, finish_reason="stop")]})
        options = request.body.get("stream_options") or {}
        if options.get("include_usage") or request.flavour == "cerebras":
            usage_chunk = {**base, "choices": [], "usage": _usage(request, reply)}
            if request.flavour == "cerebras":
                usage_chunk["time_info"] = _time_info()
            self._event(usage_chunk)
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")

    def _event(self, payload: dict[str, Any]) -> None:
        self._write_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def _send_bytes(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()


def _error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


def _envelope(request: ModelRequest, kind: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": kind,
        "created": int(time.time()),
        "model": request.model,
        "system_fingerprint": "fp_local_model_server",
    }


def _completion(request: ModelRequest, reply: Reply) -> dict[str, Any]:
    body = _envelope(request, "chat.completion")
    body["choices"] = [
        {
            "index": 0,
            "message": {"role": "assistant", "content": reply.content},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ]
    body["usage"] = _usage(request, reply)
    if request.flavour == "cerebras":
        body["time_info"] = _time_info()
    return body


def _delta(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}


def _usage(request: ModelRequest, reply: Reply) -> dict[str, int]:
    if reply.usage is not None:
        prompt, completion = reply.usage
    else:
        prompt_chars = sum(len(str(m.get("content") or "")) for m in request.messages)
        prompt, completion = math.ceil(prompt_chars / 4), math.ceil(len(reply.content) / 4)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _time_info() -> dict[str, float]:
    now = time.time()
    return {
        "queue_time": 0.0001,
        "prompt_time": 0.001,
        "completion_time": 0.01,
        "total_time": 0.0111,
        "created": now,
    }


def _pieces(text: str, size: int) -> Iterator[str]:
    for start in range(0, len(text), max(1, size)):
        yield text[start : start + size]
