"""What every HTTP exchange passes through, around the routes (one pure ASGI middleware).

- ``API-Version`` on every response, errors included (NL API Design Rules
  ``/core/version-header``);
- the request body limit: a larger ``Content-Length`` or stream gets 413 before any route
  reads it;
- a last resort: an exception that escaped the routes becomes a 500 problem without a
  stack trace, and the log names only its type;
- one JSON access-log line per request: time, method, the route *template*
  (``/v1/signals/{signal_id}``, never the raw path), status, duration and the caller's
  organisation (from the credential). Never a body, a header, a token, a BSN or a pseudonym.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from verwijsindex_core.server._problems import PROBLEM_MEDIA_TYPE, Problem

__all__: list[str] = []

ORGANISATION_KEY: Final = "verwijsindex.organisation"
"""Where the routes leave the caller's organisation id in ``scope["state"]`` for the log."""


class _BodyTooLarge(Exception):
    pass


class AccessLog:
    """JSON lines to a file (appended, one ``write`` per line) or to standard error."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._own = path is not None
        self._stream: IO[str] = (
            path.open("a", encoding="utf-8", buffering=1) if path is not None else sys.stderr
        )

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._stream.write(line)
            self._stream.flush()

    def close(self) -> None:
        if self._own:
            self._stream.close()


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "(no route)"


class Edge:
    """The middleware; ``log`` may be None (no access log)."""

    def __init__(
        self, app: ASGIApp, *, api_version: str, max_body_bytes: int, log: AccessLog | None
    ) -> None:
        self.app = app
        self._version = (b"api-version", api_version.encode("ascii"))
        self._max = max_body_bytes
        self._log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        at = datetime.now(UTC)
        sent = {"status": 0}
        version = self._version

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), version]}
            await send(message)

        error = ""
        try:
            declared = self._declared_length(scope)
            if declared is not None and declared > self._max:
                raise _BodyTooLarge
            await self.app(scope, self._limited(receive), send_with_version)
        except _BodyTooLarge:
            if not sent["status"]:
                await self._problem(send_with_version, _too_large(self._max))
        except Problem as problem:
            if not sent["status"]:
                await self._problem(send_with_version, problem)
        except Exception as exc:  # the last resort: no stack trace to the client or the log
            error = type(exc).__name__
            if not sent["status"]:
                await self._problem(
                    send_with_version,
                    Problem(500, "internal-error", "the server could not answer this request"),
                )
        finally:
            if self._log is not None:
                state = scope.get("state")
                record: dict[str, Any] = {
                    "time": at.isoformat(timespec="milliseconds"),
                    "method": scope.get("method", ""),
                    "route": _route_template(scope),
                    "status": sent["status"] or 500,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                    "organisation": state.get(ORGANISATION_KEY)
                    if isinstance(state, dict)
                    else None,
                }
                if error:
                    record["error"] = error
                self._log.write(record)

    @staticmethod
    def _declared_length(scope: Scope) -> int | None:
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                if not value.isdigit() or len(value) > 18:
                    raise Problem(
                        400,
                        "validation-error",
                        "content-length: is not a number",
                        field="content-length",
                        rule="header",
                    )
                return int(value)
        return None

    def _limited(self, receive: Receive) -> Receive:
        limit = self._max
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        return limited

    @staticmethod
    async def _problem(send: Send, problem: Problem) -> None:
        body = problem.body()
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        headers += [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
        if problem.status == 413:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": problem.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> Problem:
    return Problem(
        413,
        "body-too-large",
        f"body: the request body exceeds {limit} bytes",
        field="body",
        rule="body-size",
    )
