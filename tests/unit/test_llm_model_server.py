"""The local model server: real HTTP in the OpenAI/Cerebras wire formats, scripted per test."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from tests.support.model_server import ModelServer, Reply

CHAT = "/v1/chat/completions"
BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello there"}]}


@pytest.fixture
def server():
    with ModelServer() as started:
        yield started


def sse_events(response: httpx.Response) -> list[str]:
    return [
        line[len("data: ") :] for line in response.text.splitlines() if line.startswith("data: ")
    ]


def test_a_scripted_answer_comes_back_as_a_chat_completion_with_usage(server):
    # Given one scripted answer
    server.script(Reply("hi!", usage=(11, 3)))

    # When a client posts a chat completion
    response = httpx.post(server.url + CHAT, json=BODY)

    # Then it reads the OpenAI shape: one choice, the text, the usage
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "hi!"}
    assert body["usage"] == {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}
    assert server.requests[0].body == BODY


def test_streaming_sends_deltas_a_usage_chunk_and_done(server):
    # Given an answer streamed five characters at a time, usage requested
    server.script(Reply("Hello, dealer!", chunk_chars=5))
    body = {**BODY, "stream": True, "stream_options": {"include_usage": True}}

    # When the client streams it
    with httpx.stream("POST", server.url + CHAT, json=body) as response:
        response.read()

    # Then the events are the role chunk, the pieces, the finish, the usage, then [DONE]
    assert response.headers["content-type"] == "text/event-stream"
    events = sse_events(response)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "Hello, dealer!"
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == 4


def test_a_stream_without_include_usage_has_no_usage_chunk(server):
    server.script(Reply("abc"))
    with httpx.stream("POST", server.url + CHAT, json={**BODY, "stream": True}) as response:
        response.read()
    chunks = [json.loads(e) for e in sse_events(response)[:-1]]
    assert all("usage" not in c for c in chunks)


def test_failures_are_injected_as_scripted(server):
    # Given a 500, a 429 with retry-after and a malformed body, in that order
    server.script(Reply.error(500), Reply.rate_limited(retry_after_s=2), Reply.malformed())

    # When three requests arrive
    answers = [httpx.post(server.url + CHAT, json=BODY) for _ in range(3)]

    # Then each gets its failure
    assert answers[0].status_code == 500
    assert "error" in answers[0].json()
    assert answers[1].status_code == 429
    assert answers[1].headers["retry-after"] == "2"
    assert answers[2].status_code == 200
    with pytest.raises(json.JSONDecodeError):
        answers[2].json()


def test_a_hang_outlasts_the_client_timeout(server):
    server.script(Reply.hang(3))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(server.url + CHAT, json=BODY, timeout=0.3)


def test_without_a_script_the_server_says_so_with_a_500(server):
    response = httpx.post(server.url + CHAT, json=BODY)
    assert response.status_code == 500
    assert "no scripted reply" in response.json()["error"]["message"]


def test_a_responder_function_sees_the_request(server):
    server.respond_with(lambda request: Reply(f"you said {request.text_of('user')}"))
    response = httpx.post(server.url + CHAT, json=BODY)
    assert response.json()["choices"][0]["message"]["content"] == "you said hello there"


def test_concurrent_calls_overlap_and_the_peak_is_counted():
    # Given a server answering after 300 ms
    with ModelServer(latency_s=0.3) as server:
        server.respond_with(lambda request: Reply("ok"))

        # When 20 clients (built beforehand: building one takes a while) call at once
        clients = [httpx.Client(base_url=server.url) for _ in range(20)]
        started = time.perf_counter()
        threads = [
            threading.Thread(target=c.post, args=(CHAT,), kwargs={"json": BODY}) for c in clients
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        for c in clients:
            c.close()

        # Then they were all in flight together, and the whole took about one latency
        assert server.peak_in_flight == 20
        assert server.completed == 20
        assert server.in_flight == 0
        assert elapsed < 1.5
