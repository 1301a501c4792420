"""The inzage report: everything the index holds about one subject, and nothing else.

AVG art. 15 (a-h) and CJEU C-579/21: purpose, every signal, every match, every access (date,
organisation, purpose), recipients, origin, retention of each item, the rights and the answer
term. Never a reason or any content: the index holds none. The JSON form of this model is the
canonical report; its JSON Schema ships as package data (``inzage-report-v2.schema.json``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Final, Literal

from pydantic import ConfigDict, Field

from verwijsindex_core._pydantic import Model

__all__ = [
    "REPORT_VERSION",
    "InzageReport",
    "ReportAccess",
    "ReportMatch",
    "ReportParty",
    "ReportSignal",
    "Requester",
]

REPORT_VERSION: Final = "2"
_STRICT: Final = ConfigDict(extra="forbid", frozen=True)


class Requester(StrEnum):
    """Who asks: the young person, or a parent with parental authority."""

    YOUTH = "youth"
    PARENT = "parent"


class ReportParty(Model):
    model_config = _STRICT

    organisation: str
    domain: str


class ReportSignal(Model):
    model_config = _STRICT

    number: int
    organisation: str
    organisation_id: str
    professional: str
    function: str
    phone: str
    email: str
    domain: str
    municipality: str
    """The municipality whose covenant the signal falls under (a CBS code)."""
    registered_on: date
    planned_end: date
    status: Literal["active", "inactive"]
    ended_on: date | None = None
    end_reason: str | None = None
    delete_on: date
    """When the signal (and what hangs on it) will be deleted at the latest."""


class ReportMatch(Model):
    model_config = _STRICT

    number: int
    created_on: date
    kind: Literal["direct", "family"]
    cross_region: bool
    own_signal: int
    """The signal on this subject."""
    other: ReportParty
    """The other party (for a family match: a professional involved with a sibling)."""
    coordinator: str | None = None
    afgestemd: bool = False
    delete_on: date


class ReportAccess(Model):
    model_config = _STRICT

    at: datetime
    organisation: str
    purpose: str
    """A code from the report's vocabulary (``registration``, ``matches-consulted``, ...)."""


class InzageReport(Model):
    """The canonical (JSON) inzage report, version 2 (version 1, of 0.1, named the signal's
    municipality ``region``; :func:`verify_report` still reads it)."""

    model_config = _STRICT

    version: Literal["2"] = REPORT_VERSION
    subject: str = Field(pattern=r"^\*{6}[0-9]{3}$|^vi1\.[a-z2-7]{8}\.….{4}$")
    """Masked: the last three digits of the BSN (or a masked pseudonym); never the number."""
    generated_at: datetime
    generated_by: str
    requested_by: tuple[Requester, ...]
    purpose: str = "verwijsindex-jeugdwet-7.1"
    signals: tuple[ReportSignal, ...] = ()
    matches: tuple[ReportMatch, ...] = ()
    accesses: tuple[ReportAccess, ...] = ()
    recipients: tuple[str, ...] = ()
    """Organisations that received data about the subject (match parties, coordinators)."""
    origin: tuple[str, ...] = ()
    rights: tuple[str, ...] = (
        "access",
        "rectification",
        "objection",
        "erasure",
        "complaint-autoriteit-persoonsgegevens",
    )
    answer_term_weeks: int = 4
