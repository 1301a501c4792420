"""The records a store keeps: the vocabulary of the :class:`~verwijsindex_core.store.Store`
protocol.

Records are what the engine reads and writes; the public models (``Signal``, ``Match``, ...)
are built from them in one place (``verwijsindex_core._views``). Records a store returns are
the caller's: a store never hands out its internal objects, so changing one changes nothing.
A store may keep its rows in any shape (tuples, columns, a database) as long as it returns
these records. A subject is an integer id with one or more *aliases*: its pseudonym under
each key it was seen with (key rotation), as ``(key id, digest)`` pairs. Every ``repr`` masks
pseudonyms.
"""

from __future__ import annotations

from binascii import a2b_base64
from dataclasses import dataclass
from datetime import date, datetime

from verwijsindex_core.matching._model import (
    Domain,
    EndReason,
    MatchKind,
    NotificationKind,
    Professional,
    SignalStatus,
)
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode

__all__ = [
    "CredentialRecord",
    "MatchRecord",
    "NotificationRecord",
    "SignalRecord",
    "SubjectKey",
    "SubjectRecord",
    "mask_key",
]

SubjectKey = tuple[str, bytes]
"""A pseudonym as a plain ``(key id, digest)`` pair: one alias of a subject."""


_FROM_URLSAFE = str.maketrans("-_", "+/")


def alias_of_text(text: str) -> SubjectKey | None:
    """The ``(key id, digest)`` of a pseudonym's text form, or None when it is not one.

    The stores keep audit subjects as pseudonyms, not text; this is their (fast) way back from
    the text the audit log hashes. The text ``Pseudonym.text`` writes is decoded directly;
    anything else is checked strictly.
    """
    if len(text) == 56 and text[:4] == "vi1." and text[12] == ".":
        try:
            digest = a2b_base64(text[13:].translate(_FROM_URLSAFE) + "=")
        except ValueError:
            return None
        if len(digest) == 32 and b64u_encode(digest) == text[13:]:
            return text[4:12], digest
        return None
    parts = text.split(".")
    found = b64u_decode(parts[2]) if len(parts) == 3 and parts[0] == "vi1" else None
    return None if found is None else (parts[1], found)


def mask_key(key: SubjectKey) -> str:
    """The masked text of an alias, as ``Pseudonym`` shows it (``vi1.<key-id>.…<4 chars>``)."""
    return f"vi1.{key[0]}.…{b64u_encode(key[1])[-4:]}"


@dataclass(slots=True)
class SubjectRecord:
    """A young person the index knows: the only trace of the date of birth is ``turns_23``
    (design §4); ``aliases`` are the subject's pseudonyms, oldest first."""

    id: int
    turns_23: date
    aliases: tuple[SubjectKey, ...]
    deceased: bool = False
    municipality: str | None = None
    """Where the subject lives, once a move was recorded (None before)."""

    def __repr__(self) -> str:
        aliases = ", ".join(mask_key(a) for a in self.aliases)
        return (
            f"SubjectRecord(id={self.id}, turns_23={self.turns_23}, aliases=[{aliases}], "
            f"deceased={self.deceased}, municipality={self.municipality!r})"
        )


@dataclass(slots=True)
class SignalRecord:
    """A signal: ``subject`` is the subject's id (never a pseudonym)."""

    id: int
    subject: int
    organisation_id: str
    professional: Professional
    domain: Domain
    municipality: str
    registered_on: date
    planned_end: date
    status: SignalStatus = SignalStatus.ACTIVE
    ended_on: date | None = None
    end_reason: EndReason | None = None


@dataclass(slots=True)
class MatchRecord:
    """A match between two signals, ``signal_a < signal_b``."""

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
    """One entry of an organisation's outbox."""

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


@dataclass(slots=True)
class CredentialRecord:
    """An API credential of the reference server: who it is for and a salted hash of its
    secret (the secret itself is never stored)."""

    id: str
    """The public part of the token, by which it is found."""
    organisation_id: str
    role: str
    """``organisation``, ``operator`` or ``municipality``."""
    salt: bytes
    secret_hash: bytes
    created_at: datetime
    revoked: bool = False

    def __repr__(self) -> str:
        return (
            f"CredentialRecord(id={self.id!r}, organisation_id={self.organisation_id!r}, "
            f"role={self.role!r}, revoked={self.revoked})"
        )
