"""The in-memory store: dicts with the indexes every read needs.

Rows are kept as tuples (not one object per field), professionals and organisations once, and
records are built on read, so a caller never holds the store's own objects.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from verwijsindex_core.audit import AuditEntry
from verwijsindex_core.matching._model import (
    EndReason,
    MatchKind,
    Organisation,
    Professional,
    SignalStatus,
)
from verwijsindex_core.store._protocol import NewRows, StoreCounts
from verwijsindex_core.store._records import (
    CredentialRecord,
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
)

__all__ = ["MemoryStore"]

_ACTIVE = SignalStatus.ACTIVE

# Row layouts (tuples).
# subject: [turns_23, aliases, deceased, municipality]  (a list: updated in place)
# signal: (subject, organisation_id, professional, domain, municipality, registered_on,
#          planned_end, status, ended_on, end_reason)
# match: [signal_a, signal_b, kind, cross_region, created_on, coordinator_signal, afgestemd]
# notification: (organisation_id, professional_id, kind, created_on, signal_id, match_id, about)


def _remove(index: dict[Any, list[int]], key: Any, value: int) -> None:
    values = index.get(key)
    if values is not None:
        with contextlib.suppress(ValueError):
            values.remove(value)
        if not values:
            del index[key]


class MemoryStore:
    """Everything in dicts, with the indexes the engine's queries need. Not thread-safe; the
    transaction does not roll back (the engine validates before it changes anything)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = defaultdict(int)
        self._meta: dict[str, str] = {}
        self._organisations: dict[str, Organisation] = {}
        self._professionals: dict[tuple[str, str], Professional] = {}
        self._alias: dict[SubjectKey, int] = {}
        self._subjects: dict[int, list[Any]] = {}
        self._parents: dict[int, list[SubjectKey]] = {}
        self._children: dict[SubjectKey, list[int]] = {}
        self._signals: dict[int, tuple[Any, ...]] = {}
        self._by_subject: dict[int, list[int]] = {}
        self._by_org: dict[str, list[int]] = {}
        self._due: dict[date, set[int]] = defaultdict(set)
        self._ended: dict[date, set[int]] = defaultdict(set)
        self._matches: dict[int, list[Any]] = {}
        self._pairs: dict[tuple[int, int], int] = {}
        self._matches_by_signal: dict[int, list[int]] = {}
        self._notes: dict[int, tuple[Any, ...]] = {}
        self._outbox: dict[str, dict[int, None]] = {}
        self._notes_by_signal: dict[int, list[int]] = {}
        self._notes_by_match: dict[int, list[int]] = {}
        self._credentials: dict[str, CredentialRecord] = {}
        self._credentials_by_org: dict[str, list[str]] = {}
        self._audit: list[AuditEntry] = []
        self._audit_by_subject: dict[str, list[int]] = {}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def next_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def get_meta(self, key: str) -> str | None:
        return self._meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self._meta[key] = value

    # organisations -----------------------------------------------------------------------------

    def put_organisation(self, organisation: Organisation) -> None:
        self._organisations[organisation.id] = organisation

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        return self._organisations.get(organisation_id)

    # inserts -----------------------------------------------------------------------------------

    def _professional(self, professional: Professional) -> Professional:
        key = (professional.organisation_id, professional.id)
        known = self._professionals.get(key)
        if known is None or known != professional:
            self._professionals[key] = known = professional
        return known

    def insert(self, rows: NewRows) -> None:
        for subject in rows.subjects:
            self._subjects[subject.id] = [
                subject.turns_23,
                tuple(subject.aliases),
                subject.deceased,
                subject.municipality,
            ]
            for alias in subject.aliases:
                self._alias[alias] = subject.id
        for alias, subject_id in rows.aliases:
            self._alias[alias] = subject_id
            row = self._subjects[subject_id]
            row[1] = (*row[1], alias)
        for child, parent in rows.parents:
            parents = self._parents.setdefault(child, [])
            if parent not in parents:
                parents.append(parent)
                self._children.setdefault(parent, []).append(child)
        for s in rows.signals:
            self._signals[s.id] = (
                s.subject,
                s.organisation_id,
                self._professional(s.professional),
                s.domain,
                s.municipality,
                s.registered_on,
                s.planned_end,
                s.status,
                s.ended_on,
                s.end_reason,
            )
            self._by_subject.setdefault(s.subject, []).append(s.id)
            self._by_org.setdefault(s.organisation_id, []).append(s.id)
            self._index_state(s.id)
        for m in rows.matches:
            self._matches[m.id] = [
                m.signal_a,
                m.signal_b,
                m.kind,
                m.cross_region,
                m.created_on,
                m.coordinator_signal,
                m.afgestemd,
            ]
            self._pairs[(m.signal_a, m.signal_b)] = m.id
            self._matches_by_signal.setdefault(m.signal_a, []).append(m.id)
            self._matches_by_signal.setdefault(m.signal_b, []).append(m.id)
        for n in rows.notifications:
            self._notes[n.id] = (
                n.organisation_id,
                n.professional_id,
                n.kind,
                n.created_on,
                n.signal_id,
                n.match_id,
                n.about,
            )
            self._outbox.setdefault(n.organisation_id, {})[n.id] = None
            for signal_id in {s for s in (n.signal_id, *n.about) if s is not None}:
                self._notes_by_signal.setdefault(signal_id, []).append(n.id)
            if n.match_id is not None:
                self._notes_by_match.setdefault(n.match_id, []).append(n.id)

    # subjects ----------------------------------------------------------------------------------

    def subject_ids(self, aliases: Iterable[SubjectKey]) -> dict[SubjectKey, int]:
        found = {}
        for alias in aliases:
            subject_id = self._alias.get(alias)
            if subject_id is not None:
                found[alias] = subject_id
        return found

    def get_subject(self, subject_id: int) -> SubjectRecord | None:
        row = self._subjects.get(subject_id)
        if row is None:
            return None
        return SubjectRecord(subject_id, row[0], row[1], row[2], row[3])

    def _due_day(self, signal_id: int) -> date:
        row = self._signals[signal_id]
        return min(row[6], self._subjects[row[0]][0])  # type: ignore[no-any-return]

    def _index_state(self, signal_id: int) -> None:
        row = self._signals[signal_id]
        if row[7] is _ACTIVE:
            self._due[self._due_day(signal_id)].add(signal_id)
        elif row[8] is not None:
            self._ended[row[8]].add(signal_id)

    def _unindex_state(self, signal_id: int) -> None:
        row = self._signals[signal_id]
        if row[7] is _ACTIVE:
            self._due[self._due_day(signal_id)].discard(signal_id)
        elif row[8] is not None:
            self._ended[row[8]].discard(signal_id)

    def update_subject(self, record: SubjectRecord) -> None:
        row = self._subjects[record.id]
        signals = self._by_subject.get(record.id, ())
        for signal_id in signals:
            self._unindex_state(signal_id)
        row[0], row[2], row[3] = record.turns_23, record.deceased, record.municipality
        for signal_id in signals:
            self._index_state(signal_id)

    def merge_subjects(self, gone: int, into: int) -> None:
        gone_row = self._subjects[gone]
        into_row = self._subjects[into]
        for alias in gone_row[1]:
            self._alias[alias] = into
        into_row[1] = (*into_row[1], *gone_row[1])
        into_row[2] = into_row[2] or gone_row[2]
        into_row[3] = into_row[3] if into_row[3] is not None else gone_row[3]
        moved = self._by_subject.pop(gone, [])
        for signal_id in moved:
            self._unindex_state(signal_id)
            self._signals[signal_id] = (into, *self._signals[signal_id][1:])
            self._index_state(signal_id)
        self._by_subject[into] = sorted([*self._by_subject.get(into, []), *moved])
        del self._subjects[gone]
        for parent in self._parents.pop(gone, []):
            children = self._children[parent]
            children.remove(gone)
            parents = self._parents.setdefault(into, [])
            if parent not in parents:
                parents.append(parent)
                children.append(into)

    def delete_subject(self, subject_id: int) -> None:
        row = self._subjects.pop(subject_id)
        for alias in row[1]:
            self._alias.pop(alias, None)
        for parent in self._parents.pop(subject_id, []):
            _remove(self._children, parent, subject_id)
        self._by_subject.pop(subject_id, None)

    def parents_of(self, subject_id: int) -> frozenset[SubjectKey]:
        return frozenset(self._parents.get(subject_id, ()))

    def children_of(self, parent: SubjectKey) -> frozenset[int]:
        return frozenset(self._children.get(parent, ()))

    # signals -----------------------------------------------------------------------------------

    def _signal(self, signal_id: int) -> SignalRecord:
        return SignalRecord(signal_id, *self._signals[signal_id])

    def get_signal(self, signal_id: int) -> SignalRecord | None:
        return self._signal(signal_id) if signal_id in self._signals else None

    def signals_of(self, subject_id: int) -> list[SignalRecord]:
        return [self._signal(i) for i in self._by_subject.get(subject_id, ())]

    def signals_of_organisation(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[SignalRecord]:
        found = [self._signal(i) for i in self._by_org.get(organisation_id, ())]
        if professional_id is not None:
            found = [s for s in found if s.professional.id == professional_id]
        return found

    def set_signal_state(
        self,
        signal_id: int,
        status: SignalStatus,
        ended_on: date | None,
        reason: EndReason | None,
    ) -> None:
        self._unindex_state(signal_id)
        row = self._signals[signal_id]
        self._signals[signal_id] = (*row[:7], status, ended_on, reason)
        self._index_state(signal_id)

    def delete_signal(self, signal_id: int) -> None:
        self._unindex_state(signal_id)
        row = self._signals.pop(signal_id)
        _remove(self._by_subject, row[0], signal_id)
        _remove(self._by_org, row[1], signal_id)
        for match_id in list(self._matches_by_signal.pop(signal_id, ())):
            match = self._matches.pop(match_id)
            del self._pairs[(match[0], match[1])]
            other = match[1] if match[0] == signal_id else match[0]
            _remove(self._matches_by_signal, other, match_id)
            for note_id in list(self._notes_by_match.pop(match_id, ())):
                self._drop_notification(note_id)
        for note_id in list(self._notes_by_signal.pop(signal_id, ())):
            self._drop_notification(note_id)

    def active_due_by(self, day: date) -> list[int]:
        return sorted(i for d, ids in self._due.items() if d <= day for i in ids)

    def inactive_ended_by(self, day: date) -> list[int]:
        return sorted(i for d, ids in self._ended.items() if d <= day for i in ids)

    # matches -----------------------------------------------------------------------------------

    def _match(self, match_id: int) -> MatchRecord:
        return MatchRecord(match_id, *self._matches[match_id])

    def get_match(self, match_id: int) -> MatchRecord | None:
        return self._match(match_id) if match_id in self._matches else None

    def find_match(self, signal_a: int, signal_b: int) -> MatchRecord | None:
        key = (signal_a, signal_b) if signal_a < signal_b else (signal_b, signal_a)
        match_id = self._pairs.get(key)
        return None if match_id is None else self._match(match_id)

    def matches_of_signal(self, signal_id: int) -> list[MatchRecord]:
        return [self._match(i) for i in sorted(self._matches_by_signal.get(signal_id, ()))]

    def matches_of_organisation(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[tuple[SignalRecord, MatchRecord]]:
        found = [
            (own, self._match(m))
            for own in self.signals_of_organisation(organisation_id, professional_id)
            for m in self._matches_by_signal.get(own.id, ())
        ]
        return sorted(found, key=lambda pair: (pair[1].id, pair[0].id))

    def set_coordinator(self, match_id: int, signal_id: int) -> None:
        self._matches[match_id][5] = signal_id

    def set_afgestemd(self, match_id: int) -> None:
        self._matches[match_id][6] = True

    # outbox ------------------------------------------------------------------------------------

    def _note(self, note_id: int) -> NotificationRecord:
        return NotificationRecord(note_id, *self._notes[note_id])

    def get_notification(self, note_id: int) -> NotificationRecord | None:
        return self._note(note_id) if note_id in self._notes else None

    def _drop_notification(self, note_id: int) -> None:
        row = self._notes.pop(note_id, None)
        if row is None:
            return
        outbox = self._outbox.get(row[0])
        if outbox is not None:
            outbox.pop(note_id, None)
            if not outbox:
                del self._outbox[row[0]]
        for signal_id in {s for s in (row[4], *row[6]) if s is not None}:
            _remove(self._notes_by_signal, signal_id, note_id)
        if row[5] is not None:
            _remove(self._notes_by_match, row[5], note_id)

    def pending_notifications(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[NotificationRecord]:
        found = [self._note(i) for i in self._outbox.get(organisation_id, ())]
        if professional_id is not None:
            found = [n for n in found if n.professional_id == professional_id]
        return found

    def acknowledge(
        self, organisation_id: str, professional_id: str | None, ids: Sequence[int]
    ) -> list[NotificationRecord]:
        outbox = self._outbox.get(organisation_id, {})
        done = []
        for note_id in ids:
            if note_id in outbox:
                record = self._note(note_id)
                if professional_id is None or record.professional_id == professional_id:
                    self._drop_notification(note_id)
                    done.append(record)
        return done

    # credentials -------------------------------------------------------------------------------

    def put_credential(self, record: CredentialRecord) -> None:
        self._credentials[record.id] = replace(record)
        self._credentials_by_org.setdefault(record.organisation_id, []).append(record.id)

    def get_credential(self, credential_id: str) -> CredentialRecord | None:
        record = self._credentials.get(credential_id)
        return None if record is None else replace(record)

    def revoke_credential(self, credential_id: str) -> bool:
        record = self._credentials.get(credential_id)
        if record is None:
            return False
        record.revoked = True
        return True

    def credentials_of(self, organisation_id: str) -> list[CredentialRecord]:
        ids = self._credentials_by_org.get(organisation_id, ())
        return [replace(self._credentials[i]) for i in ids]

    # audit -------------------------------------------------------------------------------------

    def audit_append(self, entry: AuditEntry) -> None:
        self._audit.append(entry)
        if entry.subject:
            self._audit_by_subject.setdefault(entry.subject, []).append(len(self._audit) - 1)

    def audit_extend(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            self.audit_append(entry)

    def audit_last(self) -> AuditEntry | None:
        return self._audit[-1] if self._audit else None

    def audit_entries(self) -> Iterator[AuditEntry]:
        return iter(list(self._audit))

    def audit_entries_for(self, subjects: Iterable[str]) -> list[AuditEntry]:
        positions = sorted({p for s in subjects for p in self._audit_by_subject.get(s, ())})
        return [self._audit[p] for p in positions]

    # export ------------------------------------------------------------------------------------

    def counts(self) -> StoreCounts:
        active = sum(1 for row in self._signals.values() if row[7] is _ACTIVE)
        direct = sum(1 for m in self._matches.values() if m[2] is MatchKind.DIRECT)
        return StoreCounts(
            subjects=len(self._subjects),
            signals_active=active,
            signals_inactive=len(self._signals) - active,
            matches_direct=direct,
            matches_family=len(self._matches) - direct,
            matches_cross_region=sum(1 for m in self._matches.values() if m[3]),
            notifications_pending=len(self._notes),
            audit_entries=len(self._audit),
        )

    def subjects(self) -> Iterator[SubjectRecord]:
        return iter([r for i in sorted(self._subjects) if (r := self.get_subject(i))])

    def all_signals(self) -> Iterator[SignalRecord]:
        return iter([self._signal(i) for i in sorted(self._signals)])

    def all_matches(self) -> Iterator[MatchRecord]:
        return iter([self._match(i) for i in sorted(self._matches)])

    def all_notifications(self) -> Iterator[NotificationRecord]:
        return iter([self._note(i) for i in sorted(self._notes)])
