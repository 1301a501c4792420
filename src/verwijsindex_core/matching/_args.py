"""Argument checks for the public methods of the engine and the facade.

Whatever a caller passes (a wrong type, a huge number, a dict for a model, bytes for a date),
the answer is a :class:`~verwijsindex_core.errors.ValidationError` naming the field and the
rule, raised before anything is stored; never a raw ``TypeError`` or ``OverflowError``, and
never a message that repeats the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Final, TypeVar

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching._model import Actor, Municipality

# Private to the library (the engine and the facade); not re-exported.

MAX_ID: Final = 2**63 - 1
"""The largest id a store holds (a signed 64-bit integer, as in SQLite and PostgreSQL)."""
MAX_IDS: Final = 10_000
"""At most this many ids in one call (acknowledging notifications)."""

E = TypeVar("E", bound=StrEnum)

_MUNICIPALITY: Final = TypeAdapter(Municipality)


def check_id(value: object, field: str) -> int:
    """A record id: an ``int`` (not a bool, not a float or text) from 1 to :data:`MAX_ID`."""
    if type(value) is not int:
        raise ValidationError(field, "type", "must be an integer id")
    if not 1 <= value <= MAX_ID:
        raise ValidationError(field, "range", f"must lie between 1 and {MAX_ID}")
    return value


def check_ids(value: object, field: str) -> tuple[int, ...]:
    """A collection of record ids (a list, tuple or set; not text, bytes or a mapping)."""
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise ValidationError(field, "type", "must be a list of integer ids")
    ids = []
    for position, item in enumerate(value):
        if position >= MAX_IDS:
            raise ValidationError(field, "batch-size", f"at most {MAX_IDS} ids at once")
        ids.append(check_id(item, f"{field}[{position}]"))
    return tuple(ids)


def check_actor(value: object, field: str = "actor") -> Actor:
    """An :class:`Actor` (the organisation acting, and its professional if one acts)."""
    if not isinstance(value, Actor):
        raise ValidationError(field, "type", "must be an Actor(organisation_id, professional_id)")
    return value


def check_enum(value: object, kind: type[E], field: str, rule: str) -> E:
    """A member of ``kind`` or its exact text value."""
    if isinstance(value, kind):
        return value
    if type(value) is str:
        try:
            return kind(value)
        except ValueError:
            pass
    allowed = ", ".join(m.value for m in kind)
    raise ValidationError(field, rule, f"must be one of: {allowed}")


def check_date(value: object, field: str) -> date:
    """A calendar date: a ``date`` (a ``datetime`` is refused: say which day)."""
    if type(value) is not date:
        raise ValidationError(field, "type", "must be a datetime.date (not a datetime or text)")
    return value


def check_municipality(value: object, field: str = "municipality") -> str:
    """A CBS municipality code such as ``GM0518``."""
    try:
        return str(_MUNICIPALITY.validate_python(value))
    except PydanticValidationError:
        raise ValidationError(field, "municipality-code", "must be a code like GM0518") from None
