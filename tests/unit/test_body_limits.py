"""The body limit and key check in front of every route, on a stand-in app (no servers).

tests/e2e/test_body_limits.py checks the same against the real API in a uvicorn process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from api.body_limits import FORM_ALLOWANCE, MIB, BodyLimitMiddleware
from settings import get_settings

KEY = {"X-API-Key": "unit-key"}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SALES_AGENT_API_KEY", "unit-key")
    monkeypatch.setenv("SALES_AGENT_MAX_UPLOAD_MB", "1")
    monkeypatch.setenv("SALES_AGENT_VOICE_MAX_AUDIO_MB", "2")
    get_settings.cache_clear()
    app = FastAPI()
    app.state.reads = 0

    @app.post("/api/echo")
    async def echo(request: Request) -> dict[str, int]:
        body = await request.body()
        return {"length": len(body)}

    @app.post("/api/conversations/{conversation_id}/audio")
    async def audio(request: Request) -> dict[str, int]:
        app.state.reads += 1
        form = await request.form()
        upload = form["file"]
        assert not isinstance(upload, str)
        return {"length": len(await upload.read())}

    app.add_middleware(BodyLimitMiddleware)
    with TestClient(app) as test_client:
        yield test_client
    get_settings.cache_clear()


def chunks(size: int) -> Iterator[bytes]:
    piece = b"x" * 65536
    for _ in range(size // len(piece)):
        yield piece


def test_a_body_within_the_limit_reaches_the_route(client):
    response = client.post("/api/echo", content=b"x" * MIB, headers=KEY)
    assert response.json() == {"length": MIB}


def test_a_declared_length_over_the_limit_is_refused_up_front(client):
    response = client.post("/api/echo", content=b"x" * (MIB + FORM_ALLOWANCE + 1), headers=KEY)
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large: the limit is 1 MB"}


def test_a_streamed_body_is_cut_off_at_the_limit(client):
    response = client.post("/api/echo", content=chunks(3 * MIB), headers=KEY)
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large: the limit is 1 MB"}


def test_a_streamed_form_is_cut_off_at_the_audio_limit(client):
    boundary = "b0undary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"turn.wav\"\r\n\r\n").encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from chunks(3 * MIB)
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/conversations/c1/audio", content=body(),
        headers={**KEY, "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large: the limit is 2 MB"}


def test_the_audio_route_has_its_own_limit(client):
    files = {"file": ("turn.wav", b"x" * (int(1.5 * MIB)), "audio/wav")}
    response = client.post("/api/conversations/c1/audio", files=files, headers=KEY)
    assert response.json() == {"length": int(1.5 * MIB)}


def test_without_the_key_the_route_never_runs(client):
    files = {"file": ("turn.wav", b"x" * 1024, "audio/wav")}
    response = client.post("/api/conversations/c1/audio", files=files)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "APIKey"
    assert client.app.state.reads == 0
    wrong = client.post("/api/echo", content=b"{}", headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
