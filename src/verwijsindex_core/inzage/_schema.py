"""The JSON Schema of the report, shipped as package data (``schema/``)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

__all__ = ["SCHEMA_FILE", "report_schema"]

SCHEMA_FILE: Final = "inzage-report-v2.schema.json"


def report_schema() -> dict[str, Any]:
    """The shipped JSON Schema of :class:`InzageReport` version 2 (version 1 ships beside it:
    ``inzage-report-v1.schema.json``, for reports of 0.1)."""
    text = (
        resources.files("verwijsindex_core.inzage")
        .joinpath("schema", SCHEMA_FILE)
        .read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema
