"""The ``Store`` protocol: what a store must do for the engine, the facade and inzage.

This is the extension interface. A new store (PostgreSQL, say) is one module implementing
these methods, plus one entry in the shared store suite's factory list (``tests/_factories.py``);
the oracle, engine, bad-input and audit suites then run on it unchanged.

Rules every store follows:

- Everything between entering and leaving :meth:`Store.transaction` commits together or not
  at all; nested calls join the outer transaction.
- Every read has an index behind it (the cost follows the answer, not the size of the index).
  Only the methods under "export" scan whole tables; they serve tests, exports and reports.
- Records handed out are the caller's (changing one changes nothing in the store).
- No BSN, key or date of birth is ever given to a store; subjects are pseudonyms (aliases)
  and the date they turn 23.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from verwijsindex_core.audit import AuditEntry
from verwijsindex_core.matching._model import EndReason, Organisation, SignalStatus
from verwijsindex_core.store._records import (
    CredentialRecord,
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
)

__all__ = ["NewRows", "Store", "StoreCounts"]


@dataclass(slots=True)
class NewRows:
    """New rows of one unit of work, inserted together by :meth:`Store.insert` (in this order:
    subjects with their aliases, further aliases, parent links, signals, matches,
    notifications)."""

    subjects: list[SubjectRecord] = field(default_factory=list)
    aliases: list[tuple[SubjectKey, int]] = field(default_factory=list)
    """Further aliases of subjects that exist already: ``(alias, subject id)``."""
    parents: list[tuple[int, SubjectKey]] = field(default_factory=list)
    """Parent links: ``(child subject id, parent alias)``."""
    signals: list[SignalRecord] = field(default_factory=list)
    matches: list[MatchRecord] = field(default_factory=list)
    notifications: list[NotificationRecord] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.subjects
            or self.aliases
            or self.parents
            or self.signals
            or self.matches
            or self.notifications
        )


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """Totals for reports (no subject data)."""

    subjects: int
    signals_active: int
    signals_inactive: int
    matches_direct: int
    matches_family: int
    matches_cross_region: int
    notifications_pending: int
    audit_entries: int


class Store(Protocol):
    """Persistence for subjects, signals, matches, the notification outbox and the audit log."""

    # --- transactions, ids, metadata ------------------------------------------------------------

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Everything inside commits together or not at all; nested calls join."""

    def next_id(self, kind: str) -> int:
        """The next id of ``"subject"``, ``"signal"``, ``"match"`` or ``"notification"``
        (1, 2, ...; an id is never handed out twice)."""

    def get_meta(self, key: str) -> str | None:
        """Application metadata (not subject data), e.g. what built a demo database."""

    def set_meta(self, key: str, value: str) -> None: ...

    # --- organisations --------------------------------------------------------------------------

    def put_organisation(self, organisation: Organisation) -> None:
        """Insert or replace an organisation (stored once, referenced by its id)."""

    def get_organisation(self, organisation_id: str) -> Organisation | None: ...

    # --- inserts --------------------------------------------------------------------------------

    def insert(self, rows: NewRows) -> None:
        """Insert the new rows of a unit of work (a registration batch: set-based)."""

    # --- subjects and families ------------------------------------------------------------------

    def subject_ids(self, aliases: Iterable[SubjectKey]) -> dict[SubjectKey, int]:
        """The subject id of each alias the store knows (unknown aliases are left out)."""

    def get_subject(self, subject_id: int) -> SubjectRecord | None: ...

    def update_subject(self, record: SubjectRecord) -> None:
        """Store a subject's new ``turns_23``, ``deceased`` and ``municipality`` (aliases are
        added with :meth:`insert`)."""

    def merge_subjects(self, gone: int, into: int) -> None:
        """``gone`` turned out to be ``into`` (two aliases of one person): move its aliases,
        signals and parent links to ``into`` and delete it."""

    def delete_subject(self, subject_id: int) -> None:
        """Delete a subject no signal refers to any more, with its aliases and parent links."""

    def parents_of(self, subject_id: int) -> frozenset[SubjectKey]: ...

    def children_of(self, parent: SubjectKey) -> frozenset[int]:
        """The subject ids linked to ``parent``."""

    # --- signals --------------------------------------------------------------------------------

    def get_signal(self, signal_id: int) -> SignalRecord | None: ...

    def signals_of(self, subject_id: int) -> list[SignalRecord]:
        """Every signal on the subject, by id."""

    def signals_of_organisation(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[SignalRecord]:
        """The organisation's signals (only the professional's, if given), by id."""

    def set_signal_state(
        self,
        signal_id: int,
        status: SignalStatus,
        ended_on: date | None,
        reason: EndReason | None,
    ) -> None:
        """End a signal (or, on rectification, correct its end or reopen it)."""

    def delete_signal(self, signal_id: int) -> None:
        """Delete the signal, its matches and every notification about either."""

    def active_due_by(self, day: date) -> list[int]:
        """Active signals that must end on or before ``day``: planned end or the subject's
        23rd birthday, whichever comes first. By id."""

    def inactive_ended_by(self, day: date) -> list[int]:
        """Inactive signals that ended on or before ``day``, by id."""

    # --- matches --------------------------------------------------------------------------------

    def get_match(self, match_id: int) -> MatchRecord | None: ...

    def find_match(self, signal_a: int, signal_b: int) -> MatchRecord | None: ...

    def matches_of_signal(self, signal_id: int) -> list[MatchRecord]:
        """The signal's matches, by id."""

    def matches_of_organisation(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[tuple[SignalRecord, MatchRecord]]:
        """Every match on the organisation's signals (the professional's, if given), with the
        own signal, ordered by (match id, own signal id)."""

    def set_coordinator(self, match_id: int, signal_id: int) -> None: ...

    def set_afgestemd(self, match_id: int) -> None: ...

    # --- outbox ---------------------------------------------------------------------------------

    def get_notification(self, note_id: int) -> NotificationRecord | None: ...

    def pending_notifications(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[NotificationRecord]:
        """The organisation's outbox (only the professional's, if given), oldest first."""

    def acknowledge(
        self, organisation_id: str, professional_id: str | None, ids: Sequence[int]
    ) -> list[NotificationRecord]:
        """Remove those of ``ids`` that are in the outbox of the organisation (and the
        professional, if given); returns the removed ones."""

    # --- credentials of the reference server ----------------------------------------------------

    def put_credential(self, record: CredentialRecord) -> None:
        """Store a new credential (its id is new)."""

    def get_credential(self, credential_id: str) -> CredentialRecord | None: ...

    def revoke_credential(self, credential_id: str) -> bool:
        """Revoke a credential; False when there is none with that id."""

    def credentials_of(self, organisation_id: str) -> list[CredentialRecord]: ...

    # --- audit (the store keeps the log, so entries commit with the data) -----------------------

    def audit_append(self, entry: AuditEntry) -> None: ...

    def audit_extend(self, entries: Sequence[AuditEntry]) -> None: ...

    def audit_last(self) -> AuditEntry | None: ...

    def audit_entries(self) -> Iterator[AuditEntry]:
        """Every entry in sequence order (verification and export)."""

    def audit_entries_for(self, subjects: Iterable[str]) -> list[AuditEntry]:
        """The entries about any of the given subject texts (pseudonyms), in sequence order."""

    # --- export (whole tables: tests, exports, reports) -----------------------------------------

    def counts(self) -> StoreCounts: ...

    def subjects(self) -> Iterator[SubjectRecord]: ...

    def all_signals(self) -> Iterator[SignalRecord]: ...

    def all_matches(self) -> Iterator[MatchRecord]: ...

    def all_notifications(self) -> Iterator[NotificationRecord]: ...
