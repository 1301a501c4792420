"""The reference server over HTTP: registerSignal and listMatches with one uvicorn worker,
beside a bare FastAPI route that returns a constant, measured in the same run.

    python benchmarks/bench_server.py [--seconds 10] [--requests 50000] [--connections 8]

Each case runs a fresh server process (``verwijsindex serve``, one worker, SQLite file,
access log to a file, as deployed) or the bare app (same uvicorn options), on 127.0.0.1. The
load comes from a separate process: ``--connections`` keep-alive HTTP/1.1 connections, each
sending its next request as soon as the answer arrived, for ``--seconds`` or ``--requests``
requests in all, whichever comes first (after a short warm-up). Every register request is a
new signal (a fresh subject for most, some sharing subjects so that matches are made);
listMatches asks for an organisation with 10 matches. Goal (issue 11, design §6): register
>= 1,000 requests/s with p99 < 20 ms, and >= 0.25 x the bare route's requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from verwijsindex_core import KeyRing
from verwijsindex_core._credentials import Credentials
from verwijsindex_core.matching import Domain, Organisation
from verwijsindex_core.pseudonym import random_bsn
from verwijsindex_core.store import SQLiteStore

SCRIPT = Path(sys.executable).parent / "verwijsindex"
WARMUP_SECONDS = 1.0
PROFESSIONAL = {
    "id": "p-1",
    "name": "Anna de Vries",
    "function": "Jeugdverpleegkundige",
    "phone": "070-1234567",
    "email": "anna@example.org",
}


# --- the bare baseline app -----------------------------------------------------------------------


def bare_app() -> Any:
    from fastapi import FastAPI
    from starlette.responses import Response

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/v1/constant")
    async def constant() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return app


def serve_bare() -> None:
    """``--bare``: serve the bare app like ``verwijsindex serve`` serves the real one."""
    import uvicorn

    from verwijsindex_core.server._run import bind

    sock = bind("127.0.0.1", 0)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}/v1", file=sys.stderr, flush=True)
    uvicorn.run(
        bare_app(), fd=sock.fileno(), access_log=False, server_header=False, log_level="warning"
    )


# --- servers -------------------------------------------------------------------------------------


def start(args: list[str], directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    stderr = directory / f"stderr-{len(list(directory.iterdir()))}.txt"
    with stderr.open("wb") as err:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)/v1", stderr.read_text())
        if found:
            return process, int(found.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"bench_server: a server did not start: {stderr.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def provision(db: Path, organisations: list[Organisation]) -> dict[str, str]:
    with SQLiteStore(db) as store:
        credentials = Credentials(store)
        tokens = {}
        for org in organisations:
            credentials.add_organisation(org)
            tokens[org.id] = credentials.issue(org.id).token
    return tokens


# --- requests ------------------------------------------------------------------------------------


def http_request(method: str, path: str, token: str | None, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _born(bsn: str) -> str:
    """One date of birth per subject (ages 3 to 20), derived from its number."""
    n = int(bsn)
    return f"{2006 + n % 18}-{1 + n % 12:02d}-{1 + n % 28:02d}"


def register_requests(
    count: int, callers: list[tuple[Organisation, str]], seed: int, *, shared: float = 0.1
) -> list[bytes]:
    """``count`` registrations by ``callers`` (organisation, token) in turn: a fresh subject
    each, or (with probability ``shared``) one of a pool of 200 that others register too."""
    rng = random.Random(seed)
    pool = [random_bsn(rng).digits for _ in range(200)]
    made = []
    for i in range(count):
        org, token = callers[i % len(callers)]
        subject = rng.choice(pool) if rng.random() < shared else random_bsn(rng).digits
        body = {
            "bsn": subject,
            "date_of_birth": _born(subject),
            "professional": {**PROFESSIONAL, "id": f"p-{rng.randrange(50)}"},
            "municipality": org.municipality,
        }
        made.append(http_request("POST", "/v1/signals", token, json.dumps(body).encode()))
    return made


# --- the load (a separate process) ---------------------------------------------------------------


async def _connection(
    port: int, requests: list[bytes], deadline: float, budget: list[int], out: list[float]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            request = requests[i % len(requests)]
            i += 1
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            status = int(head[9:12])
            if status >= 400:
                raise RuntimeError(f"HTTP {status}: {head.decode(errors='replace')[:200]}")
            out.append(time.perf_counter() - start)
    finally:
        writer.close()


async def _load(
    port: int, streams: list[list[bytes]], seconds: float, count: int
) -> dict[str, Any]:
    warm: list[float] = []
    warm_budget = [max(50, count // 20)]
    await asyncio.gather(
        *(
            _connection(port, s, time.perf_counter() + WARMUP_SECONDS, warm_budget, warm)
            for s in streams
        )
    )
    latencies: list[float] = []
    budget = [count]
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _connection(port, s[len(s) // 10 :] or s, start + seconds, budget, latencies)
            for s in streams
        )
    )
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def _load_process(
    port: int, streams: list[list[bytes]], seconds: float, count: int, conn: Any
) -> None:
    conn.send(asyncio.run(_load(port, streams, seconds, count)))


def load(port: int, streams: list[list[bytes]], seconds: float, count: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_load_process, args=(port, streams, seconds, count, child))
    process.start()
    result: dict[str, Any] = parent.recv()
    process.join(timeout=60)
    return result


# --- the cases -----------------------------------------------------------------------------------


def run(seconds: float, count: int, connections: int) -> list[tuple[str, dict[str, Any]]]:
    directory = Path(tempfile.mkdtemp(prefix="bench-server-"))
    try:
        return _cases(directory, seconds, count, connections)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _cases(
    directory: Path, seconds: float, count: int, connections: int
) -> list[tuple[str, dict[str, Any]]]:
    results = []
    bare, port = start([sys.executable, __file__, "--bare"], directory)
    try:
        streams = [[http_request("GET", "/v1/constant", None)] for _ in range(connections)]
        results.append(("bare FastAPI route (constant)", load(port, streams, seconds, count)))
    finally:
        stop(bare)

    organisations = [
        Organisation(
            id=f"bench-{i}",
            name=f"Organisatie {i}",
            domain=list(Domain)[i % 7],
            municipality="GM0518",
        )
        for i in range(10)
    ]
    db = directory / "index.db"
    tokens = provision(db, organisations)
    callers = [(org, tokens[org.id]) for org in organisations]
    KeyRing.generate().save(directory / "keys.json")
    server, port = start(
        [str(SCRIPT), "serve", "--db", str(db), "--keys", str(directory / "keys.json"),
         "--port", "0", "--access-log", str(directory / "access.log")],
        directory,
    )  # fmt: skip
    try:
        # listMatches: organisation 8 and 9 register the same 10 subjects first.
        lister, other = callers[8], callers[9]
        setup = register_requests(10, [lister], seed=99, shared=0)
        _send_all(port, setup + [r.replace(lister[1].encode(), other[1].encode()) for r in setup])
        per_stream = int(count * 1.2) // connections + 200
        bodies = register_requests(per_stream * connections, callers[:8], seed=11)
        streams = [bodies[i::connections] for i in range(connections)]
        results.append(("registerSignal", load(port, streams, seconds, count)))
        matches = [http_request("GET", "/v1/matches", lister[1])]
        results.append(
            ("listMatches (10 matches)", load(port, [matches] * connections, seconds, count))
        )
    finally:
        stop(server)
    return results


def _send_all(port: int, requests: list[bytes]) -> None:
    async def send() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in requests:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
        writer.close()

    asyncio.run(send())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per case (default 10)")
    parser.add_argument("--requests", type=int, default=50_000, help="per case at most")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        serve_bare()
        return
    if not (
        0 < args.seconds <= 600 and 0 < args.requests <= 10_000_000 and 0 < args.connections <= 256
    ):
        parser.error("--seconds 0-600, --requests 1-10000000, --connections 1-256")
    print(
        f"bench_server: one uvicorn worker, {args.connections} keep-alive connections from a "
        f"separate process, {args.seconds:g} s or {args.requests:,} requests per case "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)"
    )
    results = run(args.seconds, args.requests, args.connections)
    bare = results[0][1]["rps"]
    print(f"{'case':<32}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}")
    for name, r in results:
        print(
            f"{name:<32}{r['requests']:>10,}{r['rps']:>10,.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
            f"{r['rps'] / bare:>8.2f}x"
        )
    register = results[1][1]
    print(
        "goal: registerSignal >= 1,000 req/s, p99 < 20 ms, >= 0.25 x bare: "
        + (
            "met"
            if register["rps"] >= 1000 and register["p99"] < 20 and register["rps"] >= 0.25 * bare
            else "not met"
        )
    )


if __name__ == "__main__":
    main()
