"""``create_app(settings)``: the FastAPI application of one worker.

The worker's :class:`~verwijsindex_core.server._service.Service` (facade, store connection,
keys) is made when the application starts, on its event-loop thread, and closed when it
stops. Errors become problem details here: the library's by their class, FastAPI's parameter
errors as 400 with every parameter named, unknown routes as 404, wrong methods as 405.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from verwijsindex_core.errors import ValidationError, VerwijsindexError
from verwijsindex_core.server._bodies import named_for_request
from verwijsindex_core.server._edge import AccessLog, Edge
from verwijsindex_core.server._openapi import openapi_document
from verwijsindex_core.server._problems import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    problem_for_error,
    reason_for,
)
from verwijsindex_core.server._routes import API_VERSION, router
from verwijsindex_core.server._service import Service
from verwijsindex_core.server._settings import ServerSettings

__all__ = ["create_app"]


# FastAPI's own OpenTelemetry (newer releases) would record raw paths and query strings
# once a provider is configured; this server logs route templates only (docs/server.md).
_NO_TELEMETRY: Final[dict[str, Any]] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters
    else {}
)


def _problem_response(status: int, body: bytes, headers: dict[str, str]) -> Response:
    return Response(body, status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


async def _library_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VerwijsindexError)
    service = getattr(request.app.state, "service", None)
    if service is None or named_for_request(exc):
        return _problem_response(*problem_for_error(exc))
    return _problem_response(*problem_for_error(exc, service.subjects.rename))


async def _server_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return _problem_response(exc.status, exc.body(), exc.headers)


async def _parameter_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    every = [
        {"field": str(e["loc"][-1]) if e.get("loc") else "parameter", "rule": str(e["type"])}
        for e in exc.errors()
    ] or [{"field": "parameter", "rule": "invalid"}]
    error = ValidationError(
        every[0]["field"], every[0]["rule"], reason_for(every[0]["rule"]), errors=every
    )
    return _problem_response(*problem_for_error(error))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        problem = Problem(
            405,
            "method-not-allowed",
            "method: not allowed on this route",
            field="method",
            rule="method",
            headers=dict(exc.headers or {}),
        )
    elif exc.status_code == 404:
        problem = Problem(
            404, "not-found", "route: no such route", field="route", rule="unknown-route"
        )
    else:
        problem = Problem(exc.status_code, "http-error", "the request cannot be served")
    return _problem_response(problem.status, problem.body(), problem.headers)


def create_app(settings: ServerSettings) -> FastAPI:
    """The application for ``settings`` (its store is opened when the application starts:
    run it with uvicorn, or ``verwijsindex serve``)."""
    if not isinstance(settings, ServerSettings):
        raise ValidationError("settings", "type", "must be ServerSettings")
    log = AccessLog(settings.access_log)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = Service(settings)
        try:
            yield
        finally:
            app.state.service.close()
            log.close()

    app = FastAPI(
        title="verwijsindex-core reference server",
        version=API_VERSION,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
        **_NO_TELEMETRY,
    )
    app.include_router(router)
    document: dict[str, Any] = {}

    @app.get("/v1/openapi.json", include_in_schema=False)
    async def openapi() -> Response:
        if not document:
            document.update(
                openapi_document(
                    app,
                    version=API_VERSION,
                    mode=settings.mode,
                    max_batch=settings.oprf_max_batch,
                )
            )
        return Response(
            json.dumps(document),
            media_type="application/json",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    app.add_exception_handler(VerwijsindexError, _library_error)
    app.add_exception_handler(Problem, _server_problem)
    app.add_exception_handler(RequestValidationError, _parameter_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(
        Edge, api_version=API_VERSION, max_body_bytes=settings.max_body_bytes, log=log
    )
    return app
