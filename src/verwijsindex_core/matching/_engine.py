"""The matching engine: the rules of design §4 applied to a :class:`~verwijsindex_core.store.Store`.

Every public method checks its arguments and validates completely before it changes anything,
so a refused call stores nothing. Authorisation lives here, once: only the registering
organisation reads, ends or views the history of its signal; only a party marks a match; an
organisation sees only its own matches and outbox.

Subjects and aliases. A subject is known under one pseudonym per key (key rotation): a
registration may carry several (its *aliases*) and the store links them to one subject. When a
registration shows that two subjects the index held apart are one person, they are merged and
their live signals matched.

Matching is *complete*: after every operation, every two live signals on a subject that may
match are matched (direct), and so are the live signals of children who share a parent
(family). Ids are handed out in a fixed order so that the brute-force reference in the test
suite (``tests/_reference.py``) reproduces them: matches by signal pair (direct pairs of the
subject first, then family pairs), notifications per match: side a, side b, then the regions'
coordinators.

A signal is *live* on a day when it is active, its planned end lies after that day and its
subject is younger than 23; a signal past its end but not swept yet is treated as ended
everywhere, so results never depend on when the sweep last ran.

Registration is batch-native: :meth:`Engine.register_many` validates the whole batch, reads
each subject once into a unit of work, and inserts the new rows together
(:meth:`Store.insert`); :meth:`Engine.register` is a batch of one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import NamedTuple

from verwijsindex_core.errors import NotPermitted, UnknownRecord, ValidationError
from verwijsindex_core.matching._args import (
    check_actor,
    check_date,
    check_enum,
    check_id,
    check_ids,
    check_municipality,
)
from verwijsindex_core.matching._model import (
    MAX_ALIASES,
    MAX_PARENTS,
    Domain,
    EndReason,
    MatchKind,
    NotificationKind,
    Organisation,
    PostponementGround,
    Professional,
    SignalStatus,
)
from verwijsindex_core.matching._policy import Policy
from verwijsindex_core.matching._rules import (
    age_on,
    anniversary,
    check_planned_end,
    check_subject_eligible,
    forced_end,
    informing_duty,
    may_match,
    move_needs_notice,
    purge_on,
    turns_23_on,
)
from verwijsindex_core.store import (
    MatchRecord,
    NewRows,
    NotificationRecord,
    SignalRecord,
    Store,
    SubjectKey,
    SubjectRecord,
)

__all__ = ["Engine", "RectifyOutcome", "RegisterInput", "RegisterOutcome", "SweepReport"]

_ACTIVE = SignalStatus.ACTIVE
_INACTIVE = SignalStatus.INACTIVE
_FORCED_REASONS = {"planned_end": EndReason.PLANNED_END, "age_limit": EndReason.AGE_LIMIT}


@dataclass(slots=True)
class RegisterInput:
    """A registration as the engine takes it: the subject as its aliases (``(key id,
    digest)`` pairs, the active key's first) and the parents' aliases."""

    subjects: tuple[SubjectKey, ...]
    date_of_birth: date
    organisation: Organisation
    professional: Professional
    domain: Domain
    municipality: str
    planned_end: date | None = None
    parents: tuple[SubjectKey, ...] = ()
    postponement: PostponementGround | None = None


class RegisterOutcome(NamedTuple):
    signal_id: int
    subject_id: int
    created: bool
    match_ids: tuple[int, ...]
    notification_ids: tuple[int, ...]
    history_count: int
    inform_parents: bool
    inform_young_person: bool


class RectifyOutcome(NamedTuple):
    subject_id: int
    reopened: tuple[int, ...]
    corrected: tuple[int, ...]
    match_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SweepReport:
    ended_planned: tuple[int, ...]
    ended_age: tuple[int, ...]
    purged: tuple[int, ...]


@dataclass(slots=True)
class _Made:
    """Matches and notifications one operation made, in id order."""

    matches: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)


class _Work:
    """One unit of work: what an operation read from the store (each subject once) and the
    rows it will insert. Updates go to the store at once, after the pending inserts."""

    __slots__ = (
        "_alias",
        "_children",
        "_made_partners",
        "_new_signals",
        "_parents",
        "_partners",
        "_pending",
        "_signals",
        "_subjects",
        "organisations",
        "rows",
        "store",
    )

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rows = NewRows()
        self.organisations: dict[str, Organisation] = {}
        self._alias: dict[SubjectKey, int | None] = {}
        self._subjects: dict[int, SubjectRecord] = {}
        self._signals: dict[int, list[SignalRecord]] = {}
        self._parents: dict[int, set[SubjectKey]] = {}
        self._children: dict[SubjectKey, set[int]] = {}
        self._partners: dict[int, set[int]] = {}
        self._pending: set[int] = set()  # subjects created in this unit, not inserted yet
        self._new_signals: set[int] = set()  # signals created in this unit (no stored matches)
        self._made_partners: dict[int, list[int]] = {}  # matches made in this unit

    # reads (cached) ----------------------------------------------------------------------------

    def lookup(self, aliases: Iterable[SubjectKey]) -> list[int]:
        """The distinct subject ids the aliases belong to (unknown aliases give none)."""
        cache = self._alias
        wanted = [a for a in aliases if a not in cache]
        if wanted:
            found = self.store.subject_ids(wanted)
            for alias in wanted:
                cache[alias] = found.get(alias)
        ids = {i for a in aliases if (i := cache[a]) is not None}
        return sorted(ids) if len(ids) > 1 else list(ids)

    def subject_of(self, alias: SubjectKey) -> int | None:
        """The subject id of one alias (None when unknown)."""
        cache = self._alias
        if alias in cache:
            return cache[alias]
        found = cache[alias] = self.store.subject_ids((alias,)).get(alias)
        return found

    def prefetch(self, aliases: Iterable[SubjectKey]) -> None:
        """Look up many aliases in one call (a batch's)."""
        cache = self._alias
        wanted = list({a: None for a in aliases if a not in cache})
        if wanted:
            found = self.store.subject_ids(wanted)
            for alias in wanted:
                cache[alias] = found.get(alias)

    def subject(self, subject_id: int) -> SubjectRecord:
        record = self._subjects.get(subject_id)
        if record is None:
            record = self.store.get_subject(subject_id)
            if record is None:  # pragma: no cover - ids come from the store
                raise UnknownRecord("subject", "unknown", "not known to the index")
            self._subjects[subject_id] = record
        return record

    def signals(self, subject_id: int) -> list[SignalRecord]:
        signals = self._signals.get(subject_id)
        if signals is None:
            signals = self._signals[subject_id] = self.store.signals_of(subject_id)
        return signals

    def parents(self, subject_id: int) -> set[SubjectKey]:
        parents = self._parents.get(subject_id)
        if parents is None:
            parents = self._parents[subject_id] = set(self.store.parents_of(subject_id))
        return parents

    def children(self, parent: SubjectKey) -> set[int]:
        children = self._children.get(parent)
        if children is None:
            children = self._children[parent] = set(self.store.children_of(parent))
        return children

    def partners(self, signal_id: int) -> set[int]:
        """The signals this one is matched with (stored, and made in this unit)."""
        partners = self._partners.get(signal_id)
        if partners is None:
            partners = self._partners[signal_id] = set()
            if signal_id not in self._new_signals:
                for m in self.store.matches_of_signal(signal_id):
                    partners.add(m.signal_b if m.signal_a == signal_id else m.signal_a)
            partners.update(self._made_partners.get(signal_id, ()))
        return partners

    # inserts (pending until flush) -------------------------------------------------------------

    def new_subject(self, turns_23: date, aliases: tuple[SubjectKey, ...]) -> SubjectRecord:
        record = SubjectRecord(self.store.next_id("subject"), turns_23, aliases)
        self.rows.subjects.append(record)
        self._pending.add(record.id)
        self._subjects[record.id] = record
        self._signals[record.id] = []
        self._parents[record.id] = set()
        for alias in aliases:
            self._alias[alias] = record.id
        return record

    def add_alias(self, alias: SubjectKey, subject_id: int) -> None:
        if subject_id not in self._pending:  # a pending subject is inserted with its aliases
            self.rows.aliases.append((alias, subject_id))
        self._alias[alias] = subject_id
        record = self.subject(subject_id)
        record.aliases = (*record.aliases, alias)

    def add_parent(self, subject_id: int, parent: SubjectKey) -> bool:
        parents = self.parents(subject_id)
        if parent in parents:
            return False
        children = self.children(parent)
        parents.add(parent)
        children.add(subject_id)
        self.rows.parents.append((subject_id, parent))
        return True

    def add_signal(self, record: SignalRecord) -> None:
        self.rows.signals.append(record)
        self.signals(record.subject).append(record)
        self._new_signals.add(record.id)

    def add_match(self, record: MatchRecord) -> None:
        self.rows.matches.append(record)
        a, b = record.signal_a, record.signal_b
        for own, other in ((a, b), (b, a)):
            known = self._partners.get(own)
            if known is not None:
                known.add(other)
            else:  # read lazily, with the store's matches, if it is ever asked for
                self._made_partners.setdefault(own, []).append(other)

    def add_notification(self, record: NotificationRecord) -> None:
        self.rows.notifications.append(record)

    def put_organisation(self, organisation: Organisation) -> None:
        known = self.organisations.get(organisation.id)
        if known is not organisation and known != organisation:
            self.organisations[organisation.id] = organisation
            self.store.put_organisation(organisation)

    def flush(self) -> None:
        if self.rows:
            self.store.insert(self.rows)
            self.rows = NewRows()
            self._pending.clear()

    # updates (flush first, then at once) -------------------------------------------------------

    def update_subject(self, record: SubjectRecord) -> None:
        self.flush()
        self.store.update_subject(record)
        self._subjects[record.id] = record

    def set_state(
        self,
        record: SignalRecord,
        status: SignalStatus,
        ended_on: date | None,
        reason: EndReason | None,
    ) -> None:
        self.flush()
        self.store.set_signal_state(record.id, status, ended_on, reason)
        record.status, record.ended_on, record.end_reason = status, ended_on, reason

    def merge(self, gone: int, into: int) -> None:
        """Subject ``gone`` is ``into``: one person known under two sets of aliases."""
        self.flush()
        gone_record, into_record = self.subject(gone), self.subject(into)
        # Read everything the merge touches before the store changes under the caches.
        moved, staying = self.signals(gone), self.signals(into)
        gone_parents, into_parents = self.parents(gone), self.parents(into)
        for parent in gone_parents:
            self.children(parent)
        self.store.merge_subjects(gone, into)
        for signal in moved:
            signal.subject = into
        staying.extend(moved)
        staying.sort(key=lambda s: s.id)
        for parent in gone_parents:
            children = self.children(parent)
            children.discard(gone)
            children.add(into)
        into_parents.update(gone_parents)
        for alias in gone_record.aliases:
            self._alias[alias] = into
        merged = SubjectRecord(
            into,
            into_record.turns_23,
            (*into_record.aliases, *gone_record.aliases),
            into_record.deceased or gone_record.deceased,
            into_record.municipality or gone_record.municipality,
        )
        self._subjects[into] = merged
        if (merged.deceased, merged.municipality) != (
            into_record.deceased,
            into_record.municipality,
        ):
            self.store.update_subject(merged)
        for cache in (self._subjects, self._signals, self._parents):
            cache.pop(gone, None)

    def delete_signal(self, record: SignalRecord) -> None:
        """Delete a signal with its matches; a subject left without signals goes too."""
        self.flush()
        self.store.delete_signal(record.id)
        for other in self._partners.pop(record.id, ()):
            if other in self._partners:
                self._partners[other].discard(record.id)
        for others in self._made_partners.values():
            while record.id in others:
                others.remove(record.id)
        self._made_partners.pop(record.id, None)
        remaining = [s for s in self.signals(record.subject) if s.id != record.id]
        self._signals[record.subject] = remaining
        if not remaining:
            subject = self.subject(record.subject)
            for parent in self.parents(record.subject):
                self.children(parent).discard(record.subject)
            for alias in subject.aliases:
                self._alias[alias] = None
            self.store.delete_subject(record.subject)
            for cache in (self._subjects, self._signals, self._parents):
                cache.pop(record.subject, None)


class _Day:
    """The date rules for one day, each computed once per date of birth (a batch shares
    them): the 23rd birthday (with the eligibility check), the informing duty, the default
    planned end."""

    __slots__ = ("_duty", "_turns", "default_end", "max_years", "today")

    def __init__(self, today: date, policy: Policy) -> None:
        self.today = today
        self.default_end = anniversary(today, policy.default_signal_years)
        self.max_years = policy.max_signal_years
        self._turns: dict[date, date] = {}
        self._duty: dict[date, tuple[bool, bool]] = {}

    def turns_23(self, date_of_birth: date) -> date:
        turns = self._turns.get(date_of_birth)
        if turns is None:
            turns = self._turns[date_of_birth] = check_subject_eligible(date_of_birth, self.today)
        return turns

    def duty(self, date_of_birth: date) -> tuple[bool, bool]:
        duty = self._duty.get(date_of_birth)
        if duty is None:
            duty = self._duty[date_of_birth] = informing_duty(age_on(date_of_birth, self.today))
        return duty

    def planned_end(self, given: date | None) -> date:
        if given is None:
            return self.default_end
        check_planned_end(self.today, given, self.max_years)
        return given


def _check_aliases(keys: tuple[SubjectKey, ...], field: str) -> None:
    if len(keys) == 1:
        return
    if not 1 <= len(keys) <= MAX_ALIASES:
        raise ValidationError(field, "aliases", f"1 to {MAX_ALIASES} pseudonyms, one per key")
    if len({k[0] for k in keys}) != len(keys):
        raise ValidationError(field, "aliases", "at most one pseudonym per key")


def _check_parent_keys(parents: tuple[SubjectKey, ...], subjects: tuple[SubjectKey, ...]) -> None:
    per_key: dict[str, int] = defaultdict(int)
    for parent in parents:
        per_key[parent[0]] += 1
    if len(set(parents)) != len(parents) or any(n > MAX_PARENTS for n in per_key.values()):
        raise ValidationError(
            "parents", "parents", f"at most {MAX_PARENTS} parents per key, all different"
        )
    if set(parents) & set(subjects):
        raise ValidationError("parents", "self-parent", "a subject cannot be its own parent")


class Engine:
    """The rules on a store. Dates come in as arguments; the facade owns the clock."""

    def __init__(self, store: Store, policy: Policy) -> None:
        self.store = store
        self.policy = policy
        self._today: _Day | None = None

    def _day(self, today: date) -> _Day:
        """The date rules for ``today``, kept while the day lasts (batches share them)."""
        day = self._today
        if day is None or day.today != today:
            day = self._today = _Day(today, self.policy)
        return day

    # --- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _live(record: SignalRecord, subject: SubjectRecord, today: date) -> bool:
        return record.status is _ACTIVE and record.planned_end > today and subject.turns_23 > today

    def _live_signals(self, work: _Work, subject_id: int, today: date) -> list[SignalRecord]:
        subject = work.subject(subject_id)
        return [s for s in work.signals(subject_id) if self._live(s, subject, today)]

    def _may_match(self, a: SignalRecord, b: SignalRecord) -> bool:
        if a.organisation_id != b.organisation_id:  # the common case, without a call
            return True
        return may_match(
            a.organisation_id,
            a.professional.id,
            b.organisation_id,
            b.professional.id,
            same_organisation_matching=self.policy.same_organisation_matching,
        )

    def _notify(
        self,
        work: _Work,
        organisation_id: str,
        professional_id: str | None,
        kind: NotificationKind,
        *,
        today: date,
        made: _Made,
        signal_id: int | None = None,
        match_id: int | None = None,
        about: tuple[int, ...] = (),
    ) -> int:
        note_id = self.store.next_id("notification")
        work.add_notification(
            NotificationRecord(
                note_id, organisation_id, professional_id, kind, today, signal_id, match_id, about
            )
        )
        made.notes.append(note_id)
        return note_id

    def _match(
        self,
        work: _Work,
        x: SignalRecord,
        y: SignalRecord,
        kind: MatchKind,
        *,
        today: date,
        made: _Made,
    ) -> None:
        a, b = (x, y) if x.id < y.id else (y, x)
        policy = self.policy
        region_a, region_b = policy.region_of(a.municipality), policy.region_of(b.municipality)
        cross = region_a != region_b
        match_id = self.store.next_id("match")
        work.add_match(MatchRecord(match_id, a.id, b.id, kind, cross, today))
        made.matches.append(match_id)
        for own, other in ((a, b), (b, a)):
            self._notify(
                work,
                own.organisation_id,
                own.professional.id,
                NotificationKind.MATCH,
                today=today,
                made=made,
                signal_id=own.id,
                match_id=match_id,
                about=(other.id,),
            )
        if cross:
            for region in (region_a, region_b):
                self._notify(
                    work,
                    policy.coordinator_of(region),
                    None,
                    NotificationKind.MATCH,
                    today=today,
                    made=made,
                    match_id=match_id,
                    about=(a.id, b.id),
                )

    def _siblings_live(self, work: _Work, subject_id: int, today: date) -> list[SignalRecord]:
        parents = work.parents(subject_id)
        if not parents:
            return []
        siblings = {c for p in parents for c in work.children(p)}
        siblings.discard(subject_id)
        found = [s for sib in siblings for s in self._live_signals(work, sib, today)]
        return sorted(found, key=lambda s: s.id)

    def _complete(self, work: _Work, subject_id: int, today: date, made: _Made) -> None:
        """Match every unmatched pair of live signals on the subject (direct), then every
        unmatched pair with its siblings' live signals (family)."""
        own = sorted(self._live_signals(work, subject_id, today), key=lambda s: s.id)
        for i, a in enumerate(own):
            for b in own[i + 1 :]:
                if self._may_match(a, b) and b.id not in work.partners(a.id):
                    self._match(work, a, b, MatchKind.DIRECT, today=today, made=made)
        others = self._siblings_live(work, subject_id, today)
        for mine in own:
            for theirs in others:
                if self._may_match(mine, theirs) and theirs.id not in work.partners(mine.id):
                    self._match(work, mine, theirs, MatchKind.FAMILY, today=today, made=made)

    def _resolve(
        self, work: _Work, aliases: tuple[SubjectKey, ...], today: date, made: _Made
    ) -> int:
        """The subject known under any of ``aliases`` (merging subjects that turn out to be
        one person, and learning the aliases it was not known under yet)."""
        ids = work.lookup(aliases)
        if not ids:
            raise UnknownRecord("subject", "unknown", "not known to the index")
        subject_id = ids[0]
        for other in ids[1:]:
            work.merge(other, subject_id)
        for alias in aliases:
            if work.subject_of(alias) != subject_id:
                work.add_alias(alias, subject_id)
        if len(ids) > 1:
            self._complete(work, subject_id, today, made)
        return subject_id

    def _owned(self, signal_id: object, organisation_id: str) -> SignalRecord:
        signal_id = check_id(signal_id, "signal_id")
        record = self.store.get_signal(signal_id)
        if record is None or record.organisation_id != organisation_id:
            # The same answer for "absent" and "not yours": no probing of other signals.
            raise UnknownRecord("signal_id", "unknown", "no such signal of this organisation")
        return record

    # --- registration ---------------------------------------------------------------------------

    def check_input(self, data: RegisterInput, today: date) -> tuple[date, date]:
        """The checks of :meth:`register` that need no store: returns the planned end and the
        date the subject turns 23."""
        return self._check_input(data, self._day(today))

    @staticmethod
    def _check_input(data: RegisterInput, day: _Day) -> tuple[date, date]:
        _check_aliases(data.subjects, "subject")
        if data.professional.organisation_id != data.organisation.id:
            raise ValidationError(
                "professional.organisation_id", "mismatch", "must equal organisation.id"
            )
        turns_23 = day.turns_23(data.date_of_birth)
        planned_end = day.planned_end(data.planned_end)
        if data.parents:
            _check_parent_keys(data.parents, data.subjects)
        return planned_end, turns_23

    def register(self, data: RegisterInput, today: date) -> RegisterOutcome:
        """Register one signal (design §4): a batch of one."""
        return self._register_batch([data], today, prefix=False)[0]

    def register_many(self, batch: Sequence[RegisterInput], today: date) -> list[RegisterOutcome]:
        """Register a batch: all of it, or (on any invalid request) nothing. The result equals
        registering the requests one by one, in order."""
        return self._register_batch(batch, today, prefix=True)

    def _register_batch(
        self, batch: Sequence[RegisterInput], today: date, *, prefix: bool
    ) -> list[RegisterOutcome]:
        work = _Work(self.store)
        day = self._day(today)
        work.prefetch(a for d in batch for a in d.subjects)
        checked = self._validate_batch(work, batch, day, prefix=prefix)
        outcomes = [
            self._register_one(work, data, planned_end, turns_23, day)
            for data, (planned_end, turns_23) in zip(batch, checked, strict=True)
        ]
        work.flush()
        return outcomes

    def _validate_batch(
        self, work: _Work, batch: Sequence[RegisterInput], day: _Day, *, prefix: bool
    ) -> list[tuple[date, date]]:
        """Every check, in request order, as if the requests came one by one: the input, and
        the date of birth and death against the store and the earlier requests (subjects that
        share an alias are one person)."""
        # Union-find over subject ids (stored) and batch-local ids for new subjects.
        root: dict[object, object] = {}

        def find(x: object) -> object:
            while root.get(x, x) != x:
                x = root[x]
            return x

        turns: dict[object, date] = {}
        dead: set[object] = set()
        local: dict[SubjectKey, object] = {}
        checked = []
        for position, data in enumerate(batch):
            where = f"requests[{position}]." if prefix else ""
            try:
                planned_end, turns_23 = self._check_input(data, day)
                nodes: list[object] = []
                for alias in data.subjects:
                    stored = work.subject_of(alias)
                    if stored is not None:
                        node: object = ("s", stored)
                        if node not in turns:
                            record = work.subject(stored)
                            turns[node] = record.turns_23
                            if record.deceased:
                                dead.add(node)
                    else:
                        node = local.setdefault(alias, ("b", alias))
                    nodes.append(find(node))
                groups = set(nodes)
                if any(g in turns and turns[g] != turns_23 for g in groups):
                    raise ValidationError(
                        "date_of_birth",
                        "conflict",
                        "differs from the date of birth given earlier for this subject",
                    )
                if groups & dead:
                    raise ValidationError("subject", "deceased", "is recorded as deceased")
            except ValidationError as exc:
                raise (exc.prefixed(where) if where else exc) from None
            first, *rest = groups
            for g in rest:
                root[g] = first
            turns[first] = turns_23
            checked.append((planned_end, turns_23))
        return checked

    def _attach(
        self, work: _Work, data: RegisterInput, turns_23: date, today: date, made: _Made
    ) -> int:
        """The registration's subject (found, merged or new) with its aliases and parent
        links; completes matching if that linked anything."""
        ids = work.lookup(data.subjects)
        changed = len(ids) > 1
        if ids:
            subject_id = ids[0]
            for gone in ids[1:]:
                work.merge(gone, subject_id)
            for alias in data.subjects:
                if work.subject_of(alias) != subject_id:
                    work.add_alias(alias, subject_id)
        else:
            subject_id = work.new_subject(turns_23, data.subjects).id
        for parent in data.parents:
            changed |= work.add_parent(subject_id, parent)
        if changed:
            self._complete(work, subject_id, today, made)
        return subject_id

    def _register_one(
        self, work: _Work, data: RegisterInput, planned_end: date, turns_23: date, day: _Day
    ) -> RegisterOutcome:
        made = _Made()
        today = day.today
        duty = day.duty(data.date_of_birth)
        subject_id = self._attach(work, data, turns_23, today, made)
        subject = work.subject(subject_id)
        existing = list(work.signals(subject_id))
        organisation_id, professional_id = data.organisation.id, data.professional.id
        for record in existing:
            if (
                record.organisation_id == organisation_id
                and record.professional.id == professional_id
                and self._live(record, subject, today)
            ):
                return RegisterOutcome(
                    record.id,
                    subject_id,
                    False,
                    tuple(made.matches),
                    tuple(made.notes),
                    0,
                    *duty,
                )

        work.put_organisation(data.organisation)
        signal = SignalRecord(
            self.store.next_id("signal"),
            subject_id,
            organisation_id,
            data.professional,
            data.domain,
            data.municipality,
            today,
            planned_end,
        )
        work.add_signal(signal)
        # Every other pair is matched already (matching is complete): only the new signal's.
        history = 0
        for other in existing:
            if not self._live(other, subject, today):
                history += 1
            elif self._may_match(signal, other):
                self._match(work, other, signal, MatchKind.DIRECT, today=today, made=made)
        for theirs in self._siblings_live(work, subject_id, today):
            if self._may_match(signal, theirs):
                self._match(work, signal, theirs, MatchKind.FAMILY, today=today, made=made)
        if history and self.policy.history_notice:
            self._notify(
                work,
                organisation_id,
                professional_id,
                NotificationKind.HISTORY_EXISTS,
                today=today,
                made=made,
                signal_id=signal.id,
            )
        return RegisterOutcome(
            signal.id, subject_id, True, tuple(made.matches), tuple(made.notes), history, *duty
        )

    # --- subjects -------------------------------------------------------------------------------

    def find_subjects(self, aliases: tuple[SubjectKey, ...]) -> list[SubjectRecord]:
        """The subjects known under any of ``aliases`` (read only: nothing is merged)."""
        work = _Work(self.store)
        return [work.subject(i) for i in work.lookup(aliases)]

    def subjects_for_inzage(
        self, aliases: tuple[SubjectKey, ...], date_of_birth: object
    ) -> list[SubjectRecord]:
        """The subject an inzage is about; the date of birth must be the registered one."""
        date_of_birth = check_date(date_of_birth, "date_of_birth")
        found = self.find_subjects(aliases)
        if not found:
            raise UnknownRecord("subject", "unknown", "the index holds nothing about this subject")
        if any(turns_23_on(date_of_birth) != s.turns_23 for s in found):
            raise ValidationError("date_of_birth", "conflict", "differs from the registered one")
        return found

    def record_death(self, subject: tuple[SubjectKey, ...], today: date) -> list[int]:
        """End every live signal on a deceased subject and refuse new ones (lid 2 sub c)."""
        _check_aliases(subject, "subject")
        work = _Work(self.store)
        made = _Made()
        subject_id = self._resolve(work, subject, today, made)
        ended = self._live_signals(work, subject_id, today)
        for signal in ended:
            work.set_state(signal, _INACTIVE, today, EndReason.DECEASED)
        record = work.subject(subject_id)
        record.deceased = True
        work.update_subject(record)
        work.flush()
        return [s.id for s in ended]

    def record_move(
        self, subject: tuple[SubjectKey, ...], municipality: object, today: date
    ) -> int | None:
        """The subject moved: the new region's coordinator learns of the live signals, unless
        the subject stays in its covenant region (handreikingmelden)."""
        _check_aliases(subject, "subject")
        code = check_municipality(municipality)
        work = _Work(self.store)
        made = _Made()
        subject_id = self._resolve(work, subject, today, made)
        record = work.subject(subject_id)
        policy = self.policy
        previous = None if record.municipality is None else policy.region_of(record.municipality)
        region = policy.region_of(code)
        live = self._live_signals(work, subject_id, today)
        record.municipality = code
        work.update_subject(record)
        note_id = None
        if move_needs_notice(
            previous, region, frozenset(policy.region_of(s.municipality) for s in live)
        ):
            note_id = self._notify(
                work,
                policy.coordinator_of(region),
                None,
                NotificationKind.MOVE,
                today=today,
                made=made,
                about=tuple(s.id for s in live),
            )
        work.flush()
        return note_id

    def set_parents(
        self, child: tuple[SubjectKey, ...], parents: Iterable[SubjectKey], today: date
    ) -> tuple[list[int], list[int]]:
        """Link a child to parents; returns the family matches and notifications this made."""
        _check_aliases(child, "child")
        unique = tuple(dict.fromkeys(parents))
        if not unique:
            raise ValidationError("parents", "parents", "give at least one parent")
        _check_parent_keys(unique, child)
        work = _Work(self.store)
        made = _Made()
        try:
            subject_id = self._resolve(work, child, today, made)
        except UnknownRecord:
            raise UnknownRecord("child", "unknown", "not known to the index") from None
        if any([work.add_parent(subject_id, p) for p in unique]):
            self._complete(work, subject_id, today, made)
        work.flush()
        return made.matches, made.notes

    def rectify(
        self, subject: tuple[SubjectKey, ...], date_of_birth: object, today: date
    ) -> RectifyOutcome:
        """Correct a subject's date of birth (AVG art. 16): the turns-23 date is recomputed and
        forced ends re-evaluated. An end at a 23rd birthday the correct date does not give is
        undone (the signal is live again and matched); an end whose date or reason changes
        with the correct date is corrected. Ends by the professional or by death stay."""
        _check_aliases(subject, "subject")
        date_of_birth = check_date(date_of_birth, "date_of_birth")
        if date_of_birth > today:
            raise ValidationError("date_of_birth", "future", "lies after today")
        work = _Work(self.store)
        made = _Made()
        subject_id = self._resolve(work, subject, today, made)
        record = work.subject(subject_id)
        turns_23 = turns_23_on(date_of_birth)
        if record.turns_23 != turns_23:
            record.turns_23 = turns_23
            work.update_subject(record)
        reopened, corrected = [], []
        for signal in list(work.signals(subject_id)):
            if signal.status is not _INACTIVE or signal.end_reason not in (
                EndReason.AGE_LIMIT,
                EndReason.PLANNED_END,
            ):
                continue
            end, why = forced_end(signal.planned_end, turns_23)
            if end > today:
                if not record.deceased:
                    work.set_state(signal, _ACTIVE, None, None)
                    reopened.append(signal.id)
            elif (end, _FORCED_REASONS[why]) != (signal.ended_on, signal.end_reason):
                work.set_state(signal, _INACTIVE, end, _FORCED_REASONS[why])
                corrected.append(signal.id)
        # Reopened signals, and active ones a later 23rd birthday makes live again, match.
        self._complete(work, subject_id, today, made)
        work.flush()
        return RectifyOutcome(subject_id, tuple(reopened), tuple(corrected), tuple(made.matches))

    # --- life cycle -----------------------------------------------------------------------------

    def end_signal(
        self, signal_id: object, reason: object, actor: object, today: date
    ) -> tuple[SignalRecord, SubjectRecord, EndReason]:
        """End one's own live signal: ``risk_gone`` keeps history, ``unjustified`` deletes.
        Returns the signal and its subject as they were, and the reason."""
        end = check_enum(reason, EndReason, "reason", "end-reason")
        if end not in (EndReason.RISK_GONE, EndReason.UNJUSTIFIED):
            raise ValidationError("reason", "end-reason", "must be risk_gone or unjustified")
        who = check_actor(actor)
        record = self._owned(signal_id, who.organisation_id)
        work = _Work(self.store)
        subject = work.subject(record.subject)
        before = (replace(record), replace(subject))
        if end is EndReason.UNJUSTIFIED:
            work.delete_signal(record)
            return (*before, end)
        if not self._live(record, subject, today):
            raise ValidationError("signal_id", "not-active", "the signal has already ended")
        work.set_state(record, _INACTIVE, today, end)
        return (*before, end)

    def sweep(self, today: date) -> SweepReport:
        """Apply planned ends, the 23rd birthday and the 5-year purge as of ``today``."""
        store = self.store
        work = _Work(store)
        planned: list[int] = []
        aged: list[int] = []
        for signal_id in store.active_due_by(today):
            record = store.get_signal(signal_id)
            if record is None:  # pragma: no cover - indexes are consistent
                continue
            end, why = forced_end(record.planned_end, work.subject(record.subject).turns_23)
            work.set_state(record, _INACTIVE, end, _FORCED_REASONS[why])
            (planned if why == "planned_end" else aged).append(signal_id)
        purged = []
        # Only signals that ended about `retention_years` ago can be due; one day of slack
        # covers 29 February (the exact test is purge_on below).
        cutoff = anniversary(today, -self.policy.retention_years) + timedelta(days=1)
        for signal_id in store.inactive_ended_by(cutoff):
            record = store.get_signal(signal_id)
            if record is None or record.ended_on is None:  # pragma: no cover
                continue
            if purge_on(record.ended_on, self.policy.retention_years) <= today:
                work.delete_signal(record)
                purged.append(signal_id)
        return SweepReport(tuple(planned), tuple(aged), tuple(purged))

    # --- reading and marking (an organisation sees only its own) --------------------------------

    def signal(self, signal_id: object, actor: object) -> SignalRecord:
        """One of the actor's own signals."""
        return self._owned(signal_id, check_actor(actor).organisation_id)

    def _party(self, match_id: object, organisation_id: str) -> MatchRecord:
        match_id = check_id(match_id, "match_id")
        match = self.store.get_match(match_id)
        if match is not None:
            for signal_id in (match.signal_a, match.signal_b):
                record = self.store.get_signal(signal_id)
                if record is not None and record.organisation_id == organisation_id:
                    return match
        raise UnknownRecord("match_id", "unknown", "no such match on a signal of this organisation")

    def match(self, match_id: object, actor: object) -> MatchRecord:
        """A match on one of the actor's signals."""
        return self._party(match_id, check_actor(actor).organisation_id)

    def mark_coordinator(self, match_id: object, signal_id: object, actor: object) -> MatchRecord:
        who = check_actor(actor)
        signal_id = check_id(signal_id, "signal_id")
        match = self._party(match_id, who.organisation_id)
        if signal_id not in (match.signal_a, match.signal_b):
            raise ValidationError("signal_id", "party", "must be one of the match's two signals")
        self.store.set_coordinator(match.id, signal_id)
        match.coordinator_signal = signal_id
        return match

    def mark_afgestemd(self, match_id: object, actor: object) -> MatchRecord:
        match = self._party(match_id, check_actor(actor).organisation_id)
        self.store.set_afgestemd(match.id)
        match.afgestemd = True
        return match

    def matches_for(self, actor: object) -> list[tuple[SignalRecord, MatchRecord]]:
        """Matches on the actor's own signals (its professional's only, if one is named),
        with the own signal: no search exists (design §4)."""
        who = check_actor(actor)
        return self.store.matches_of_organisation(who.organisation_id, who.professional_id)

    def history(
        self, signal_id: object, actor: object, today: date
    ) -> tuple[SignalRecord, list[SignalRecord]]:
        """Earlier (not live) signals on the subject of one's own live signal."""
        who = check_actor(actor)
        if not self.policy.history_view:
            raise NotPermitted("history", "policy", "viewing history is switched off by policy")
        record = self._owned(signal_id, who.organisation_id)
        subject = self.store.get_subject(record.subject)
        if subject is None or not self._live(record, subject, today):
            raise ValidationError("signal_id", "not-active", "only a live signal gives access")
        earlier = [
            s
            for s in self.store.signals_of(record.subject)
            if s.id != record.id and not self._live(s, subject, today)
        ]
        return record, earlier

    def notifications_for(self, actor: object) -> list[NotificationRecord]:
        """The actor's outbox (its professional's only, if one is named), oldest first."""
        who = check_actor(actor)
        return self.store.pending_notifications(who.organisation_id, who.professional_id)

    def acknowledge(self, actor: object, ids: object) -> list[NotificationRecord]:
        """Remove delivered notifications from the actor's outbox; returns the removed ones
        (ids of other organisations' notifications are ignored, not revealed)."""
        who = check_actor(actor)
        wanted = tuple(dict.fromkeys(check_ids(ids, "ids")))
        return self.store.acknowledge(who.organisation_id, who.professional_id, wanted)
