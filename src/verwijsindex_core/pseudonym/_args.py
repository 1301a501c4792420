"""Argument checks shared by the public pseudonym API.

Every public function checks what it is given, whatever the caller passes, and answers with a
typed error (``field`` and ``rule``; never the value) instead of a raw ``TypeError``,
``OverflowError`` or ``AttributeError`` from deep inside. Text and bytes arrive as subclasses
too: those are copied to a plain ``str`` or ``bytes`` first, so that an overridden method
(``translate``, ``__eq__``, ``__len__``, ``__bytes__``...) can never change what is checked or
stored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import TypeVar

from verwijsindex_core.errors import ValidationError, VerwijsindexError

__all__: list[str] = []

T = TypeVar("T")

_NOT_A_BATCH = (str, bytes, bytearray, memoryview, Mapping)
_LETTER = re.compile(r"[A-Za-z]")


def plain_str(value: object) -> str | None:
    """``value`` as a plain ``str`` (a subclass is copied), or ``None`` when it is no text."""
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    return None


def plain_bytes(value: object) -> bytes | None:
    """``value`` as plain ``bytes`` (a subclass is copied), or ``None`` when it is not bytes."""
    if type(value) is bytes:
        return value
    if isinstance(value, bytes):
        return bytes.__bytes__(value)
    return None


def check_text(
    value: object, field: str, *, error: type[VerwijsindexError] = ValidationError
) -> str:
    """A plain ``str``, or ``error(field, "type")``."""
    text = plain_str(value)
    if text is None:
        raise error(field, "type", "must be text (str)")
    return text


def check_field_name(value: object) -> str:
    """The ``field=`` argument that names an input in errors (``"parent_bsn"``,
    ``"parents[0]"``): 1-100 printable characters with at least one letter.

    A field name goes into every error message about that input, so it must not be able to
    carry a value (a BSN passed by mistake has no letter) or forge a log line (no newline).
    """
    text = check_text(value, "field")
    if not (0 < len(text) <= 100 and text.isprintable() and _LETTER.search(text)):
        raise ValidationError(
            "field", "field-format", "must be 1-100 printable characters with a letter"
        )
    return text


def check_flag(value: object, field: str) -> bool:
    """A ``bool`` option; ``None``, ``0`` or ``"no"`` would silently mean something else."""
    if type(value) is not bool:
        raise ValidationError(field, "type", "must be True or False")
    return value


def check_path(value: object, field: str = "path") -> Path:
    """A file name given as ``str`` or ``os.PathLike`` (of text)."""
    if isinstance(value, (str, os.PathLike)):
        try:
            path = Path(plain_str(value) or value)
        except TypeError:  # a PathLike whose __fspath__ gives bytes or garbage
            pass
        else:
            if "\x00" not in str(path):
                return path
            raise ValidationError(field, "path", "must not contain a NUL character")
    raise ValidationError(field, "type", "must be a file name (str or os.PathLike)")


def check_batch(
    values: object,
    field: str,
    what: str,
    *,
    limit: int | None = None,
    error: type[VerwijsindexError] = ValidationError,
) -> Sequence[object]:
    """The items of an iterable batch (a list or tuple as it is, anything else as a list).

    Refuses a single ``str`` or ``bytes`` (a classic slip for a one-item batch), a mapping
    (whose keys only would be used) and anything that is not iterable. With ``limit`` at most
    ``limit`` items are read, so an endless iterator cannot exhaust memory.
    """
    if isinstance(values, _NOT_A_BATCH) or values is None:
        raise error(field, "type", f"must be an iterable of {what}, not a single value")
    if type(values) in (list, tuple):
        items: Sequence[object] = values  # type: ignore[assignment]
        if limit is not None and len(items) > limit:
            raise error(field, "batch-size", f"at most {limit} items per batch")
        return items
    try:
        iterator = iter(values)  # type: ignore[call-overload]
    except TypeError:
        raise error(field, "type", f"must be an iterable of {what}") from None
    items = list(iterator if limit is None else islice(iterator, limit + 1))
    if limit is not None and len(items) > limit:
        raise error(field, "batch-size", f"at most {limit} items per batch")
    return items


def check_instance(
    value: object,
    kind: type[T],
    field: str,
    what: str,
    *,
    error: type[VerwijsindexError] = ValidationError,
) -> T:
    """``value`` when it is a ``kind``, else ``error(field, "type")``."""
    if not isinstance(value, kind):
        raise error(field, "type", f"must be {what}")
    return value
