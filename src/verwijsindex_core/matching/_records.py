"""Internal records: compact, mutable only through the store's methods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from verwijsindex_core.matching._model import (
    Domain,
    EndReason,
    MatchKind,
    NotificationKind,
    Professional,
    SignalStatus,
)

__all__ = ["MatchRecord", "NotificationRecord", "SignalRecord", "SubjectKey", "SubjectRecord"]

SubjectKey = tuple[str, bytes]
"""A pseudonym as a plain (key id, digest) tuple: the store's subject key."""


@dataclass(slots=True)
class SubjectRecord:
    key: SubjectKey
    turns_23: date
    """The only trace of the date of birth that is kept (design §4)."""
    deceased: bool = False
    municipality: str | None = None


@dataclass(slots=True)
class SignalRecord:
    id: int
    subject: SubjectKey
    organisation_id: str
    professional: Professional
    domain: Domain
    region: str
    registered_on: date
    planned_end: date
    status: SignalStatus = SignalStatus.ACTIVE
    ended_on: date | None = None
    end_reason: EndReason | None = None


@dataclass(slots=True)
class MatchRecord:
    id: int
    signal_a: int
    signal_b: int
    kind: MatchKind
    cross_region: bool
    created_on: date
    coordinator_signal: int | None = None
    afgestemd: bool = False


@dataclass(slots=True)
class NotificationRecord:
    id: int
    organisation_id: str
    professional_id: str | None
    kind: NotificationKind
    created_on: date
    signal_id: int | None
    """The recipient's own signal (None for a region coordinator)."""
    match_id: int | None
    about: tuple[int, ...]
    """Signals whose contact details make up the payload."""
