"""The brute-force reference: the rules of design §4 in the plainest possible code.

No indexes, no cleverness: every question is answered by scanning every record. Property
tests drive it and the :class:`~verwijsindex_core.matching.Engine` with the same random event
sequences and require equal results, ids included. It is the oracle, not for production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from verwijsindex_core.errors import NotPermitted, UnknownRecord, ValidationError
from verwijsindex_core.matching._engine import MAX_PARENTS, RegisterInput
from verwijsindex_core.matching._model import EndReason
from verwijsindex_core.matching._policy import Policy
from verwijsindex_core.matching._records import SubjectKey
from verwijsindex_core.matching._rules import (
    age_on,
    anniversary,
    check_planned_end,
    check_subject_eligible,
    informing_duty,
    purge_on,
    turns_23_on,
)

__all__ = ["Reference"]


@dataclass
class _Signal:
    id: int
    subject: SubjectKey
    org: str
    prof: str
    domain: str
    region: str
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
    subjects: dict[SubjectKey, _Subject] = field(default_factory=dict)
    links: set[tuple[SubjectKey, SubjectKey]] = field(default_factory=set)  # (child, parent)
    signals: list[_Signal] = field(default_factory=list)
    matches: list[_Match] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=lambda: {"s": 0, "m": 0, "n": 0})

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

    def _match(self, x: _Signal, y: _Signal, kind: str, today: date, notes: list[int]) -> int:
        a, b = (x, y) if x.id < y.id else (y, x)
        ra, rb = self.policy.region_of(a.region), self.policy.region_of(b.region)
        match = _Match(self._next("m"), a.id, b.id, kind, ra != rb, today)
        self.matches.append(match)
        notes.append(
            self._note(
                a.org, a.prof, "match", today, signal_id=a.id, match_id=match.id, about=(b.id,)
            )
        )
        notes.append(
            self._note(
                b.org, b.prof, "match", today, signal_id=b.id, match_id=match.id, about=(a.id,)
            )
        )
        if ra != rb:
            for region in (ra, rb):
                coordinator = self.policy.coordinator_of(region)
                notes.append(
                    self._note(
                        coordinator, None, "match", today, match_id=match.id, about=(a.id, b.id)
                    )
                )
        return match.id

    def _has_match(self, x: int, y: int) -> bool:
        return any({m.a, m.b} == {x, y} for m in self.matches)

    def _family(self, subject: SubjectKey, today: date, notes: list[int]) -> list[int]:
        parents = {p for c, p in self.links if c == subject}
        siblings = {c for c, p in self.links if p in parents} - {subject}
        own = [s for s in self.signals if s.subject == subject and self._live(s, today)]
        others = sorted(
            (s for s in self.signals if s.subject in siblings and self._live(s, today)),
            key=lambda s: s.id,
        )
        made = []
        for mine in sorted(own, key=lambda s: s.id):
            for theirs in others:
                if self._may_match(mine, theirs) and not self._has_match(mine.id, theirs.id):
                    made.append(self._match(mine, theirs, "family", today, notes))
        return made

    def _delete(self, signal_id: int) -> None:
        gone = {m.id for m in self.matches if signal_id in (m.a, m.b)}
        self.matches = [m for m in self.matches if m.id not in gone]
        self.notes = [
            n
            for n in self.notes
            if n.match_id not in gone and n.signal_id != signal_id and signal_id not in n.about
        ]
        self.signals = [s for s in self.signals if s.id != signal_id]

    # --- events -----------------------------------------------------------------------------------

    def register(
        self, d: RegisterInput, today: date
    ) -> tuple[int, bool, tuple[int, ...], tuple[int, ...]]:
        if d.professional.organisation_id != d.organisation.id:
            raise ValidationError("professional.organisation_id", "mismatch", "")
        check_subject_eligible(d.date_of_birth, today)
        planned_end = d.planned_end or anniversary(today, self.policy.default_signal_years)
        check_planned_end(today, planned_end, self.policy.max_signal_years)
        if len(d.parents) > MAX_PARENTS or len(set(d.parents)) != len(d.parents):
            raise ValidationError("parents", "parents", "")
        if d.subject in d.parents:
            raise ValidationError("parents", "self-parent", "")
        known = self.subjects.get(d.subject)
        if known is not None:
            if known.turns_23 != turns_23_on(d.date_of_birth):
                raise ValidationError("date_of_birth", "conflict", "")
            if known.deceased:
                raise ValidationError("subject", "deceased", "")
        informing_duty(age_on(d.date_of_birth, today))
        for s in self.signals:
            if (
                s.subject == d.subject
                and s.org == d.organisation.id
                and s.prof == d.professional.id
                and self._live(s, today)
            ):
                return s.id, False, (), ()
        if known is None:
            self.subjects[d.subject] = _Subject(turns_23_on(d.date_of_birth))
        for parent in d.parents:
            self.links.add((d.subject, parent))
        earlier = [s for s in self.signals if s.subject == d.subject]
        new = _Signal(
            self._next("s"),
            d.subject,
            d.organisation.id,
            d.professional.id,
            d.domain.value,
            d.region,
            today,
            planned_end,
        )
        self.signals.append(new)
        notes: list[int] = []
        made = [
            self._match(new, other, "direct", today, notes)
            for other in sorted(earlier, key=lambda s: s.id)
            if self._live(other, today) and self._may_match(new, other)
        ]
        made += self._family(d.subject, today, notes)
        history = [s for s in earlier if not self._live(s, today)]
        if history and self.policy.history_notice:
            notes.append(self._note(new.org, new.prof, "history_exists", today, signal_id=new.id))
        return new.id, True, tuple(made), tuple(notes)

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

    def record_death(self, subject: SubjectKey, today: date) -> list[int]:
        if subject not in self.subjects:
            raise UnknownRecord("", "unknown", "")
        ended = []
        for s in sorted(self.signals, key=lambda s: s.id):
            if s.subject == subject and self._live(s, today):
                s.status, s.ended_on, s.end_reason = "inactive", today, "deceased"
                ended.append(s.id)
        self.subjects[subject].deceased = True
        return ended

    def record_move(self, subject: SubjectKey, municipality: str, today: date) -> int | None:
        if subject not in self.subjects:
            raise UnknownRecord("", "unknown", "")
        self.subjects[subject].municipality = municipality
        live = tuple(
            s.id
            for s in sorted(self.signals, key=lambda s: s.id)
            if s.subject == subject and self._live(s, today)
        )
        if not live:
            return None
        coordinator = self.policy.coordinator_of(self.policy.region_of(municipality))
        return self._note(coordinator, None, "move", today, about=live)

    def set_parents(self, child: SubjectKey, parents: list[SubjectKey], today: date) -> list[int]:
        unique = list(dict.fromkeys(parents))
        if not unique or len(unique) > MAX_PARENTS or child in unique:
            raise ValidationError("parents", "parents", "")
        if child not in self.subjects:
            raise UnknownRecord("", "unknown", "")
        for parent in unique:
            self.links.add((child, parent))
        return self._family(child, today, [])

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

    def acknowledge(self, org: str, ids: list[int]) -> int:
        wanted = set(ids)
        before = len(self.notes)
        self.notes = [n for n in self.notes if not (n.org == org and n.id in wanted)]
        return before - len(self.notes)

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
                (k, v.turns_23, v.deceased, v.municipality) for k, v in self.subjects.items()
            ),
            "signals": sorted(
                (
                    s.id,
                    s.subject,
                    s.org,
                    s.prof,
                    s.domain,
                    s.region,
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
