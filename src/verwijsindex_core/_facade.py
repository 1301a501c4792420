"""The :class:`Verwijsindex` facade: what vendors and the server call.

It wires a store, a pseudonymiser, a clock and a policy around the matching engine. It turns
subjects (a ``Bsn`` or pseudonyms) into aliases, runs each operation in one store
transaction with its audit entries, and turns records into the public models. The rules,
their checks and the authorisation live in the engine; the facade holds none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from verwijsindex_core._views import (
    contact_model,
    match_model,
    notification_model,
    primary_alias,
    signal_model,
)
from verwijsindex_core.audit import AuditEvent, AuditLog, VerifyResult
from verwijsindex_core.errors import (
    InvalidPseudonym,
    RequesterRuleError,
    UnknownRecord,
    ValidationError,
)
from verwijsindex_core.inzage import InzageReport, Requester, build_report, check_requesters
from verwijsindex_core.matching import (
    MAX_ALIASES,
    Actor,
    Clock,
    Contact,
    EndReason,
    Engine,
    HistoryNotice,
    HistoryViewReason,
    IndexStatistics,
    InformingDuty,
    Match,
    Notification,
    Policy,
    Rectification,
    RegisterInput,
    RegisterRequest,
    Registration,
    Signal,
    SweepReport,
    SystemClock,
    age_on,
)
from verwijsindex_core.matching._args import (
    check_actor,
    check_enum,
)
from verwijsindex_core.pseudonym import Bsn, Pseudonym, Pseudonymiser
from verwijsindex_core.store import MemoryStore, Store, SubjectKey

__all__ = ["BatchSummary", "SubjectInput", "Verwijsindex"]

SubjectInput = Bsn | Pseudonym | Sequence[Pseudonym]
"""A subject as the facade takes it: a :class:`Bsn` (needs the index's pseudonymiser, which
gives one pseudonym per live key), a :class:`Pseudonym`, or one pseudonym per live key (blind
vendors: one per live service key, the active key's first)."""

_SYSTEM = Actor(organisation_id="verwijsindex")


def _key(p: Pseudonym) -> SubjectKey:
    return (p.key_id, p.digest)


def _text(key: SubjectKey) -> str:
    return Pseudonym._trusted(*key).text


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
    system clock and the default :class:`Policy`. The audit log lives in the store, so its
    entries commit with the data they describe.

    **Trust.** The facade trusts the :class:`Actor` it is given: it does not authenticate
    anyone. The vendor's own system (or the reference server, from a bearer token) says who
    acts; the engine then lets an organisation see and change only its own signals, matches
    and outbox. Every call that reads or changes subject data writes an audit entry naming
    the actor.
    """

    def __init__(
        self,
        store: Store | None = None,
        pseudonymiser: Pseudonymiser | None = None,
        clock: Clock | None = None,
        policy: Policy | None = None,
    ) -> None:
        if pseudonymiser is not None and not isinstance(pseudonymiser, Pseudonymiser):
            raise ValidationError("pseudonymiser", "type", "must be a Pseudonymiser")
        if policy is not None and not isinstance(policy, Policy):
            raise ValidationError("policy", "type", "must be a Policy")
        self._store: Store = store if store is not None else MemoryStore()
        self._pseudonymiser = pseudonymiser
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._policy = policy if policy is not None else Policy()
        self._audit = AuditLog(self._store)
        self._engine = Engine(self._store, self._policy)

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def clock(self) -> Clock:
        return self._clock

    def __repr__(self) -> str:
        return f"Verwijsindex(store={type(self._store).__name__})"

    # --- input ----------------------------------------------------------------------------------

    def pseudonyms(self, subject: object, field: str = "subject") -> tuple[Pseudonym, ...]:
        """The subject's pseudonyms, the active key's first: one per live key for a
        :class:`Bsn`; as given for pseudonyms."""
        if isinstance(subject, Bsn):
            if self._pseudonymiser is None:
                raise ValidationError(
                    field, "pseudonymiser", "a Bsn needs an index with a pseudonymiser"
                )
            return self._pseudonymiser.pseudonymise_all_keys(subject)
        if isinstance(subject, Pseudonym):
            return (subject,)
        if isinstance(subject, (list, tuple)) and all(isinstance(p, Pseudonym) for p in subject):
            if not 1 <= len(subject) <= MAX_ALIASES:
                raise ValidationError(field, "aliases", f"1 to {MAX_ALIASES} pseudonyms")
            if len({p.key_id for p in subject}) != len(subject):
                raise ValidationError(field, "aliases", "at most one pseudonym per key")
            return tuple(subject)
        raise InvalidPseudonym(
            field, "type", "must be a Bsn, a Pseudonym or a list of Pseudonyms (one per key)"
        )

    def _aliases(self, subject: object, field: str = "subject") -> tuple[SubjectKey, ...]:
        return tuple(_key(p) for p in self.pseudonyms(subject, field))

    def _prefer(self) -> str | None:
        return None if self._pseudonymiser is None else self._pseudonymiser.active_key_id

    def _subject_text(self, subject_id: int) -> str:
        record = self._store.get_subject(subject_id)
        return "" if record is None else _text(primary_alias(record, self._prefer()))

    def _audit_one(
        self, event: AuditEvent, actor: Actor, *, subject: str = "", detail: str = ""
    ) -> None:
        self._audit.append(
            event,
            self._clock.now(),
            subject=subject,
            actor_organisation=actor.organisation_id,
            actor_professional=actor.professional_id or "",
            responsible_organisation=actor.organisation_id,
            detail=detail,
        )

    @staticmethod
    def _request(item: object, field: str = "request") -> RegisterRequest:
        if isinstance(item, RegisterRequest):
            return item
        if not isinstance(item, dict):
            raise ValidationError(field, "type", "must be a RegisterRequest or its dict form")
        try:
            return RegisterRequest.model_validate(item)
        except ValidationError as exc:
            raise (exc if field == "request" else exc.prefixed(field + ".")) from None

    @staticmethod
    def _input(request: RegisterRequest) -> RegisterInput:
        return RegisterInput(
            subjects=(_key(request.subject), *(_key(p) for p in request.aliases)),
            date_of_birth=request.date_of_birth,
            organisation=request.organisation,
            professional=request.professional,
            domain=request.domain or request.organisation.domain,
            municipality=request.municipality,
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
        municipality: str,
        domain: object = None,
        planned_end: date | None = None,
        parents: Iterable[SubjectInput] = (),
        postponement: object = None,
    ) -> Registration:
        """Register a signal: validate, store, match, notify, audit (design §4).

        The actor is the registering ``organisation`` and its ``professional``. The date of
        birth is used for the rules and then reduced to the date the subject turns 23; it is
        not stored. Re-registering an identical live signal returns it unchanged
        (``created=False``). ``parents`` are the parents' BSNs or pseudonyms.
        """
        aliases = self.pseudonyms(subject)
        if isinstance(parents, (str, bytes, dict)) or not isinstance(parents, Iterable):
            raise ValidationError("parents", "type", "must be a list of parents")
        parent_pseudonyms = [
            p for i, parent in enumerate(parents) for p in self.pseudonyms(parent, f"parents[{i}]")
        ]
        request = self._request(
            {
                "subject": aliases[0],
                "aliases": aliases[1:],
                "date_of_birth": date_of_birth,
                "organisation": organisation,
                "professional": professional,
                "municipality": municipality,
                "domain": domain,
                "planned_end": planned_end,
                "parents": tuple(parent_pseudonyms),
                "postponement": postponement,
            }
        )
        return self.submit(request)

    def submit(self, request: RegisterRequest | dict[str, object]) -> Registration:
        """:meth:`register` for a ready :class:`RegisterRequest` (or its dict/JSON form)."""
        checked = self._request(request)
        data = self._input(checked)
        today = self._clock.today()
        actor = Actor(organisation_id=data.organisation.id, professional_id=data.professional.id)
        store = self._store
        with store.transaction():
            outcome = self._engine.register(data, today)
            event = AuditEvent.REGISTER if outcome.created else AuditEvent.REGISTER_EXISTING
            self._audit_one(
                event, actor, subject=checked.subject.text, detail=f"signal={outcome.signal_id}"
            )
            signal = store.get_signal(outcome.signal_id)
            subject = store.get_subject(outcome.subject_id)
            if signal is None or subject is None:  # pragma: no cover - just stored
                raise UnknownRecord("signal_id", "unknown", "vanished")
            # The registrant's part only (no search, design §4): the matches of its new
            # signal (a registration that merges two subjects also matches other
            # organisations' signals, which are theirs to learn) and the notifications
            # addressed to it; the others wait in their own outboxes.
            matches = [
                m
                for i in outcome.match_ids
                if (m := store.get_match(i)) is not None and signal.id in (m.signal_a, m.signal_b)
            ]
            notes = [
                n
                for i in outcome.notification_ids
                if (n := store.get_notification(i)) is not None
                and n.organisation_id == data.organisation.id
            ]
            return Registration(
                signal=signal_model(signal, primary_alias(subject, checked.subject.key_id)),
                created=outcome.created,
                matches=tuple(match_model(m) for m in matches if m is not None),
                notifications=tuple(notification_model(store, n) for n in notes if n is not None),
                informing_duty=InformingDuty(
                    inform_parents=outcome.inform_parents,
                    inform_young_person=outcome.inform_young_person,
                    postponed=checked.postponement is not None,
                    ground=checked.postponement,
                ),
                history_notice=(
                    HistoryNotice(signal_id=signal.id, inactive_signals=outcome.history_count)
                    if outcome.history_count and self._policy.history_notice and outcome.created
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
        request raises (naming ``requests[i]``) before anything is stored. The result equals
        registering the requests one by one.
        """
        if isinstance(requests, (str, bytes, dict)) or not isinstance(requests, Iterable):
            raise ValidationError("requests", "type", "must be a list of requests")
        checked = [self._request(r, f"requests[{i}]") for i, r in enumerate(requests)]
        batch = [self._input(r) for r in checked]
        today = self._clock.today()
        with self._store.transaction():
            outcomes = self._engine.register_many(batch, today)
            rows = [
                (
                    (AuditEvent.REGISTER if o.created else AuditEvent.REGISTER_EXISTING).value,
                    request.subject.text,
                    data.organisation.id,
                    data.professional.id,
                    data.organisation.id,
                    f"signal={o.signal_id}",
                )
                for request, data, o in zip(checked, batch, outcomes, strict=True)
            ]
            self._audit.extend(self._clock.now(), rows)
        created = sum(1 for o in outcomes if o.created)
        return BatchSummary(
            registered=created,
            existing=len(outcomes) - created,
            matches=sum(len(o.match_ids) for o in outcomes),
            notifications=sum(len(o.notification_ids) for o in outcomes),
        )

    # --- life cycle -----------------------------------------------------------------------------

    def end_signal(self, signal_id: int, reason: object, actor: Actor) -> None:
        """End one's own signal: ``risk_gone`` keeps it as history, ``unjustified`` deletes it
        with its matches (Jeugdwet 7.1.4.5 lid 1)."""
        with self._store.transaction():
            record, subject, end = self._engine.end_signal(
                signal_id, reason, actor, self._clock.today()
            )
            self._audit_one(
                AuditEvent.DELETE_SIGNAL if end is EndReason.UNJUSTIFIED else AuditEvent.END_SIGNAL,
                check_actor(actor),
                subject=_text(primary_alias(subject, self._prefer())),
                detail=f"signal={record.id};reason={end.value}",
            )

    def record_death(self, subject: SubjectInput, actor: Actor) -> list[int]:
        """End every live signal on the subject; no new signals after (lid 2 sub c)."""
        who = check_actor(actor)
        aliases = self._aliases(subject)
        with self._store.transaction():
            ended = self._engine.record_death(aliases, self._clock.today())
            self._audit_one(
                AuditEvent.RECORD_DEATH,
                who,
                subject=_text(aliases[0]),
                detail=f"ended={len(ended)}",
            )
        return ended

    def record_move(
        self, subject: SubjectInput, municipality: str, actor: Actor
    ) -> Notification | None:
        """The subject moved: the new region's coordinator learns of every live signal,
        unless the subject stays in its covenant region."""
        who = check_actor(actor)
        aliases = self._aliases(subject)
        with self._store.transaction():
            note_id = self._engine.record_move(aliases, municipality, self._clock.today())
            self._audit_one(
                AuditEvent.RECORD_MOVE,
                who,
                subject=_text(aliases[0]),
                detail=f"to={municipality}",  # checked by the engine
            )
            note = None if note_id is None else self._store.get_notification(note_id)
            return None if note is None else notification_model(self._store, note)

    def set_parents(
        self, child: SubjectInput, parents: Iterable[SubjectInput], actor: Actor
    ) -> list[Match]:
        """Link a child to its parents (vendor or population-register feed); may make family
        matches between live signals of siblings (MULTIsignaal gezinsmatch)."""
        who = check_actor(actor)
        aliases = self._aliases(child, "child")
        if isinstance(parents, (str, bytes, dict)) or not isinstance(parents, Iterable):
            raise ValidationError("parents", "type", "must be a list of parents")
        parent_keys = [
            k for i, parent in enumerate(parents) for k in self._aliases(parent, f"parents[{i}]")
        ]
        with self._store.transaction():
            match_ids, _ = self._engine.set_parents(aliases, parent_keys, self._clock.today())
            self._audit_one(
                AuditEvent.SET_PARENTS,
                who,
                subject=_text(aliases[0]),
                detail=f"parents={len(parent_keys)}",
            )
            return [match_model(m) for i in match_ids if (m := self._store.get_match(i))]

    def rectify_date_of_birth(
        self, subject: SubjectInput, date_of_birth: date, actor: Actor
    ) -> Rectification:
        """Correct a subject's date of birth (AVG art. 16, right to rectification): the date
        the subject turns 23 is recomputed and the signals it ended are re-evaluated."""
        who = check_actor(actor)
        aliases = self._aliases(subject)
        with self._store.transaction():
            outcome = self._engine.rectify(aliases, date_of_birth, self._clock.today())
            self._audit_one(
                AuditEvent.RECTIFY,
                who,
                subject=_text(aliases[0]),
                detail=f"reopened={len(outcome.reopened)};corrected={len(outcome.corrected)}",
            )
            return Rectification(
                reopened=outcome.reopened,
                corrected=outcome.corrected,
                matches=tuple(
                    match_model(m) for i in outcome.match_ids if (m := self._store.get_match(i))
                ),
            )

    def sweep(self) -> SweepReport:
        """Apply planned ends, 23rd birthdays and the 5-year purge as of today (daily job)."""
        with self._store.transaction():
            ended: dict[int, str] = {}
            report = self._engine.sweep(self._clock.today())
            rows = []
            for signal_id in (*report.ended_planned, *report.ended_age):
                record = self._store.get_signal(signal_id)
                if record is not None:
                    subject = ended.get(record.subject)
                    if subject is None:
                        subject = ended[record.subject] = self._subject_text(record.subject)
                    rows.append(
                        (
                            AuditEvent.SWEEP_END.value,
                            subject,
                            "verwijsindex",
                            "",
                            "verwijsindex",
                            f"signal={signal_id}",
                        )
                    )
            rows += [
                (AuditEvent.PURGE.value, "", "verwijsindex", "", "verwijsindex", f"signal={s}")
                for s in report.purged
            ]
            if rows:
                self._audit.extend(self._clock.now(), rows)
        return report

    # --- reading ----------------------------------------------------------------------------------

    def signal(self, signal_id: int, actor: Actor) -> Signal:
        """One of the actor's own signals (audited as a read of the subject's data)."""
        with self._store.transaction():
            record = self._engine.signal(signal_id, actor)
            subject = self._store.get_subject(record.subject)
            if subject is None:  # pragma: no cover - a signal has its subject
                raise UnknownRecord("signal_id", "unknown", "no such signal of this organisation")
            alias = primary_alias(subject, self._prefer())
            self._audit_one(
                AuditEvent.READ_SIGNAL,
                check_actor(actor),
                subject=_text(alias),
                detail=f"signal={record.id}",
            )
            return signal_model(record, alias)

    def matches_for(self, actor: Actor) -> list[Match]:
        """Matches on the actor's own signals (its professional's, if one is named); there
        is no search (design §4)."""
        with self._store.transaction():
            pairs = self._engine.matches_for(actor)
            who = check_actor(actor)
            rows = [
                (
                    AuditEvent.READ_MATCHES.value,
                    self._subject_text(s),
                    who.organisation_id,
                    who.professional_id or "",
                    who.organisation_id,
                    "",
                )
                for s in dict.fromkeys(own.subject for own, _ in pairs)
            ]
            if rows:
                self._audit.extend(self._clock.now(), rows)
            return [match_model(m) for _, m in pairs]

    def view_history(self, signal_id: int, reason: object, actor: Actor) -> list[Contact]:
        """Earlier professionals' contact data, only with a stated reason; audited."""
        why = check_enum(reason, HistoryViewReason, "reason", "history-reason")
        with self._store.transaction():
            own, earlier = self._engine.history(signal_id, actor, self._clock.today())
            self._audit_one(
                AuditEvent.VIEW_HISTORY,
                check_actor(actor),
                subject=self._subject_text(own.subject),
                detail=f"signal={own.id};reason={why.value}",
            )
            return [contact_model(self._store, r) for r in earlier]

    def mark_coordinator(self, match_id: int, signal_id: int, actor: Actor) -> Match:
        """Mark which party of a match coordinates (one of the parties may)."""
        with self._store.transaction():
            match = self._engine.mark_coordinator(match_id, signal_id, actor)
            self._audit_match(
                AuditEvent.MARK_COORDINATOR,
                actor,
                match.signal_a,
                f"match={match.id};signal={signal_id}",
            )
            return match_model(match)

    def mark_afgestemd(self, match_id: int, actor: Actor) -> Match:
        """Mark a match "afgestemd" (the parties have coordinated)."""
        with self._store.transaction():
            match = self._engine.mark_afgestemd(match_id, actor)
            self._audit_match(AuditEvent.MARK_AFGESTEMD, actor, match.signal_a, f"match={match.id}")
            return match_model(match)

    def _audit_match(self, event: AuditEvent, actor: Actor, signal_id: int, detail: str) -> None:
        record = self._store.get_signal(signal_id)
        subject = "" if record is None else self._subject_text(record.subject)
        self._audit_one(event, check_actor(actor), subject=subject, detail=detail)

    def notifications_for(self, actor: Actor) -> list[Notification]:
        """The actor's outbox (its professional's, if one is named): every unacknowledged
        notification, oldest first. Delivery is at least once: a notification stays until
        :meth:`acknowledge`."""
        with self._store.transaction():
            records = self._engine.notifications_for(actor)
            self._audit_notes(AuditEvent.READ_NOTIFICATIONS, check_actor(actor), records)
            return [notification_model(self._store, r) for r in records]

    def acknowledge(self, actor: Actor, ids: Iterable[int]) -> int:
        """Remove delivered notifications from the actor's outbox; returns how many were
        removed (ids that are not in the actor's outbox are ignored). Audited."""
        with self._store.transaction():
            removed = self._engine.acknowledge(actor, ids)
            self._audit_notes(AuditEvent.ACKNOWLEDGE, check_actor(actor), removed)
            return len(removed)

    def _audit_notes(self, event: AuditEvent, actor: Actor, records: Sequence[object]) -> None:
        subjects: dict[int, str] = {}
        for record in records:
            for signal_id in (record.signal_id, *record.about):  # type: ignore[attr-defined]
                if signal_id is None:
                    continue
                signal = self._store.get_signal(signal_id)
                if signal is not None and signal.subject not in subjects:
                    subjects[signal.subject] = self._subject_text(signal.subject)
        rows = [
            (
                event.value,
                text,
                actor.organisation_id,
                actor.professional_id or "",
                actor.organisation_id,
                "",
            )
            for text in subjects.values()
        ]
        if rows:
            self._audit.extend(self._clock.now(), rows)

    def inzage(
        self,
        subject: SubjectInput,
        *,
        date_of_birth: date,
        requesters: Iterable[Requester | str],
        actor: Actor,
    ) -> InzageReport:
        """Everything the index holds about a subject, for the subject's rights holders.

        ``actor`` is who handles the request (the municipality or the index's operator). The
        requesters must fit the subject's age on today's date (under 12 a parent alone;
        12-15 young person and parent together; 16+ the young person alone); a refused
        request raises :class:`~verwijsindex_core.errors.RequesterRuleError` and is audited
        too. The date of birth must be the one the subject was registered with.
        """
        who = check_actor(actor)
        pseudonyms = self.pseudonyms(subject)
        masked = subject.masked if isinstance(subject, Bsn) else pseudonyms[0].masked
        aliases = tuple(_key(p) for p in pseudonyms)
        today = self._clock.today()
        found = self._engine.subjects_for_inzage(aliases, date_of_birth)
        text = pseudonyms[0].text
        if isinstance(requesters, (str, bytes, dict)) or not isinstance(requesters, Iterable):
            raise ValidationError("requesters", "type", "must be a list such as ['parent']")
        requesters = list(requesters)
        if not all(isinstance(r, str) for r in requesters):
            raise ValidationError("requesters", "type", "each must be 'youth' or 'parent'")
        try:
            who_asks = check_requesters(age_on(date_of_birth, today), requesters)
        except RequesterRuleError as exc:
            with self._store.transaction():
                self._audit_one(
                    AuditEvent.INZAGE_REFUSED, who, subject=text, detail=f"rule={exc.rule}"
                )
            raise
        with self._store.transaction():
            self._audit_one(
                AuditEvent.INZAGE,
                who,
                subject=text,
                detail="requested-by=" + "+".join(r.value for r in who_asks),
            )
            return build_report(
                self._store,
                found,
                masked=masked,
                generated_at=self._clock.now(),
                generated_by=who.organisation_id,
                requested_by=who_asks,
                policy=self._policy,
            )

    def statistics(self) -> IndexStatistics:
        """Totals of the whole index, without any subject data (not audited: no subject)."""
        counts = self._store.counts()
        return IndexStatistics(
            subjects=counts.subjects,
            signals_active=counts.signals_active,
            signals_inactive=counts.signals_inactive,
            matches_direct=counts.matches_direct,
            matches_family=counts.matches_family,
            matches_cross_region=counts.matches_cross_region,
            notifications_pending=counts.notifications_pending,
            audit_entries=counts.audit_entries,
        )

    def verify_audit(self) -> VerifyResult:
        """Check the whole audit chain; anchor :attr:`VerifyResult.head` outside the store."""
        return self._audit.verify()

    def audit_head(self) -> bytes:
        """The newest audit entry's hash, to anchor outside the store (daily)."""
        return self._audit.head()
