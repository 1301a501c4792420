"""The brute-force reference: the rules of design §4 in the plainest possible code.

No indexes, no cleverness, no shortcuts: every question is answered by scanning every record,
and matching is completed from scratch after every change. Property tests drive it and the
:class:`~verwijsindex_core.matching.Engine` with the same random event sequences and require
equal results, ids included. It is the oracle, test code only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from verwijsindex_core.errors import NotPermitted, UnknownRecord, ValidationError
from verwijsindex_core.matching import (
    MAX_ALIASES,
    MAX_PARENTS,
    EndReason,
    Policy,
    RegisterInput,
    age_on,
    anniversary,
    check_planned_end,
    check_subject_eligible,
    informing_duty,
    purge_on,
    turns_23_on,
)
from verwijsindex_core.store import Store, SubjectKey

__all__ = ["Reference", "check_signals_match_like_the_reference"]


@dataclass
class _Signal:
    id: int
    subject: int
    org: str
    prof: str
    domain: str
    municipality: str
    registered_on: date
    planned_end: date
    status: str = "active"
    ended_on: date | None = None
    end_reason: str | None = None


@dataclass
class _Match:
    id: int
    a: int
    b: int
    kind: str
    cross: bool
    created_on: date
    coordinator: int | None = None
    afgestemd: bool = False


@dataclass
class _Note:
    id: int
    org: str
    prof: str | None
    kind: str
    created_on: date
    signal_id: int | None
    match_id: int | None
    about: tuple[int, ...]


@dataclass
class _Subject:
    turns_23: date
    deceased: bool = False
    municipality: str | None = None


@dataclass
class Reference:
    """The oracle. Methods mirror :class:`Engine` and return plain tuples."""

    policy: Policy
    subjects: dict[int, _Subject] = field(default_factory=dict)
    aliases: dict[SubjectKey, int] = field(default_factory=dict)
    links: set[tuple[int, SubjectKey]] = field(default_factory=set)  # (child id, parent key)
    signals: list[_Signal] = field(default_factory=list)
    matches: list[_Match] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=lambda: {"p": 0, "s": 0, "m": 0, "n": 0})

    def _next(self, kind: str) -> int:
        self.counters[kind] += 1
        return self.counters[kind]

    def _live(self, s: _Signal, today: date) -> bool:
        turns = self.subjects[s.subject].turns_23
        return s.status == "active" and s.planned_end > today and turns > today

    def _signal(self, signal_id: int) -> _Signal | None:
        for s in self.signals:
            if s.id == signal_id:
                return s
        return None

    def _may_match(self, a: _Signal, b: _Signal) -> bool:
        if a.org != b.org:
            return True
        return self.policy.same_organisation_matching and a.prof != b.prof

    def _note(
        self,
        org: str,
        prof: str | None,
        kind: str,
        today: date,
        *,
        signal_id: int | None = None,
        match_id: int | None = None,
        about: tuple[int, ...] = (),
    ) -> int:
        note = _Note(self._next("n"), org, prof, kind, today, signal_id, match_id, about)
        self.notes.append(note)
        return note.id

    def _match(self, x: _Signal, y: _Signal, kind: str, today: date) -> int:
        a, b = (x, y) if x.id < y.id else (y, x)
        ra, rb = self.policy.region_of(a.municipality), self.policy.region_of(b.municipality)
        match = _Match(self._next("m"), a.id, b.id, kind, ra != rb, today)
        self.matches.append(match)
        self._note(a.org, a.prof, "match", today, signal_id=a.id, match_id=match.id, about=(b.id,))
        self._note(b.org, b.prof, "match", today, signal_id=b.id, match_id=match.id, about=(a.id,))
        if ra != rb:
            for region in (ra, rb):
                coordinator = self.policy.coordinator_of(region)
                self._note(coordinator, None, "match", today, match_id=match.id, about=(a.id, b.id))
        return match.id

    def _has_match(self, x: int, y: int) -> bool:
        return any({m.a, m.b} == {x, y} for m in self.matches)

    def _complete(self, subject: int, today: date) -> list[int]:
        """Match every unmatched live pair on the subject, then with its siblings."""
        own = sorted(
            (s for s in self.signals if s.subject == subject and self._live(s, today)),
            key=lambda s: s.id,
        )
        made = []
        for i, a in enumerate(own):
            for b in own[i + 1 :]:
                if self._may_match(a, b) and not self._has_match(a.id, b.id):
                    made.append(self._match(a, b, "direct", today))
        parents = {p for c, p in self.links if c == subject}
        siblings = {c for c, p in self.links if p in parents} - {subject}
        others = sorted(
            (s for s in self.signals if s.subject in siblings and self._live(s, today)),
            key=lambda s: s.id,
        )
        for mine in own:
            for theirs in others:
                if self._may_match(mine, theirs) and not self._has_match(mine.id, theirs.id):
                    made.append(self._match(mine, theirs, "family", today))
        return made

    def _merge(self, gone: int, into: int) -> None:
        g, i = self.subjects.pop(gone), self.subjects[into]
        i.deceased = i.deceased or g.deceased
        i.municipality = i.municipality if i.municipality is not None else g.municipality
        for alias, owner in list(self.aliases.items()):
            if owner == gone:
                self.aliases[alias] = into
        for s in self.signals:
            if s.subject == gone:
                s.subject = into
        self.links = {(into if c == gone else c, p) for c, p in self.links}

    def _resolve(self, aliases: tuple[SubjectKey, ...], today: date) -> tuple[int, list[int]]:
        found = sorted({self.aliases[a] for a in aliases if a in self.aliases})
        if not found:
            raise UnknownRecord("subject", "unknown", "")
        subject = found[0]
        for other in found[1:]:
            self._merge(other, subject)
        for alias in aliases:
            self.aliases[alias] = subject
        return subject, self._complete(subject, today)

    def _delete(self, signal_id: int) -> None:
        gone = {m.id for m in self.matches if signal_id in (m.a, m.b)}
        self.matches = [m for m in self.matches if m.id not in gone]
        self.notes = [
            n
            for n in self.notes
            if n.match_id not in gone and n.signal_id != signal_id and signal_id not in n.about
        ]
        subject = next(s.subject for s in self.signals if s.id == signal_id)
        self.signals = [s for s in self.signals if s.id != signal_id]
        if not any(s.subject == subject for s in self.signals):
            del self.subjects[subject]
            self.aliases = {a: o for a, o in self.aliases.items() if o != subject}
            self.links = {(c, p) for c, p in self.links if c != subject}

    # --- events -----------------------------------------------------------------------------------

    def register(  # noqa: PLR0912 - the rules, one after the other, plainly
        self, d: RegisterInput, today: date
    ) -> tuple[int, bool, tuple[int, ...], tuple[int, ...]]:
        if not 1 <= len(d.subjects) <= MAX_ALIASES or len({k for k, _ in d.subjects}) != len(
            d.subjects
        ):
            raise ValidationError("subject", "aliases", "")
        if d.professional.organisation_id != d.organisation.id:
            raise ValidationError("professional.organisation_id", "mismatch", "")
        check_subject_eligible(d.date_of_birth, today)
        planned_end = d.planned_end or anniversary(today, self.policy.default_signal_years)
        check_planned_end(today, planned_end, self.policy.max_signal_years)
        per_key = Counter(k for k, _ in d.parents)
        if len(set(d.parents)) != len(d.parents) or any(n > MAX_PARENTS for n in per_key.values()):
            raise ValidationError("parents", "parents", "")
        if set(d.parents) & set(d.subjects):
            raise ValidationError("parents", "self-parent", "")
        turns_23 = turns_23_on(d.date_of_birth)
        found = sorted({self.aliases[a] for a in d.subjects if a in self.aliases})
        if any(self.subjects[f].turns_23 != turns_23 for f in found):
            raise ValidationError("date_of_birth", "conflict", "")
        if any(self.subjects[f].deceased for f in found):
            raise ValidationError("subject", "deceased", "")
        informing_duty(age_on(d.date_of_birth, today))
        if found:
            subject = found[0]
            for other in found[1:]:
                self._merge(other, subject)
        else:
            subject = self._next("p")
            self.subjects[subject] = _Subject(turns_23)
        for alias in d.subjects:
            self.aliases[alias] = subject
        for parent in d.parents:
            self.links.add((subject, parent))
        mark = self.counters["n"]  # every notification after this one is this call's
        made = self._complete(subject, today)
        for s in self.signals:
            if (
                s.subject == subject
                and s.org == d.organisation.id
                and s.prof == d.professional.id
                and self._live(s, today)
            ):
                return s.id, False, tuple(made), self._notes_after(mark)
        earlier = [s for s in self.signals if s.subject == subject]
        new = _Signal(
            self._next("s"),
            subject,
            d.organisation.id,
            d.professional.id,
            d.domain.value,
            d.municipality,
            today,
            planned_end,
        )
        self.signals.append(new)
        made += self._complete(subject, today)
        history = [s for s in earlier if not self._live(s, today)]
        if history and self.policy.history_notice:
            self._note(new.org, new.prof, "history_exists", today, signal_id=new.id)
        return new.id, True, tuple(made), self._notes_after(mark)

    def _notes_after(self, mark: int) -> tuple[int, ...]:
        return tuple(n.id for n in self.notes if n.id > mark)

    def end_signal(self, signal_id: int, reason: EndReason, org: str, today: date) -> None:
        if reason not in (EndReason.RISK_GONE, EndReason.UNJUSTIFIED):
            raise ValidationError("reason", "end-reason", "")
        s = self._signal(signal_id)
        if s is None or s.org != org:
            raise UnknownRecord("", "unknown", "")
        if reason is EndReason.UNJUSTIFIED:
            self._delete(signal_id)
            return
        if not self._live(s, today):
            raise ValidationError("signal_id", "not-active", "")
        s.status, s.ended_on, s.end_reason = "inactive", today, reason.value

    def record_death(self, subject: tuple[SubjectKey, ...], today: date) -> list[int]:
        sid, _ = self._resolve(subject, today)
        ended = []
        for s in sorted(self.signals, key=lambda s: s.id):
            if s.subject == sid and self._live(s, today):
                s.status, s.ended_on, s.end_reason = "inactive", today, "deceased"
                ended.append(s.id)
        self.subjects[sid].deceased = True
        return ended

    def record_move(
        self, subject: tuple[SubjectKey, ...], municipality: str, today: date
    ) -> int | None:
        sid, _ = self._resolve(subject, today)
        record = self.subjects[sid]
        region = self.policy.region_of(municipality)
        previous = record.municipality
        record.municipality = municipality
        live = [
            s
            for s in sorted(self.signals, key=lambda s: s.id)
            if s.subject == sid and self._live(s, today)
        ]
        if not live:
            return None
        if previous is not None:
            if self.policy.region_of(previous) == region:
                return None
        elif all(self.policy.region_of(s.municipality) == region for s in live):
            return None
        coordinator = self.policy.coordinator_of(region)
        return self._note(coordinator, None, "move", today, about=tuple(s.id for s in live))

    def set_parents(
        self, child: tuple[SubjectKey, ...], parents: list[SubjectKey], today: date
    ) -> list[int]:
        unique = list(dict.fromkeys(parents))
        per_key = Counter(k for k, _ in unique)
        if not unique or any(n > MAX_PARENTS for n in per_key.values()):
            raise ValidationError("parents", "parents", "")
        if set(unique) & set(child):
            raise ValidationError("parents", "self-parent", "")
        try:
            sid, made = self._resolve(child, today)
        except UnknownRecord:
            raise UnknownRecord("child", "unknown", "") from None
        for parent in unique:
            self.links.add((sid, parent))
        return made + self._complete(sid, today)

    def rectify(
        self, subject: tuple[SubjectKey, ...], dob: date, today: date
    ) -> tuple[list[int], list[int], list[int]]:
        if dob > today:
            raise ValidationError("date_of_birth", "future", "")
        sid, made = self._resolve(subject, today)
        record = self.subjects[sid]
        record.turns_23 = turns_23_on(dob)
        reopened, corrected = [], []
        for s in sorted(self.signals, key=lambda s: s.id):
            if s.subject != sid or s.status != "inactive":
                continue
            if s.end_reason not in ("age_limit", "planned_end"):
                continue
            if s.planned_end <= record.turns_23:
                end, why = s.planned_end, "planned_end"
            else:
                end, why = record.turns_23, "age_limit"
            if end > today:
                if not record.deceased:
                    s.status, s.ended_on, s.end_reason = "active", None, None
                    reopened.append(s.id)
            elif (end, why) != (s.ended_on, s.end_reason):
                s.ended_on, s.end_reason = end, why
                corrected.append(s.id)
        made += self._complete(sid, today)
        return reopened, corrected, made

    def sweep(self, today: date) -> tuple[list[int], list[int], list[int]]:
        planned, aged = [], []
        for s in sorted(self.signals, key=lambda s: s.id):
            if s.status != "active":
                continue
            turns = self.subjects[s.subject].turns_23
            if min(s.planned_end, turns) <= today:
                if s.planned_end <= turns:
                    s.status, s.ended_on, s.end_reason = "inactive", s.planned_end, "planned_end"
                    planned.append(s.id)
                else:
                    s.status, s.ended_on, s.end_reason = "inactive", turns, "age_limit"
                    aged.append(s.id)
        purged = [
            s.id
            for s in sorted(self.signals, key=lambda s: s.id)
            if s.status == "inactive"
            and s.ended_on is not None
            and purge_on(s.ended_on, self.policy.retention_years) <= today
        ]
        for signal_id in purged:
            self._delete(signal_id)
        return planned, aged, purged

    def _party(self, match_id: int, org: str) -> _Match:
        for m in self.matches:
            if m.id == match_id:
                for signal_id in (m.a, m.b):
                    s = self._signal(signal_id)
                    if s is not None and s.org == org:
                        return m
        raise UnknownRecord("", "unknown", "")

    def mark_coordinator(self, match_id: int, signal_id: int, org: str) -> None:
        m = self._party(match_id, org)
        if signal_id not in (m.a, m.b):
            raise ValidationError("signal_id", "party", "")
        m.coordinator = signal_id

    def mark_afgestemd(self, match_id: int, org: str) -> None:
        self._party(match_id, org).afgestemd = True

    def acknowledge(self, org: str, prof: str | None, ids: list[int]) -> list[int]:
        wanted = set(ids)
        gone = [
            n.id
            for n in self.notes
            if n.org == org and n.id in wanted and (prof is None or n.prof == prof)
        ]
        self.notes = [n for n in self.notes if n.id not in gone]
        return [i for i in dict.fromkeys(ids) if i in gone]

    def notifications_for(self, org: str, prof: str | None) -> list[int]:
        return [n.id for n in self.notes if n.org == org and (prof is None or n.prof == prof)]

    def history(self, signal_id: int, org: str, today: date) -> list[int]:
        if not self.policy.history_view:
            raise NotPermitted("", "policy", "")
        s = self._signal(signal_id)
        if s is None or s.org != org:
            raise UnknownRecord("", "unknown", "")
        if not self._live(s, today):
            raise ValidationError("signal_id", "not-active", "")
        return [
            o.id
            for o in self.signals
            if o.subject == s.subject and o.id != signal_id and not self._live(o, today)
        ]

    def matches_for(self, org: str, prof: str | None) -> list[tuple[int, int]]:
        own = {s.id for s in self.signals if s.org == org and (prof is None or s.prof == prof)}
        return sorted((m.id, sid) for m in self.matches for sid in (m.a, m.b) if sid in own)

    # --- snapshot ---------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, list[tuple[object, ...]]]:
        return {
            "subjects": sorted(
                (
                    k,
                    tuple(sorted(a for a, o in self.aliases.items() if o == k)),
                    v.turns_23,
                    v.deceased,
                    v.municipality,
                )
                for k, v in self.subjects.items()
            ),
            "parents": sorted(self.links),
            "signals": sorted(
                (
                    s.id,
                    s.subject,
                    s.org,
                    s.prof,
                    s.domain,
                    s.municipality,
                    s.registered_on,
                    s.planned_end,
                    s.status,
                    s.ended_on,
                    s.end_reason,
                )
                for s in self.signals
            ),
            "matches": sorted(
                (m.id, m.a, m.b, m.kind, m.cross, m.created_on, m.coordinator, m.afgestemd)
                for m in self.matches
            ),
            "notifications": sorted(
                (n.id, n.org, n.prof, n.kind, n.created_on, n.signal_id, n.match_id, n.about)
                for n in self.notes
            ),
        }


def check_signals_match_like_the_reference(store: Store, date_of_birth: date) -> int:
    """After concurrent registrations (no parent links, all with ``date_of_birth``): no
    duplicate signal, and the store's matches are exactly the reference's when every signal
    is registered again in id (commit) order, each getting the same id. Returns the number of
    matches."""
    signals = list(store.all_signals())
    keys = [(s.subject, s.organisation_id, s.professional.id) for s in signals]
    assert len(keys) == len(set(keys)), "an idempotent registration was duplicated"
    reference = Reference(Policy())
    for s in signals:
        org = store.get_organisation(s.organisation_id)
        subject = store.get_subject(s.subject)
        assert org is not None and subject is not None
        data = RegisterInput(
            subject.aliases, date_of_birth, org, s.professional, s.domain, s.municipality
        )
        assert reference.register(data, s.registered_on)[0] == s.id
    got = sorted((m.signal_a, m.signal_b) for m in store.all_matches())
    want = sorted((m.a, m.b) for m in reference.matches)
    assert got == want and len(got) == len(set(got))
    return len(got)
