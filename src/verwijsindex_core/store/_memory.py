"""The in-memory store: columns of typed arrays, indexed by id.

Ids are dense (the engine takes them from :meth:`MemoryStore.next_id`), so a record is a row
index into a few :mod:`array` columns rather than an object: about 30 bytes a signal instead of
several hundred, and nothing for the cyclic garbage collector to walk. Lists that belong to
one key (a subject's signals, a professional's signals, a signal's matches, an outbox) are
linked lists threaded through the columns, so every read follows its answer and every delete
is constant time. Dates are day numbers (proleptic ordinals); organisations, professionals,
municipalities and pseudonyms are interned once. Records are built on read, so a caller never
holds the store's own objects.

The notifications of a match (each side, and each region's coordinator across regions) are
not stored one by one: a match keeps the id of its first notification and a pending flag per
notification, and the records are derived from the match when read.
"""

from __future__ import annotations

import contextlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Final

from verwijsindex_core.audit import AuditEntry, AuditEvent, from_micros, to_micros
from verwijsindex_core.matching._model import (
    Domain,
    EndReason,
    MatchKind,
    NotificationKind,
    Organisation,
    Professional,
    SignalStatus,
)
from verwijsindex_core.pseudonym._b64 import b64u_encode
from verwijsindex_core.store._protocol import NewRows, StoreCounts
from verwijsindex_core.store._records import (
    CredentialRecord,
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
    alias_of_text,
)

__all__ = ["MemoryStore"]

_FROM_URLSAFE: Final = str.maketrans("-_", "+/")

_DOMAINS: Final = tuple(Domain)
_REASONS: Final = tuple(EndReason)
_KINDS: Final = tuple(MatchKind)
_EVENTS: Final = tuple(AuditEvent)
_CODE: Final[dict[object, int]] = {
    m: i for table in (_DOMAINS, _REASONS, _KINDS, _EVENTS) for i, m in enumerate(table)
}
_EVENT_CODE: Final = {e.value: i for i, e in enumerate(_EVENTS)}
_ACTIVE, _INACTIVE, _GONE = 0, 1, -1
_STATUS: Final = (SignalStatus.ACTIVE, SignalStatus.INACTIVE)
_MATCH = NotificationKind.MATCH
_FROM_DAY: Final = date.fromordinal
_NONE: Final = 0  # "no id": ids start at 1


def _grow(column: array[int], size: int, fill: int) -> None:
    """Make ``column[size - 1]`` exist (ids are dense, but a failed unit may skip some)."""
    missing = size - len(column)
    if missing == 1:
        column.append(fill)
    elif missing > 0:
        column.extend([fill] * missing)


class _Chains:
    """Doubly linked lists of member ids (signals, matches, ...) per owner id, kept in id
    order by appending: ``first``/``last`` per owner, ``next``/``prev`` per member."""

    __slots__ = ("first", "last", "next", "prev")

    def __init__(self) -> None:
        self.first: array[int] = array("q", [0])
        self.last: array[int] = array("q", [0])
        self.next: array[int] = array("q", [0])
        self.prev: array[int] = array("q", [0])

    def append(self, owner: int, member: int) -> None:
        if owner >= len(self.first):
            _grow(self.first, owner + 1, 0)
            _grow(self.last, owner + 1, 0)
        if member >= len(self.next):
            _grow(self.next, member + 1, 0)
            _grow(self.prev, member + 1, 0)
        tail = self.last[owner]
        self.prev[member], self.next[member] = tail, 0
        if tail:
            self.next[tail] = member
        else:
            self.first[owner] = member
        self.last[owner] = member

    def remove(self, owner: int, member: int) -> None:
        before, after = self.prev[member], self.next[member]
        if before:
            self.next[before] = after
        else:
            self.first[owner] = after
        if after:
            self.prev[after] = before
        else:
            self.last[owner] = before
        self.prev[member] = self.next[member] = 0

    def members(self, owner: int) -> list[int]:
        if owner >= len(self.first):
            return []
        found, member, nxt = [], self.first[owner], self.next
        while member:
            found.append(member)
            member = nxt[member]
        return found


class MemoryStore:
    """Everything in memory, in columns, with the indexes the engine's queries need. Not
    thread-safe; the transaction does not roll back (the engine validates before it changes
    anything)."""

    def __init__(self) -> None:  # noqa: PLR0915 - one line per column: the layout, in one place
        self._ids: dict[str, int] = defaultdict(int)
        self._meta: dict[str, str] = {}
        # interned values
        self._organisations: dict[str, Organisation] = {}
        self._party_ids: dict[str, int] = {}
        self._party_names: list[str] = [""]
        self._prof_ids: dict[tuple[int, str], int] = {}
        self._profs: list[Professional | None] = [None]
        self._prof_party: array[int] = array("q", [0])
        self._party_profs: dict[int, list[int]] = {}
        self._key_ids: list[str] = []
        self._key_index: dict[str, int] = {}
        # pseudonyms: digest -> alias id per key; an alias keeps its row when its subject goes
        self._alias: dict[int, dict[bytes, int]] = {}
        self._al_digest: list[bytes] = [b""]
        self._al_key: array[int] = array("b", [0])
        self._al_subject: array[int] = array("q", [0])
        self._al_audit = _Chains()  # audit entries per alias
        # subjects (index = subject id)
        self._su_turns: array[int] = array("l", [0])
        self._su_state: array[int] = array("b", [_GONE])  # 0 alive, 1 deceased, -1 gone
        self._su_muni: array[int] = array("l", [0])
        self._su_alias: array[int] = array("q", [0])  # first alias
        self._su_more: dict[int, list[int]] = {}  # further aliases (key rotation), rare
        self._parents: dict[int, list[int]] = {}  # child subject -> parent alias ids
        self._children: dict[int, list[int]] = {}  # parent alias id -> child subjects
        # signals (index = signal id)
        self._s_subject: array[int] = array("q", [0])
        self._s_prof: array[int] = array("q", [0])
        self._s_domain: array[int] = array("b", [0])
        self._s_muni: array[int] = array("l", [0])
        self._s_reg: array[int] = array("l", [0])
        self._s_plan: array[int] = array("l", [0])
        self._s_status: array[int] = array("b", [_GONE])
        self._s_ended: array[int] = array("l", [0])
        self._s_reason: array[int] = array("b", [-1])
        self._by_subject = _Chains()
        self._by_prof = _Chains()
        self._due: dict[int, array[int]] = {}  # day -> active signals due then (lazy)
        self._ended: dict[int, array[int]] = {}  # day -> signals that ended then (lazy)
        self._signal_count = [0, 0]  # active, inactive
        # matches (index = match id); a signal's matches are a chain through both ends
        self._m_a: array[int] = array("q", [0])
        self._m_b: array[int] = array("q", [0])
        self._m_kind: array[int] = array("b", [-1])
        self._m_cross: array[int] = array("b", [0])
        self._m_created: array[int] = array("l", [0])
        self._m_coord: array[int] = array("q", [0])
        self._m_afgestemd: array[int] = array("b", [0])
        self._m_next_a: array[int] = array("q", [0])
        self._m_next_b: array[int] = array("q", [0])
        self._m_note: array[int] = array("q", [0])  # first of its notifications
        self._s_first_match: array[int] = array("q", [0])
        self._match_count = [0, 0, 0]  # direct, family, cross-region
        self._match_columns = (
            self._m_a,
            self._m_b,
            self._m_kind,
            self._m_cross,
            self._m_created,
            self._m_coord,
            self._m_afgestemd,
            self._m_next_a,
            self._m_next_b,
            self._m_note,
        )
        # notifications (index = notification id)
        self._n_match: array[int] = array("q", [0])  # 0: a stored (non-match) notification
        self._n_role: array[int] = array("b", [0])  # 0 side a, 1 side b, 2/3 coordinators
        self._n_party: array[int] = array("q", [0])
        self._n_pending: array[int] = array("b", [0])
        self._other_notes: dict[int, NotificationRecord] = {}
        self._other_by_signal: dict[int, list[int]] = {}
        self._outbox: dict[int, array[int]] = {}  # party -> notification ids (lazy)
        self._outbox_stale: dict[int, int] = {}
        self._pending_count = 0
        # credentials
        self._credentials: dict[str, CredentialRecord] = {}
        self._credentials_by_org: dict[str, list[str]] = {}
        # audit (index = seq)
        self._a_hash = bytearray(32)
        self._a_at: array[int] = array("q", [0])
        self._a_event: array[int] = array("b", [0])
        self._a_alias: array[int] = array("q", [0])
        self._a_actor: array[int] = array("q", [0])
        self._a_prof: array[int] = array("q", [0])
        self._a_resp: array[int] = array("q", [0])
        self._a_signal: array[int] = array("q", [0])  # detail "signal=<id>" as a number
        self._a_detail: dict[int, str] = {}  # any other detail
        self._texts: dict[str, int] = {"": 0}  # actor professional ids
        self._text_list: list[str] = [""]

    # --- transactions, ids, metadata ------------------------------------------------------------

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

    # --- interned values ------------------------------------------------------------------------

    def _party(self, name: str) -> int:
        number = self._party_ids.get(name)
        if number is None:
            number = self._party_ids[name] = len(self._party_names)
            self._party_names.append(name)
        return number

    def _professional(self, professional: Professional) -> int:
        party = self._party(professional.organisation_id)
        key = (party, professional.id)
        number = self._prof_ids.get(key)
        if number is None:
            number = self._prof_ids[key] = len(self._profs)
            self._profs.append(professional)
            self._prof_party.append(party)
            self._party_profs.setdefault(party, []).append(number)
        else:
            known = self._profs[number]
            if known is not professional and known != professional:
                self._profs[number] = professional  # new contact details: shown from now on
        return number

    def _text(self, value: str) -> int:
        number = self._texts.get(value)
        if number is None:
            number = self._texts[value] = len(self._text_list)
            self._text_list.append(value)
        return number

    def _key(self, key_id: str) -> int:
        number = self._key_index.get(key_id)
        if number is None:
            number = self._key_index[key_id] = len(self._key_ids)
            self._key_ids.append(key_id)
            self._alias[number] = {}
        return number

    def _alias_id(self, alias: SubjectKey, *, create: bool) -> int:
        """The row of a pseudonym (0 when unknown and not ``create``)."""
        key = self._key_index.get(alias[0])
        if key is None:
            if not create:
                return 0
            key = self._key(alias[0])
        number = self._alias[key].get(alias[1], 0)
        if not number and create:
            number = len(self._al_digest)
            self._alias[key][alias[1]] = number
            self._al_digest.append(alias[1])
            self._al_key.append(key)
            self._al_subject.append(0)
        return number

    def _alias_key(self, alias_id: int) -> SubjectKey:
        return (self._key_ids[self._al_key[alias_id]], self._al_digest[alias_id])

    # --- organisations --------------------------------------------------------------------------

    def put_organisation(self, organisation: Organisation) -> None:
        self._organisations[organisation.id] = organisation
        self._party(organisation.id)

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        return self._organisations.get(organisation_id)

    # --- inserts --------------------------------------------------------------------------------

    def insert(self, rows: NewRows) -> None:
        for subject in rows.subjects:
            self._add_subject(subject)
        for alias, subject_id in rows.aliases:
            self._link_alias(alias, subject_id)
        for child, parent in rows.parents:
            self._add_parent(child, parent)
        for s in rows.signals:
            self._add_signal(s)
        for m in rows.matches:
            self._add_match(m)
        for n in rows.notifications:
            self._add_notification(n)

    def _add_subject(self, subject: SubjectRecord) -> None:
        i = subject.id
        if len(self._su_turns) == i:
            self._su_turns.append(subject.turns_23.toordinal())
            self._su_state.append(int(subject.deceased))
            self._su_muni.append(
                0 if subject.municipality is None else int(subject.municipality[2:])
            )
            self._su_alias.append(0)
        else:
            for column, fill in (
                (self._su_turns, 0),
                (self._su_state, _GONE),
                (self._su_muni, 0),
                (self._su_alias, 0),
            ):
                _grow(column, i + 1, fill)
            self._su_turns[i] = subject.turns_23.toordinal()
            self._su_state[i] = int(subject.deceased)
            self._su_muni[i] = 0 if subject.municipality is None else int(subject.municipality[2:])
        for alias in subject.aliases:
            self._link_alias(alias, i)

    def _link_alias(self, alias: SubjectKey, subject_id: int) -> None:
        number = self._alias_id(alias, create=True)
        self._al_subject[number] = subject_id
        first = self._su_alias[subject_id]
        if not first:
            self._su_alias[subject_id] = number
        elif first != number:
            more = self._su_more.setdefault(subject_id, [])
            if number not in more:
                more.append(number)

    def _add_parent(self, child: int, parent: SubjectKey) -> None:
        number = self._alias_id(parent, create=True)
        parents = self._parents.setdefault(child, [])
        if number not in parents:
            parents.append(number)
            self._children.setdefault(number, []).append(child)

    def _add_signal(self, s: SignalRecord) -> None:
        i = s.id
        if len(self._s_subject) != i:
            self._pad_signals(i)
        self._s_subject.append(s.subject)
        self._s_prof.append(self._professional(s.professional))
        self._s_domain.append(_CODE[s.domain])
        self._s_muni.append(int(s.municipality[2:]))
        self._s_reg.append(s.registered_on.toordinal())
        self._s_plan.append(s.planned_end.toordinal())
        status = _ACTIVE if s.status is SignalStatus.ACTIVE else _INACTIVE
        self._s_status.append(status)
        self._s_ended.append(0 if s.ended_on is None else s.ended_on.toordinal())
        self._s_reason.append(-1 if s.end_reason is None else _CODE[s.end_reason])
        self._s_first_match.append(0)
        self._by_subject.append(s.subject, i)
        self._by_prof.append(self._s_prof[i], i)
        self._signal_count[status] += 1
        self._index_state(i)

    def _pad_signals(self, size: int) -> None:
        for column, fill in (
            (self._s_subject, 0),
            (self._s_prof, 0),
            (self._s_domain, 0),
            (self._s_muni, 0),
            (self._s_reg, 0),
            (self._s_plan, 0),
            (self._s_status, _GONE),
            (self._s_ended, 0),
            (self._s_reason, -1),
            (self._s_first_match, 0),
        ):
            _grow(column, size, fill)

    def _add_match(self, m: MatchRecord) -> None:
        if len(self._m_a) == m.id:
            for column in self._match_columns:
                column.append(0)
        else:
            self._pad_matches(m.id + 1)
        self._fill_match(m)

    def _pad_matches(self, size: int) -> None:
        columns = (
            (self._m_a, 0),
            (self._m_b, 0),
            (self._m_kind, -1),
            (self._m_cross, 0),
            (self._m_created, 0),
            (self._m_coord, 0),
            (self._m_afgestemd, 0),
            (self._m_next_a, 0),
            (self._m_next_b, 0),
            (self._m_note, 0),
        )
        for column, fill in columns:
            _grow(column, size, fill)

    def _fill_match(self, m: MatchRecord) -> None:
        i = m.id
        self._m_a[i], self._m_b[i] = m.signal_a, m.signal_b
        self._m_kind[i] = _CODE[m.kind]
        self._m_cross[i] = int(m.cross_region)
        self._m_created[i] = m.created_on.toordinal()
        self._m_coord[i] = m.coordinator_signal or 0
        self._m_afgestemd[i] = int(m.afgestemd)
        # Prepend to both signals' chains (a signal's matches are read sorted).
        self._m_next_a[i] = self._s_first_match[m.signal_a]
        self._s_first_match[m.signal_a] = i
        self._m_next_b[i] = self._s_first_match[m.signal_b]
        self._s_first_match[m.signal_b] = i
        self._match_count[_CODE[m.kind]] += 1
        self._match_count[2] += int(m.cross_region)

    def _next_match(self, match_id: int, signal_id: int) -> int:
        if self._m_a[match_id] == signal_id:
            return self._m_next_a[match_id]
        return self._m_next_b[match_id]

    def _match_ids(self, signal_id: int) -> list[int]:
        if signal_id >= len(self._s_first_match):
            return []
        found, m = [], self._s_first_match[signal_id]
        while m:
            found.append(m)
            m = self._next_match(m, signal_id)
        return found

    def _derived(self, n: NotificationRecord) -> int:
        """The role of a match notification the store can derive from its match (0: side a,
        1: side b, 2/3: the coordinators), or -1 when it must be stored as it is."""
        m = n.match_id
        if n.kind is not _MATCH or m is None or m >= len(self._m_a) or self._m_kind[m] < 0:
            return -1
        a, b = self._m_a[m], self._m_b[m]
        day = self._m_created[m]
        if n.created_on.toordinal() != day:
            return -1
        if n.signal_id == a and n.about == (b,) and self._signal_party_prof(a, n):
            return 0
        if n.signal_id == b and n.about == (a,) and self._signal_party_prof(b, n):
            return 1
        if n.signal_id is None and n.professional_id is None and n.about == (a, b):
            first = self._m_note[m]
            return 2 if not first or n.id == first + 2 else 3
        return -1

    def _signal_party_prof(self, signal_id: int, n: NotificationRecord) -> bool:
        prof = self._profs[self._s_prof[signal_id]]
        return prof is not None and (prof.organisation_id, prof.id) == (
            n.organisation_id,
            n.professional_id,
        )

    def _add_notification(self, n: NotificationRecord) -> None:
        i = n.id
        if len(self._n_match) == i:
            self._n_match.append(0)
            self._n_role.append(0)
            self._n_party.append(0)
            self._n_pending.append(0)
        else:
            for column, fill in (
                (self._n_match, 0),
                (self._n_role, 0),
                (self._n_party, 0),
                (self._n_pending, 0),
            ):
                _grow(column, i + 1, fill)
        party = self._party(n.organisation_id)
        role = self._derived(n)
        if role >= 0 and n.match_id is not None:
            m = n.match_id
            if role == 0:
                self._m_note[m] = i
            if i - self._m_note[m] == role:  # a match's notifications are consecutive
                self._n_match[i], self._n_role[i] = m, role
            else:
                role = -1
        if role < 0:
            self._other_notes[i] = replace(n)
            for signal_id in {s for s in (n.signal_id, *n.about) if s is not None}:
                self._other_by_signal.setdefault(signal_id, []).append(i)
        self._n_party[i] = party
        self._n_pending[i] = 1
        self._pending_count += 1
        outbox = self._outbox.get(party)
        if outbox is None:
            outbox = self._outbox[party] = array("q")
        outbox.append(i)

    # --- subjects -------------------------------------------------------------------------------

    def subject_ids(self, aliases: Iterable[SubjectKey]) -> dict[SubjectKey, int]:
        found = {}
        index, table, subjects = self._key_index, self._alias, self._al_subject
        for alias in aliases:
            key = index.get(alias[0])
            if key is not None:
                number = table[key].get(alias[1])
                if number and subjects[number]:
                    found[alias] = subjects[number]
        return found

    def _alive(self, subject_id: int) -> bool:
        return 0 < subject_id < len(self._su_state) and self._su_state[subject_id] != _GONE

    def get_subject(self, subject_id: int) -> SubjectRecord | None:
        if not self._alive(subject_id):
            return None
        municipality = self._su_muni[subject_id]
        return SubjectRecord(
            subject_id,
            _FROM_DAY(self._su_turns[subject_id]),
            tuple(self._alias_key(a) for a in self._aliases_of(subject_id)),
            self._su_state[subject_id] == 1,
            None if not municipality else f"GM{municipality:04d}",
        )

    def _aliases_of(self, subject_id: int) -> list[int]:
        first = self._su_alias[subject_id]
        return ([first] if first else []) + self._su_more.get(subject_id, [])

    def update_subject(self, record: SubjectRecord) -> None:
        i = record.id
        turns = record.turns_23.toordinal()
        changed = turns != self._su_turns[i]
        self._su_turns[i] = turns
        self._su_state[i] = int(record.deceased)
        self._su_muni[i] = 0 if record.municipality is None else int(record.municipality[2:])
        if changed:  # the due days of its active signals move with the 23rd birthday
            for signal_id in self._by_subject.members(i):
                self._index_state(signal_id)

    def merge_subjects(self, gone: int, into: int) -> None:
        moved = self._by_subject.members(gone)
        staying = self._by_subject.members(into)
        for signal_id in (*moved, *staying):
            self._by_subject.remove(self._s_subject[signal_id], signal_id)
        for signal_id in sorted((*moved, *staying)):
            self._s_subject[signal_id] = into
            self._by_subject.append(into, signal_id)
        for alias in self._aliases_of(gone):
            self._al_subject[alias] = 0
            self._link_alias(self._alias_key(alias), into)
        self._su_alias[gone] = 0
        self._su_more.pop(gone, None)
        if self._su_state[gone] == 1:
            self._su_state[into] = 1
        if not self._su_muni[into]:
            self._su_muni[into] = self._su_muni[gone]
        for parent in self._parents.pop(gone, []):
            children = self._children[parent]
            children.remove(gone)
            parents = self._parents.setdefault(into, [])
            if parent not in parents:
                parents.append(parent)
                children.append(into)
        self._su_state[gone] = _GONE
        for signal_id in moved:
            self._index_state(signal_id)

    def delete_subject(self, subject_id: int) -> None:
        for alias in self._aliases_of(subject_id):
            self._al_subject[alias] = 0
        self._su_alias[subject_id] = 0
        self._su_more.pop(subject_id, None)
        for parent in self._parents.pop(subject_id, []):
            children = self._children[parent]
            children.remove(subject_id)
            if not children:
                del self._children[parent]
        self._su_state[subject_id] = _GONE

    def parents_of(self, subject_id: int) -> frozenset[SubjectKey]:
        return frozenset(self._alias_key(a) for a in self._parents.get(subject_id, ()))

    def children_of(self, parent: SubjectKey) -> frozenset[int]:
        number = self._alias_id(parent, create=False)
        return frozenset(self._children.get(number, ())) if number else frozenset()

    # --- signals --------------------------------------------------------------------------------

    def _exists(self, signal_id: int) -> bool:
        return 0 < signal_id < len(self._s_status) and self._s_status[signal_id] != _GONE

    def _signal(self, i: int) -> SignalRecord:
        prof = self._profs[self._s_prof[i]]
        assert prof is not None
        ended, reason = self._s_ended[i], self._s_reason[i]
        return SignalRecord(
            i,
            self._s_subject[i],
            prof.organisation_id,
            prof,
            _DOMAINS[self._s_domain[i]],
            f"GM{self._s_muni[i]:04d}",
            _FROM_DAY(self._s_reg[i]),
            _FROM_DAY(self._s_plan[i]),
            _STATUS[self._s_status[i]],
            _FROM_DAY(ended) if ended else None,
            _REASONS[reason] if reason >= 0 else None,
        )

    def get_signal(self, signal_id: int) -> SignalRecord | None:
        return self._signal(signal_id) if self._exists(signal_id) else None

    def signals_of(self, subject_id: int) -> list[SignalRecord]:
        return [self._signal(i) for i in self._by_subject.members(subject_id)]

    def _signal_ids_of(self, organisation_id: str, professional_id: str | None) -> list[int]:
        party = self._party_ids.get(organisation_id)
        if party is None:
            return []
        if professional_id is not None:
            prof = self._prof_ids.get((party, professional_id))
            return [] if prof is None else self._by_prof.members(prof)
        return sorted(i for p in self._party_profs.get(party, ()) for i in self._by_prof.members(p))

    def signals_of_organisation(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[SignalRecord]:
        return [self._signal(i) for i in self._signal_ids_of(organisation_id, professional_id)]

    def _due_day(self, i: int) -> int:
        return min(self._s_plan[i], self._su_turns[self._s_subject[i]])

    def _index_state(self, i: int) -> None:
        """File the signal under its due day (active) or its end day (inactive); entries that
        no longer hold are skipped and dropped when read."""
        status = self._s_status[i]
        if status == _ACTIVE:
            day, buckets = self._due_day(i), self._due
        elif status == _INACTIVE and self._s_ended[i]:
            day, buckets = self._s_ended[i], self._ended
        else:
            return
        bucket = buckets.get(day)
        if bucket is None:
            bucket = buckets[day] = array("q")
        bucket.append(i)

    def set_signal_state(
        self,
        signal_id: int,
        status: SignalStatus,
        ended_on: date | None,
        reason: EndReason | None,
    ) -> None:
        i = signal_id
        code = _ACTIVE if status is SignalStatus.ACTIVE else _INACTIVE
        self._signal_count[self._s_status[i]] -= 1
        self._signal_count[code] += 1
        self._s_status[i] = code
        self._s_ended[i] = 0 if ended_on is None else ended_on.toordinal()
        self._s_reason[i] = -1 if reason is None else _CODE[reason]
        self._index_state(i)

    def delete_signal(self, signal_id: int) -> None:
        i = signal_id
        for match_id in self._match_ids(i):
            self._delete_match(match_id, i)
        for note_id in self._other_by_signal.pop(i, []):
            self._drop_notification(note_id)
        self._by_subject.remove(self._s_subject[i], i)
        self._by_prof.remove(self._s_prof[i], i)
        self._signal_count[self._s_status[i]] -= 1
        self._s_status[i] = _GONE
        self._s_first_match[i] = 0

    def _delete_match(self, match_id: int, deleted_signal: int) -> None:
        a, b = self._m_a[match_id], self._m_b[match_id]
        other = b if a == deleted_signal else a
        # Unlink from the other signal's chain (the deleted signal's goes as a whole).
        previous, m = 0, self._s_first_match[other]
        while m and m != match_id:
            previous, m = m, self._next_match(m, other)
        following = self._next_match(match_id, other)
        if previous:
            if self._m_a[previous] == other:
                self._m_next_a[previous] = following
            else:
                self._m_next_b[previous] = following
        else:
            self._s_first_match[other] = following
        first = self._m_note[match_id]
        if first:
            for note_id in range(first, first + 4):
                if note_id < len(self._n_match) and self._n_match[note_id] == match_id:
                    self._drop_notification(note_id)
        self._match_count[self._m_kind[match_id]] -= 1
        self._match_count[2] -= self._m_cross[match_id]
        self._m_kind[match_id] = -1

    def _due_ids(self, buckets: dict[int, array[int]], day: int, *, active: bool) -> list[int]:
        """Ids filed under a day up to ``day`` that still belong there (stale entries go)."""
        found: list[int] = []
        for key in [k for k in buckets if k <= day]:
            valid = array("q")
            for i in buckets[key]:
                if active:
                    ok = self._s_status[i] == _ACTIVE and self._due_day(i) == key
                else:
                    ok = self._s_status[i] == _INACTIVE and self._s_ended[i] == key
                if ok and i not in valid:
                    valid.append(i)
            if valid:
                buckets[key] = valid
                found.extend(valid)
            else:
                del buckets[key]
        return sorted(found)

    def active_due_by(self, day: date) -> list[int]:
        return self._due_ids(self._due, day.toordinal(), active=True)

    def inactive_ended_by(self, day: date) -> list[int]:
        return self._due_ids(self._ended, day.toordinal(), active=False)

    # --- matches --------------------------------------------------------------------------------

    def _match(self, i: int) -> MatchRecord:
        return MatchRecord(
            i,
            self._m_a[i],
            self._m_b[i],
            _KINDS[self._m_kind[i]],
            bool(self._m_cross[i]),
            _FROM_DAY(self._m_created[i]),
            self._m_coord[i] or None,
            bool(self._m_afgestemd[i]),
        )

    def _match_exists(self, match_id: int) -> bool:
        return 0 < match_id < len(self._m_kind) and self._m_kind[match_id] >= 0

    def get_match(self, match_id: int) -> MatchRecord | None:
        return self._match(match_id) if self._match_exists(match_id) else None

    def find_match(self, signal_a: int, signal_b: int) -> MatchRecord | None:
        if not self._exists(signal_a):
            return None
        for m in self._match_ids(signal_a):
            if signal_b in (self._m_a[m], self._m_b[m]):
                return self._match(m)
        return None

    def matches_of_signal(self, signal_id: int) -> list[MatchRecord]:
        return [self._match(m) for m in sorted(self._match_ids(signal_id))]

    def matches_of_organisation(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[tuple[SignalRecord, MatchRecord]]:
        pairs = [
            (own, m)
            for own in self._signal_ids_of(organisation_id, professional_id)
            for m in self._match_ids(own)
        ]
        pairs.sort(key=lambda pair: (pair[1], pair[0]))
        return [(self._signal(own), self._match(m)) for own, m in pairs]

    def set_coordinator(self, match_id: int, signal_id: int) -> None:
        self._m_coord[match_id] = signal_id

    def set_afgestemd(self, match_id: int) -> None:
        self._m_afgestemd[match_id] = 1

    # --- outbox ---------------------------------------------------------------------------------

    def _note_exists(self, note_id: int) -> bool:
        return 0 < note_id < len(self._n_pending) and self._n_pending[note_id] == 1

    def _note(self, i: int) -> NotificationRecord:
        m = self._n_match[i]
        if not m:
            return replace(self._other_notes[i])
        a, b, role = self._m_a[m], self._m_b[m], self._n_role[i]
        created = _FROM_DAY(self._m_created[m])
        if role < 2:
            own, other = (a, b) if role == 0 else (b, a)
            prof = self._profs[self._s_prof[own]]
            assert prof is not None
            return NotificationRecord(
                i, prof.organisation_id, prof.id, _MATCH, created, own, m, (other,)
            )
        party = self._party_names[self._n_party[i]]
        return NotificationRecord(i, party, None, _MATCH, created, None, m, (a, b))

    def get_notification(self, note_id: int) -> NotificationRecord | None:
        return self._note(note_id) if self._note_exists(note_id) else None

    def _drop_notification(self, note_id: int) -> None:
        if not self._note_exists(note_id):
            return
        self._n_pending[note_id] = 0
        self._pending_count -= 1
        other = self._other_notes.pop(note_id, None)
        if other is not None:
            for signal_id in {s for s in (other.signal_id, *other.about) if s is not None}:
                notes = self._other_by_signal.get(signal_id)
                if notes is not None and note_id in notes:
                    notes.remove(note_id)
                    if not notes:
                        del self._other_by_signal[signal_id]
        party = self._n_party[note_id]
        stale = self._outbox_stale.get(party, 0) + 1
        outbox = self._outbox[party]
        if stale * 2 > len(outbox):  # compact: the outbox stays answer-sized
            self._outbox[party] = array("q", [n for n in outbox if self._n_pending[n]])
            stale = 0
        self._outbox_stale[party] = stale

    def pending_notifications(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[NotificationRecord]:
        party = self._party_ids.get(organisation_id)
        if party is None or party not in self._outbox:
            return []
        found = [self._note(n) for n in self._outbox[party] if self._n_pending[n]]
        if professional_id is not None:
            found = [n for n in found if n.professional_id == professional_id]
        return found

    def acknowledge(
        self, organisation_id: str, professional_id: str | None, ids: Sequence[int]
    ) -> list[NotificationRecord]:
        party = self._party_ids.get(organisation_id)
        done = []
        for note_id in ids:
            if party is not None and self._note_exists(note_id):
                if self._n_party[note_id] != party:
                    continue
                record = self._note(note_id)
                if professional_id is None or record.professional_id == professional_id:
                    self._drop_notification(note_id)
                    done.append(record)
        return done

    # --- credentials ----------------------------------------------------------------------------

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

    # --- audit ----------------------------------------------------------------------------------

    def _subject_alias(self, text: str) -> int:
        if not text:
            return 0
        alias = alias_of_text(text)
        if alias is None:
            raise ValueError("audit subject is not a pseudonym's text form")
        return self._alias_id(alias, create=True)

    def audit_append(self, entry: AuditEntry) -> None:
        self.audit_extend([entry])

    def audit_extend(self, entries: Sequence[AuditEntry]) -> None:
        party, text, micros = self._party, self._text, to_micros
        for e in entries:
            position = len(self._a_at)  # == e.seq in a sound chain
            alias = self._subject_alias(e.subject)
            self._a_hash += e.hash
            self._a_at.append(micros(e.at))
            self._a_event.append(_EVENT_CODE[e.event])
            self._a_alias.append(alias)
            self._a_actor.append(party(e.actor_organisation))
            self._a_prof.append(text(e.actor_professional))
            self._a_resp.append(party(e.responsible_organisation))
            detail = e.detail
            if detail.startswith("signal=") and detail[7:].isdigit() and detail[7] != "0":
                self._a_signal.append(int(detail[7:]))
            else:
                self._a_signal.append(0)
                if detail:
                    self._a_detail[position] = detail
            if alias:
                self._al_audit.append(alias, position)

    def _entry(self, i: int) -> AuditEntry:
        alias = self._a_alias[i]
        subject = ""
        if alias:
            key_id, digest = self._alias_key(alias)
            subject = f"vi1.{key_id}.{b64u_encode(digest)}"
        number = self._a_signal[i]
        return AuditEntry(
            i,  # the position; in a sound chain the same as the sequence number
            from_micros(self._a_at[i]),
            _EVENTS[self._a_event[i]].value,
            subject,
            self._party_names[self._a_actor[i]],
            self._text_list[self._a_prof[i]],
            self._party_names[self._a_resp[i]],
            f"signal={number}" if number else self._a_detail.get(i, ""),
            bytes(self._a_hash[32 * (i - 1) : 32 * i]),
            bytes(self._a_hash[32 * i : 32 * (i + 1)]),
        )

    def _audit_size(self) -> int:
        return len(self._a_at) - 1

    def audit_last(self) -> AuditEntry | None:
        size = self._audit_size()
        return self._entry(size) if size else None

    def audit_entries(self) -> Iterator[AuditEntry]:
        return (self._entry(i) for i in range(1, self._audit_size() + 1))

    def audit_entries_for(self, subjects: Iterable[str]) -> list[AuditEntry]:
        seqs: set[int] = set()
        for text in subjects:
            key = alias_of_text(text)
            if key is not None:
                alias = self._alias_id(key, create=False)
                if alias:
                    seqs.update(self._al_audit.members(alias))
        return [self._entry(i) for i in sorted(seqs)]

    # --- export ---------------------------------------------------------------------------------

    def counts(self) -> StoreCounts:
        return StoreCounts(
            subjects=sum(1 for s in self._su_state if s != _GONE),
            signals_active=self._signal_count[_ACTIVE],
            signals_inactive=self._signal_count[_INACTIVE],
            matches_direct=self._match_count[0],
            matches_family=self._match_count[1],
            matches_cross_region=self._match_count[2],
            notifications_pending=self._pending_count,
            audit_entries=self._audit_size(),
        )

    def subjects(self) -> Iterator[SubjectRecord]:
        ids = [i for i, state in enumerate(self._su_state) if state != _GONE]
        return iter([r for i in ids if (r := self.get_subject(i)) is not None])

    def all_signals(self) -> Iterator[SignalRecord]:
        ids = [i for i, s in enumerate(self._s_status) if s != _GONE]
        return iter([self._signal(i) for i in ids])

    def all_matches(self) -> Iterator[MatchRecord]:
        ids = [i for i, k in enumerate(self._m_kind) if k >= 0]
        return iter([self._match(i) for i in ids])

    def all_notifications(self) -> Iterator[NotificationRecord]:
        ids = [i for i, p in enumerate(self._n_pending) if p == 1]
        return iter([self._note(i) for i in ids])
