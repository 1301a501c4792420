"""An append-only, hash-chained audit log (NEN 7513 facts).

Each entry records the event, the time, the subject's pseudonym, the actor (organisation and
professional) and the responsible organisation, plus a short detail of ids. Its hash is
SHA-256 over the previous entry's hash and a canonical binary encoding of the entry, so
editing, removing, inserting or reordering an entry breaks the chain at that place;
:func:`verify` says where.

The canonical encoding (version 2) is length-prefixed, so no separator character can be
smuggled into a field: ``"vi-audit/2"``, the sequence number (8 bytes, big-endian), the time
as microseconds since 1970-01-01 UTC (8 bytes, signed), then the six text fields (event,
subject, actor organisation, actor professional, responsible organisation, detail), each as
its UTF-8 length (2 bytes) and bytes. Times are kept in UTC.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final, NamedTuple, Protocol

from verwijsindex_core.errors import ValidationError

__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditEvent",
    "AuditLog",
    "AuditStorage",
    "MemoryAuditStorage",
    "VerifyResult",
    "entry_hash",
    "from_micros",
    "to_micros",
    "verify",
]

GENESIS: Final = bytes(32)
"""The ``prev_hash`` of the first entry."""
_TAG: Final = b"vi-audit/2"
_HEAD: Final = struct.Struct(">QqHHHHHH")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO: Final = timedelta(microseconds=1)
_MAX_FIELD: Final = 0xFFFF


class AuditEvent(StrEnum):
    """What happened. The values are stable (stores encode them): only ever append."""

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
    READ_SIGNAL = "read-signal"
    ACKNOWLEDGE = "acknowledge"
    RECTIFY = "rectify"
    READ_MATCH = "read-match"


def to_micros(at: datetime) -> int:
    """Microseconds since 1970-01-01 UTC of an aware time (a naive one is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at - _EPOCH) // _MICRO


def from_micros(micros: int) -> datetime:
    """The UTC time ``micros`` microseconds after 1970-01-01 (inverse of :func:`to_micros`)."""
    return _EPOCH + timedelta(microseconds=micros)


class AuditEntry(NamedTuple):
    """One audit record. ``subject`` is a pseudonym's text form (the store may hold it);
    the ``repr`` masks it."""

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

    def __repr__(self) -> str:
        subject = f"{self.subject[:13]}…{self.subject[-4:]}" if self.subject else ""
        return (
            f"AuditEntry(seq={self.seq}, at={self.at.isoformat()}, event={self.event!r}, "
            f"subject={subject!r}, actor_organisation={self.actor_organisation!r}, "
            f"actor_professional={self.actor_professional!r}, "
            f"responsible_organisation={self.responsible_organisation!r}, "
            f"detail={self.detail!r}, hash={self.hash.hex()[:12]}…)"
        )


def _canonical(seq: int, micros: int, fields: Sequence[str]) -> bytes:
    encoded = [f.encode("utf-8") for f in fields]
    return b"".join((_TAG, _HEAD.pack(seq, micros, *map(len, encoded)), *encoded))


def _check_fields(fields: Sequence[str]) -> None:
    if not isinstance(fields, (tuple, list)) or len(fields) != len(_FIELD_NAMES):
        raise ValidationError("fields", "type", "six text fields per entry")
    for name, value in zip(_FIELD_NAMES, fields, strict=True):
        if not isinstance(value, str):
            raise ValidationError(name, "type", "must be text")
        if len(value) > _MAX_FIELD // 4:
            raise ValidationError(name, "length", f"at most {_MAX_FIELD // 4} characters")


_FIELD_NAMES: Final = (
    "event",
    "subject",
    "actor_organisation",
    "actor_professional",
    "responsible_organisation",
    "detail",
)


def entry_hash(entry: AuditEntry) -> bytes:
    """SHA-256 over the previous hash and the entry's canonical encoding."""
    encoded = _canonical(entry.seq, to_micros(entry.at), entry[2:8])
    return hashlib.sha256(entry.prev_hash + encoded).digest()


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

    def audit_extend(self, entries: Sequence[AuditEntry]) -> None: ...

    def audit_last(self) -> AuditEntry | None: ...

    def audit_entries(self) -> Iterator[AuditEntry]: ...

    def audit_entries_for(self, subjects: Iterable[str]) -> list[AuditEntry]: ...


class MemoryAuditStorage:
    """A list with a by-subject index, for tests."""

    def __init__(self) -> None:
        self._entries: list[AuditEntry] = []
        self._by_subject: dict[str, list[int]] = {}

    def audit_append(self, entry: AuditEntry) -> None:
        self._entries.append(entry)
        if entry.subject:
            self._by_subject.setdefault(entry.subject, []).append(len(self._entries) - 1)

    def audit_extend(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            self.audit_append(entry)

    def audit_last(self) -> AuditEntry | None:
        return self._entries[-1] if self._entries else None

    def audit_entries(self) -> Iterator[AuditEntry]:
        return iter(list(self._entries))

    def audit_entries_for(self, subjects: Iterable[str]) -> list[AuditEntry]:
        positions = sorted({p for s in subjects for p in self._by_subject.get(s, ())})
        return [self._entries[p] for p in positions]


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
        fields = (
            event.value,
            subject,
            actor_organisation,
            actor_professional,
            responsible_organisation,
            detail,
        )
        (entry,) = self.extend(at, [fields])
        return entry

    def extend(self, at: datetime, rows: Sequence[Sequence[str]]) -> list[AuditEntry]:
        """Append entries that share one time, hashed as a batch: each row holds the six text
        fields (event value, subject, actor organisation, actor professional, responsible
        organisation, detail)."""
        if not isinstance(at, datetime):
            raise ValidationError("at", "type", "must be a datetime")
        at = at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)
        micros = to_micros(at)
        last = self._storage.audit_last()
        seq = 0 if last is None else last.seq
        prev = GENESIS if last is None else last.hash
        sha256, pack, join, make = hashlib.sha256, _HEAD.pack, b"".join, AuditEntry._make
        entries = []
        for fields in rows:
            seq += 1
            try:
                event, subject, actor, professional, responsible, detail = fields
                encoded = (
                    event.encode(),
                    subject.encode(),
                    actor.encode(),
                    professional.encode(),
                    responsible.encode(),
                    detail.encode(),
                )
                head = pack(seq, micros, *map(len, encoded))
            except (AttributeError, ValueError, TypeError, struct.error):
                _check_fields(fields)  # names the field and the rule
                raise  # pragma: no cover - _check_fields raises for every such row
            digest = sha256(join((prev, _TAG, head, *encoded))).digest()
            entries.append(make((seq, at, *fields, prev, digest)))
            prev = digest
        self._storage.audit_extend(entries)
        return entries

    def entries(self) -> Iterator[AuditEntry]:
        return self._storage.audit_entries()

    def for_subject(self, *subjects: str) -> list[AuditEntry]:
        """Every entry about one subject, given by each of its pseudonyms' texts (inzage)."""
        return self._storage.audit_entries_for(subjects)

    def head(self) -> bytes:
        """The newest entry's hash (anchor it outside the store)."""
        last = self._storage.audit_last()
        return GENESIS if last is None else last.hash

    def verify(self) -> VerifyResult:
        return verify(self._storage.audit_entries())
