"""The project's Redis checkpoint saver against a real Redis: the official conformance suite,
interrupts that survive a worker restart, TTLs that follow the thread's last write."""

from __future__ import annotations

import asyncio
import operator
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Annotated, Any, TypedDict, cast

import pytest
import redis
import redis.asyncio
from langgraph.channels.delta import DeltaChannel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import ALL_CAPABILITIES
from langgraph.checkpoint.conformance.report import CapabilityReport
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, interrupt

from orchestration.checkpoint import AsyncRedisCheckpointSaver, RedisCheckpointSaver, operations

if TYPE_CHECKING:
    from tests.support.servers import TestServers

TTL = 600


@pytest.fixture
def redis_url(servers: TestServers) -> str:
    return servers.redis_url


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own, removed afterwards."""
    own = f"agent:checkpoint:test-{uuid.uuid4().hex[:8]}:"
    yield own
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{own}*", count=1000):
        client.delete(key)
    client.close()


WRITE_COMMANDS = {"HSET", "HSETNX", "HDEL", "ZADD", "ZREM", "SADD", "SREM", "DEL", "EXPIRE"}


class RecordingPipeline(redis.client.Pipeline):
    """A pipeline that notes every command the saver sends, and whether inside MULTI."""

    sent: list[tuple[str, bool]]

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        self.sent.append((str(args[0]).upper(), self.explicit_transaction))
        return super().execute_command(*args, **kwargs)  # type: ignore[no-untyped-call]


class RecordingRedis(redis.Redis):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[tuple[str, bool]] = []

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        pipe = RecordingPipeline(self.connection_pool, self.response_callbacks, transaction,
                                 shard_hint)
        pipe.sent = self.sent
        return pipe


# The graph: a lead's outreach draft waits for a person's approval before it is sent.


class Outreach(TypedDict):
    lead: str
    draft: str
    decision: str
    log: Annotated[list[str], operator.add]


def write_draft(state: Outreach) -> dict[str, Any]:
    return {"draft": f"Hello {state['lead']}", "log": ["drafted"]}


def ask_for_approval(state: Outreach) -> dict[str, Any]:
    decision = interrupt({"draft": state["draft"]})
    return {"decision": decision, "log": ["decided"]}


def send(state: Outreach) -> dict[str, Any]:
    return {"log": [f"sent:{state['decision']}"]}


def outreach_graph(checkpointer: BaseCheckpointSaver[Any]) -> CompiledStateGraph[Any]:
    # The draft is written in a subgraph, so checkpoints land in two namespaces.
    drafting = StateGraph(Outreach)
    drafting.add_node("write_draft", write_draft)
    drafting.add_edge(START, "write_draft")
    drafting.add_edge("write_draft", END)
    graph = StateGraph(Outreach)
    graph.add_node("drafting", drafting.compile())
    graph.add_node("approval", ask_for_approval)
    graph.add_node("send", send)
    graph.add_edge(START, "drafting")
    graph.add_edge("drafting", "approval")
    graph.add_edge("approval", "send")
    graph.add_edge("send", END)
    return graph.compile(checkpointer=checkpointer)


def thread_config(thread_id: str) -> Any:
    return {"configurable": {"thread_id": thread_id}}


def stored_values(client: redis.Redis, saver: RedisCheckpointSaver, thread_id: str) -> int:
    names = cast(list[bytes], client.hkeys(saver.keys.thread(thread_id).data))
    return sum(saver.keys.is_value_field(name.decode()) for name in names)


# The official conformance suite


def run_conformance(kind: str, redis_url: str, prefix: str) -> CapabilityReport:
    suites = iter(range(100))

    async def sync_saver() -> AsyncIterator[BaseCheckpointSaver[Any]]:
        client = redis.Redis.from_url(redis_url)
        yield RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=f"{prefix}{next(suites)}:")
        client.close()

    async def async_saver() -> AsyncIterator[BaseCheckpointSaver[Any]]:
        client = redis.asyncio.Redis.from_url(redis_url)
        yield AsyncRedisCheckpointSaver(
            client, ttl_seconds=TTL, prefix=f"{prefix}{next(suites)}:", compress=True
        )
        await client.aclose()

    factory = sync_saver if kind == "sync" else async_saver
    registered = checkpointer_test(name=f"{kind} Redis saver")(factory)
    return asyncio.run(validate(registered))


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_official_conformance_suite_passes_every_capability(kind, redis_url, prefix):
    # Given the saver on a real Redis, fresh for each capability suite
    # When the official langgraph-checkpoint-conformance suite runs against it
    report = run_conformance(kind, redis_url, prefix)

    # Then every capability, base and extended, is implemented and passes
    report.print_report()
    failures = [f for result in report.results.values() for f in result.failures]
    assert not failures
    assert {name for name, r in report.results.items() if r.detected and r.passed} == {
        capability.value for capability in ALL_CAPABILITIES
    }
    assert all(r.tests_passed > 0 for r in report.results.values())
    assert report.conformance_level() == "FULL"


# Interrupts across worker restarts


def test_an_interrupted_graph_resumes_on_another_worker(redis_url, prefix):
    # Given a graph paused for approval by one worker, whose process then goes away
    first_client = redis.Redis.from_url(redis_url)
    first = outreach_graph(RedisCheckpointSaver(first_client, ttl_seconds=TTL, prefix=prefix))
    paused = first.invoke({"lead": "Acme Solar", "log": []}, thread_config("lead-1"))
    first_client.close()

    # When another worker, with its own client and saver, picks the thread up and resumes it
    second_client = redis.Redis.from_url(redis_url)
    second = outreach_graph(RedisCheckpointSaver(second_client, ttl_seconds=TTL, prefix=prefix))
    waiting = second.get_state(thread_config("lead-1"))
    finished = second.invoke(Command(resume="approved"), thread_config("lead-1"))

    # Then it saw the same pause and finished from it, without drafting again
    assert paused["__interrupt__"][0].value == {"draft": "Hello Acme Solar"}
    assert waiting.next == ("approval",)
    assert finished["log"] == ["drafted", "decided", "sent:approved"]
    assert second.get_state(thread_config("lead-1")).next == ()
    second_client.close()


def test_a_thread_paused_by_async_code_resumes_in_sync_code(redis_url, prefix):
    # Given the API (async) paused a graph for approval
    async def pause() -> Any:
        client = redis.asyncio.Redis.from_url(redis_url)
        saver = AsyncRedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix, compress="zstd")
        paused = await outreach_graph(saver).ainvoke(
            {"lead": "Beta Electric", "log": []}, thread_config("lead-2")
        )
        await client.aclose()
        return paused

    paused = asyncio.run(pause())

    # When a sync worker, without compression configured, resumes it
    client = redis.Redis.from_url(redis_url)
    finished = outreach_graph(RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix)).invoke(
        Command(resume="rejected"), thread_config("lead-2")
    )
    client.close()

    # Then both ends read the same thread
    assert paused["__interrupt__"][0].value == {"draft": "Hello Beta Electric"}
    assert finished["log"] == ["drafted", "decided", "sent:rejected"]


def test_a_graph_run_neither_scans_nor_writes_outside_transactions(redis_url, prefix):
    # Given a saver whose client notes every command it sends
    client = RecordingRedis(connection_pool=redis.ConnectionPool.from_url(redis_url))
    graph = outreach_graph(RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix))

    # When a graph runs to its interrupt, is inspected and resumed
    graph.invoke({"lead": "Gamma HVAC", "log": []}, thread_config("lead-3"))
    graph.get_state(thread_config("lead-3"))
    list(graph.get_state_history(thread_config("lead-3")))
    graph.invoke(Command(resume="approved"), thread_config("lead-3"))

    # Then no command walked the keyspace, and every write went through MULTI/EXEC
    names = {name for name, _ in client.sent}
    writes = [(name, atomic) for name, atomic in client.sent if name in WRITE_COMMANDS]
    assert {"ZRANGE", "HSET", "EXPIRE"} <= names
    assert not {"KEYS", "SCAN"} & names
    assert writes
    assert all(atomic for _, atomic in writes)
    client.close()


# Expiry


def test_every_key_of_a_thread_expires_after_its_last_write(redis_url, prefix):
    client = redis.Redis.from_url(redis_url)
    saver = RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix)
    graph = outreach_graph(saver)

    # Given a thread waiting for a person's answer
    graph.invoke({"lead": "Delta Roofing", "log": []}, thread_config("lead-4"))
    keys = saver.keys.thread("lead-4").all
    fresh = {key: client.ttl(key) for key in keys}

    # ... whose clock has nearly run out
    for key in keys:
        client.expire(key, 5)

    # When the answer arrives and the graph writes again
    graph.invoke(Command(resume="approved"), thread_config("lead-4"))

    # Then both keys of the thread had the TTL, and both got it back
    assert client.exists(*keys) == 2
    assert all(TTL - 10 < ttl <= TTL for ttl in fresh.values())
    assert all(TTL - 10 < client.ttl(key) <= TTL for key in keys)
    client.close()


def test_without_a_ttl_a_thread_is_kept_until_deleted(redis_url, prefix):
    client = redis.Redis.from_url(redis_url)
    saver = RedisCheckpointSaver(client, ttl_seconds=None, prefix=prefix)
    graph = outreach_graph(saver)

    graph.invoke({"lead": "Echo Plumbing", "log": []}, thread_config("lead-5"))
    keys = saver.keys.thread("lead-5").all
    kept = {client.ttl(key) for key in keys}
    saver.delete_thread("lead-5")

    assert kept == {-1}
    assert client.exists(*keys) == 0
    assert graph.get_state(thread_config("lead-5")).values == {}
    client.close()


# Storage


def test_compression_stores_a_large_state_in_less_memory(redis_url, prefix):
    client = redis.Redis.from_url(redis_url)
    notes = "Elite Generac dealer; residential and light commercial installs. " * 200
    usage: dict[bool, int] = {}
    for compress in (False, True):
        # Given the same large lead state written with and without compression
        saver = RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix, compress=compress)
        outreach_graph(saver).invoke({"lead": notes, "log": []}, thread_config(f"big-{compress}"))
        # SAMPLES 0: measure every field of the hash (the default estimates from five).
        used = client.memory_usage(saver.keys.thread(f"big-{compress}").data, samples=0)
        assert used is not None
        usage[compress] = used

    # When a saver without compression reads the compressed thread
    plain = RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix)
    state = outreach_graph(plain).get_state(thread_config("big-True"))

    # Then the compressed values take a fraction of the memory and read back whole
    assert usage[True] * 4 < usage[False]
    assert state.values["lead"] == notes
    client.close()


def test_prune_keeps_the_latest_state_and_frees_older_values(redis_url, prefix):
    client = redis.Redis.from_url(redis_url)
    saver = RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix)
    graph = outreach_graph(saver)
    config = thread_config("lead-6")

    # Given a finished thread with its history
    graph.invoke({"lead": "Foxtrot Solar", "log": []}, config)
    graph.invoke(Command(resume="approved"), config)
    before = graph.get_state(config).values
    history = len(list(graph.get_state_history(config)))
    values_before = stored_values(client, saver, "lead-6")

    # When it is pruned to its latest checkpoint
    saver.prune(["lead-6"])

    # Then the state reads the same, with one checkpoint per namespace and fewer values
    assert graph.get_state(config).values == before
    assert len(list(graph.get_state_history(config))) == 1 < history
    assert stored_values(client, saver, "lead-6") < values_before
    client.close()


def test_a_checkpoint_written_while_pruning_is_kept(redis_url, prefix, monkeypatch):
    client = redis.Redis.from_url(redis_url)
    saver = RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix)
    other_worker = RedisCheckpointSaver(redis.Redis.from_url(redis_url), prefix=prefix)
    graph = outreach_graph(saver)
    config = thread_config("lead-7")
    graph.invoke({"lead": "Golf Electric", "log": []}, config)

    # Given another worker finishes the thread just after prune has read it
    choose = operations._all_but_latest
    attempts: list[int] = []

    def finish_meanwhile(snapshot: Any) -> set[Any]:
        attempts.append(len(snapshot.refs))
        if len(attempts) == 1:
            outreach_graph(other_worker).invoke(Command(resume="approved"), config)
        return choose(snapshot)

    monkeypatch.setattr(operations, "_all_but_latest", finish_meanwhile)

    # When prune runs
    saver.prune(["lead-7"])

    # Then it started over on the changed thread and kept the finished state
    assert attempts[1] > attempts[0]
    assert graph.get_state(config).values["log"] == ["drafted", "decided", "sent:approved"]
    client.close()
    other_worker.client.close()


class Ledger(TypedDict):
    entries: Annotated[
        list[int],
        DeltaChannel(lambda state, batches: state + [x for b in batches for x in b],
                     snapshot_frequency=3),
    ]


def append_entry(state: Ledger) -> dict[str, Any]:
    return {"entries": [len(state["entries"])]}


def test_prune_keeps_the_history_a_delta_channel_replays(redis_url, prefix):
    client = redis.Redis.from_url(redis_url)
    saver = RedisCheckpointSaver(client, ttl_seconds=TTL, prefix=prefix)
    builder = StateGraph(Ledger)
    builder.add_node("append_entry", append_entry)
    builder.add_edge(START, "append_entry")
    builder.add_edge("append_entry", END)
    graph = builder.compile(checkpointer=saver)
    config = thread_config("ledger")

    # Given a delta channel whose latest value is rebuilt from earlier checkpoints' writes
    for _ in range(5):
        graph.invoke({"entries": []}, config)

    # When the thread is pruned to its latest checkpoint
    saver.prune(["ledger"])
    graph.invoke({"entries": []}, config)

    # Then the ancestors it replays were kept, and its value survives
    assert graph.get_state(config).values == {"entries": [0, 1, 2, 3, 4, 5]}
    client.close()
