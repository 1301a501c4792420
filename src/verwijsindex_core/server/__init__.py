"""The reference server: the :class:`~verwijsindex_core.Verwijsindex` facade over HTTP.

Extra ``[server]`` (FastAPI and uvicorn). Routes under ``/v1`` call the public facade only,
one method each, with the organisation of the bearer token; ``docs/server.md`` lists them,
with the errors (RFC 9457 problem details), the access log and the security checklist.

- :class:`ServerSettings`: the settings (arguments, environment or a JSON file).
- :func:`create_app`: the FastAPI application (one worker's).
- :func:`run`: bind and serve with uvicorn (``verwijsindex serve``).
"""

try:
    import fastapi  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError(
        "the reference server needs its extra: pip install 'verwijsindex-core[server]'"
    ) from exc

from verwijsindex_core.server._app import create_app
from verwijsindex_core.server._routes import API_VERSION
from verwijsindex_core.server._run import app_from_environment, run
from verwijsindex_core.server._settings import ENV_PREFIX, SETTINGS_ENV, ServerSettings

__all__ = [
    "API_VERSION",
    "ENV_PREFIX",
    "SETTINGS_ENV",
    "ServerSettings",
    "app_from_environment",
    "create_app",
    "run",
]
