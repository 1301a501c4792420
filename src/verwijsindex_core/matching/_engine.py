"""The matching engine: the rules of design §4 applied to a :class:`Store`.

Every public method validates completely before it changes anything, so a refused call stores
nothing. Ids are handed out in a fixed order (direct matches by the other signal's id, then
family matches by signal pair, notifications per match: side a, side b, then the regions'
coordinators) so that the brute-force reference in ``_reference.py`` can reproduce them.

A signal is *live* on a day when it is active, its planned end lies after that day and its
subject is younger than 23; a signal that has passed its end but was not swept yet is treated
as ended everywhere, so results never depend on when the sweep last ran.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from verwijsindex_core.errors import NotPermitted, UnknownRecord, ValidationError
from verwijsindex_core.matching._model import (
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
from verwijsindex_core.matching._records import (
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
)
from verwijsindex_core.matching._rules import (
    age_on,
    anniversary,
    check_planned_end,
    check_subject_eligible,
    informing_duty,
    purge_on,
)
from verwijsindex_core.matching._store import Store

__all__ = ["Engine", "RegisterInput", "RegisterOutcome", "SweepReport"]

MAX_PARENTS = 4


@dataclass(slots=True)
class RegisterInput:
    """A validated registration, as the engine takes it."""

    subject: SubjectKey
    date_of_birth: date
    organisation: Organisation
    professional: Professional
    domain: Domain
    region: str
    planned_end: date | None = None
    parents: tuple[SubjectKey, ...] = ()
    postponement: PostponementGround | None = None


class RegisterOutcome(NamedTuple):
    signal_id: int
    created: bool
    match_ids: tuple[int, ...]
    notification_ids: tuple[int, ...]
    history_count: int
    inform_parents: bool
    inform_young_person: bool


@dataclass(frozen=True, slots=True)
class SweepReport:
    ended_planned: tuple[int, ...]
    ended_age: tuple[int, ...]
    purged: tuple[int, ...]


class Engine:
    """The rules on a store. Dates come in as arguments; the facade owns the clock."""

    def __init__(self, store: Store, policy: Policy) -> None:
        self.store = store
        self.policy = policy

    # --- helpers --------------------------------------------------------------------------------

    def _live(self, record: SignalRecord, subject: SubjectRecord | None, today: date) -> bool:
        return (
            record.status is SignalStatus.ACTIVE
            and record.planned_end > today
            and (subject is None or subject.turns_23 > today)
        )

    def live_signals(self, subject: SubjectKey, today: date) -> list[SignalRecord]:
        record = self.store.get_subject(subject)
        return [s for s in self.store.signals_of(subject) if self._live(s, record, today)]

    def _may_match(self, a: SignalRecord, b: SignalRecord) -> bool:
        if a.organisation_id != b.organisation_id:
            return True
        return self.policy.same_organisation_matching and a.professional.id != b.professional.id

    def _notify(
        self,
        organisation_id: str,
        professional_id: str | None,
        kind: NotificationKind,
        today: date,
        *,
        signal_id: int | None = None,
        match_id: int | None = None,
        about: tuple[int, ...] = (),
    ) -> int:
        note_id = self.store.next_id("notification")
        self.store.add_notification(
            NotificationRecord(
                note_id, organisation_id, professional_id, kind, today, signal_id, match_id, about
            )
        )
        return note_id

    def _match(
        self, a: SignalRecord, b: SignalRecord, kind: MatchKind, today: date, notes: list[int]
    ) -> int:
        if a.id > b.id:
            a, b = b, a
        region_a, region_b = self.policy.region_of(a.region), self.policy.region_of(b.region)
        cross = region_a != region_b
        match_id = self.store.next_id("match")
        self.store.add_match(MatchRecord(match_id, a.id, b.id, kind, cross, today))
        for own, other in ((a, b), (b, a)):
            notes.append(
                self._notify(
                    own.organisation_id,
                    own.professional.id,
                    NotificationKind.MATCH,
                    today,
                    signal_id=own.id,
                    match_id=match_id,
                    about=(other.id,),
                )
            )
        if cross:
            for region in (region_a, region_b):
                notes.append(
                    self._notify(
                        self.policy.coordinator_of(region),
                        None,
                        NotificationKind.MATCH,
                        today,
                        match_id=match_id,
                        about=(a.id, b.id),
                    )
                )
        return match_id

    def _family_matches(self, subject: SubjectKey, today: date, notes: list[int]) -> list[int]:
        """Family matches between the subject's live signals and its siblings' (new pairs)."""
        parents = self.store.parents_of(subject)
        if not parents:
            return []
        siblings = sorted({c for p in parents for c in self.store.children_of(p)} - {subject})
        if not siblings:
            return []
        own = self.live_signals(subject, today)
        others = sorted(
            (s for sib in siblings for s in self.live_signals(sib, today)), key=lambda r: r.id
        )
        created = []
        for mine in own:
            for theirs in others:
                if (
                    self._may_match(mine, theirs)
                    and self.store.find_match(mine.id, theirs.id) is None
                ):
                    created.append(self._match(mine, theirs, MatchKind.FAMILY, today, notes))
        return created

    def _owned(self, signal_id: int, organisation_id: str) -> SignalRecord:
        record = self.store.get_signal(signal_id)
        if record is None or record.organisation_id != organisation_id:
            # The same answer for "absent" and "not yours": no probing of other signals.
            raise UnknownRecord(
                "signal_id", "unknown", f"no signal {signal_id} of this organisation"
            )
        return record

    # --- registration ---------------------------------------------------------------------------

    def check_input(self, data: RegisterInput, today: date) -> tuple[date, date]:
        """The checks of :meth:`register` that need no store: returns the planned end and the
        date the subject turns 23."""
        if data.professional.organisation_id != data.organisation.id:
            raise ValidationError(
                "professional.organisation_id", "mismatch", "must equal organisation.id"
            )
        turns_23 = check_subject_eligible(data.date_of_birth, today)
        planned_end = data.planned_end or anniversary(today, self.policy.default_signal_years)
        check_planned_end(today, planned_end, self.policy.max_signal_years)
        if len(data.parents) > MAX_PARENTS or len(set(data.parents)) != len(data.parents):
            raise ValidationError("parents", "parents", f"at most {MAX_PARENTS}, all different")
        if data.subject in data.parents:
            raise ValidationError("parents", "self-parent", "a subject cannot be its own parent")
        return planned_end, turns_23

    def check_subject(self, subject: SubjectKey, turns_23: date) -> SubjectRecord | None:
        """The stored subject, refusing a different date of birth or a deceased subject."""
        record = self.store.get_subject(subject)
        if record is not None:
            if record.turns_23 != turns_23:
                raise ValidationError(
                    "date_of_birth",
                    "conflict",
                    "differs from the date of birth given earlier for this subject",
                )
            if record.deceased:
                raise ValidationError("subject", "deceased", "is recorded as deceased")
        return record

    def validate(self, data: RegisterInput, today: date) -> tuple[date, date, SubjectRecord | None]:
        """Every check of :meth:`register`, without changing anything.

        Returns the planned end, the date the subject turns 23 and the stored subject.
        """
        planned_end, turns_23 = self.check_input(data, today)
        return planned_end, turns_23, self.check_subject(data.subject, turns_23)

    def register(
        self, data: RegisterInput, today: date, *, checked: tuple[date, date] | None = None
    ) -> RegisterOutcome:
        """Register a signal (design §4). ``checked`` passes the result of
        :meth:`check_input` when the caller already ran it (a validated batch)."""
        planned_end, turns_23 = checked or self.check_input(data, today)
        subject = self.check_subject(data.subject, turns_23)
        store = self.store
        duty = informing_duty(age_on(data.date_of_birth, today))
        existing = store.signals_of(data.subject)
        for record in existing:
            if (
                record.organisation_id == data.organisation.id
                and record.professional.id == data.professional.id
                and self._live(record, subject, today)
            ):
                return RegisterOutcome(record.id, False, (), (), 0, *duty)

        store.put_organisation(data.organisation)
        if subject is None:
            subject = SubjectRecord(data.subject, turns_23)
            store.add_subject(subject)
        if data.parents:
            store.add_parents(data.subject, data.parents)
        signal = SignalRecord(
            store.next_id("signal"),
            data.subject,
            data.organisation.id,
            data.professional,
            data.domain,
            data.region,
            today,
            planned_end,
        )
        store.add_signal(signal)

        notes: list[int] = []
        matches = [
            self._match(signal, other, MatchKind.DIRECT, today, notes)
            for other in existing
            if self._live(other, subject, today) and self._may_match(signal, other)
        ]
        matches += self._family_matches(data.subject, today, notes)
        history = sum(1 for r in existing if not self._live(r, subject, today))
        if history and self.policy.history_notice:
            notes.append(
                self._notify(
                    signal.organisation_id,
                    signal.professional.id,
                    NotificationKind.HISTORY_EXISTS,
                    today,
                    signal_id=signal.id,
                )
            )
        return RegisterOutcome(signal.id, True, tuple(matches), tuple(notes), history, *duty)

    # --- life cycle -----------------------------------------------------------------------------

    def end_signal(
        self, signal_id: int, reason: EndReason, organisation_id: str, today: date
    ) -> SignalRecord:
        """End one's own live signal: ``risk_gone`` keeps history, ``unjustified`` deletes."""
        if reason not in (EndReason.RISK_GONE, EndReason.UNJUSTIFIED):
            raise ValidationError("reason", "end-reason", "must be risk_gone or unjustified")
        record = self._owned(signal_id, organisation_id)
        if reason is EndReason.UNJUSTIFIED:
            self.store.delete_signal(signal_id)
            return record
        subject = self.store.get_subject(record.subject)
        if not self._live(record, subject, today):
            raise ValidationError("signal_id", "not-active", "the signal has already ended")
        self.store.end_signal(signal_id, today, reason)
        return record

    def record_death(self, subject: SubjectKey, today: date) -> list[int]:
        """End every live signal on a deceased subject and refuse new ones (lid 2 sub c)."""
        record = self.store.get_subject(subject)
        if record is None:
            raise UnknownRecord("subject", "unknown", "not known to the index")
        ended = [s.id for s in self.live_signals(subject, today)]
        for signal_id in ended:
            self.store.end_signal(signal_id, today, EndReason.DECEASED)
        self.store.set_deceased(subject)
        return ended

    def record_move(self, subject: SubjectKey, municipality: str, today: date) -> int | None:
        """Tell the new region's coordinator which live signals exist (handreikingmelden)."""
        if self.store.get_subject(subject) is None:
            raise UnknownRecord("subject", "unknown", "not known to the index")
        self.store.set_municipality(subject, municipality)
        live = tuple(s.id for s in self.live_signals(subject, today))
        if not live:
            return None
        region = self.policy.region_of(municipality)
        return self._notify(
            self.policy.coordinator_of(region), None, NotificationKind.MOVE, today, about=live
        )

    def set_parents(
        self, child: SubjectKey, parents: Iterable[SubjectKey], today: date
    ) -> tuple[list[int], list[int]]:
        """Link a child to parents; returns the family matches and notifications this made."""
        parent_set = tuple(dict.fromkeys(parents))
        if not parent_set or len(parent_set) > MAX_PARENTS or child in parent_set:
            raise ValidationError("parents", "parents", f"1 to {MAX_PARENTS}, not the child")
        if self.store.get_subject(child) is None:
            raise UnknownRecord("child", "unknown", "not known to the index")
        self.store.add_parents(child, parent_set)
        notes: list[int] = []
        matches = self._family_matches(child, today, notes)
        return matches, notes

    def sweep(self, today: date) -> SweepReport:
        """Apply planned ends, the 23rd birthday and the 5-year purge as of ``today``."""
        store = self.store
        candidates = set(store.active_ending_by(today))
        for key in store.subjects_turning_23_by(today):
            candidates.update(
                s.id for s in store.signals_of(key) if s.status is SignalStatus.ACTIVE
            )
        planned, aged = [], []
        for signal_id in sorted(candidates):
            record = store.get_signal(signal_id)
            subject = store.get_subject(record.subject) if record else None
            if record is None or subject is None:  # pragma: no cover - indexes are consistent
                continue
            if record.planned_end <= subject.turns_23:
                store.end_signal(signal_id, record.planned_end, EndReason.PLANNED_END)
                planned.append(signal_id)
            else:
                store.end_signal(signal_id, subject.turns_23, EndReason.AGE_LIMIT)
                aged.append(signal_id)
        purged = []
        # Only signals that ended about `retention_years` ago can be due; one day of slack
        # covers 29 February (the exact test is purge_on below).
        cutoff = anniversary(today, -self.policy.retention_years) + timedelta(days=1)
        for signal_id in store.inactive_ended_by(cutoff):
            record = store.get_signal(signal_id)
            if record is None or record.ended_on is None:  # pragma: no cover
                continue
            if purge_on(record.ended_on, self.policy.retention_years) <= today:
                store.delete_signal(signal_id)
                purged.append(signal_id)
        return SweepReport(tuple(planned), tuple(aged), tuple(purged))

    # --- matches --------------------------------------------------------------------------------

    def _party(self, match_id: int, organisation_id: str) -> MatchRecord:
        match = self.store.get_match(match_id)
        if match is not None:
            for signal_id in (match.signal_a, match.signal_b):
                record = self.store.get_signal(signal_id)
                if record is not None and record.organisation_id == organisation_id:
                    return match
        raise UnknownRecord(
            "match_id", "unknown", f"no match {match_id} on a signal of this organisation"
        )

    def mark_coordinator(self, match_id: int, signal_id: int, organisation_id: str) -> MatchRecord:
        match = self._party(match_id, organisation_id)
        if signal_id not in (match.signal_a, match.signal_b):
            raise ValidationError("signal_id", "party", "must be one of the match's two signals")
        self.store.set_coordinator(match_id, signal_id)
        return match

    def mark_afgestemd(self, match_id: int, organisation_id: str) -> MatchRecord:
        match = self._party(match_id, organisation_id)
        self.store.set_afgestemd(match_id)
        return match

    def matches_for(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[tuple[SignalRecord, MatchRecord]]:
        """Matches on the caller's own signals only, with the own signal: no search exists."""
        found: list[tuple[SignalRecord, MatchRecord]] = []
        for own in self.store.signals_of_organisation(organisation_id):
            if professional_id is not None and own.professional.id != professional_id:
                continue
            found.extend((own, m) for m in self.store.matches_of_signal(own.id))
        return sorted(found, key=lambda pair: (pair[1].id, pair[0].id))

    def history(self, signal_id: int, organisation_id: str, today: date) -> list[SignalRecord]:
        """Earlier (not live) signals on the subject of one's own live signal."""
        if not self.policy.history_view:
            raise NotPermitted("history", "policy", "viewing history is switched off by policy")
        record = self._owned(signal_id, organisation_id)
        subject = self.store.get_subject(record.subject)
        if not self._live(record, subject, today):
            raise ValidationError("signal_id", "not-active", "only a live signal gives access")
        return [
            s
            for s in self.store.signals_of(record.subject)
            if s.id != signal_id and not self._live(s, subject, today)
        ]
