"""Large request bodies against the API served by uvicorn in a process of its own: the
server's peak memory (VmHWM), the bytes it wrote (wchar, spooled uploads included) and the
answer, for each kind of body.

Run: `python -m bench.body_limits` (300 MB bodies against the default 50 MB limit; see
--help). Each case gets a fresh server, so one case's peak does not hide the next's.
`--code-dir` serves another copy of the project (e.g. an export of an older commit), to
compare before and after. Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.servers import bench_servers
from settings import PROJECT_ROOT

HOST = "127.0.0.1"
MB = 1024 * 1024
CHUNK = 256 * 1024
KEY = "bench-body-limits-key"


def proc_figure(pid: int, name: str, field: str) -> int:
    for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def filler(size: int, piece: bytes) -> Iterator[bytes]:
    chunk = piece * (CHUNK // len(piece))
    sent = 0
    while sent < size:
        yield chunk
        sent += len(chunk)


def multipart_body(size: int, boundary: str, filename: str) -> Iterator[bytes]:
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    yield b"company_name,website\r\n"
    yield from filler(size, b"Acme Heating,acme.example\r\n")
    yield f"\r\n--{boundary}--\r\n".encode()


def json_body(size: int) -> Iterator[bytes]:
    yield b'{"leads": [{"company_name": "Acme", "website": "acme.example", "notes": "'
    yield from filler(size, b"n")
    yield b'"}], "options": {"dry_run": true}}'


def body_length(body: Callable[[], Iterator[bytes]]) -> int:
    return sum(len(part) for part in body())


def cases(size: int) -> list[tuple[str, str, dict[str, str], Callable[[], Iterator[bytes]]]]:
    boundary = uuid.uuid4().hex
    form = f"multipart/form-data; boundary={boundary}"
    conversation = uuid.uuid4()
    return [
        ("multipart CSV upload", "/api/batches", {"X-API-Key": KEY, "content-type": form},
         lambda: multipart_body(size, boundary, "leads.csv")),
        ("JSON batch", "/api/batches", {"X-API-Key": KEY, "content-type": "application/json"},
         lambda: json_body(size)),
        ("audio turn, no key", f"/api/conversations/{conversation}/audio",
         {"content-type": form}, lambda: multipart_body(size, boundary, "turn.wav")),
    ]


def start_api(code_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SALES_AGENT_API_KEY": KEY,
           "SALES_AGENT_TRUSTED_HOSTS": json.dumps([HOST, "localhost"])}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--host", HOST,
         "--port", str(port), "--log-level", "warning"],
        cwd=code_dir, env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            # Any answer will do: older copies have no /health/live.
            httpx.get(f"http://{HOST}:{port}/docs", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the API did not start")


def run_case(code_dir: Path, port: int, path: str, headers: dict[str, str],
             body: Callable[[], Iterator[bytes]], chunked: bool, timeout: float,
             ) -> dict[str, Any]:
    process = start_api(code_dir, port)
    url = f"http://{HOST}:{port}"
    try:
        # Warm-up: first-request imports and pools are not the body's doing.
        httpx.post(f"{url}/api/batches", json={"leads": []}, headers={"X-API-Key": KEY})
        rss_before = proc_figure(process.pid, "status", "VmRSS")
        written_before = proc_figure(process.pid, "io", "wchar")
        send_headers = dict(headers)
        if not chunked:
            send_headers["content-length"] = str(body_length(body))
        started = time.perf_counter()
        try:
            response = httpx.post(f"{url}{path}", content=body(), headers=send_headers,
                                  timeout=timeout)
            answer: Any = response.status_code
            detail = response.text[:120]
        except httpx.HTTPError as exc:
            answer, detail = type(exc).__name__, str(exc)[:120]
        seconds = time.perf_counter() - started
        return {
            "status": answer,
            "detail": detail,
            "seconds": round(seconds, 2),
            "rss_before_mb": round(rss_before / 1024, 1),
            "peak_rss_mb": round(proc_figure(process.pid, "status", "VmHWM") / 1024, 1),
            "written_mb": round(
                (proc_figure(process.pid, "io", "wchar") - written_before) / MB, 1),
        }
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # a request still ingesting holds the shutdown
            process.kill()
            process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=300, help="size of each body (MB)")
    parser.add_argument("--code-dir", type=Path, default=PROJECT_ROOT,
                        help="the project copy to serve (default: this one)")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds to wait for an answer (a server without limits may "
                        "go on ingesting millions of rows); the peak so far is reported")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    with bench_servers(redis_db=13):
        for name, path, headers, body in cases(args.mb * MB):
            if args.only not in name:
                continue
            for chunked in (False, True):
                result = run_case(args.code_dir.resolve(), args.port, path, headers, body,
                                  chunked, args.timeout)
                sending = "chunked" if chunked else "Content-Length"
                print(json.dumps({"case": f"{name}, {sending}", **result}), flush=True)


if __name__ == "__main__":
    main()
