"""Run the server with uvicorn: one worker in this process, or several sharing one socket."""

from __future__ import annotations

import os
import socket
import sys
from typing import TextIO

import uvicorn
from fastapi import FastAPI

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.server._app import create_app
from verwijsindex_core.server._service import Service
from verwijsindex_core.server._settings import SETTINGS_ENV, ServerSettings

__all__ = ["app_from_environment", "run"]


def app_from_environment() -> FastAPI:
    """The application of a worker process (settings from :data:`SETTINGS_ENV`)."""
    return create_app(ServerSettings.from_env())


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0: any free port), inheritable."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # uvicorn takes a socket passed by fd for a Unix one and so leaves Nagle's algorithm
        # on for each connection; on Linux accepted sockets inherit this from the listener.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
    except OSError as exc:
        raise ValidationError("host", "bind", f"cannot listen on {host}:{port} ({exc})") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(settings: ServerSettings, *, announce: TextIO | None = sys.stderr) -> None:
    """Check the settings (keys, database, signing key), bind, and serve until interrupted.

    Startup problems raise before anything listens, with the field and rule of the setting.
    ``announce`` gets one line with the address actually bound (``port`` 0 picks a free one).
    """
    if not isinstance(settings, ServerSettings):
        raise ValidationError("settings", "type", "must be ServerSettings")
    Service(settings).close()  # refuse to start on a bad key, database or signing key
    sock = bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    scheme = "https" if settings.tls_certfile else "http"
    if announce is not None:
        shown = f"[{host}]" if ":" in host else host
        print(
            f"verwijsindex serve: {settings.mode} mode, {settings.workers} worker(s), "
            f"listening on {scheme}://{shown}:{port}/v1",
            file=announce,
            flush=True,
        )
    options: dict[str, object] = {
        "fd": sock.fileno(),
        "access_log": False,  # our own JSON access log has the route template, not the path
        "server_header": False,  # /core/hide-implementation
        "log_level": "warning",
        "timeout_graceful_shutdown": 5,
        "proxy_headers": settings.tls_terminated_upstream,
        "ssl_certfile": settings.tls_certfile,
        "ssl_keyfile": settings.tls_keyfile,
    }
    try:
        if settings.workers == 1:
            uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        else:
            os.environ[SETTINGS_ENV] = settings.model_dump_json()
            uvicorn.run(
                "verwijsindex_core.server:app_from_environment",
                factory=True,
                workers=settings.workers,
                **options,  # type: ignore[arg-type]
            )
    finally:
        sock.close()
