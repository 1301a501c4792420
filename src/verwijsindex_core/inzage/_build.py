"""Build an :class:`InzageReport` from a store and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from verwijsindex_core.inzage._model import (
    InzageReport,
    ReportAccess,
    ReportMatch,
    ReportParty,
    ReportSignal,
    Requester,
)
from verwijsindex_core.matching import Policy, SignalStatus, forced_end, purge_on
from verwijsindex_core.pseudonym import Pseudonym
from verwijsindex_core.store import MatchRecord, SignalRecord, Store, SubjectRecord

__all__ = ["PURPOSES", "build_report"]

PURPOSES: Final[dict[str, str]] = {
    "register": "registration",
    "register-existing": "registration-repeated",
    "end-signal": "signal-ended",
    "delete-signal": "signal-deleted",
    "record-death": "death-recorded",
    "record-move": "move-recorded",
    "set-parents": "parents-linked",
    "view-history": "history-viewed",
    "read-matches": "matches-consulted",
    "read-notifications": "notifications-delivered",
    "mark-coordinator": "coordinator-marked",
    "mark-afgestemd": "match-afgestemd",
    "sweep-end": "signal-ended-automatically",
    "inzage": "inzage",
    "inzage-refused": "inzage-refused",
    "read-signal": "signal-consulted",
    "acknowledge": "notifications-acknowledged",
    "rectify": "date-of-birth-rectified",
    "read-match": "match-consulted",
}


def _delete_on(signal: SignalRecord, turns_23: date, policy: Policy) -> date:
    if signal.status is SignalStatus.INACTIVE and signal.ended_on is not None:
        return purge_on(signal.ended_on, policy.retention_years)
    return purge_on(min(signal.planned_end, turns_23), policy.retention_years)


def _report_signal(
    s: SignalRecord, organisation: str, turns_23: date, today: date, delete_on: date
) -> ReportSignal:
    status, ended_on = s.status.value, s.ended_on
    reason = s.end_reason.value if s.end_reason else None
    forced, why = forced_end(s.planned_end, turns_23)
    if s.status is SignalStatus.ACTIVE and forced <= today:
        # Past its end but not swept yet: report it as the law has it, ended.
        status, ended_on, reason = "inactive", forced, why
    return ReportSignal(
        number=s.id,
        organisation=organisation,
        organisation_id=s.organisation_id,
        professional=s.professional.name,
        function=s.professional.function,
        phone=s.professional.phone,
        email=s.professional.email,
        domain=s.domain.value,
        municipality=s.municipality,
        registered_on=s.registered_on,
        planned_end=s.planned_end,
        status=status,  # type: ignore[arg-type]
        ended_on=ended_on,
        end_reason=reason,
        delete_on=delete_on,
    )


def build_report(
    store: Store,
    subjects: list[SubjectRecord],
    *,
    masked: str,
    generated_at: datetime,
    generated_by: str,
    requested_by: tuple[Requester, ...],
    policy: Policy,
) -> InzageReport:
    """Everything about one person in ``store`` and its audit log, and nothing else.

    ``subjects`` are the index's records of that person (one, or more while they are known
    under aliases not linked yet); every read follows the subject (its signals, their
    matches, the audit entries under its pseudonyms), never the whole index.
    """
    turns_23 = subjects[0].turns_23 if subjects else generated_at.date()

    def org_name(organisation_id: str) -> str:
        organisation = store.get_organisation(organisation_id)
        return organisation.name if organisation else organisation_id

    own = sorted(
        (s for subject in subjects for s in store.signals_of(subject.id)), key=lambda s: s.id
    )
    own_ids = {s.id for s in own}
    delete_on = {s.id: _delete_on(s, turns_23, policy) for s in own}
    today = generated_at.date()
    signals = [
        _report_signal(s, org_name(s.organisation_id), turns_23, today, delete_on[s.id])
        for s in own
    ]
    seen: dict[int, MatchRecord] = {}
    for s in own:
        for m in store.matches_of_signal(s.id):
            seen.setdefault(m.id, m)
    matches = []
    recipients = {org_name(s.organisation_id) for s in own}
    for m in sorted(seen.values(), key=lambda m: m.id):
        mine = m.signal_a if m.signal_a in own_ids else m.signal_b
        other_id = m.signal_b if mine == m.signal_a else m.signal_a
        other = store.get_signal(other_id)
        if other is None:  # pragma: no cover - a match is deleted with its signals
            continue
        other_subject = store.get_subject(other.subject)
        other_turns = other_subject.turns_23 if other_subject else turns_23
        other_delete = _delete_on(other, other_turns, policy)
        coordinator = store.get_signal(m.coordinator_signal) if m.coordinator_signal else None
        matches.append(
            ReportMatch(
                number=m.id,
                created_on=m.created_on,
                kind=m.kind.value,
                cross_region=m.cross_region,
                own_signal=mine,
                other=ReportParty(
                    organisation=org_name(other.organisation_id), domain=other.domain.value
                ),
                coordinator=org_name(coordinator.organisation_id) if coordinator else None,
                afgestemd=m.afgestemd,
                delete_on=min(delete_on[mine], other_delete),
            )
        )
        recipients.add(org_name(other.organisation_id))
        if m.cross_region:
            mine_record = next(s for s in own if s.id == mine)
            for side in (mine_record, other):
                recipients.add(policy.coordinator_of(policy.region_of(side.municipality)))
    texts = [Pseudonym._trusted(*alias).text for subject in subjects for alias in subject.aliases]
    accesses = []
    for entry in store.audit_entries_for(texts):
        accesses.append(
            ReportAccess(
                at=entry.at,
                organisation=org_name(entry.actor_organisation),
                purpose=PURPOSES.get(entry.event, entry.event),
            )
        )
        if entry.event == "record-move" and entry.detail.startswith("to="):
            municipality = entry.detail[3:]
            recipients.add(policy.coordinator_of(policy.region_of(municipality)))
    origin = ["registration-by-professionals"]
    if any(store.parents_of(subject.id) for subject in subjects):
        origin.append("parent-links-by-professionals-or-population-register")
    return InzageReport(
        subject=masked,
        generated_at=generated_at,
        generated_by=generated_by,
        requested_by=requested_by,
        signals=tuple(signals),
        matches=tuple(matches),
        accesses=tuple(accesses),
        recipients=tuple(sorted(recipients)),
        origin=tuple(origin),
    )
