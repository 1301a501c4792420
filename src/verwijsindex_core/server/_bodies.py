"""Request bodies: JSON in, the facade's arguments out, every problem reported at once.

The server checks the *form* of a body (a JSON object, no unknown or duplicate names, the
subject field of the server's mode) and turns subjects into what the facade takes: a
:class:`~verwijsindex_core.pseudonym.Bsn` on a keyed server, the pseudonyms (one per live OPRF
service key) on a blind one. The rules themselves (dates, ids, names, the age limit) are the
facade's and the engine's; their errors come back with the same field names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, Final, Literal, TypeVar

from starlette.requests import Request

from verwijsindex_core._facade import Verwijsindex
from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import MAX_ALIASES, MAX_PARENTS
from verwijsindex_core.pseudonym import Bsn, Pseudonym
from verwijsindex_core.server._problems import Problem

__all__: list[str] = []

T = TypeVar("T")
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValidationError("body", "duplicate-name", "names a member twice")
        result[name] = value
    return result


def _no_constants(_: str) -> Any:
    raise ValidationError("body", "json", "is not valid JSON (NaN and Infinity are not JSON)")


async def read_json(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object (an empty body is ``{}`` when not ``required``)."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise ValidationError("body", "required", "a JSON object is required")
        return {}
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        raise Problem(
            415,
            "unsupported-media-type",
            "content-type: must be application/json",
            field="content-type",
            rule="media-type",
        )
    try:
        value = json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except ValidationError:
        raise
    except (ValueError, RecursionError):
        raise ValidationError("body", "json", "is not valid JSON (UTF-8)") from None
    if not isinstance(value, dict):
        raise ValidationError("body", "type", "must be a JSON object")
    return value


def iso_date(value: object, field: str) -> date:
    """A ``YYYY-MM-DD`` text as a date (JSON has no date type)."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(field, "date", "must be a date as YYYY-MM-DD")


class Collect:
    """Gathers the validation errors of one request and raises them together."""

    def __init__(self, rename: Callable[[str], str] = lambda name: name) -> None:
        self._rename = rename
        self.errors: list[dict[str, str]] = []
        self._first: ValidationError | None = None

    def add(self, exc: ValidationError, *, rename: bool = True) -> None:
        """Keep ``exc``'s problems; ``rename`` maps the facade's field names to the body's."""
        if self._first is None:
            self._first = exc
        named = self._rename if rename else (lambda name: name)
        self.errors += [{"field": named(e["field"]), "rule": e["rule"]} for e in exc.errors]

    def call(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """``work(...)``, or None with its :class:`ValidationError` kept."""
        try:
            return work(*args, **kwargs)
        except ValidationError as exc:
            self.add(exc)
            return None

    def names(
        self, body: Mapping[str, Any], allowed: Iterable[str], required: Iterable[str] = ()
    ) -> None:
        """Unknown members (``extra_forbidden``) and missing ones (``missing``)."""
        known = set(allowed)
        for name in body:
            if name not in known:
                self.add(
                    _error(name, "extra_forbidden", "is not a field of this request"),
                    rename=False,
                )
        for name in required:
            if name not in body:
                self.add(_error(name, "missing", "is required"), rename=False)

    def raise_any(self) -> None:
        first = self._first
        if first is None:
            return
        errors = list(dict.fromkeys(tuple(e.items()) for e in self.errors))
        every = [dict(e) for e in errors]
        if len(every) == 1:
            error = type(first)(
                every[0]["field"], every[0]["rule"], first.explanation, errors=every
            )
        else:
            error = ValidationError(
                every[0]["field"],
                every[0]["rule"],
                f"{len(every)} problems: " + "; ".join(f"{e['field']}: {e['rule']}" for e in every),
                errors=every,
            )
        mark_named(error)
        raise error


def mark_named(error: ValidationError) -> None:
    """The error's fields are the request's names already (the error handler keeps them)."""
    error.named_for_request = True  # type: ignore[attr-defined]


def named_for_request(error: BaseException) -> bool:
    return getattr(error, "named_for_request", False) is True


def _error(field: str, rule: str, explanation: str) -> ValidationError:
    # A member name is the client's text: named only when it is a plain identifier.
    shown = field if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,63}", field) else "(member)"
    return ValidationError(shown, rule, explanation)


class Subjects:
    """How subjects arrive: ``bsn`` on a keyed server, ``pseudonym`` on a blind one."""

    def __init__(
        self,
        index: Verwijsindex,
        mode: Literal["keyed", "blind"],
        accepted_key_ids: Iterable[str] = (),
    ) -> None:
        self._index = index
        self.mode = mode
        self.field = "bsn" if mode == "keyed" else "pseudonym"
        self._accepted = frozenset(accepted_key_ids)

    def rename(self, name: str) -> str:
        """A facade field name as the request names it."""
        if name.startswith(("subject", "aliases")):
            return self.field
        if name.startswith("parents."):
            return "parents"
        return name

    def check_names(self, collect: Collect, body: Mapping[str, Any]) -> None:
        """On a blind server a ``bsn`` member is refused by name (it must never be sent)."""
        if self.mode == "blind" and "bsn" in body:
            collect.add(
                ValidationError(
                    "bsn",
                    "blind-mode",
                    "this server is blind: send pseudonyms made with the OPRF service, never a BSN",
                )
            )

    def subject(self, value: object, field: str) -> Bsn | tuple[Pseudonym, ...]:
        """A subject as the facade takes it (checked: one pseudonym per key, known keys)."""
        if self.mode == "keyed":
            if not isinstance(value, str):
                raise ValidationError(field, "type", "must be a BSN as text")
            return Bsn(value, field=field)
        texts = [value] if isinstance(value, str) else value
        if not isinstance(texts, list) or not 1 <= len(texts) <= MAX_ALIASES:
            raise ValidationError(
                field,
                "aliases",
                f"must be a pseudonym or a list of 1 to {MAX_ALIASES} (one per live key)",
            )
        found = tuple(
            Pseudonym.parse(t, field=f"{field}[{i}]" if len(texts) > 1 else field)
            for i, t in enumerate(texts)
        )
        if any(p.key_id not in self._accepted for p in found):
            raise ValidationError(
                field, "unknown-key", "was not made with an OPRF key this server accepts"
            )
        return self._index.pseudonyms(found, field)

    def pseudonyms(self, value: object, field: str) -> tuple[Pseudonym, ...]:
        """The subject's pseudonyms, the active key's first."""
        return self._index.pseudonyms(self.subject(value, field), field)

    def parents(self, value: object, field: str = "parents") -> list[Bsn | tuple[Pseudonym, ...]]:
        """A list of at most 4 parents, each a subject."""
        if not isinstance(value, list):
            raise ValidationError(field, "type", "must be a list of parents")
        if len(value) > MAX_PARENTS:
            raise ValidationError(field, "parents", f"at most {MAX_PARENTS} parents")
        collect = Collect()
        found = [collect.call(self.subject, v, f"{field}[{i}]") for i, v in enumerate(value)]
        collect.raise_any()
        return [p for p in found if p is not None]
