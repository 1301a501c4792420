"""The :class:`Verwijsindex` facade: what vendors and the server call.

It wires a store, a pseudonymiser, a clock, a policy and the audit log around the matching
engine: it pseudonymises BSNs, validates input, runs each operation in one store transaction
with its audit entries, and turns records into the public models.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError as PydanticValidationError

from verwijsindex_core.audit import AuditEvent, AuditLog, VerifyResult
from verwijsindex_core.errors import InvalidPseudonym, UnknownRecord, ValidationError
from verwijsindex_core.inzage import (
    InzageReport,
    Requester,
    RequesterRuleError,
    build_report,
    check_requesters,
)
from verwijsindex_core.matching import (
    Actor,
    Clock,
    Contact,
    EndReason,
    Engine,
    HistoryViewReason,
    InformingDuty,
    Match,
    MemoryStore,
    Notification,
    Policy,
    RegisterInput,
    RegisterRequest,
    Registration,
    Signal,
    Store,
    SweepReport,
    SystemClock,
    age_on,
    turns_23_on,
)
from verwijsindex_core.matching import HistoryNotice as _HistoryNotice
from verwijsindex_core.matching._records import (
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
)
from verwijsindex_core.pseudonym import Bsn, Pseudonym, Pseudonymiser

__all__ = ["BatchSummary", "Verwijsindex"]

SubjectInput = Pseudonym | Bsn


def _key(p: Pseudonym) -> SubjectKey:
    return (p.key_id, p.digest)


def _pseudonym(key: SubjectKey) -> Pseudonym:
    return Pseudonym._trusted(*key)


def _text(key: SubjectKey) -> str:
    return _pseudonym(key).text


def _first_error(exc: PydanticValidationError) -> ValidationError:
    """A pydantic error as ours: the field path and the rule, never the input value."""
    errors = exc.errors(include_input=False, include_url=False)
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"]) or "request"
    detail = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['type']}" for e in errors
    )
    every = [{"field": ".".join(str(p) for p in e["loc"]), "rule": e["type"]} for e in errors]
    return ValidationError(field, str(first["type"]), f"invalid ({detail})", errors=every)


@dataclass(frozen=True)
class BatchSummary:
    """What :meth:`Verwijsindex.register_many` did."""

    registered: int
    existing: int
    matches: int
    notifications: int


class Verwijsindex:
    """A verwijsindex on a store.

    ``pseudonymiser`` is needed only to accept :class:`Bsn` subjects (vendors who pseudonymise
    themselves, or blind, pass :class:`Pseudonym` values). Defaults: an in-memory store, the
    system clock, the default :class:`Policy`, and an audit log kept in the store.
    """

    def __init__(
        self,
        store: Store | None = None,
        pseudonymiser: Pseudonymiser | None = None,
        clock: Clock | None = None,
        policy: Policy | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.store: Store = store if store is not None else MemoryStore()
        self.pseudonymiser = pseudonymiser
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.policy = policy if policy is not None else Policy()
        self.audit = audit if audit is not None else AuditLog(self.store)
        self.engine = Engine(self.store, self.policy)

    # --- input ----------------------------------------------------------------------------------

    def subject_pseudonym(self, subject: SubjectInput) -> Pseudonym:
        """The pseudonym of a subject given as :class:`Pseudonym` or :class:`Bsn`."""
        if isinstance(subject, Pseudonym):
            return subject
        if isinstance(subject, Bsn):
            if self.pseudonymiser is None:
                raise ValidationError(
                    "subject", "pseudonymiser", "a Bsn needs an index with a pseudonymiser"
                )
            return self.pseudonymiser.pseudonymise(subject)
        raise InvalidPseudonym("subject", "type", "must be a Pseudonym or a Bsn")

    def _audit(
        self, event: AuditEvent, actor: Actor, *, subject: str = "", detail: str = ""
    ) -> None:
        self.audit.append(
            event,
            self.clock.now(),
            subject=subject,
            actor_organisation=actor.organisation_id,
            actor_professional=actor.professional_id or "",
            responsible_organisation=actor.organisation_id,
            detail=detail,
        )

    @staticmethod
    def _validated(request: RegisterRequest | dict[str, object]) -> RegisterRequest:
        if isinstance(request, RegisterRequest):
            return request
        try:
            return RegisterRequest.model_validate(request)
        except PydanticValidationError as exc:
            raise _first_error(exc) from None

    @staticmethod
    def _input(request: RegisterRequest) -> RegisterInput:
        return RegisterInput(
            subject=_key(request.subject),
            date_of_birth=request.date_of_birth,
            organisation=request.organisation,
            professional=request.professional,
            domain=request.domain or request.organisation.domain,
            region=request.region,
            planned_end=request.planned_end,
            parents=tuple(_key(p) for p in request.parents),
            postponement=request.postponement,
        )

    # --- registration ---------------------------------------------------------------------------

    def register(
        self,
        subject: SubjectInput,
        *,
        date_of_birth: date,
        organisation: object,
        professional: object,
        region: str,
        domain: object = None,
        planned_end: date | None = None,
        parents: Iterable[SubjectInput] = (),
        postponement: object = None,
    ) -> Registration:
        """Register a signal: validate, store, match, notify, audit (design §4).

        The date of birth is used for the rules and then reduced to the date the subject turns
        23; it is not stored. Re-registering an identical live signal returns it unchanged
        (``created=False``).
        """
        request = self._validated(
            {
                "subject": self.subject_pseudonym(subject),
                "date_of_birth": date_of_birth,
                "organisation": organisation,
                "professional": professional,
                "region": region,
                "domain": domain,
                "planned_end": planned_end,
                "parents": tuple(self.subject_pseudonym(p) for p in parents),
                "postponement": postponement,
            }
        )
        return self.submit(request)

    def submit(self, request: RegisterRequest | dict[str, object]) -> Registration:
        """:meth:`register` for a ready :class:`RegisterRequest` (or its dict/JSON form)."""
        request = self._validated(request)
        today = self.clock.today()
        data = self._input(request)
        actor = Actor(organisation_id=data.organisation.id, professional_id=data.professional.id)
        with self.store.transaction():
            outcome = self.engine.register(data, today)
            event = AuditEvent.REGISTER if outcome.created else AuditEvent.REGISTER_EXISTING
            self._audit(
                event, actor, subject=request.subject.text, detail=f"signal={outcome.signal_id}"
            )
            signal = self.store.get_signal(outcome.signal_id)
            if signal is None:  # pragma: no cover - just stored
                raise UnknownRecord("signal_id", "unknown", "vanished")
            duty = InformingDuty(
                inform_parents=outcome.inform_parents,
                inform_young_person=outcome.inform_young_person,
                postponed=request.postponement is not None,
                ground=request.postponement,
            )
            return Registration(
                signal=self._signal(signal),
                created=outcome.created,
                matches=tuple(self._match(self._get_match(i)) for i in outcome.match_ids),
                notifications=tuple(self._notification_by_id(i) for i in outcome.notification_ids),
                informing_duty=duty,
                history_notice=(
                    _HistoryNotice(signal_id=signal.id, inactive_signals=outcome.history_count)
                    if outcome.history_count and self.policy.history_notice and outcome.created
                    else None
                ),
            )

    def register_many(
        self, requests: Iterable[RegisterRequest | dict[str, object]]
    ) -> BatchSummary:
        """Register a batch in one transaction, one audit entry per registration; returns
        counts only, for bulk loads and benchmarks.

        All or nothing on every store: every request is validated first (input, the rules, and
        dates of birth that must agree within the batch and with the store), so an invalid
        request raises before anything is stored.
        """
        today = self.clock.today()
        batch: list[tuple[RegisterRequest, RegisterInput, tuple[date, date]]] = []
        turns_23: dict[SubjectKey, date] = {}
        for position, item in enumerate(requests):
            request = self._validated(item)
            data = self._input(request)
            checked = self.engine.check_input(data, today)
            self.engine.check_subject(data.subject, checked[1])
            if turns_23.setdefault(data.subject, checked[1]) != checked[1]:
                raise ValidationError(
                    f"requests[{position}].date_of_birth",
                    "conflict",
                    "differs from the date of birth given earlier in this batch",
                )
            batch.append((request, data, checked))
        registered = existing = matches = notes = 0
        at = self.clock.now()
        with self.store.transaction():
            for request, data, checked in batch:
                outcome = self.engine.register(data, today, checked=checked)
                self.audit.append(
                    AuditEvent.REGISTER if outcome.created else AuditEvent.REGISTER_EXISTING,
                    at,
                    subject=request.subject.text,
                    actor_organisation=data.organisation.id,
                    actor_professional=data.professional.id,
                    responsible_organisation=data.organisation.id,
                    detail=f"signal={outcome.signal_id}",
                )
                if outcome.created:
                    registered += 1
                else:
                    existing += 1
                matches += len(outcome.match_ids)
                notes += len(outcome.notification_ids)
        return BatchSummary(registered, existing, matches, notes)

    # --- life cycle -----------------------------------------------------------------------------

    def end_signal(self, signal_id: int, reason: EndReason | str, actor: Actor) -> None:
        """End one's own signal: ``risk_gone`` keeps it as history, ``unjustified`` deletes it
        with its matches (Jeugdwet 7.1.4.5 lid 1)."""
        try:
            reason = EndReason(reason)
        except ValueError:
            raise ValidationError(
                "reason", "end-reason", "must be risk_gone or unjustified"
            ) from None
        with self.store.transaction():
            record = self.engine.end_signal(
                signal_id, reason, actor.organisation_id, self.clock.today()
            )
            event = (
                AuditEvent.DELETE_SIGNAL
                if reason is EndReason.UNJUSTIFIED
                else AuditEvent.END_SIGNAL
            )
            self._audit(
                event,
                actor,
                subject=_text(record.subject),
                detail=f"signal={signal_id};reason={reason.value}",
            )

    def record_death(self, subject: SubjectInput, actor: Actor) -> list[int]:
        """End every live signal on the subject; no new signals after (lid 2 sub c)."""
        key = _key(self.subject_pseudonym(subject))
        with self.store.transaction():
            ended = self.engine.record_death(key, self.clock.today())
            self._audit(
                AuditEvent.RECORD_DEATH, actor, subject=_text(key), detail=f"ended={len(ended)}"
            )
        return ended

    def record_move(
        self, subject: SubjectInput, municipality: str, actor: Actor
    ) -> Notification | None:
        """The subject moved: the new region's coordinator gets every live signal."""
        if not isinstance(municipality, str) or not (
            len(municipality) == 6
            and municipality.startswith("GM")
            and municipality[2:].isascii()
            and municipality[2:].isdigit()
        ):
            raise ValidationError("municipality", "municipality-code", "must be a code like GM0518")
        key = _key(self.subject_pseudonym(subject))
        with self.store.transaction():
            note_id = self.engine.record_move(key, municipality, self.clock.today())
            self._audit(
                AuditEvent.RECORD_MOVE, actor, subject=_text(key), detail=f"to={municipality}"
            )
            return None if note_id is None else self._notification_by_id(note_id)

    def set_parents(
        self, child: SubjectInput, parents: Iterable[SubjectInput], actor: Actor
    ) -> list[Match]:
        """Link a child to its parents (vendor or population-register feed); may make family
        matches between live signals of siblings (MULTIsignaal gezinsmatch)."""
        key = _key(self.subject_pseudonym(child))
        parent_keys = [_key(self.subject_pseudonym(p)) for p in parents]
        with self.store.transaction():
            match_ids, _ = self.engine.set_parents(key, parent_keys, self.clock.today())
            self._audit(
                AuditEvent.SET_PARENTS,
                actor,
                subject=_text(key),
                detail=f"parents={len(parent_keys)}",
            )
            return [self._match(self._get_match(i)) for i in match_ids]

    def sweep(self) -> SweepReport:
        """Apply planned ends, 23rd birthdays and the 5-year purge as of today (daily job)."""
        system = Actor(organisation_id="verwijsindex")
        with self.store.transaction():
            report = self.engine.sweep(self.clock.today())
            for signal_id in (*report.ended_planned, *report.ended_age):
                record = self.store.get_signal(signal_id)
                if record is not None:
                    self._audit(
                        AuditEvent.SWEEP_END,
                        system,
                        subject=_text(record.subject),
                        detail=f"signal={signal_id}",
                    )
            for signal_id in report.purged:
                self._audit(AuditEvent.PURGE, system, detail=f"signal={signal_id}")
        return report

    # --- reading ----------------------------------------------------------------------------------

    def signal(self, signal_id: int, actor: Actor) -> Signal:
        """One of the caller's own signals."""
        record = self.store.get_signal(signal_id)
        if record is None or record.organisation_id != actor.organisation_id:
            raise UnknownRecord(
                "signal_id", "unknown", f"no signal {signal_id} of this organisation"
            )
        with self.store.transaction():
            self._audit(
                AuditEvent.READ_MATCHES,
                actor,
                subject=_text(record.subject),
                detail=f"signal={signal_id}",
            )
        return self._signal(record)

    def matches_for(self, organisation_id: str, professional_id: str | None = None) -> list[Match]:
        """Matches on the caller's own signals (there is no search: design §4)."""
        actor = Actor(organisation_id=organisation_id, professional_id=professional_id)
        pairs = self.engine.matches_for(organisation_id, professional_id)
        with self.store.transaction():
            for subject in dict.fromkeys(own.subject for own, _ in pairs):
                self._audit(AuditEvent.READ_MATCHES, actor, subject=_text(subject))
        return [self._match(m) for _, m in pairs]

    def view_history(
        self, signal_id: int, reason: HistoryViewReason | str, actor: Actor
    ) -> list[Contact]:
        """Earlier professionals' contact data, only with a stated reason; audited."""
        try:
            reason = HistoryViewReason(reason)
        except ValueError:
            raise ValidationError(
                "reason", "history-reason", "must be a HistoryViewReason"
            ) from None
        with self.store.transaction():
            earlier = self.engine.history(signal_id, actor.organisation_id, self.clock.today())
            own = self.store.get_signal(signal_id)
            subject = _text(own.subject) if own else ""
            self._audit(
                AuditEvent.VIEW_HISTORY,
                actor,
                subject=subject,
                detail=f"signal={signal_id};reason={reason.value}",
            )
        return [self._contact(r) for r in earlier]

    def mark_coordinator(self, match_id: int, signal_id: int, actor: Actor) -> Match:
        with self.store.transaction():
            match = self.engine.mark_coordinator(match_id, signal_id, actor.organisation_id)
            self._audit(
                AuditEvent.MARK_COORDINATOR,
                actor,
                subject=self._match_subject(match),
                detail=f"match={match_id};signal={signal_id}",
            )
            return self._match(self._get_match(match_id))

    def mark_afgestemd(self, match_id: int, actor: Actor) -> Match:
        with self.store.transaction():
            match = self.engine.mark_afgestemd(match_id, actor.organisation_id)
            self._audit(
                AuditEvent.MARK_AFGESTEMD,
                actor,
                subject=self._match_subject(match),
                detail=f"match={match_id}",
            )
            return self._match(self._get_match(match_id))

    def notifications_for(self, organisation_id: str) -> list[Notification]:
        """The organisation's outbox: every unacknowledged notification, oldest first.

        Delivery is at least once: a notification stays until :meth:`acknowledge`.
        """
        actor = Actor(organisation_id=organisation_id)
        records = self.store.pending_notifications(organisation_id)
        with self.store.transaction():
            for subject in dict.fromkeys(self._note_subjects(records)):
                self._audit(AuditEvent.READ_NOTIFICATIONS, actor, subject=subject)
        return [self._notification(r) for r in records]

    def acknowledge(self, organisation_id: str, ids: Iterable[int]) -> int:
        """Remove delivered notifications from the outbox; returns how many were removed."""
        with self.store.transaction():
            return self.store.acknowledge(organisation_id, list(ids))

    def inzage(
        self,
        subject: SubjectInput,
        *,
        date_of_birth: date,
        requesters: Iterable[Requester | str],
        generated_by: str = "verwijsindex",
    ) -> InzageReport:
        """Everything the index holds about a subject, for the subject's rights holders.

        The requesters must fit the subject's age on today's date (under 12 a parent alone;
        12-15 young person and parent together; 16+ the young person alone); a refused request
        raises :class:`~verwijsindex_core.inzage.RequesterRuleError` and is audited too. The
        date of birth must be the one the subject was registered with.
        """
        pseudonym = self.subject_pseudonym(subject)
        key = _key(pseudonym)
        masked = subject.masked if isinstance(subject, Bsn) else pseudonym.masked
        record = self.store.get_subject(key)
        if record is None:
            raise UnknownRecord("subject", "unknown", "the index holds nothing about this subject")
        if turns_23_on(date_of_birth) != record.turns_23:
            raise ValidationError("date_of_birth", "conflict", "differs from the registered one")
        today = self.clock.today()
        age = age_on(date_of_birth, today)
        index_actor = Actor(organisation_id=generated_by)
        try:
            who = check_requesters(age, requesters)
        except RequesterRuleError as exc:
            with self.store.transaction():
                self._audit(
                    AuditEvent.INZAGE_REFUSED,
                    index_actor,
                    subject=pseudonym.text,
                    detail=f"rule={exc.rule}",
                )
            raise
        with self.store.transaction():
            self._audit(
                AuditEvent.INZAGE,
                index_actor,
                subject=pseudonym.text,
                detail="requested-by=" + "+".join(r.value for r in who),
            )
            return build_report(
                self.store,
                self.audit.entries(),
                key,
                pseudonym.text,
                masked=masked,
                generated_at=self.clock.now(),
                generated_by=generated_by,
                requested_by=who,
                policy=self.policy,
            )

    def verify_audit(self) -> VerifyResult:
        return self.audit.verify()

    # --- records to models ----------------------------------------------------------------------

    def _get_match(self, match_id: int) -> MatchRecord:
        match = self.store.get_match(match_id)
        if match is None:  # pragma: no cover - ids come from the engine
            raise UnknownRecord("match_id", "unknown", f"no match {match_id}")
        return match

    def _match_subject(self, match: MatchRecord) -> str:
        record = self.store.get_signal(match.signal_a)
        return _text(record.subject) if record else ""

    def _note_subjects(self, records: Iterable[NotificationRecord]) -> Iterable[str]:
        for record in records:
            for signal_id in (record.signal_id, *record.about):
                if signal_id is not None:
                    signal = self.store.get_signal(signal_id)
                    if signal is not None:
                        yield _text(signal.subject)

    @staticmethod
    def _signal(r: SignalRecord) -> Signal:
        return Signal.model_construct(
            id=r.id,
            subject=_pseudonym(r.subject),
            organisation_id=r.organisation_id,
            professional=r.professional,
            domain=r.domain,
            region=r.region,
            registered_on=r.registered_on,
            planned_end=r.planned_end,
            status=r.status,
            ended_on=r.ended_on,
            end_reason=r.end_reason,
        )

    @staticmethod
    def _match(m: MatchRecord) -> Match:
        return Match.model_construct(
            id=m.id,
            signal_a=m.signal_a,
            signal_b=m.signal_b,
            kind=m.kind,
            cross_region=m.cross_region,
            created_on=m.created_on,
            coordinator_signal=m.coordinator_signal,
            afgestemd=m.afgestemd,
        )

    def _contact(self, r: SignalRecord) -> Contact:
        organisation = self.store.get_organisation(r.organisation_id)
        p = r.professional
        return Contact.model_construct(
            signal_id=r.id,
            organisation_id=r.organisation_id,
            organisation_name=organisation.name if organisation else r.organisation_id,
            professional_name=p.name,
            function=p.function,
            phone=p.phone,
            email=p.email,
            domain=r.domain,
        )

    def _notification_by_id(self, note_id: int) -> Notification:
        record = self.store.get_notification(note_id)
        if record is None:  # pragma: no cover - ids come from the engine
            raise UnknownRecord("notification_id", "unknown", f"no notification {note_id}")
        return self._notification(record)

    def _notification(self, r: NotificationRecord) -> Notification:
        match = self.store.get_match(r.match_id) if r.match_id is not None else None
        contacts = []
        for signal_id in r.about:
            record = self.store.get_signal(signal_id)
            if record is not None:
                contacts.append(self._contact(record))
        return Notification.model_construct(
            id=r.id,
            organisation_id=r.organisation_id,
            professional_id=r.professional_id,
            kind=r.kind,
            created_on=r.created_on,
            signal_id=r.signal_id,
            match_id=r.match_id,
            match_kind=match.kind if match else None,
            cross_region=match.cross_region if match else False,
            contacts=tuple(contacts),
        )
