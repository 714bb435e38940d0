"""Request bodies are bounded while they arrive, and the key is checked before any is read.

The API runs as a uvicorn subprocess with a 1 MB limit, so the test can read the server's
own peak memory (VmHWM) and bytes written (wchar) from /proc while it sends bodies of
several MB. (bench/body_limits.py does the same with 300 MB bodies.)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, select

from api.intake.drafts import MAX_RAW_VALUE
from db.models import Lead
from tests.support.api_process import ApiProcess, api_process
from tests.support.servers import API_KEY_HEADER

KEY = API_KEY_HEADER
MB = 1024 * 1024
BODY_MB = 8
# Peak RSS may move a little for reasons of its own (allocator, a lazily built schema);
# reading even one of the 8 MB bodies whole would move it by more than this.
RSS_SLACK_KB = 4 * 1024


@pytest.fixture(scope="module")
def small_limit_api(servers) -> Iterator[ApiProcess]:
    env = {**servers.env, "SALES_AGENT_MAX_UPLOAD_MB": "1", "SALES_AGENT_VOICE_MAX_AUDIO_MB": "1"}
    with api_process(env) as api:
        # Warm up every path the tests take, so first-request imports are not measured.
        with httpx.Client(base_url=api.url, timeout=30) as client:
            client.post("/api/batches", json={"leads": [{"company_name": "A"}]}, headers=KEY)
            client.post("/api/batches", content=b"x" * (2 * MB), headers={
                **KEY, "content-type": "application/json"})
            client.post(f"/api/conversations/{uuid.uuid4()}/audio", content=b"x" * (2 * MB))
        yield api


def multipart(field: str, filename: str, size: int, boundary: str) -> Iterator[bytes]:
    """A multipart body with one file part of ``size`` bytes, produced in 64 KiB chunks
    (a generator body goes out chunked, with no Content-Length to refuse up front)."""
    yield (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
        f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    chunk = b"a,b\r\n" * (64 * 1024 // 5)
    sent = 0
    while sent < size:
        yield chunk
        sent += len(chunk)
    yield f"\r\n--{boundary}--\r\n".encode()


def test_a_json_body_over_the_limit_gets_413_naming_it_without_being_read(small_limit_api):
    api = small_limit_api
    peak_before = api.status_kb("VmHWM")
    # Given a JSON batch of 8 MB (its Content-Length says so) against a 1 MB limit
    body = json.dumps({"leads": [{"company_name": "A", "notes": "n" * (BODY_MB * MB)}]})
    # When it is posted
    response = httpx.post(f"{api.url}/api/batches", content=body, timeout=60,
                          headers={**KEY, "content-type": "application/json"})
    # Then it is refused with 413 naming the limit, and the server never held the body
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large: the limit is 1 MB"}
    assert api.status_kb("VmHWM") - peak_before < RSS_SLACK_KB


def test_a_streamed_upload_over_the_limit_is_cut_off_while_it_arrives(small_limit_api):
    api = small_limit_api
    peak_before = api.status_kb("VmHWM")
    written_before = api.written_bytes()
    # Given a CSV upload of 8 MB sent chunked, so no length announces its size
    boundary = uuid.uuid4().hex
    body = multipart("file", "big.csv", BODY_MB * MB, boundary)
    # When it is posted
    response = httpx.post(
        f"{api.url}/api/batches", content=body, timeout=60,
        headers={**KEY, "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    # Then the reading stops at the limit: 413, no memory for the body, nothing spooled
    assert response.status_code == 413
    assert "limit is 1 MB" in response.json()["detail"]
    assert api.status_kb("VmHWM") - peak_before < RSS_SLACK_KB
    assert api.written_bytes() - written_before < 2 * MB


def test_an_audio_upload_without_the_key_gets_401_and_writes_nothing(small_limit_api):
    api = small_limit_api
    written_before = api.written_bytes()
    peak_before = api.status_kb("VmHWM")
    # Given an 8 MB audio turn sent without the API key
    boundary = uuid.uuid4().hex
    body = b"".join(multipart("file", "turn.wav", BODY_MB * MB, boundary))
    # When it is posted
    response = httpx.post(
        f"{api.url}/api/conversations/{uuid.uuid4()}/audio", content=body, timeout=60,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    # Then it is refused before the body is read: no spooled upload, no memory for it
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "APIKey"
    assert api.written_bytes() - written_before < 64 * 1024
    assert api.status_kb("VmHWM") - peak_before < RSS_SLACK_KB


def test_audio_over_its_own_limit_gets_413_naming_it(small_limit_api):
    api = small_limit_api
    written_before = api.written_bytes()
    boundary = uuid.uuid4().hex
    # Given an audio turn with the key, over SALES_AGENT_VOICE_MAX_AUDIO_MB, sent chunked
    body = multipart("file", "turn.wav", BODY_MB * MB, boundary)
    response = httpx.post(
        f"{api.url}/api/conversations/{uuid.uuid4()}/audio", content=body, timeout=60,
        headers={**KEY, "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    # Then 413 names the audio limit, and at most about that much was spooled
    assert response.status_code == 413
    assert response.json()["detail"] == "request body too large: the limit is 1 MB"
    assert api.written_bytes() - written_before < 2 * MB


def test_a_body_within_the_limit_still_goes_through(small_limit_api):
    # Given a small, valid JSON batch with the key
    body = {"leads": [{"company_name": "Small Co", "website": "small.example"}],
            "options": {"dry_run": True}}
    # When it is posted, it is accepted as before
    response = httpx.post(f"{small_limit_api.url}/api/batches", json=body, headers=KEY,
                          timeout=30)
    assert response.status_code == 202, response.text


def test_a_20_mb_unknown_json_field_is_stored_capped(servers):
    # Given the default 50 MB limit and a JSON lead with a 20 MB `notes` field
    with api_process(servers.env) as api:
        body = {"leads": [{"company_name": "Notes Co", "website": "notes.example",
                           "notes": "n" * (20 * MB), "source": "fair"}],
                "options": {"dry_run": True}}
        # When it is posted
        response = httpx.post(f"{api.url}/api/batches", json=body, headers=KEY, timeout=120)
    # Then the lead is accepted, and its raw notes are cut to the cap with a marker
    assert response.status_code == 202, response.text
    batch_id = uuid.UUID(response.json()["batch_id"])
    engine = create_engine(servers.database_url)
    try:
        with engine.connect() as connection:
            raw = connection.execute(select(Lead.raw).where(Lead.batch_id == batch_id)).scalar_one()
    finally:
        engine.dispose()
    assert len(raw["notes"]) == MAX_RAW_VALUE
    assert raw["notes"].endswith(f"[cut from {20 * MB} characters]")
    assert raw["source"] == "fair"


def test_a_multipart_batch_name_longer_than_its_column_is_refused(small_limit_api):
    # Given a CSV upload whose batch name is longer than a batch name may be
    response = httpx.post(
        f"{small_limit_api.url}/api/batches", headers=KEY, timeout=30,
        files={"file": ("leads.csv", b"company_name,website\nA Co,a.example\n", "text/csv")},
        data={"name": "n" * 300, "dry_run": "true"},
    )
    # Then it is refused saying so, as the JSON form of the same batch is
    assert response.status_code == 422
    assert "255" in response.json()["detail"]
