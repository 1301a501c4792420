"""The ``Store`` protocol the engine runs on, and the in-memory store.

The engine's behaviour is identical on every store: one shared test suite runs against each.
Mutations go through named methods (``end_signal``, ``delete_signal``, ...) so that a store can
keep its indexes (and a database its rows) right; records returned by a store must not be
changed by the caller.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Protocol

from verwijsindex_core.audit import AuditEntry, MemoryAuditStorage
from verwijsindex_core.matching._model import EndReason, Organisation, SignalStatus
from verwijsindex_core.matching._records import (
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
)

__all__ = ["MemoryStore", "Store"]


class Store(Protocol):
    """Persistence for subjects, signals, matches, the notification outbox and the audit log."""

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Everything inside commits together or not at all."""

    def next_id(self, kind: str) -> int:
        """The next id of ``"signal"``, ``"match"`` or ``"notification"`` (1, 2, ...)."""

    # organisations
    def put_organisation(self, organisation: Organisation) -> None: ...
    def get_organisation(self, organisation_id: str) -> Organisation | None: ...

    # subjects and families
    def get_subject(self, key: SubjectKey) -> SubjectRecord | None: ...
    def add_subject(self, record: SubjectRecord) -> None: ...
    def set_deceased(self, key: SubjectKey) -> None: ...
    def set_municipality(self, key: SubjectKey, municipality: str) -> None: ...
    def subjects(self) -> Iterator[SubjectRecord]: ...
    def add_parents(self, child: SubjectKey, parents: Iterable[SubjectKey]) -> None: ...
    def parents_of(self, child: SubjectKey) -> frozenset[SubjectKey]: ...
    def children_of(self, parent: SubjectKey) -> frozenset[SubjectKey]: ...

    # signals
    def add_signal(self, record: SignalRecord) -> None: ...
    def get_signal(self, signal_id: int) -> SignalRecord | None: ...
    def signals_of(self, subject: SubjectKey) -> list[SignalRecord]:
        """Every signal on the subject, by id."""

    def signals_of_organisation(self, organisation_id: str) -> list[SignalRecord]: ...
    def end_signal(self, signal_id: int, ended_on: date, reason: EndReason) -> None: ...
    def delete_signal(self, signal_id: int) -> None:
        """Delete the signal, its matches and every notification about either."""

    def active_ending_by(self, day: date) -> list[int]:
        """Active signals whose planned end is on or before ``day``."""

    def subjects_turning_23_by(self, day: date) -> list[SubjectKey]:
        """Subjects that turn 23 on or before ``day`` and still have an active signal."""

    def inactive_ended_by(self, day: date) -> list[int]:
        """Inactive signals that ended on or before ``day``."""

    def all_signals(self) -> Iterator[SignalRecord]: ...

    # matches
    def add_match(self, record: MatchRecord) -> None: ...
    def get_match(self, match_id: int) -> MatchRecord | None: ...
    def find_match(self, signal_a: int, signal_b: int) -> MatchRecord | None: ...
    def matches_of_signal(self, signal_id: int) -> list[MatchRecord]: ...
    def set_coordinator(self, match_id: int, signal_id: int) -> None: ...
    def set_afgestemd(self, match_id: int) -> None: ...
    def all_matches(self) -> Iterator[MatchRecord]: ...

    # outbox
    def add_notification(self, record: NotificationRecord) -> None: ...
    def get_notification(self, note_id: int) -> NotificationRecord | None: ...
    def pending_notifications(self, organisation_id: str) -> list[NotificationRecord]: ...
    def acknowledge(self, organisation_id: str, ids: Iterable[int]) -> int: ...
    def all_notifications(self) -> Iterator[NotificationRecord]: ...

    # audit (the store keeps the log, so entries commit with the data)
    def audit_append(self, entry: AuditEntry) -> None: ...
    def audit_last(self) -> AuditEntry | None: ...
    def audit_entries(self) -> Iterator[AuditEntry]: ...


def _due(buckets: dict[date, set[int]], day: date) -> list[int]:
    return sorted(i for d, ids in buckets.items() if d <= day for i in ids)


class MemoryStore(MemoryAuditStorage):
    """Everything in dicts, with the indexes the engine's queries need."""

    def __init__(self) -> None:
        super().__init__()
        self._ids: dict[str, int] = defaultdict(int)
        self._organisations: dict[str, Organisation] = {}
        self._subjects: dict[SubjectKey, SubjectRecord] = {}
        self._turns_23: dict[date, set[SubjectKey]] = defaultdict(set)
        self._parents: dict[SubjectKey, frozenset[SubjectKey]] = {}
        self._children: dict[SubjectKey, frozenset[SubjectKey]] = {}
        self._signals: dict[int, SignalRecord] = {}
        self._by_subject: dict[SubjectKey, list[int]] = defaultdict(list)
        self._by_org: dict[str, set[int]] = defaultdict(set)
        self._planned: dict[date, set[int]] = defaultdict(set)
        self._ended: dict[date, set[int]] = defaultdict(set)
        self._matches: dict[int, MatchRecord] = {}
        self._pairs: dict[tuple[int, int], int] = {}
        self._matches_by_signal: dict[int, list[int]] = defaultdict(list)
        self._notifications: dict[int, NotificationRecord] = {}
        self._outbox: dict[str, dict[int, None]] = defaultdict(dict)
        # Lists, not sets: most hold one or two ids, and a set costs 216 bytes empty.
        self._notes_by_signal: dict[int, list[int]] = defaultdict(list)
        self._notes_by_match: dict[int, list[int]] = defaultdict(list)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        # The engine validates before it changes anything, so there is nothing to roll back.
        yield

    def next_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    # organisations -----------------------------------------------------------------------------
    def put_organisation(self, organisation: Organisation) -> None:
        self._organisations[organisation.id] = organisation

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        return self._organisations.get(organisation_id)

    # subjects ------------------------------------------------------------------------------------
    def get_subject(self, key: SubjectKey) -> SubjectRecord | None:
        return self._subjects.get(key)

    def add_subject(self, record: SubjectRecord) -> None:
        self._subjects[record.key] = record
        self._turns_23[record.turns_23].add(record.key)

    def set_deceased(self, key: SubjectKey) -> None:
        self._subjects[key].deceased = True

    def set_municipality(self, key: SubjectKey, municipality: str) -> None:
        self._subjects[key].municipality = municipality

    def subjects(self) -> Iterator[SubjectRecord]:
        return iter(list(self._subjects.values()))

    def add_parents(self, child: SubjectKey, parents: Iterable[SubjectKey]) -> None:
        new = frozenset(parents) - self._parents.get(child, frozenset())
        if not new:
            return
        self._parents[child] = self._parents.get(child, frozenset()) | new
        for parent in new:
            self._children[parent] = self._children.get(parent, frozenset()) | {child}

    def parents_of(self, child: SubjectKey) -> frozenset[SubjectKey]:
        return self._parents.get(child, frozenset())

    def children_of(self, parent: SubjectKey) -> frozenset[SubjectKey]:
        return self._children.get(parent, frozenset())

    # signals -------------------------------------------------------------------------------------
    def add_signal(self, record: SignalRecord) -> None:
        self._signals[record.id] = record
        self._by_subject[record.subject].append(record.id)
        self._by_org[record.organisation_id].add(record.id)
        if record.status is SignalStatus.ACTIVE:
            self._planned[record.planned_end].add(record.id)
        elif record.ended_on is not None:
            self._ended[record.ended_on].add(record.id)

    def get_signal(self, signal_id: int) -> SignalRecord | None:
        return self._signals.get(signal_id)

    def signals_of(self, subject: SubjectKey) -> list[SignalRecord]:
        return [self._signals[i] for i in self._by_subject.get(subject, ())]

    def signals_of_organisation(self, organisation_id: str) -> list[SignalRecord]:
        return [self._signals[i] for i in sorted(self._by_org.get(organisation_id, ()))]

    def end_signal(self, signal_id: int, ended_on: date, reason: EndReason) -> None:
        record = self._signals[signal_id]
        self._planned[record.planned_end].discard(signal_id)
        record.status = SignalStatus.INACTIVE
        record.ended_on = ended_on
        record.end_reason = reason
        self._ended[ended_on].add(signal_id)

    def delete_signal(self, signal_id: int) -> None:
        record = self._signals.pop(signal_id)
        self._by_subject[record.subject].remove(signal_id)
        if not self._by_subject[record.subject]:
            del self._by_subject[record.subject]
        self._by_org[record.organisation_id].discard(signal_id)
        self._planned[record.planned_end].discard(signal_id)
        if record.ended_on is not None:
            self._ended[record.ended_on].discard(signal_id)
        for match_id in list(self._matches_by_signal.pop(signal_id, ())):
            match = self._matches.pop(match_id)
            del self._pairs[(match.signal_a, match.signal_b)]
            other = match.signal_b if match.signal_a == signal_id else match.signal_a
            self._matches_by_signal[other].remove(match_id)
            for note_id in list(self._notes_by_match.pop(match_id, ())):
                self._drop_notification(note_id)
        for note_id in list(self._notes_by_signal.pop(signal_id, ())):
            self._drop_notification(note_id)

    def active_ending_by(self, day: date) -> list[int]:
        return _due(self._planned, day)

    def subjects_turning_23_by(self, day: date) -> list[SubjectKey]:
        due = (k for d, keys in self._turns_23.items() if d <= day for k in keys)
        return sorted(
            k
            for k in due
            if any(
                self._signals[i].status is SignalStatus.ACTIVE for i in self._by_subject.get(k, ())
            )
        )

    def inactive_ended_by(self, day: date) -> list[int]:
        return _due(self._ended, day)

    def all_signals(self) -> Iterator[SignalRecord]:
        return iter(sorted(self._signals.values(), key=lambda r: r.id))

    # matches -------------------------------------------------------------------------------------
    def add_match(self, record: MatchRecord) -> None:
        self._matches[record.id] = record
        self._pairs[(record.signal_a, record.signal_b)] = record.id
        self._matches_by_signal[record.signal_a].append(record.id)
        self._matches_by_signal[record.signal_b].append(record.id)

    def get_match(self, match_id: int) -> MatchRecord | None:
        return self._matches.get(match_id)

    def find_match(self, signal_a: int, signal_b: int) -> MatchRecord | None:
        key = (signal_a, signal_b) if signal_a < signal_b else (signal_b, signal_a)
        match_id = self._pairs.get(key)
        return None if match_id is None else self._matches[match_id]

    def matches_of_signal(self, signal_id: int) -> list[MatchRecord]:
        return [self._matches[i] for i in self._matches_by_signal.get(signal_id, ())]

    def set_coordinator(self, match_id: int, signal_id: int) -> None:
        self._matches[match_id].coordinator_signal = signal_id

    def set_afgestemd(self, match_id: int) -> None:
        self._matches[match_id].afgestemd = True

    def all_matches(self) -> Iterator[MatchRecord]:
        return iter(sorted(self._matches.values(), key=lambda r: r.id))

    # outbox --------------------------------------------------------------------------------------
    def add_notification(self, record: NotificationRecord) -> None:
        self._notifications[record.id] = record
        self._outbox[record.organisation_id][record.id] = None
        if record.signal_id is not None:
            self._notes_by_signal[record.signal_id].append(record.id)
        for about in record.about:
            self._notes_by_signal[about].append(record.id)
        if record.match_id is not None:
            self._notes_by_match[record.match_id].append(record.id)

    def get_notification(self, note_id: int) -> NotificationRecord | None:
        return self._notifications.get(note_id)

    def _drop_notification(self, note_id: int) -> None:
        record = self._notifications.pop(note_id, None)
        if record is None:
            return
        self._outbox[record.organisation_id].pop(note_id, None)
        for signal_id in (record.signal_id, *record.about):
            notes = self._notes_by_signal.get(signal_id) if signal_id is not None else None
            if notes is not None and note_id in notes:
                notes.remove(note_id)

    def pending_notifications(self, organisation_id: str) -> list[NotificationRecord]:
        return [self._notifications[i] for i in self._outbox.get(organisation_id, ())]

    def acknowledge(self, organisation_id: str, ids: Iterable[int]) -> int:
        outbox = self._outbox.get(organisation_id, {})
        done = 0
        for note_id in ids:
            if note_id in outbox:
                self._drop_notification(note_id)
                done += 1
        return done

    def all_notifications(self) -> Iterator[NotificationRecord]:
        return iter(sorted(self._notifications.values(), key=lambda r: r.id))
