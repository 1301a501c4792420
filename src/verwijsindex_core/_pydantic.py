"""Pydantic models that answer with our errors: the base of every public model.

A pydantic ``ValidationError`` repeats the input in its message (a BSN typed into a name
field would reach a log); ours names each field and rule and never a value. Constructing a
model, ``model_validate`` and ``model_validate_json`` all raise
:class:`~verwijsindex_core.errors.ValidationError` with every problem in ``errors``.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from verwijsindex_core.errors import ValidationError

__all__ = ["Model", "pydantic_error"]


def pydantic_error(exc: PydanticValidationError, prefix: str = "") -> ValidationError:
    """A pydantic error as ours: every field path and rule, never the input value."""
    problems = exc.errors(include_input=False, include_url=False, include_context=False)
    every = [
        {
            "field": prefix + (".".join(str(part) for part in e["loc"]) or "value"),
            "rule": str(e["type"]),
        }
        for e in problems
    ] or [{"field": prefix + "value", "rule": "invalid"}]
    detail = "; ".join(f"{p['field']}: {p['rule']}" for p in every)
    first = every[0]
    return ValidationError(first["field"], first["rule"], f"invalid ({detail})", errors=every)


class Model(BaseModel):
    """A pydantic model whose validation errors are ours."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except PydanticValidationError as exc:
            raise pydantic_error(exc) from None

    # Mark __init__ as pydantic's own (as RootModel does), so that validating a nested model
    # does not call it: the error of a nested field keeps its path (organisation.id).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except PydanticValidationError as exc:
            raise pydantic_error(exc) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, **kwargs)
        except PydanticValidationError as exc:
            raise pydantic_error(exc) from None
