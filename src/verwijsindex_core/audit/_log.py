"""An append-only, hash-chained audit log (NEN 7513 facts).

Each entry records the event, the time, the subject's pseudonym, the actor (organisation and
professional) and the responsible organisation, plus a short detail of ids. Its hash is
SHA-256 over the previous entry's hash and a canonical encoding of the entry, so editing,
removing, inserting or reordering an entry breaks the chain at that place; :func:`verify`
says where.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, NamedTuple, Protocol

__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditEvent",
    "AuditLog",
    "AuditStorage",
    "MemoryAuditStorage",
    "VerifyResult",
    "entry_hash",
    "verify",
]

GENESIS: Final = bytes(32)
"""The ``prev_hash`` of the first entry."""
_SEP: Final = "\x1f"  # unit separator: cannot occur in ids, pseudonym text or ISO times


class AuditEvent(StrEnum):
    REGISTER = "register"
    REGISTER_EXISTING = "register-existing"
    END_SIGNAL = "end-signal"
    DELETE_SIGNAL = "delete-signal"
    RECORD_DEATH = "record-death"
    RECORD_MOVE = "record-move"
    SET_PARENTS = "set-parents"
    VIEW_HISTORY = "view-history"
    READ_MATCHES = "read-matches"
    READ_NOTIFICATIONS = "read-notifications"
    MARK_COORDINATOR = "mark-coordinator"
    MARK_AFGESTEMD = "mark-afgestemd"
    SWEEP_END = "sweep-end"
    PURGE = "purge"
    INZAGE = "inzage"
    INZAGE_REFUSED = "inzage-refused"


class AuditEntry(NamedTuple):
    """One audit record. ``subject`` is a pseudonym's text form (the store may hold it)."""

    seq: int
    at: datetime
    event: str
    subject: str
    actor_organisation: str
    actor_professional: str
    responsible_organisation: str
    detail: str
    prev_hash: bytes
    hash: bytes


def _canonical(seq: int, at: datetime, fields: tuple[str, ...]) -> bytes:
    """``seq``, the ISO time and the six text fields, joined by the unit separator."""
    return _SEP.join((str(seq), at.isoformat(), *fields)).encode("utf-8")


def entry_hash(entry: AuditEntry) -> bytes:
    """SHA-256 over the previous hash and the entry's canonical encoding."""
    fields = tuple(entry[2:8])
    return hashlib.sha256(entry.prev_hash + _canonical(entry.seq, entry.at, fields)).digest()


@dataclass(frozen=True)
class VerifyResult:
    """``ok``, or the first position (0-based, in storage order) where the chain breaks.

    ``head`` is the last entry's hash: record it elsewhere (a daily anchor) and compare later,
    because cutting entries off the end leaves a chain that verifies on its own.
    """

    ok: bool
    entries: int
    position: int | None = None
    problem: str | None = None
    head: bytes = GENESIS


def verify(entries: Iterable[AuditEntry]) -> VerifyResult:
    """Check sequence numbers, links and hashes from the genesis on."""
    prev = GENESIS
    count = 0
    for position, entry in enumerate(entries):
        count += 1
        if entry.seq != position + 1:
            return VerifyResult(
                False,
                count,
                position,
                f"sequence number {entry.seq} where "
                f"{position + 1} belongs (entry removed, inserted or moved)",
            )
        if not hmac.compare_digest(entry.prev_hash, prev):
            return VerifyResult(False, count, position, "link to the previous entry is broken")
        if not hmac.compare_digest(entry_hash(entry), entry.hash):
            return VerifyResult(False, count, position, "entry content does not match its hash")
        prev = entry.hash
    return VerifyResult(True, count, head=prev)


class AuditStorage(Protocol):
    """Where entries live; a store implements it so entries commit with the data."""

    def audit_append(self, entry: AuditEntry) -> None: ...

    def audit_last(self) -> AuditEntry | None: ...

    def audit_entries(self) -> Iterator[AuditEntry]: ...


class MemoryAuditStorage:
    """A list, for tests and the in-memory store."""

    def __init__(self) -> None:
        self._entries: list[AuditEntry] = []

    def audit_append(self, entry: AuditEntry) -> None:
        self._entries.append(entry)

    def audit_last(self) -> AuditEntry | None:
        return self._entries[-1] if self._entries else None

    def audit_entries(self) -> Iterator[AuditEntry]:
        return iter(self._entries)


class AuditLog:
    """Appends chained entries to an :class:`AuditStorage`."""

    def __init__(self, storage: AuditStorage) -> None:
        self._storage = storage

    def append(
        self,
        event: AuditEvent,
        at: datetime,
        *,
        subject: str = "",
        actor_organisation: str = "",
        actor_professional: str = "",
        responsible_organisation: str = "",
        detail: str = "",
    ) -> AuditEntry:
        last = self._storage.audit_last()
        seq = 1 if last is None else last.seq + 1
        prev = GENESIS if last is None else last.hash
        fields = (
            event.value,
            subject,
            actor_organisation,
            actor_professional,
            responsible_organisation,
            detail,
        )
        digest = hashlib.sha256(prev + _canonical(seq, at, fields)).digest()
        entry = AuditEntry(seq, at, *fields, prev, digest)
        self._storage.audit_append(entry)
        return entry

    def entries(self) -> Iterator[AuditEntry]:
        return self._storage.audit_entries()

    def for_subject(self, subject: str) -> list[AuditEntry]:
        """Every entry about one subject (for inzage)."""
        return [e for e in self._storage.audit_entries() if e.subject == subject]

    def verify(self) -> VerifyResult:
        return verify(self._storage.audit_entries())
