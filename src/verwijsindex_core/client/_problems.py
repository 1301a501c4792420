"""Problem details (RFC 9457) back into the library's errors, field and rule preserved."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from verwijsindex_core import errors
from verwijsindex_core.errors import (
    NotPermitted,
    StoreError,
    UnknownRecord,
    ValidationError,
    VerwijsindexError,
)

__all__: list[str] = []

_PREFIX: Final = "urn:verwijsindex-core:problem:"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


_CLASSES: Final[dict[str, type[VerwijsindexError]]] = {
    _kebab(name): getattr(errors, name) for name in errors.__all__
}
_BY_STATUS: Final[dict[int, type[VerwijsindexError]]] = {
    400: ValidationError,
    401: NotPermitted,
    403: NotPermitted,
    404: UnknownRecord,
    413: ValidationError,
    415: ValidationError,
    429: NotPermitted,
    503: StoreError,
}


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) and value else default


def error_from_problem(status: int, content: bytes) -> VerwijsindexError:
    """The library error a problem response describes (or, for any other error response,
    a :class:`VerwijsindexError` naming the status)."""
    try:
        doc: Any = json.loads(content)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        kind = _BY_STATUS.get(status, VerwijsindexError)
        return kind("response", f"http-{status}", f"the server answered HTTP {status}")
    kind_name = _text(doc.get("type"), "").removeprefix(_PREFIX)
    kind = _CLASSES.get(kind_name) or _BY_STATUS.get(status, VerwijsindexError)
    field = _text(doc.get("field"), "response")
    rule = _text(doc.get("rule"), f"http-{status}")
    detail = _text(doc.get("detail"), f"the server answered HTTP {status}")
    explanation = detail.removeprefix(f"{field}: ")
    if issubclass(kind, ValidationError):
        params = doc.get("invalid-params")
        every = [
            {"field": _text(p.get("name"), field), "rule": _text(p.get("rule"), rule)}
            for p in (params if isinstance(params, list) else ())
            if isinstance(p, dict)
        ]
        return kind(field, rule, explanation, errors=every or None)
    return kind(field, rule, explanation)
