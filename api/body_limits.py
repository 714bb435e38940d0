"""Bounded request bodies, and the API key checked before a body is read.

Every request body is counted while it arrives: one that declares a ``Content-Length``
over the limit is refused before a byte of it is read, and one that streams past the
limit (chunked, or a lying length) is cut off there. Either way the answer is ``413``
with ``{"detail": "request body too large: the limit is N MB"}``, and the server never
holds or spools more than the limit. Without this, Starlette reads a multipart upload
whole (only single parts are bounded) and ``request.body()`` reads any JSON body whole.

The limit is ``SALES_AGENT_MAX_UPLOAD_MB`` for every body (CSV uploads, JSON batches,
any other JSON), except the audio turn route, which has ``SALES_AGENT_VOICE_MAX_AUDIO_MB``.
A multipart body carries its form fields and part headers beside the file, so a body
may exceed the limit by ``FORM_ALLOWANCE`` bytes: a file of exactly N MB still fits.

FastAPI reads (and spools to disk) a route's form body before it runs the route's
dependencies, so the ``X-API-Key`` dependency alone would let anyone without the key
make the server read and write a whole upload before the ``401``. For ``/api`` paths
this middleware runs the same check (``api.deps.require_api_key``) first.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import require_api_key
from settings import get_settings

MIB = 1024 * 1024
FORM_ALLOWANCE = 64 * 1024
PROTECTED_PREFIX = "/api/"
# The one route whose body is audio (api/routes/conversations.py, send_audio).
_AUDIO_ROUTE = re.compile(r"^/api/conversations/[^/]+/audio/?$")


class BodyTooLargeError(HTTPException):
    """The body went past its limit while it was being read."""

    def __init__(self, limit_mb: int) -> None:
        super().__init__(413, detail=too_large_detail(limit_mb))
        self.limit_mb = limit_mb


def too_large_detail(limit_mb: int) -> str:
    return f"request body too large: the limit is {limit_mb} MB"


def body_limit_mb(method: str, path: str) -> int:
    """The limit, in MB, of a request's body."""
    settings = get_settings()
    if method == "POST" and _AUDIO_ROUTE.match(path):
        return settings.voice_max_audio_mb
    return settings.max_upload_mb


class BodyLimitMiddleware:
    """``401`` for ``/api`` requests without the key and ``413`` for bodies over the limit,
    both before the route reads anything."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        # CORS preflights carry no key by design; the CORS middleware answers them.
        if path.startswith(PROTECTED_PREFIX) and method != "OPTIONS":
            try:
                require_api_key(_header(scope, b"x-api-key"))
            except HTTPException as exc:
                await JSONResponse(
                    {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
                )(scope, receive, send)
                return
        limit_mb = body_limit_mb(method, path)
        limit = limit_mb * MIB + FORM_ALLOWANCE
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await _too_large(limit_mb)(scope, receive, send)
            return
        await _LimitedRequest(self.app, limit, limit_mb).run(scope, receive, send)


class _LimitedRequest:
    """One request whose body is counted as the app receives it."""

    def __init__(self, app: ASGIApp, limit: int, limit_mb: int) -> None:
        self.app = app
        self.limit = limit
        self.limit_mb = limit_mb
        self.received = 0
        self.exceeded = False
        self.response_started = False

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def limited_receive() -> Message:
            if self.exceeded:
                raise BodyTooLargeError(self.limit_mb)
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.exceeded = True
                    raise BodyTooLargeError(self.limit_mb)
            return message

        async def guarded_send(message: Message) -> None:
            if self.exceeded:
                # Whatever the app made of the cut-off body (FastAPI turns an error while
                # reading a form into 400), the client gets the 413 that says why.
                if message["type"] == "http.response.start" and not self.response_started:
                    self.response_started = True
                    await _too_large(self.limit_mb)(scope, receive, send)
                return
            if message["type"] == "http.response.start":
                self.response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLargeError:
            if not self.response_started:
                self.response_started = True
                await _too_large(self.limit_mb)(scope, receive, send)


def _too_large(limit_mb: int) -> JSONResponse:
    return JSONResponse({"detail": too_large_detail(limit_mb)}, status_code=413)


def _header(scope: Scope, name: bytes) -> str | None:
    headers: Any = scope.get("headers", [])
    for key, value in headers:
        if key == name:
            return bytes(value).decode("latin-1")
    return None
