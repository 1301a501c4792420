"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error answer has ``type``, ``title``, ``status`` and ``detail``, plus ``field`` and
``rule`` (the library error's, so that the client raises the same error), and for invalid
input ``invalid-params``: one ``{name, reason, rule}`` per problem found. Nothing in a problem
ever repeats a value of the request: the library's error messages never hold one, and the
fixed texts below hold none either. There is no ``instance`` member, since a path can hold an
id of another organisation's object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from verwijsindex_core.errors import (
    BackendUnavailable,
    NotPermitted,
    OprfError,
    StoreError,
    UnknownRecord,
    ValidationError,
    VerwijsindexError,
)

__all__: list[str] = []

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
TYPE_PREFIX: Final = "urn:verwijsindex-core:problem:"
"""``type`` is this prefix and the kebab-case name of the library error (``invalid-bsn``,
``unknown-record``, ``not-permitted`` for 401 and 403, ...) or of an HTTP-level problem
(``rate-limited``, ``body-too-large``, ``unsupported-media-type``, ``not-found``,
``method-not-allowed``, ``internal-error``)."""

TITLES: Final[Mapping[int, str]] = {
    400: "Invalid input",
    401: "Not authenticated",
    403: "Not permitted",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}

_REASONS: Final[Mapping[str, str]] = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this request",
    "string_type": "must be a string",
    "string_pattern_mismatch": "does not have the required form",
    "string_too_short": "is too short",
    "string_too_long": "is too long",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "too_long": "has too many items",
    "enum": "must be one of the allowed values",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "is not a valid date",
    "type": "has the wrong type",
}


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_type(name: str) -> str:
    """The ``type`` URI of a problem named in kebab case (or a library error class name)."""
    return TYPE_PREFIX + (_kebab(name) if name[:1].isupper() else name)


def reason_for(rule: str) -> str:
    """A fixed sentence for a rule (never a value)."""
    return _REASONS.get(rule, f"does not meet the rule '{rule}'")


class Problem(Exception):
    """An HTTP problem raised by the server itself (not by the library)."""

    def __init__(
        self,
        status: int,
        name: str,
        detail: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.name = name
        self.detail = detail
        self.field = field
        self.rule = rule
        self.headers = dict(headers or {})

    def body(self, extra: Mapping[str, Any] | None = None) -> bytes:
        doc: dict[str, Any] = {
            "type": problem_type(self.name),
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if self.field is not None:
            doc["field"] = self.field
        if self.rule is not None:
            doc["rule"] = self.rule
        if extra:
            doc.update(extra)
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _status(exc: VerwijsindexError) -> int:
    if isinstance(exc, NotPermitted):
        return 401 if (exc.field, exc.rule) == ("authorization", "credential") else 403
    if isinstance(exc, UnknownRecord):
        return 404
    if isinstance(exc, (StoreError, BackendUnavailable)):
        return 503
    if isinstance(exc, (ValidationError, OprfError)):
        return 400
    return 500


def problem_for_error(
    exc: VerwijsindexError, rename: Callable[[str], str] = lambda name: name
) -> tuple[int, bytes, dict[str, str]]:
    """``(status, body, headers)`` of a library error; ``rename`` maps the library's field
    names to the request's (``subject`` -> ``bsn``)."""
    status = _status(exc)
    field = rename(exc.field)
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationError):
        one = len(exc.errors) == 1
        extra["invalid-params"] = [
            {
                "name": rename(e["field"]),
                "reason": exc.explanation if one else reason_for(e["rule"]),
                "rule": e["rule"],
            }
            for e in exc.errors
        ]
    elif status == 400:
        extra["invalid-params"] = [{"name": field, "reason": exc.explanation, "rule": exc.rule}]
    if status >= 500 and not isinstance(exc, (StoreError, BackendUnavailable)):
        detail = "the server could not answer this request"
    elif isinstance(exc, StoreError):  # its explanation names the database: not the client's
        detail = f"{field}: the database is busy or unavailable; try again"
    elif isinstance(exc, ValidationError) and len(exc.errors) > 1:
        detail = f"{len(exc.errors)} problems in the request; see invalid-params"
    else:
        detail = f"{field}: {exc.explanation}"
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if status == 503:
        headers["Retry-After"] = "1"
    problem = Problem(status, type(exc).__name__, detail, field=field, rule=exc.rule)
    return status, problem.body(extra), headers
